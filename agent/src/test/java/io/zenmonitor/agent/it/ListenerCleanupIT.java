package io.zenmonitor.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.zenmonitor.agent.it.legacy.BoardClient;
import io.zenmonitor.agent.it.legacy.BoardServer;
import io.zenmonitor.agent.it.legacy.JmxClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The legacy board application ({@code legacy} package, no zen code) in real child JVMs, with and without
 * {@code -javaagent:zen-agent.jar}, killed with SIGKILL: what the agent changes (dead clients' listener
 * registrations removed at the configured pace, {@code unreferenced()} and JMX connection close within seconds)
 * and what it must not change (other clients, clients without the agent, applications without the agent).
 *
 * <p>Each test runs on this JDK and on a JDK 25 installed beside it (skipped when absent), uses its own cluster
 * name, registry port and discovery directory, and kills every child it started.
 */
@Tag("multi-jvm")
class ListenerCleanupIT {

    /** Server pacing in the paced test: 200 removals per 100 ms, i.e. 2,000 per second. */
    static final int PACE_AMOUNT = 200;
    static final Duration PACE_INTERVAL = Duration.ofMillis(100);
    /** One tick's worth of slack: a window of length W can hold ceil(W / interval) + 1 ticks. */
    static final int PACE_SLACK = PACE_AMOUNT;

    /** What "within seconds" means here: failure detection (~2 s) + pacing + a wide margin for slow machines. */
    static final Duration SECONDS_BUDGET = Duration.ofSeconds(30);

    /** How long "nothing happens" is watched for. */
    static final Duration NOTHING = Duration.ofSeconds(10);

    @TempDir
    Path stackDir;

    static Stream<Jvm.Jdk> jdks() {
        return Jvm.jdks();
    }

