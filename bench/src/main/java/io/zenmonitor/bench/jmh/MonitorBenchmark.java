package io.zenmonitor.bench.jmh;

import io.zenmonitor.DownListener;
import io.zenmonitor.MonitorRef;
import io.zenmonitor.Target;
import io.zenmonitor.ZenConfig;
import io.zenmonitor.ZenNode;
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
 * What {@code monitor()} and {@code demonitor()} cost on the caller's thread: a monitor of a named target on
 * a single node ({@code memory} stack, no sockets), then its demonitor. The node's loop thread applies both
 * concurrently (on a 2-core machine it competes with the caller); each iteration ends by waiting until the
 * loop has drained, so a loop that falls behind shows up as slower iterations, not as a hidden backlog.
 *
 * <pre>./bench/run.sh --only jmh     (or: java -cp CP org.openjdk.jmh.Main MonitorBenchmark)</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MonitorBenchmark {

    private ZenNode node;
    private Target target;
    private final DownListener listener = d -> { };

    @Setup(Level.Trial)
    public void start() {
        node = ZenNode.start(ZenConfig.defaults().cluster(Jmh.uniqueCluster("monitor")).node("a").stack("memory"));
        target = Target.named("a", "x");
        node.alive(target);
    }

    @TearDown(Level.Iteration)
    public void drain() throws InterruptedException {
        Jmh.awaitDrained(node);
    }

    @TearDown(Level.Trial)
    public void stop() {
        node.close();
    }

    /** One {@code monitor()} followed by its {@code demonitor()}. */
    @Benchmark
    public boolean monitorDemonitor() {
        MonitorRef r = node.monitor(target, listener);
        return node.demonitor(r);
    }
}
