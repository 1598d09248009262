package io.zenmonitor;

import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Measurements quoted in the issue notes and README (not assertions: performance claims live in the
 * bench module). Runs only with {@code -Dzen.measure=true}:
 *
 * <pre>mvn -B -o -pl runtime -am test -Dtest=FootprintMeasurement -Dzen.measure=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * <p>Memory: heap used after repeated full GCs (System.gc() until the used heap stops falling), before
 * and after, with the targets created beforehand and held throughout, so the delta is what zen adds.
 * The monitoring side is measured with the Connector sweep held off (nothing reaches the Proxy yet);
 * the Proxy side after the subscriptions arrived (it includes the Target objects the Proxy decodes).
 */
@Tag("measurement")
class FootprintMeasurement {

    static final int N = 100_000;

    @BeforeAll
    static void enabled() {
        Assumptions.assumeTrue(Boolean.getBoolean("zen.measure"), "measurement: run with -Dzen.measure=true");
    }

    static long usedAfterGc() {
        var mem = ManagementFactory.getMemoryMXBean();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 8; i++) {
            System.gc();
            long used = mem.getHeapMemoryUsage().getUsed();
            if (used >= best && i >= 3) {
                return Math.min(best, used);
            }
            best = Math.min(best, used);
        }
        return best;
    }

    @Test
    void memoryPerMonitorAndPerSubscription() {
        try (TestNodes nodes = new TestNodes()) {
            ZenNode a = nodes.start("a", c -> ZenConfig.defaults().cluster(nodes.cluster()).node("a").stack("memory"));
            ZenNode b = nodes.start("b", c -> ZenConfig.defaults().cluster(nodes.cluster()).node("b").stack("memory"));
            nodes.awaitView(2);
            List<Target> targets = new ArrayList<>(N);
            for (int i = 0; i < N; i++) {
                targets.add(Target.named("b", "object-" + i));
            }
            for (Target t : targets) {
                b.alive(t);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> b.metrics().get("zen.proxy.objects.size") == N);
            a.settings().connectorSweep(Duration.ofHours(1));
            DownListener listener = d -> { };
            List<MonitorRef> refs = new ArrayList<>(N);
            long before = usedAfterGc();
            for (Target t : targets) {
                refs.add(a.monitor(t, listener));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> TestNodes.loop(a).pending() == 0);
            long monitoring = usedAfterGc() - before;
            a.settings().connectorSweep(Duration.ofMillis(100));
            long t0 = System.nanoTime();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                    .until(() -> b.metrics().get("zen.proxy.subscribers.size") == N);
            long establishMs = (System.nanoTime() - t0) / 1_000_000;
            long total = usedAfterGc() - before;
            long proxy = total - monitoring;
            System.out.printf("[measured] monitoring side: %d B per live monitor (%d monitors, %d B)%n", monitoring / N, N, monitoring);
            System.out.printf("[measured] proxy side: %d B per subscription (incl. the decoded Target)%n", proxy / N);
            System.out.printf("[measured] %d remote monitors established in %d ms at sweep 100 ms, chunk 5000 (from the sweep being re-enabled)%n", N, establishMs);
            System.out.println(refs.size() + " " + targets.size()); // keep both reachable until here
        }
    }

    @Test
    void establishFromScratch() {
        try (TestNodes nodes = new TestNodes()) {
            ZenNode a = nodes.start("a", c -> ZenConfig.defaults().cluster(nodes.cluster()).node("a").stack("memory"));
            ZenNode b = nodes.start("b", c -> ZenConfig.defaults().cluster(nodes.cluster()).node("b").stack("memory"));
            nodes.awaitView(2);
            for (int i = 0; i < N; i++) {
                b.alive(Target.named("b", "object-" + i));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> b.metrics().get("zen.proxy.objects.size") == N);
            DownListener listener = d -> { };
            long t0 = System.nanoTime();
            for (int i = 0; i < N; i++) {
                a.monitor(Target.named("b", "object-" + i), listener);
            }
            long callMs = (System.nanoTime() - t0) / 1_000_000;
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                    .until(() -> b.metrics().get("zen.proxy.subscribers.size") == N);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("[measured] %d monitor() calls took %d ms; all %d subscriptions on the remote Proxy after %d ms (defaults: sweep 100 ms, chunk 5000)%n",
                    N, callMs, N, ms);
        }
    }

    @Test
    void monitorDemonitorCost() {
        try (TestNodes nodes = new TestNodes()) {
            ZenNode a = nodes.start("a");
            Target t = Target.named("a", "x");
            DownListener listener = d -> { };
            int rounds = 2_000_000;
            for (int w = 0; w < 3; w++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < rounds; i++) {
                    MonitorRef r = a.monitor(t, listener);
                    a.demonitor(r);
                }
                long ns = System.nanoTime() - t0;
                await().atMost(Duration.ofSeconds(60)).until(() -> TestNodes.loop(a).pending() == 0);
                System.out.printf("[measured] round %d: monitor()+demonitor() %.0f ns per pair on the caller's thread%n", w, (double) ns / rounds);
            }
        }
    }
}
