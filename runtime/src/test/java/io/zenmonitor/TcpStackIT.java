package io.zenmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code tcp} stack between real JVMs on 127.0.0.1, with zen monitoring on top: a child JVM killed with
 * kill -9 leaves the view within 5 s and every monitor of its targets fires NODEDOWN; a child hung with SIGSTOP
 * leaves within 20 s, with the same downs, and the subscriptions it held here are dropped; after SIGCONT the
 * partition heals (MergeView) and monitoring works again both ways: new monitors fire, and neither side keeps a
 * subscription from before the partition.
 *
 * <p>This stands for {@code udp}, {@code kube} and {@code secure} too: all network stacks share loopback's
 * failure-detection section (checked by jgroups-config's {@code NetworkStacksTest}); they differ in discovery and
 * transport only. The killed child runs on this JDK, the hung one on JDK 25 when installed beside it (one run
 * covers both JDKs); {@code -Dzen.stacks.full=true} (profile {@code stacks-full}) adds the swapped arrangement.
 * Site values reach the children as {@code -Dzen.stack.*}, resolved by JGroups; the parent passes them as
 * configuration ({@code ZenConfig.stackValue}), filled in by {@code Stacks}.
 */
@Tag("multi-jvm")
@Tag("time-sensitive")
class TcpStackIT {
    static final int TARGETS = 100;
    static final long KILL_LIMIT_MS = 5_000;
    static final long STOP_LIMIT_MS = 20_000;
    static final Duration MERGE_LIMIT = Duration.ofSeconds(60);
    static final Duration START = Duration.ofSeconds(60);

    static Stream<Arguments> arrangements() {
        Path self = Path.of(System.getProperty("java.home"));
        Path other = ChildJvm.jdk25(self).orElse(self);
        List<Arguments> list = new ArrayList<>();
        list.add(Arguments.of(Named.of("killed on " + release(self) + ", stopped on " + release(other), self), other));
        if (Boolean.getBoolean("zen.stacks.full") && !other.equals(self)) {
            list.add(Arguments.of(Named.of("killed on " + release(other) + ", stopped on " + release(self), other), self));
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("arrangements")
    void killedAndHungChildren_leave_hungOneMergesBack_andMonitoringWorksAgain(Path killedJdk, Path stoppedJdk) throws Exception {
        int base = freeBlock(3);
        String hosts = "127.0.0.1[" + base + "],127.0.0.1[" + (base + 1) + "],127.0.0.1[" + (base + 2) + "]";
        String cluster = "zen-tcp-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 1_000_000;
        ZenConfig parentConfig = ZenConfig.defaults().cluster(cluster).node("parent").stack("tcp")
                .stackValue("stack.bind-addr", "127.0.0.1").stackValue("stack.port", Integer.toString(base))
                .stackValue("stack.initial-hosts", hosts);
        try (ZenNode parent = ZenNode.start(parentConfig); // first: the parent is the coordinator
             ChildJvm killed = ChildJvm.start(killedJdk, cluster, "killed", "tcp", TARGETS, childOptions(base + 1, hosts));
             ChildJvm stopped = ChildJvm.start(stoppedJdk, cluster, "stopped", "tcp", TARGETS, childOptions(base + 2, hosts))) {
            killed.expect("READY", START);
            stopped.expect("READY", START);
            await().atMost(START).until(() -> parent.members().containsAll(List.of("killed", "stopped")));
            for (int i = 0; i < 20; i++) {
                parent.alive(Target.named("parent", "p" + i));
            }

            Downs ofKilled = new Downs();
            Downs ofStopped = new Downs();
            for (int i = 0; i < TARGETS; i++) {
                parent.monitor(Target.named("killed", "t" + i), ofKilled);
                parent.monitor(Target.named("stopped", "t" + i), ofStopped);
            }
            awaitSubscriptions(killed, TARGETS);
            awaitSubscriptions(stopped, TARGETS);
            stopped.send("monitor parent 20");
            stopped.expect("MONITORING 20", Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(30)).until(() -> subscriptions(parent) == 20);

            // kill -9: sockets close, FD_SOCK2 suspects at once, VERIFY_SUSPECT2 confirms within 1 s.
            long killNanos = System.nanoTime();
            killed.kill();
            await().atMost(Duration.ofMillis(KILL_LIMIT_MS * 2)).pollInterval(Duration.ofMillis(10))
                    .until(() -> !parent.members().contains("killed"));
            long killViewMs = ms(killNanos);
            ofKilled.awaitCount(TARGETS, Duration.ofMillis(KILL_LIMIT_MS * 2));
            long killDownsMs = ms(killNanos);
            System.out.printf("[measured] tcp stack, %s: kill -9 -> view without it %d ms, %d NODEDOWN downs %d ms%n",
                    release(killedJdk), killViewMs, TARGETS, killDownsMs);
            assertThat(killViewMs).isLessThan(KILL_LIMIT_MS);
            assertThat(ofKilled.all()).hasSize(TARGETS)
                    .allSatisfy(d -> assertThat(d.reason().kind()).isEqualTo(DownReason.Kind.NODEDOWN));

            // SIGSTOP: sockets stay open; only FD_ALL3's missing heartbeats (8 s) reveal it.
            long stopNanos = System.nanoTime();
            signal("STOP", stopped.pid());
            await().atMost(Duration.ofMillis(STOP_LIMIT_MS * 2)).pollInterval(Duration.ofMillis(10))
                    .until(() -> !parent.members().contains("stopped"));
            long stopViewMs = ms(stopNanos);
            ofStopped.awaitCount(TARGETS, Duration.ofSeconds(10));
            System.out.printf("[measured] tcp stack, %s: SIGSTOP -> view without it %d ms, %d NODEDOWN downs %d ms%n",
                    release(stoppedJdk), stopViewMs, TARGETS, ms(stopNanos));
            assertThat(stopViewMs).isLessThan(STOP_LIMIT_MS);
            assertThat(ofStopped.all()).hasSize(TARGETS)
                    .allSatisfy(d -> assertThat(d.reason().kind()).isEqualTo(DownReason.Kind.NODEDOWN));
            await().atMost(Duration.ofSeconds(10)).alias("the hung child's subscriptions here are dropped")
                    .until(() -> subscriptions(parent) == 0);

            // SIGCONT: the child comes back with the same address; MERGE3 heals the partition.
            long contNanos = System.nanoTime();
            signal("CONT", stopped.pid());
            await().atMost(MERGE_LIMIT).pollInterval(Duration.ofMillis(10)).until(() -> parent.members().contains("stopped"));
            System.out.printf("[measured] tcp stack, %s: SIGCONT -> merged back %d ms%n", release(stoppedJdk), ms(contNanos));
            // The child's own 20 monitors of the parent: if the child installed a view without the parent before the
            // merge, each ended once with NODEDOWN; if the merge came first, the child never judged the parent dead
            // and resubscribed them on a fresh session (Connector.resync). Either way none is lost or stale.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                stopped.send("downs");
                assertThat(stopped.expect("DOWNS", Duration.ofSeconds(10))).isIn("DOWNS 20 NODEDOWN=20", "DOWNS 0");
                assertThat(subscriptions(parent)).as("the child's subscriptions here").isIn(0L, 20L);
            });
            stopped.send("downs");
            boolean childSawParentLeave = stopped.expect("DOWNS", Duration.ofSeconds(10)).equals("DOWNS 20 NODEDOWN=20");
            long oldLive = childSawParentLeave ? 0 : 20;
            await().atMost(Duration.ofSeconds(30)).alias("parent holds exactly the child's live subscriptions")
                    .until(() -> subscriptions(parent) == oldLive);
            System.out.println("[measured] tcp stack: after the merge the child " + (childSawParentLeave
                    ? "had fired NODEDOWN for its 20 monitors of the parent" : "had resubscribed its 20 monitors of the parent"));

            // Monitoring works again, both ways, with no subscription left from before the partition.
            Downs fresh = new Downs();
            List<MonitorRef> refs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                refs.add(parent.monitor(Target.named("stopped", "t" + i), fresh));
            }
            awaitSubscriptions(stopped, 10); // not 110: the 100 from before are gone on the child's side
            stopped.send("die 3");
            Down exit = fresh.awaitDown(refs.get(3), Duration.ofSeconds(10));
            assertThat(exit.reason().kind()).isEqualTo(DownReason.Kind.EXIT);
            assertThat(fresh.count()).isEqualTo(1);

            stopped.send("monitor parent 5");
            stopped.expect("MONITORING 5", Duration.ofSeconds(10));
            // Subscriptions are per (node, target): p0..p4 again adds nothing when p0..p19 are still live.
            long expectedSubs = childSawParentLeave ? 5 : 20;
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(subscriptions(parent))
                    .as("the child's subscriptions here, none from before the partition").isEqualTo(expectedSubs));
            parent.died(Target.named("parent", "p2"), DownReason.Kind.EXIT, "ended by the test");
            String expectedDowns = childSawParentLeave ? "DOWNS 21 EXIT=1 NODEDOWN=20" : "DOWNS 2 EXIT=2";
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                stopped.send("downs");
                assertThat(stopped.expect("DOWNS", Duration.ofSeconds(10))).isEqualTo(expectedDowns);
            });
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    static List<String> childOptions(int port, String hosts) {
        return List.of("-Dzen.stack.bind-addr=127.0.0.1", "-Dzen.stack.port=" + port, "-Dzen.stack.initial-hosts=" + hosts);
    }

    static void awaitSubscriptions(ChildJvm child, int n) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            child.send("subs");
            assertThat(child.expect("SUBS", Duration.ofSeconds(10))).isEqualTo("SUBS " + n);
        });
    }

    static long subscriptions(ZenNode node) {
        Long n = node.metrics().get("zen.proxy.subscribers.size");
        return n == null ? -1 : n;
    }

    static long ms(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s %d", signal, pid).isZero();
    }

    static String release(Path javaHome) {
        try {
            return java.nio.file.Files.readAllLines(javaHome.resolve("release")).stream()
                    .filter(l -> l.startsWith("JAVA_VERSION=")).findFirst()
                    .map(l -> "JDK " + l.substring("JAVA_VERSION=".length()).replace("\"", "")).orElse(javaHome.toString());
        } catch (IOException e) {
            return javaHome.toString();
        }
    }

    /** A block of {@code count} free ports on 127.0.0.1 whose FD_SOCK2 ports (+100 .. +100 + count + 3) are free too. */
    static int freeBlock(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 20_000 + ThreadLocalRandom.current().nextInt(30_000);
            if (free(base, count) && free(base + 100, count + 3)) {
                return base;
            }
        }
        throw new IllegalStateException("no free block of " + count + " ports on 127.0.0.1");
    }

    private static boolean free(int from, int count) {
        for (int p = from; p < from + count; p++) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
