package io.zenmonitor.bench.jmh;

import io.zenmonitor.DownReason;
import io.zenmonitor.Endpoint;
import io.zenmonitor.RmiTarget;
import io.zenmonitor.Target;
import io.zenmonitor.truncate.Truncator;
import io.zenmonitor.wire.Codec;
import io.zenmonitor.wire.MalformedMessageException;
import io.zenmonitor.wire.WireMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Wire encode and decode of one full chunk (5,000 entries, the default {@code connector.chunk} and
 * {@code batcher.chunk}):
 *
 * <ul>
 *   <li>{@code process}: a PROCESS of 5,000 SUBSCRIBE instructions for named targets
 *       {@code ("node-b", "session-<i>")};
 *   <li>{@code dead}: a DEAD of 5,000 certificates for the same targets, all with one truncated
 *       {@code EXIT} reason (an exception with a cause), written once per message;
 *   <li>{@code process-rmi}: a PROCESS of 5,000 SUBSCRIBE instructions for RMI objects on one endpoint
 *       {@code 127.0.0.1:41234} (what the agent sends for callback listeners).
 * </ul>
 *
 * Time is per chunk; divide by 5,000 for one entry. The encoded sizes are printed by {@link #sizes()}.
 *
 * <pre>./bench/run.sh --only jmh</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CodecBenchmark {

    public static final int ENTRIES = 5_000;

    @Param({"process", "dead", "process-rmi"})
    public String message;

    private final Codec codec = Codec.DEFAULT;
    private WireMessage value;
    private byte[] bytes;

    @Setup(Level.Trial)
    public void build() {
        value = build(message);
        bytes = codec.encode(value);
    }

    /** The message named {@code kind}. */
    public static WireMessage build(String kind) {
        List<Target> targets = new ArrayList<>(ENTRIES);
        for (int i = 0; i < ENTRIES; i++) {
            targets.add(kind.equals("process-rmi")
                    ? new RmiTarget(new Endpoint("127.0.0.1", 41234), 0x5DEECE66DL * (i + 1), 0x1234_5678 + i, 1_795_000_000_000L, (short) i)
                    : Target.named("node-b", "session-" + i));
        }
        if (kind.startsWith("process")) {
            List<WireMessage.Instruction> is = new ArrayList<>(ENTRIES);
            for (Target t : targets) {
                is.add(new WireMessage.Instruction(WireMessage.Op.SUBSCRIBE, t));
            }
            return new WireMessage.Process(false, is);
        }
        DownReason reason = Truncator.DEFAULT.reason(DownReason.Kind.EXIT,
                new IllegalStateException("session timed out", new IOException("socket closed")));
        List<WireMessage.Certificate> cs = new ArrayList<>(ENTRIES);
        for (Target t : targets) {
            cs.add(new WireMessage.Certificate(t, reason));
        }
        return new WireMessage.Dead(cs);
    }

    /** Encoded bytes of each message, for the report: {@code process=.. dead=..}. */
    public static String sizes() {
        return "process=" + Codec.DEFAULT.encode(build("process")).length + " dead=" + Codec.DEFAULT.encode(build("dead")).length
                + " process-rmi=" + Codec.DEFAULT.encode(build("process-rmi")).length;
    }

    @Benchmark
    public byte[] encode() {
        return codec.encode(value);
    }

    @Benchmark
    public WireMessage decode() throws MalformedMessageException {
        return codec.decode(bytes);
    }
}
