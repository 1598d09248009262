package io.zenmonitor.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.zenmonitor.agent.it.legacy.BoardClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, server-only mode: the agent on the server alone, every client WITHOUT the agent, all in child JVMs
 * on 127.0.0.1. A killed client's 1,000 registrations are removed (refused twice, then at the node's pace);
 * another client's stay; a SIGSTOPped client is not removed before {@code probe.unreachable-after}; a client
 * whose stub host is denied is never probed (its listener port accepts nothing after it registered).
 *
 * <p>One scenario, one JVM set, on this JDK only (the probe is plain NIO; JDK 25 adds nothing here and would
 * double the ~30 s this takes).
 */
@Tag("multi-jvm")
class ServerOnlyIT {

    static final Duration PROBE_INTERVAL = Duration.ofMillis(500);
    static final Duration UNREACHABLE_AFTER = Duration.ofSeconds(6);

    @TempDir
    Path stackDir;

    @Test
    void agentOnServerOnly_killedClientRemovedPaced_othersKept_stoppedNotBeforeUnreachable_deniedNeverProbed() throws Exception {
        Path home = Path.of(System.getProperty("java.home"));
        AgentJar.path();
        String cluster = Zen.uniqueCluster("server-only");
        int port = Zen.freePort();
        try (Jvms jvms = new Jvms()) {
            Jvm server = jvms.start(Zen.withAgent(ListenerCleanupIT.server(home, port), Zen.args(cluster, "server",
                    "demand.amount=" + ListenerCleanupIT.PACE_AMOUNT, "demand.interval=" + ListenerCleanupIT.PACE_INTERVAL.toMillis() + "ms",
                    "probe.interval=" + PROBE_INTERVAL.toMillis() + "ms", "probe.refused-after=2",
                    "probe.unreachable-after=" + UNREACHABLE_AFTER.toSeconds() + "s", "nodes.deny=localhost"), stackDir));
            server.expect("READY", Zen.START);
            Zen.awaitMembers(List.of(server), "server");
            Jvm a = jvms.start(ListenerCleanupIT.client(home, port, "client-a", 1000));
            Jvm b = jvms.start(ListenerCleanupIT.client(home, port, "client-b", 50));
            Jvm c = jvms.start(ListenerCleanupIT.client(home, port, "client-c", 20));
            // stubs of client-d say "localhost": a host the server denies
            Jvm d = jvms.start(ListenerCleanupIT.client(home, port, "client-d", 20).sysProp("java.rmi.server.hostname", "localhost"));
            for (Jvm j : List.of(a, b, c, d)) {
                j.expect("REGISTERED", Zen.START);
            }
            assertThat(ListenerCleanupIT.count(server)).isEqualTo(1090);

            // probing has begun: client-b's listener port accepts the server's probes
            long bAccepts = b.askLong("accepts", "ACCEPTS");
            long dAccepts = d.askLong("accepts", "ACCEPTS"); // the server's DGC dirty call, before any probe could come
            Zen.waiting("the server probes client-b's endpoint").atMost(Duration.ofSeconds(30))
                    .until(() -> b.askLong("accepts", "ACCEPTS") >= bAccepts + 3);

            signal("STOP", c);
            long stoppedAt = System.nanoTime();
            a.kill();
            long t0 = a.killedAtNanos();
            List<ListenerCleanupIT.Sample> samples = new ArrayList<>();
            try {
                Zen.waiting("client-a's 1000 registrations removed after kill -9").atMost(Duration.ofSeconds(30))
                        .failFast("server died", () -> !server.isAlive())
                        .until(() -> ListenerCleanupIT.sample(server, samples).count() <= 90);
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("not removed: COUNT over time (ms after kill): "
                        + ListenerCleanupIT.series(samples, t0) + server.tail(), e);
            }
            assertThat(samples).as("COUNT over time: %s: the others never touched", ListenerCleanupIT.series(samples, t0))
                    .allSatisfy(s -> assertThat(s.count()).isGreaterThanOrEqualTo(90));
            ListenerCleanupIT.assertPaced(samples, t0);
            int first = ListenerCleanupIT.indexOfFirst(samples, s -> s.count() < 1090);
            int last = samples.size() - 1;
            System.out.printf("[measured] server-only: kill -9 of an agent-less client holding 1000 registrations -> first removal"
                            + " at %d..%d ms, last at %d..%d ms after the kill (probe every %d ms, refused twice; pace %d per %d ms)%n",
                    ms(samples.get(Math.max(0, first - 1)).sent() - t0), ms(samples.get(first).received() - t0),
                    ms(samples.get(Math.max(0, last - 1)).sent() - t0), ms(samples.get(last).received() - t0),
                    PROBE_INTERVAL.toMillis(), ListenerCleanupIT.PACE_AMOUNT, ListenerCleanupIT.PACE_INTERVAL.toMillis());
            assertThat(server.lines()).anyMatch(l -> l.contains("confirmed dead (endpoint-refused)"));

            // client-c is hung, not gone: nothing may remove it before probe.unreachable-after
            Duration watched = UNREACHABLE_AFTER.plusSeconds(1).minusNanos(System.nanoTime() - stoppedAt);
            Zen.waiting("the stopped client-c, running client-b and denied client-d keep their 90 registrations")
                    .during(watched.isNegative() ? Duration.ofSeconds(1) : watched).atMost(watched.plusSeconds(10))
                    .until(() -> ListenerCleanupIT.count(server) == 90);
            assertThat(server.lines()).noneMatch(l -> l.contains("endpoint-unreachable"));

            assertThat(d.askLong("accepts", "ACCEPTS")).as("connects to the denied client-d's endpoint").isEqualTo(dAccepts);
            assertThat(b.askLong("accepts", "ACCEPTS") - bAccepts).as("probes of client-b meanwhile").isGreaterThan(10);
            signal("CONT", c);
        }
    }

    static void signal(String signal, Jvm jvm) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(jvm.pid())).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %d", signal, jvm.pid()).isZero();
    }

    static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
