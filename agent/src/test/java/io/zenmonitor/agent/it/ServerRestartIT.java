package io.zenmonitor.agent.it;

import static io.zenmonitor.agent.it.ListenerCleanupIT.client;
import static io.zenmonitor.agent.it.ListenerCleanupIT.count;
import static io.zenmonitor.agent.it.ListenerCleanupIT.ms;
import static io.zenmonitor.agent.it.ListenerCleanupIT.server;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The most common deployment there is: the server restarts while its clients stay up. The restarted server
 * (same node name, same registry port) must learn every client's endpoint from the cluster, so that the
 * registrations the clients make again are zen monitors (the clients' Proxies hold them), not server-only
 * probes; kill -9 of a client then removes exactly its registrations within the usual seconds, through zen.
 * Also checks that {@code listeners.pairs} may name the remote interface, and that a pair matching nothing is
 * reported.
 */
@Tag("multi-jvm")
class ServerRestartIT {

    static final Duration BUDGET = Duration.ofSeconds(30);

    @TempDir
    Path stackDir;

    static Stream<Jvm.Jdk> jdks() {
        return Jvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void serverRestartedWhileClientsLive_monitorsAreZenSubscriptionsAgain_killedClientRemovedThroughZen(Jvm.Jdk jdk) {
        Path home = jdk.home();
        String cluster = Zen.uniqueCluster("restart");
        int port = Zen.freePort();
        String pairs = "listeners.pairs=io.zenmonitor.agent.it.legacy.Board#addBoardListener/removeBoardListener;legacy.Nothing#watch/unwatch";
        try (Jvms jvms = new Jvms()) {
            Jvm first = jvms.start(Zen.withAgent(server(home, port), Zen.args(cluster, "server"), stackDir));
            first.expect("READY", Zen.START);
            Zen.awaitMembers(List.of(first), "server");
            Jvm a = jvms.start(Zen.withAgent(client(home, port, "client-a", 200), Zen.args(cluster, "client-a"), stackDir));
            Jvm b = jvms.start(Zen.withAgent(client(home, port, "client-b", 50), Zen.args(cluster, "client-b"), stackDir));
            a.expect("REGISTERED", Zen.START);
            b.expect("REGISTERED", Zen.START);
            Zen.awaitAtLeast(a, "Subscriptions", 200, BUDGET);

            first.kill();
            Jvm second = jvms.start(Zen.withAgent(server(home, port), Zen.args(cluster, "server", pairs), stackDir));
            second.expect("READY", Zen.START);
            assertThat(a.ask("reregister", "REREGISTERED")).isEqualTo("200");
            assertThat(b.ask("reregister", "REREGISTERED")).isEqualTo("50");
            assertThat(count(second)).isEqualTo(250);

            // the clients' Proxies hold the restarted server's subscriptions: zen monitors, not probes
            Zen.awaitMembers(List.of(second, a, b), "server", "client-a", "client-b");
            try {
                Zen.waiting("client-a holds the restarted server's 200 subscriptions").atMost(BUDGET)
                        .failFast("server died", () -> !second.isAlive())
                        .until(() -> Zen.number(a, "Subscriptions") >= 200 && Zen.number(b, "Subscriptions") >= 50);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("subscriptions: client-a " + Zen.number(a, "Subscriptions") + ", client-b "
                        + Zen.number(b, "Subscriptions") + "; server LiveMonitors " + Zen.number(second, "LiveMonitors")
                        + second.tail(), e);
            }
            Zen.awaitAtLeast(second, "LiveMonitors", 250, BUDGET);

            long t0 = System.nanoTime();
            a.kill();
            List<Long> counts = new ArrayList<>();
            Zen.waiting("client-a's 200 registrations removed").atMost(BUDGET)
                    .failFast("server died", () -> !second.isAlive())
                    .until(() -> {
                        long c = count(second);
                        counts.add(c);
                        return c == 50;
                    });
            long took = ms(System.nanoTime() - t0);
            System.out.printf("[measured] %s: restarted server, kill -9 of a client with 200 registrations -> removed in %d ms%n", jdk, took);
            assertThat(counts).as("client-b's 50 never touched").allSatisfy(c -> assertThat(c).isGreaterThanOrEqualTo(50));
            assertThat(output(second)).as("removed through zen, not server-only probes")
                    .noneMatch(l -> l.contains("server-only mode:") && l.contains("confirmed dead"));

            assertThat(output(second)).as("the pair naming the remote interface matched the implementation")
                    .anyMatch(l -> l.contains("listeners.pairs io.zenmonitor.agent.it.legacy.Board#addBoardListener/removeBoardListener: watching"
                            + " io.zenmonitor.agent.it.legacy.BoardImpl"));
            Zen.waiting("a pair that matched nothing is a WARN").atMost(BUDGET)
                    .until(() -> output(second).stream().anyMatch(l -> l.contains("WARN") && l.contains("legacy.Nothing#watch/unwatch matched nothing")));
        }
    }

    private static List<String> output(Jvm jvm) {
        List<String> all = new ArrayList<>(jvm.lines());
        all.addAll(jvm.stderrLines());
        return all;
    }
}
