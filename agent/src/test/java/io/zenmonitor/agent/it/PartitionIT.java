package io.zenmonitor.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.zenmonitor.agent.it.legacy.BoardClient;
import io.zenmonitor.agent.it.legacy.BoardServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partition safety of the zero-code actions (issue 8), with the legacy board application in child JVMs:
 * a client that is only unreachable (SIGSTOP: its ports still accept) keeps its registrations and DGC
 * leases for {@code partition.grace} and, when it comes back, finds everything as before; one that stays
 * away longer loses them once; below {@code partition.quorum} nothing is removed. A kill -9 (ports refuse)
 * is still acted on at once: see {@link ListenerCleanupIT}, whose 30 s budget is below the 60 s grace.
 *
 * <p>This JDK only: each test waits for real failure detection (about 10 s for a stopped JVM).
 */
@Tag("multi-jvm")
class PartitionIT {

    static final Duration BUDGET = Duration.ofSeconds(60);

    @TempDir
    Path stackDir;

    private static void signal(Jvm jvm, String sig) throws IOException, InterruptedException {
        int rc = new ProcessBuilder("kill", "-" + sig, Long.toString(jvm.pid())).inheritIO().start().waitFor();
        assertThat(rc).as("kill -%s %s", sig, jvm.pid()).isZero();
    }

    private static boolean sees(Jvm jvm, String node) {
        return Zen.members(jvm).map(m -> m.contains(node)).orElse(false);
    }

    private Jvm[] serverAndClient(Jvms jvms, String test, int listeners, String... serverArgs) {
        Path home = Path.of(System.getProperty("java.home"));
        String cluster = Zen.uniqueCluster(test);
        int port = Zen.freePort();
        Jvm server = jvms.start(Zen.withAgent(Jvm.java(home).name("server").main(BoardServer.class, port),
                Zen.args(cluster, "server", serverArgs), stackDir));
        server.expect("READY", Zen.START);
        Zen.awaitMembers(List.of(server), "server");
        Jvm client = jvms.start(Zen.withAgent(Jvm.java(home).name("client").main(BoardClient.class, "127.0.0.1", port, "client", listeners),
                Zen.args(cluster, "client"), stackDir));
        client.expect("REGISTERED", Zen.START);
        Zen.awaitMembers(List.of(server, client), "server", "client");
        Zen.awaitAtLeast(client, "Subscriptions", listeners, BUDGET);
        assertThat(server.askLong("count", "COUNT")).isEqualTo(listeners);
        return new Jvm[] {server, client};
    }

    @Test
    void pauseShorterThanGrace_everythingAsBeforeAfterTheMerge() throws Exception {
        try (Jvms jvms = new Jvms()) {
            Jvm[] sc = serverAndClient(jvms, "blip", 200);
            Jvm server = sc[0];
            Jvm client = sc[1];
            signal(client, "STOP");
            try {
                Zen.waiting("the stopped client leaves the server's view").atMost(BUDGET).until(() -> !sees(server, "client"));
                Zen.waiting("nothing removed while the client is unreachable").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                        .until(() -> server.askLong("count", "COUNT") == 200);
            } finally {
                signal(client, "CONT");
            }
            long t0 = System.nanoTime();
            Zen.waiting("the client is back in the server's view (merge)").atMost(BUDGET).until(() -> sees(server, "client"));
            long merged = System.nanoTime();
            assertThat(server.askLong("count", "COUNT")).as("registrations after the merge").isEqualTo(200);
            assertThat(server.askLong("unref", "UNREF")).as("the client's session was never unreferenced").isZero();
            long received = client.askLong("received", "RECEIVED");
            assertThat(server.askLong("broadcast", "BROADCAST")).as("the client receives callbacks again").isEqualTo(200);
            Zen.waiting("the client received them").atMost(Duration.ofSeconds(10))
                    .until(() -> client.askLong("received", "RECEIVED") == received + 200);
            System.out.printf("[measured] SIGCONT -> merged view after %d ms; registrations 200/200 throughout%n",
                    (merged - t0) / 1_000_000);

            // the registrations are watched again: a real crash now still removes them all
            Zen.awaitAtLeast(client, "Subscriptions", 200, BUDGET);
            client.kill();
            Zen.waiting("after the merge the restored monitors act on a crash").atMost(BUDGET)
                    .until(() -> server.askLong("count", "COUNT") == 0);
        }
    }

    @Test
    void pauseLongerThanGrace_registrationsAndSessionGoOnce() throws Exception {
        try (Jvms jvms = new Jvms()) {
            Jvm[] sc = serverAndClient(jvms, "long", 100, "partition.grace=3s");
            Jvm server = sc[0];
            Jvm client = sc[1];
            signal(client, "STOP");
            try {
                Zen.waiting("the grace period ends and the unreachable client's registrations go").atMost(BUDGET)
                        .until(() -> server.askLong("count", "COUNT") == 0);
                Zen.waiting("its session's lease ends after the grace period").atMost(BUDGET)
                        .until(() -> server.askLong("unref", "UNREF") == 1);
            } finally {
                signal(client, "CONT");
            }
            Zen.waiting("the client is back in the server's view").atMost(BUDGET).until(() -> sees(server, "client"));
            Zen.waiting("nothing comes back and nothing happens twice").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> server.askLong("count", "COUNT") == 0 && server.askLong("unref", "UNREF") == 1);
        }
    }

    @Test
    void belowQuorum_killedClientRemovesNothing() throws Exception {
        try (Jvms jvms = new Jvms()) {
            // the server needs 3 members to believe a crash; with 2 it never does
            Jvm[] sc = serverAndClient(jvms, "quorum", 100, "partition.quorum=3");
            Jvm server = sc[0];
            Jvm client = sc[1];
            client.kill();
            Zen.waiting("the killed client leaves the server's view").atMost(BUDGET).until(() -> !sees(server, "client"));
            Zen.waiting("below quorum the departure is unreachable: nothing removed within the grace period")
                    .during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8))
                    .until(() -> server.askLong("count", "COUNT") == 100 && server.askLong("unref", "UNREF") == 0);
        }
    }
}
