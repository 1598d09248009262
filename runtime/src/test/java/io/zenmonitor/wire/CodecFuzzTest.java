package io.zenmonitor.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.zenmonitor.DownReason;
import io.zenmonitor.Endpoint;
import io.zenmonitor.MBeanTarget;
import io.zenmonitor.NamedTarget;
import io.zenmonitor.RmiTarget;
import io.zenmonitor.Target;
import io.zenmonitor.Term;
import io.zenmonitor.wire.MalformedMessageException.Reason;
import io.zenmonitor.wire.WireMessage.Certificate;
import io.zenmonitor.wire.WireMessage.Instruction;
import io.zenmonitor.wire.WireMessage.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link Codec#decode} with random bytes and with mutations of valid encodings. Seeded: the seed is
 * printed and named in every failure; run again with {@code -Dzen.fuzz.seed=<seed>} to reproduce, or
 * {@code -Dzen.fuzz.seed=random} for a fresh one. Bounded by {@value #MAX_ITERATIONS} iterations or
 * {@value #MAX_SECONDS} s, whichever comes first.
 */
class CodecFuzzTest {

    private static final long DEFAULT_SEED = 0x5A2E_4E01_F022L;
    private static final int MAX_ITERATIONS = 200_000;
    private static final int MAX_SECONDS = 20;
    private static final int[] INTERESTING = {0x00, 0x01, 0x02, 0x03, 0x07, 0x08, 0x7F, 0x80, 0x81, 0xC3, 0xED, 0xF0, 0xFE, 0xFF};

    /** Tight limits, so that mutations reach every limit check too. */
    private static final Codec TIGHT = new Codec(new WireLimits(4096, 8, 64, 4, 32, 4, 4));
    private static final List<Codec> CODECS = List.of(Codec.DEFAULT, TIGHT);

    @Test
    void decode_randomAndMutatedInput_returnsMessageOrThrowsMalformed() {
        long seed = seed();
        Random rnd = new Random(seed);
        List<byte[]> corpus = corpus(rnd);
        Map<Reason, Integer> drops = new EnumMap<>(Reason.class);
        int decoded = 0;
        long startNanos = System.nanoTime();
        long deadline = startNanos + TimeUnit.SECONDS.toNanos(MAX_SECONDS);
        int iterations = 0;
        while (iterations < MAX_ITERATIONS && System.nanoTime() - deadline < 0) {
            byte[] input = input(rnd, corpus, iterations);
            for (Codec codec : CODECS) {
                WireMessage m = check(codec, input, seed, iterations, drops);
                if (m != null) {
                    decoded++;
                }
            }
            iterations++;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        System.out.printf("CodecFuzzTest: seed=%d iterations=%d time=%dms decoded=%d drops=%s%n", seed, iterations, millis, decoded, drops);
        assertThat(iterations).as("seed %d", seed).isPositive();
        assertThat(decoded).as("seed %d: some mutations must still decode", seed).isPositive();
        assertThat(drops.keySet()).as("seed %d: drops by reason %s", seed, drops).contains(Reason.TRUNCATED, Reason.BAD_VALUE, Reason.BAD_MAGIC);
    }

    /** Replays the inputs Jazzer found (CodecJazzerFuzzTest, profile fuzz) without installing Jazzer's agent. */
    @Test
    void decode_jazzerCorpus_returnsMessageOrThrowsMalformed() throws Exception {
        java.net.URL dir = CodecFuzzTest.class.getResource("CodecJazzerFuzzTestInputs/decode");
        assertThat(dir).as("the Jazzer corpus on the test class path").isNotNull();
        Map<Reason, Integer> drops = new EnumMap<>(Reason.class);
        int n = 0;
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of(dir.toURI()))) {
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.sorted()::iterator) {
                byte[] input = java.nio.file.Files.readAllBytes(f);
                for (Codec codec : CODECS) {
                    check(codec, input, 0, n, drops);
                }
                n++;
            }
        }
        assertThat(n).isPositive();
    }

    /**
     * Decodes {@code input}: either a message, which must re-encode to bytes that decode equal and re-encode
     * identically, or a MalformedMessageException (counted, returns null). Anything else fails.
     */
    private static WireMessage check(Codec codec, byte[] input, long seed, int iteration, Map<Reason, Integer> drops) {
        WireMessage m;
        try {
            m = codec.decode(input);
        } catch (MalformedMessageException e) {
            if (e.getCause() != null) {
                // the decoder's last-resort wrapper of a RuntimeException: every check should be explicit
                fail(describe(seed, iteration, input) + ": decode relied on its RuntimeException safety net: " + e, e.getCause());
            }
            drops.merge(e.reason(), 1, Integer::sum);
            return null;
        } catch (Throwable t) {
            return fail(describe(seed, iteration, input) + ": decode threw " + t, t);
        }
        try {
            byte[] again = codec.encode(m);
            WireMessage m2 = codec.decode(again);
            if (!m2.equals(m)) {
                fail(describe(seed, iteration, input) + ": decoded " + m + " but its re-encoding decoded " + m2);
            }
            if (!Arrays.equals(codec.encode(m2), again)) {
                fail(describe(seed, iteration, input) + ": re-encoding of " + m + " is not stable");
            }
        } catch (Throwable t) {
            if (t instanceof AssertionError a) {
                throw a;
            }
            return fail(describe(seed, iteration, input) + ": re-encoding " + m + " threw " + t, t);
        }
        return m;
    }

    private static String describe(long seed, int iteration, byte[] input) {
        return "seed " + seed + " (-Dzen.fuzz.seed=" + seed + "), iteration " + iteration + ", input " + CodecTest.hex(input);
    }

    private static long seed() {
        String s = System.getProperty("zen.fuzz.seed");
        if (s == null || s.isBlank()) {
            return DEFAULT_SEED;
        }
        return "random".equals(s) ? System.nanoTime() : Long.decode(s.trim());
    }

    // ------------------------------------------------------------------------------------------------
    // Inputs

    static byte[] input(Random rnd, List<byte[]> corpus, int iteration) {
        switch (iteration % 10) {
            case 0:
                return randomBytes(rnd, rnd.nextInt(48));
            case 1: {
                // a valid header, then random bytes: gets past the magic, version and type checks
                byte[] b = randomBytes(rnd, 3 + rnd.nextInt(48));
                b[0] = (byte) Codec.MAGIC;
                b[1] = (byte) (rnd.nextInt(8) == 0 ? rnd.nextInt(256) : Codec.VERSION);
                b[2] = (byte) (1 + rnd.nextInt(8));
                return b;
            }
            default: {
                byte[] b = pick(rnd, corpus);
                int mutations = 1 + (rnd.nextInt(4) == 0 ? rnd.nextInt(4) : 0);
                for (int i = 0; i < mutations; i++) {
                    b = mutate(rnd, b, corpus);
                }
                return b;
            }
        }
    }

    private static byte[] mutate(Random rnd, byte[] b, List<byte[]> corpus) {
        int n = b.length;
        switch (rnd.nextInt(7)) {
            case 0: { // bit flips
                byte[] c = b.clone();
                for (int i = 1 + rnd.nextInt(3); i > 0 && n > 0; i--) {
                    int at = rnd.nextInt(n);
                    c[at] ^= (byte) (1 << rnd.nextInt(8));
                }
                return c;
            }
            case 1: { // byte sets, to random or interesting values
                byte[] c = b.clone();
                for (int i = 1 + rnd.nextInt(3); i > 0 && n > 0; i--) {
                    c[rnd.nextInt(n)] = (byte) (rnd.nextBoolean() ? INTERESTING[rnd.nextInt(INTERESTING.length)] : rnd.nextInt(256));
                }
                return c;
            }
            case 2: { // insertion
                int at = rnd.nextInt(n + 1);
                byte[] ins = rnd.nextBoolean() ? randomBytes(rnd, 1 + rnd.nextInt(8))
                        : Arrays.copyOfRange(b, at, Math.min(n, at + 1 + rnd.nextInt(16)));
                return concat(Arrays.copyOf(b, at), ins, Arrays.copyOfRange(b, at, n));
            }
            case 3: { // deletion
                if (n == 0) {
                    return b;
                }
                int at = rnd.nextInt(n);
                int len = 1 + rnd.nextInt(Math.min(16, n - at));
                return concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + len, n));
            }
            case 4: // truncation
                return Arrays.copyOf(b, n == 0 ? 0 : rnd.nextInt(n));
            case 5: { // splice: a prefix of this message and a suffix of another
                byte[] other = pick(rnd, corpus);
                return concat(Arrays.copyOf(b, rnd.nextInt(n + 1)), Arrays.copyOfRange(other, rnd.nextInt(other.length + 1), other.length));
            }
            default: { // one varint-looking run of continuation bytes, to stress counts and lengths
                byte[] c = b.clone();
                if (n > 3) {
                    int at = 3 + rnd.nextInt(n - 3);
                    for (int i = at; i < Math.min(n, at + 1 + rnd.nextInt(6)); i++) {
                        c[i] = (byte) (0x80 | rnd.nextInt(128));
                    }
                }
                return c;
            }
        }
    }

    private static byte[] pick(Random rnd, List<byte[]> corpus) {
        return corpus.get(rnd.nextInt(corpus.size()));
    }

    private static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------
    // Valid messages to mutate

    static List<byte[]> corpus(Random rnd) {
        List<byte[]> corpus = new ArrayList<>();
        for (WireMessage m : CodecTest.samples()) {
            corpus.add(Codec.DEFAULT.encode(m));
        }
        while (corpus.size() < 250) {
            WireMessage m = randomMessage(rnd);
            try {
                corpus.add(TIGHT.encode(m));
            } catch (IllegalArgumentException tooBigForTight) {
                corpus.add(Codec.DEFAULT.encode(m));
            }
        }
        return corpus;
    }

    /** A random message small enough for {@link #TIGHT}. */
    private static WireMessage randomMessage(Random rnd) {
        switch (rnd.nextInt(6)) {
            case 0:
                return new WireMessage.Ping(rnd.nextInt(), rnd.nextLong(), rnd.nextLong());
            case 1:
                return new WireMessage.Pong(rnd.nextInt(4), rnd.nextLong(), rnd.nextLong());
            case 2: {
                List<Instruction> instructions = new ArrayList<>();
                for (int i = rnd.nextInt(5); i > 0; i--) {
                    instructions.add(new Instruction(rnd.nextBoolean() ? Op.SUBSCRIBE : Op.UNSUBSCRIBE, randomTarget(rnd)));
                }
                return new WireMessage.Process(rnd.nextBoolean(), instructions);
            }
            case 3: {
                List<DownReason> reasons = new ArrayList<>();
                for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
                    DownReason.Kind kind = DownReason.Kind.values()[rnd.nextInt(DownReason.Kind.values().length)];
                    reasons.add(rnd.nextBoolean() ? DownReason.of(kind) : new DownReason(kind, randomTerm(rnd, 1, new int[] {0})));
                }
                List<Certificate> certificates = new ArrayList<>();
                for (int i = rnd.nextInt(5); i > 0; i--) {
                    certificates.add(new Certificate(randomTarget(rnd), reasons.get(rnd.nextInt(reasons.size()))));
                }
                return new WireMessage.Dead(certificates);
            }
            case 4: {
                List<Endpoint> endpoints = new ArrayList<>();
                for (int i = rnd.nextInt(4); i > 0; i--) {
                    endpoints.add(new Endpoint(randomString(rnd, 1, 12), rnd.nextInt(65536)));
                }
                return new WireMessage.Endpoints(endpoints);
            }
            default:
                return rnd.nextBoolean() ? new WireMessage.Bye() : new WireMessage.ByeAck();
        }
    }

    private static Target randomTarget(Random rnd) {
        switch (rnd.nextInt(3)) {
            case 0:
                return new RmiTarget(new Endpoint(randomString(rnd, 1, 12), rnd.nextInt(65536)), rnd.nextLong(), rnd.nextInt(),
                        rnd.nextLong(), (short) rnd.nextInt());
            case 1:
                return new MBeanTarget(rnd.nextBoolean() ? null : randomString(rnd, 1, 8), rnd.nextBoolean() ? MBeanTarget.PLATFORM : "s",
                        "d:type=" + randomString(rnd, 1, 10));
            default:
                return new NamedTarget(rnd.nextBoolean() ? null : randomString(rnd, 1, 8), randomString(rnd, 1, 16));
        }
    }

    /** A term within TIGHT's limits: depth at most 4, at most 4 elements, at most 32 nodes. */
    private static Term randomTerm(Random rnd, int depth, int[] nodes) {
        nodes[0]++;
        int kinds = depth < 4 && nodes[0] < 20 ? 7 : 5;
        switch (rnd.nextInt(kinds)) {
            case 0:
                return Term.str(randomString(rnd, 0, 12));
            case 1:
                return Term.integer(rnd.nextBoolean() ? rnd.nextInt(300) - 150 : rnd.nextLong());
            case 2:
                return new Term.Real(rnd.nextBoolean() ? rnd.nextDouble() : Double.longBitsToDouble(rnd.nextLong()));
            case 3:
                return new Term.Bool(rnd.nextBoolean());
            case 4:
                return Term.atom(randomString(rnd, 0, 8));
            case 5: {
                Term[] elements = new Term[rnd.nextInt(3)];
                for (int i = 0; i < elements.length; i++) {
                    elements[i] = randomTerm(rnd, depth + 1, nodes);
                }
                return Term.seq(elements);
            }
            default: {
                Map<String, Term> fields = new LinkedHashMap<>();
                for (int i = rnd.nextInt(3); i > 0; i--) {
                    fields.put("f" + i, randomTerm(rnd, depth + 1, nodes));
                }
                return new Term.Struct(rnd.nextBoolean() ? "" : "T" + randomString(rnd, 0, 4), fields);
            }
        }
    }

    private static final String ALPHABET = "abcxyz019-_.:/ éü€😀";

    private static String randomString(Random rnd, int min, int max) {
        StringBuilder sb = new StringBuilder();
        int n = min + rnd.nextInt(max - min + 1);
        while (sb.length() < n) {
            int cp = ALPHABET.codePointAt(ALPHABET.offsetByCodePoints(0, rnd.nextInt(ALPHABET.codePointCount(0, ALPHABET.length()))));
            if (sb.length() + Character.charCount(cp) > Math.max(n, 2)) {
                continue;
            }
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }
}
