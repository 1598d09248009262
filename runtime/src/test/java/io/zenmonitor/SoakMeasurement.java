package io.zenmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Soak: two nodes in one JVM on the {@code memory} stack create and end monitors in cycles for
 * {@code zen.soak.duration} (default 10 minutes), {@code zen.soak.monitors} per cycle (default 250,000, so
 * 1,000,000 every four cycles). In each cycle node {@code a} monitors that many live targets of node
 * {@code b} from four owners, waits until {@code b} holds every subscription, then half the targets die
 * (a down each) and the other half's owners close (a demonitor each). After each cycle it prints the heap
 * used after GC and the live thread count; at the end it checks that neither grew: the heap of the last
 * quarter of cycles within 32 MB of the first quarter's (after one warm-up cycle); the thread count of
 * the last quarter not above the first quarter's, and its spread within the two nodes' callback pools.
 *
 * <p>Not part of {@code mvn verify}; run {@code ./bench/soak.sh [duration] [monitors-per-cycle]} or
 * <pre>mvn -B -o -pl runtime -am test -Dtest=SoakMeasurement -Dzen.soak=true -Dzen.soak.duration=10m -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class SoakMeasurement {

    @Test
    void soak_createAndEndMonitorsInCycles_heapAndThreadsFlat() {
        Assumptions.assumeTrue(Boolean.getBoolean("zen.soak"), "soak: run with -Dzen.soak=true or ./bench/soak.sh");
        Duration duration = (Duration) io.zenmonitor.config.ConfigKey.DEMAND_INTERVAL.parse(System.getProperty("zen.soak.duration", "10m"));
        int perCycle = Integer.getInteger("zen.soak.monitors", 250_000);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<long[]> samples = new ArrayList<>(); // cycle, heap after GC, threads, millis
        long created = 0;
        LongAdder downs = new LongAdder();
        DownListener count = d -> downs.increment();
        try (TestNodes nodes = new TestNodes()) {
            ZenNode a = nodes.start("a", c -> c.connectorChunk(100_000).demandAmount(100_000));
            ZenNode b = nodes.start("b", c -> c.batcherChunk(100_000));
            nodes.awaitView(2);
            long start = System.nanoTime();
            long deadline = start + duration.toNanos();
            System.out.printf("[soak] cycle,monitors-total,heap-after-gc-MB,threads,cycle-ms%n");
            for (int cycle = 0; System.nanoTime() < deadline; cycle++) {
                long c0 = System.nanoTime();
                List<Target> targets = new ArrayList<>(perCycle);
                for (int i = 0; i < perCycle; i++) {
                    Target t = Target.named("b", "c" + cycle + "-" + i);
                    targets.add(t);
                    b.alive(t);
                }
                MonitorOwner[] owners = new MonitorOwner[4];
                for (int o = 0; o < owners.length; o++) {
                    owners[o] = a.owner("cycle" + cycle + "-" + o);
                }
                for (int i = 0; i < perCycle; i++) {
                    owners[i & 3].monitor(targets.get(i), count);
                }
                created += perCycle;
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50))
                        .until(() -> TestNodes.onLoop(b, x -> TestNodes.proxy(x).subscriptionsInLoop()) == perCycle);
                long before = downs.sum();
                // owners 0 and 1 see their targets die; owners 2 and 3 close (their targets are reaped after)
                for (int i = 0; i < perCycle; i++) {
                    if ((i & 3) < 2) {
                        b.died(targets.get(i), DownReason.UNEXPORTED);
                    }
                }
                owners[2].close();
                owners[3].close();
                int dying = (perCycle + 1) / 2;
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> downs.sum() - before >= dying);
                for (int i = 0; i < perCycle; i++) {
                    if ((i & 3) >= 2) {
                        b.died(targets.get(i), DownReason.UNEXPORTED);
                    }
                }
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() ->
                        TestNodes.local(a).liveMonitors() == 0
                        && TestNodes.onLoop(b, x -> TestNodes.proxy(x).subscriptionsInLoop()) == 0
                        && TestNodes.onLoop(b, x -> TestNodes.proxy(x).objectCount()) <= 1);
                assertThat(downs.sum() - before).isEqualTo(dying);
                targets = null;
                long heap = usedAfterGc(memory);
                int live = threads.getThreadCount();
                long ms = (System.nanoTime() - c0) / 1_000_000;
                samples.add(new long[] {cycle, heap, live, ms});
                System.out.printf("[soak] %d,%d,%d,%d,%d%n", cycle, created, heap >> 20, live, ms);
            }
            System.out.printf("[measured] soak: %d cycles, %,d monitors created and ended (%,d downs) in %d s%n",
                    samples.size(), created, downs.sum(), (System.nanoTime() - start) / 1_000_000_000L);
        }
        assertThat(samples.size()).as("cycles").isGreaterThanOrEqualTo(5);
        int q = Math.max(1, (samples.size() - 1) / 4);
        List<long[]> first = samples.subList(1, 1 + q);
        List<long[]> last = samples.subList(samples.size() - q, samples.size());
        long firstHeap = first.stream().mapToLong(s -> s[1]).max().orElseThrow();
        long lastHeap = last.stream().mapToLong(s -> s[1]).min().orElseThrow();
        long minThreads = samples.stream().skip(1).mapToLong(s -> s[2]).min().orElseThrow();
        long maxThreads = samples.stream().skip(1).mapToLong(s -> s[2]).max().orElseThrow();
        System.out.printf("[measured] soak: heap after GC first quarter max %d MB, last quarter min %d MB; threads %d to %d%n",
                firstHeap >> 20, lastHeap >> 20, minThreads, maxThreads);
        assertThat(lastHeap - firstHeap).as("heap growth").isLessThan(32L << 20);
        // Pools breathe: each node's callback threads time out after 30 s idle and come back, and JGroups' pool
        // grows and shrinks. A leak shows as growth, so: the last quarter never starts above the first, and the
        // spread stays within the two nodes' callback pools (2 x 4 threads).
        long firstThreads = first.stream().mapToLong(s -> s[2]).max().orElseThrow();
        long lastThreads = last.stream().mapToLong(s -> s[2]).min().orElseThrow();
        assertThat(lastThreads).as("threads, last quarter min vs first quarter max").isLessThanOrEqualTo(firstThreads);
        assertThat(maxThreads - minThreads).as("thread count spread").isLessThanOrEqualTo(8);
    }

    static long usedAfterGc(MemoryMXBean memory) {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
