package io.zenmonitor.bench.jmh;

import io.zenmonitor.DownListener;
import io.zenmonitor.DownReason;
import io.zenmonitor.Target;
import io.zenmonitor.ZenConfig;
import io.zenmonitor.ZenNode;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A monitor-to-down round trip inside one JVM: a named object is made alive, monitored, and ended with an
 * {@code EXIT} reason; the operation ends when the {@code DownListener} has run on a callback thread. It
 * crosses every stage a remote death crosses except the network: the caller enqueues, the loop applies the
 * monitor and the death, the Proxy truncates and certifies, the Batcher sweeps, the Dispatcher ticks and a
 * callback thread runs the listener.
 *
 * <p>Pacing and batching are set to their fastest ({@code demand.amount=1000000} per {@code 1ms}, sweeps
 * {@code 1ms}): with the defaults (100 ms sweeps and ticks) the round trip is dominated by waiting for the next
 * sweep and tick (50 to 200 ms), which is a setting, not a cost.
 *
 * <pre>./bench/run.sh --only jmh</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RoundTripBenchmark {

    private static final int NAMES = 1 << 12;

    private ZenNode node;
    private Target[] targets;
    private int next;
    private volatile long downs;
    private final DownListener listener = d -> downs++;

    @Setup(Level.Trial)
    public void start() {
        node = ZenNode.start(ZenConfig.defaults().cluster(Jmh.uniqueCluster("roundtrip")).node("a").stack("memory")
                .demandAmount(1_000_000).demandInterval(Duration.ofMillis(1))
                .connectorSweep(Duration.ofMillis(1)).batcherSweep(Duration.ofMillis(1)));
        targets = new Target[NAMES];
        for (int i = 0; i < NAMES; i++) {
            targets[i] = Target.named("a", "object-" + i);
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        node.close();
    }

    /** alive, monitor, died, then spin until the listener ran. */
    @Benchmark
    public long monitorToDown() {
        Target t = targets[next++ & (NAMES - 1)];
        long before = downs;
        node.alive(t);
        node.monitor(t, listener);
        node.died(t, DownReason.Kind.EXIT, "done");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (downs == before) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no down within 10 s");
            }
            Thread.onSpinWait();
        }
        return downs;
    }
}
