package io.zenmonitor.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of {@link Codec#decode} with Jazzer, under the default and under tight limits
 * (so that inputs reach every limit check). Each input must either be refused with a
 * {@link MalformedMessageException} raised by an explicit check (never the decoder's last-resort wrapper of a
 * RuntimeException) or decode to a message whose re-encoding decodes equal and re-encodes identically.
 *
 * <p>With Jazzer in regression mode this replays the inputs under
 * {@code src/test/resources/io/zenmonitor/wire/CodecJazzerFuzzTestInputs/decode/} (a sample of the corpus
 * a 30 s run found), and ordinary builds exclude it: Jazzer's agent would stay in the shared test JVM.
 * {@link CodecFuzzTest} replays the same inputs without Jazzer. {@code mvn -B -o -pl runtime -am test -Pfuzz}
 * fuzzes for {@code maxDuration}; a finding is written to that directory and from then on replayed by every
 * build. Measured here: 3.3 million inputs in 2 minutes, no finding. {@link CodecFuzzTest} and
 * {@link ReceiverFuzzTest} are the seeded, always-on counterparts.
 */
class CodecJazzerFuzzTest {

    private static final Codec TIGHT = new Codec(new WireLimits(4096, 8, 64, 4, 32, 4, 4));

    @FuzzTest(maxDuration = "2m")
    void decode(byte[] data) {
        check(Codec.DEFAULT, data);
        check(TIGHT, data);
    }

    private static void check(Codec codec, byte[] data) {
        WireMessage m;
        try {
            m = codec.decode(data);
        } catch (MalformedMessageException e) {
            if (e.getCause() != null) {
                throw new AssertionError("decode relied on its RuntimeException safety net: " + e, e.getCause());
            }
            return; // the receiver drops and counts it
        }
        byte[] again = codec.encode(m);
        WireMessage m2;
        try {
            m2 = codec.decode(again);
        } catch (MalformedMessageException e) {
            throw new AssertionError("decoded " + m + " but its re-encoding is refused: " + e, e);
        }
        if (!m2.equals(m)) {
            throw new AssertionError("decoded " + m + " but its re-encoding decoded " + m2);
        }
        if (!Arrays.equals(codec.encode(m2), again)) {
            throw new AssertionError("re-encoding of " + m + " is not stable");
        }
    }
}