    // --------------------------------------------------------------------------------------------- tests

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void killedClient_registrationsRemovedPaced_otherClientUntouched(Jvm.Jdk jdk) {
        Path home = jdk.home();
        AgentJar.path();
        String cluster = Zen.uniqueCluster("paced");
        int port = Zen.freePort();
        try (Jvms jvms = new Jvms()) {
            Jvm server = jvms.start(Zen.withAgent(server(home, port),
                    Zen.args(cluster, "server", "demand.amount=" + PACE_AMOUNT, "demand.interval=" + PACE_INTERVAL.toMillis() + "ms"), stackDir));
            server.expect("READY", Zen.START);
            Zen.awaitMembers(List.of(server), "server"); // found the cluster first: see loopback.xml, join race
            Jvm a = jvms.start(Zen.withAgent(client(home, port, "client-a", 2000), Zen.args(cluster, "client-a"), stackDir));
            Jvm b = jvms.start(Zen.withAgent(client(home, port, "client-b", 100), Zen.args(cluster, "client-b"), stackDir));
            a.expect("REGISTERED", Zen.START);
            b.expect("REGISTERED", Zen.START);
            assertThat(count(server)).as("listeners registered by client-a (2000) and client-b (100)").isEqualTo(2100);

            // the agents are in one view and the server's monitors have reached the clients' Proxies
            Zen.awaitMembers(List.of(server, a, b), "server", "client-a", "client-b");
            Zen.awaitAtLeast(a, "Subscriptions", 2000, SECONDS_BUDGET);
            Zen.awaitAtLeast(b, "Subscriptions", 100, SECONDS_BUDGET);
            long bReceived = b.askLong("received", "RECEIVED");

            List<Sample> samples = new ArrayList<>();
            assertThat(sample(server, samples).count()).isEqualTo(2100);
            a.kill();
            long t0 = a.killedAtNanos();
            try {
                Zen.waiting("server COUNT drops from 2100 to 100 after kill -9 of client-a")
                        .atMost(SECONDS_BUDGET)
                        .failFast("server died", () -> !server.isAlive())
                        .until(() -> sample(server, samples).count() <= 100);
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("client-a's 2000 registrations were not all removed within " + SECONDS_BUDGET
                        + "; COUNT over time (ms after kill): " + series(samples, t0) + server.tail(), e);
            }
            assertThat(samples).as("COUNT over time (ms after kill): %s: client-b's 100 never touched", series(samples, t0))
                    .allSatisfy(s -> assertThat(s.count()).isGreaterThanOrEqualTo(100));
            assertPaced(samples, t0);

            int first = indexOfFirst(samples, s -> s.count() < 2100);
            int last = samples.size() - 1;
            System.out.printf("[measured] %s: kill -9 of a client holding 2000 registrations -> first removal at %d..%d ms,"
                            + " last removal at %d..%d ms after the kill (pace %d per %d ms: the removals need >= %d ms)%n",
                    jdk, ms(samples.get(first - 1).sent() - t0), ms(samples.get(first).received() - t0),
                    ms(samples.get(last - 1).sent() - t0), ms(samples.get(last).received() - t0),
                    PACE_AMOUNT, PACE_INTERVAL.toMillis(), (2000 / PACE_AMOUNT - 1) * PACE_INTERVAL.toMillis());

            Zen.waiting("client-b's 100 registrations stay").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> count(server) == 100);
            assertThat(server.askLong("broadcast", "BROADCAST")).as("successful calls to client-b's listeners").isEqualTo(100);
            Zen.waiting("client-b received the broadcast").atMost(Duration.ofSeconds(10))
                    .until(() -> b.askLong("received", "RECEIVED") == bReceived + 100);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void clientUnexportsHalf_exactlyThoseRemoved(Jvm.Jdk jdk) {
        Path home = jdk.home();
        AgentJar.path();
        String cluster = Zen.uniqueCluster("unexport");
        int port = Zen.freePort();
        try (Jvms jvms = new Jvms()) {
            Jvm server = jvms.start(Zen.withAgent(server(home, port), Zen.args(cluster, "server"), stackDir));
            server.expect("READY", Zen.START);
            Zen.awaitMembers(List.of(server), "server"); // found the cluster first: see loopback.xml, join race
            Jvm c = jvms.start(Zen.withAgent(client(home, port, "client", 1000), Zen.args(cluster, "client"), stackDir));
            c.expect("REGISTERED", Zen.START);
            assertThat(count(server)).isEqualTo(1000);
            Zen.awaitMembers(List.of(server, c), "server", "client");
            Zen.awaitAtLeast(c, "Subscriptions", 1000, SECONDS_BUDGET);

            assertThat(c.askLong("unexport-half", "UNEXPORTED")).isEqualTo(500);
            long t0 = System.nanoTime();
            awaitCountAtMost(server, 500, SECONDS_BUDGET, "the 500 unexported listeners removed");
            System.out.printf("[measured] %s: 500 listeners unexported -> removed within %d ms%n", jdk, ms(System.nanoTime() - t0));
            Zen.waiting("the 500 exported listeners stay").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> count(server) == 500);

            long received = c.askLong("received", "RECEIVED");
            assertThat(server.askLong("broadcast", "BROADCAST")).as("every remaining listener is a live one").isEqualTo(500);
            Zen.waiting("the client received the broadcast").atMost(Duration.ofSeconds(10))
                    .until(() -> c.askLong("received", "RECEIVED") == received + 500);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void noAgent_killedClient_nothingRemoved(Jvm.Jdk jdk) {
        Path home = jdk.home();
        int port = Zen.freePort();
        try (Jvms jvms = new Jvms()) {
            Jvm server = jvms.start(server(home, port));
            server.expect("READY", Zen.START);
            Jvm c = jvms.start(client(home, port, "client", 500));
            c.expect("REGISTERED", Zen.START);
            assertThat(count(server)).isEqualTo(500);

            c.kill();
            Zen.waiting("without the agent the dead client's 500 listeners stay").during(NOTHING).atMost(NOTHING.plusSeconds(5))
                    .until(() -> count(server) == 500);
            assertThat(server.askLong("broadcast", "BROADCAST")).as("calls to the dead client's listeners").isZero();
            assertThat(count(server)).as("the application itself removes nothing").isEqualTo(500);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void clientWithoutAgent_keptWhileAlive_removedByServerOnlyProbesWhenKilled(Jvm.Jdk jdk) {
        Path home = jdk.home();
        AgentJar.path();
        String cluster = Zen.uniqueCluster("noagent-client");
        int port = Zen.freePort();
        try (Jvms jvms = new Jvms()) {
            Jvm server = jvms.start(Zen.withAgent(server(home, port), Zen.args(cluster, "server"), stackDir));
            server.expect("READY", Zen.START);
            Zen.awaitMembers(List.of(server), "server"); // the server's agent is up
            Jvm c = jvms.start(client(home, port, "client", 300));
            c.expect("REGISTERED", Zen.START);
            assertThat(count(server)).isEqualTo(300);

            // alive: the server's probes of its endpoint are answered, nothing is removed
            Zen.waiting("a live client without the agent keeps its 300 listeners").during(Duration.ofSeconds(4))
                    .atMost(Duration.ofSeconds(8)).until(() -> count(server) == 300);
            assertThat(server.askLong("broadcast", "BROADCAST")).as("calls to the live client's listeners").isEqualTo(300);

            // killed: its port refuses the server's probes (server-only mode), its registrations go
            c.kill();
            awaitCountAtMost(server, 0, SECONDS_BUDGET, "server-only probes confirm the agent-less client dead");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void killedClient_sessionUnreferencedWithinSeconds(Jvm.Jdk jdk) {
        Path home = jdk.home();
        AgentJar.path();
        String cluster = Zen.uniqueCluster("unref");
        int port = Zen.freePort();
        try (Jvms jvms = new Jvms()) {
            // default DGC lease (10 minutes): without the agent unreferenced() would come 5 to 15 minutes late
            Jvm server = jvms.start(Zen.withAgent(server(home, port), Zen.args(cluster, "server"), stackDir));
            server.expect("READY", Zen.START);
            Zen.awaitMembers(List.of(server), "server"); // found the cluster first: see loopback.xml, join race
            // no listeners: the session stub is all the client holds, and the client exports nothing
            Jvm c = jvms.start(Zen.withAgent(client(home, port, "client", 0), Zen.args(cluster, "client"), stackDir));
            c.expect("REGISTERED", Zen.START);
            Zen.awaitMembers(List.of(server, c), "server", "client");
            assertThat(server.askLong("unref", "UNREF")).isZero();

            c.kill();
            long t0 = c.killedAtNanos();
            try {
                Zen.waiting("Session.unreferenced() after kill -9 of its only client").atMost(SECONDS_BUDGET)
                        .failFast("server died", () -> !server.isAlive())
                        .until(() -> server.askLong("unref", "UNREF") >= 1);
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("unreferenced() did not run within " + SECONDS_BUDGET + server.tail(), e);
            }
            System.out.printf("[measured] %s: kill -9 -> Session.unreferenced() within %d ms (DGC lease 10 min)%n", jdk, ms(System.nanoTime() - t0));
            assertThat(server.askLong("unref", "UNREF")).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void killedJmxClient_connectionClosedWithinSeconds(Jvm.Jdk jdk) {
        Path home = jdk.home();
        AgentJar.path();
        String cluster = Zen.uniqueCluster("jmx");
        int port = Zen.freePort();
        try (Jvms jvms = new Jvms()) {
            // jmx.remote.x.server.connection.timeout stays at 2 minutes
            Jvm server = jvms.start(Zen.withAgent(server(home, port).main(BoardServer.class, port, "jmx"), Zen.args(cluster, "server"), stackDir));
            server.expect("READY", Zen.START);
            Zen.awaitMembers(List.of(server), "server"); // found the cluster first: see loopback.xml, join race
            Jvm c = jvms.start(Zen.withAgent(Jvm.java(home).name("jmx-client").main(JmxClient.class, BoardServer.jmxUrl(port)),
                    Zen.args(cluster, "jmx-client"), stackDir));
            c.expect("CONNECTED", Zen.START);
            assertThat(server.askLong("jmxconns", "JMXCONNS")).isEqualTo(1);
            Zen.awaitMembers(List.of(server, c), "server", "jmx-client");

            c.kill();
            long t0 = c.killedAtNanos();
            try {
                Zen.waiting("server-side JMX connection closed after kill -9 of the JMX client").atMost(SECONDS_BUDGET)
                        .failFast("server died", () -> !server.isAlive())
                        .until(() -> server.askLong("jmxconns", "JMXCONNS") == 0);
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("the JMX connection was not closed within " + SECONDS_BUDGET + server.tail(), e);
            }
            System.out.printf("[measured] %s: kill -9 -> JMX connection closed within %d ms (connection timeout 2 min)%n", jdk, ms(System.nanoTime() - t0));
        }
    }

    // --------------------------------------------------------------------------------------------- helpers

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void killedClient_mbeanNotificationForwardersRemoved_otherClientKeepsGettingNotifications(Jvm.Jdk jdk) {
        Path home = jdk.home();
        String cluster = Zen.uniqueCluster("notif");
        int port = Zen.freePort();
        try (Jvms jvms = new Jvms()) {
            Jvm server = jvms.start(Zen.withAgent(server(home, port), Zen.args(cluster, "server"), stackDir));
            server.expect("READY", Zen.START);
            Zen.awaitMembers(List.of(server), "server");
            Jvm a = jvms.start(Zen.withAgent(client(home, port, "client-a", 40).main(BoardClient.class, "127.0.0.1", port, "client-a", 40, "ticker"),
                    Zen.args(cluster, "client-a"), stackDir));
            Jvm b = jvms.start(Zen.withAgent(client(home, port, "client-b", 10).main(BoardClient.class, "127.0.0.1", port, "client-b", 10, "ticker"),
                    Zen.args(cluster, "client-b"), stackDir));
            a.expect("REGISTERED", Zen.START);
            b.expect("REGISTERED", Zen.START);
            assertThat(server.askLong("tickers", "TICKERS")).as("Ticker MBean forwarders of client-a (40) and client-b (10)").isEqualTo(50);
            Zen.awaitMembers(List.of(server, a, b), "server", "client-a", "client-b");
            // two monitors per stub on the server (board and ticker), one subscription per stub on the client
            Zen.awaitAtLeast(a, "Subscriptions", 40, SECONDS_BUDGET);
            Zen.awaitAtLeast(b, "Subscriptions", 10, SECONDS_BUDGET);

            a.kill();
            Zen.waiting("the Ticker's forwarders to client-a are removed through MBeanServer.removeNotificationListener")
                    .atMost(SECONDS_BUDGET).failFast("server died", () -> !server.isAlive())
                    .until(() -> server.askLong("tickers", "TICKERS") <= 10);
            assertThat(server.askLong("tickers", "TICKERS")).as("client-b's forwarders stay").isEqualTo(10);
            awaitCountAtMost(server, 10, SECONDS_BUDGET, "client-a's board listeners are removed too");
            long bReceived = b.askLong("received", "RECEIVED");
            assertThat(server.askLong("tick", "TICK")).as("notifications forwarded to client-b").isEqualTo(10);
            Zen.waiting("client-b received the tick").atMost(Duration.ofSeconds(10))
                    .until(() -> b.askLong("received", "RECEIVED") == bReceived + 10);
        }
    }

    /**
     * DESIGN §7: a legacy server under a SecurityManager installed before premain, whose policy grants the
     * application everything and the agent jar nothing. JDK 17 only: JDK 24+ cannot enable a SecurityManager.
     */
    @org.junit.jupiter.api.Test
    void securityManagerGrantingTheAgentNothing_registrationsStillRemoved() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() < 24, "no SecurityManager on JDK 24+");
        Path home = Path.of(System.getProperty("java.home"));
        String cluster = Zen.uniqueCluster("sm");
        int port = Zen.freePort();
        Path policy = stackDir.resolve("app.policy");
        java.nio.file.Files.writeString(policy, "grant codeBase \"" + Path.of(Jvm.legacyClassPath()).toUri() + "-\" {\n"
                + "  permission java.security.AllPermission;\n};\n");
        try (Jvms jvms = new Jvms()) {
            Jvm server = jvms.start(Zen.withAgent(server(home, port), Zen.args(cluster, "server"), stackDir)
                    .jvmArg("-Djava.security.manager").jvmArg("-Djava.security.policy==" + policy));
            server.expect("READY", Zen.START);
            Zen.awaitMembers(List.of(server), "server");
            Jvm c = jvms.start(Zen.withAgent(client(home, port, "client", 300), Zen.args(cluster, "client"), stackDir));
            c.expect("REGISTERED", Zen.START);
            assertThat(count(server)).isEqualTo(300);
            Zen.awaitMembers(List.of(server, c), "server", "client");
            Zen.awaitAtLeast(c, "Subscriptions", 300, SECONDS_BUDGET);

            c.kill();
            awaitCountAtMost(server, 0, SECONDS_BUDGET, "the dead client's 300 registrations are removed under the SecurityManager");
            assertThat(server.lines()).as("no permission failure anywhere").noneMatch(l -> l.contains("AccessControlException"));
        }
    }

    static Jvm.Builder server(Path home, int port) {
        return Jvm.java(home).name("server").main(BoardServer.class, port);
    }

    static Jvm.Builder client(Path home, int port, String name, int listeners) {
        return Jvm.java(home).name(name).main(BoardClient.class, "127.0.0.1", port, name, listeners);
    }

    static long count(Jvm server) {
        return server.askLong("count", "COUNT");
    }

    static void awaitCountAtMost(Jvm server, long expected, Duration atMost, String what) {
        long[] last = {-1};
        try {
            Zen.waiting(what).atMost(atMost)
                    .failFast("server died", () -> !server.isAlive())
                    .until(() -> (last[0] = count(server)) <= expected);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(what + ": COUNT still " + last[0] + " after " + atMost + server.tail(), e);
        }
        assertThat(last[0]).as(what + ": COUNT").isEqualTo(expected);
    }

    /** One COUNT answer: sent and received bound the moment the server counted. */
    record Sample(long sent, long received, long count) {
    }

    static Sample sample(Jvm server, List<Sample> samples) {
        long sent = System.nanoTime();
        long c = count(server);
        Sample s = new Sample(sent, System.nanoTime(), c);
        samples.add(s);
        return s;
    }

    /**
     * Never faster than the pace: between any two samples, the drop is at most PACE_AMOUNT per started
     * PACE_INTERVAL of the longest window the two counts can span (first sent .. second received), plus one
     * tick of slack.
     */
    static void assertPaced(List<Sample> samples, long t0) {
        long interval = PACE_INTERVAL.toNanos();
        for (int i = 0; i < samples.size(); i++) {
            for (int j = i + 1; j < samples.size(); j++) {
                Sample x = samples.get(i);
                Sample y = samples.get(j);
                long window = y.received() - x.sent();
                long ticks = (window + interval - 1) / interval;
                long allowed = PACE_AMOUNT * ticks + PACE_SLACK;
                long drop = x.count() - y.count();
                if (drop > allowed) {
                    throw new AssertionError(String.format(
                            "faster than the pace of %d per %d ms: COUNT %d -> %d (-%d) within %d ms (%d..%d ms after kill), at most %d allowed;"
                                    + " COUNT over time: %s",
                            PACE_AMOUNT, PACE_INTERVAL.toMillis(), x.count(), y.count(), drop, ms(window),
                            ms(x.sent() - t0), ms(y.received() - t0), allowed, series(samples, t0)));
                }
            }
        }
    }

    static int indexOfFirst(List<Sample> samples, java.util.function.Predicate<Sample> p) {
        for (int i = 0; i < samples.size(); i++) {
            if (p.test(samples.get(i))) {
                return i;
            }
        }
        throw new IllegalStateException("no such sample");
    }

    static String series(List<Sample> samples, long t0) {
        return samples.stream().map(s -> ms(s.received() - t0) + ":" + s.count()).collect(Collectors.joining(" ", "[", "]"));
    }

    static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
