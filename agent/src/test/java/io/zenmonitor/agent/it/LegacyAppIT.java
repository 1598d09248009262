package io.zenmonitor.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.zenmonitor.agent.it.legacy.BoardClient;
import io.zenmonitor.agent.it.legacy.BoardServer;
import io.zenmonitor.agent.it.legacy.JmxClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The baseline, without the agent: the legacy application and the harness behave as the agent tests assume. If
 * one of these fails, the agent tests' failures say nothing about the agent.
 */
@Tag("multi-jvm")
class LegacyAppIT {

    static Stream<Jvm.Jdk> jdks() {
        return Jvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void withoutAgent_deadListenersStayAndFail_unexportedToo(Jvm.Jdk jdk) {
        Path home = jdk.home();
        int port = Zen.freePort();
        try (Jvms jvms = new Jvms()) {
            Jvm server = jvms.start(Jvm.java(home).name("server").main(BoardServer.class, port));
            server.expect("READY " + port, Zen.START);
            Jvm a = jvms.start(Jvm.java(home).name("client-a").main(BoardClient.class, "127.0.0.1", port, "client-a", 1000));
            Jvm b = jvms.start(Jvm.java(home).name("client-b").main(BoardClient.class, "127.0.0.1", port, "client-b", 10));
            assertThat(a.expect("REGISTERED", Zen.START)).isEqualTo("REGISTERED 1000");
            assertThat(b.expect("REGISTERED", Zen.START)).isEqualTo("REGISTERED 10");
            assertThat(server.askLong("count", "COUNT")).isEqualTo(1010);
            assertThat(server.askLong("broadcast", "BROADCAST")).isEqualTo(1010);
            assertThat(a.askLong("received", "RECEIVED")).isEqualTo(1000);
            assertThat(b.askLong("received", "RECEIVED")).isEqualTo(10);
            assertThat(server.attr("java.lang:type=Runtime", "VmVendor")).isPresent();
            assertThat(server.attr(Zen.MBEAN, "Members")).as("no agent, no zen MBean").isEmpty();

            assertThat(a.askLong("unexport-half", "UNEXPORTED")).isEqualTo(500);
            assertThat(server.askLong("broadcast", "BROADCAST")).as("unexported listeners fail, nobody removes them").isEqualTo(510);
            assertThat(server.askLong("count", "COUNT")).isEqualTo(1010);

            a.kill();
            assertThat(server.askLong("broadcast", "BROADCAST")).as("a killed client's listeners fail, nobody removes them").isEqualTo(10);
            assertThat(server.askLong("count", "COUNT")).isEqualTo(1010);
            assertThat(b.askLong("received", "RECEIVED")).isEqualTo(30);
        }
    }

    /** Unreferenced works in this application: with a 3 s lease (this test only) a dead client's session ends. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void withoutAgent_shortLease_sessionUnreferenced(Jvm.Jdk jdk) {
        Path home = jdk.home();
        int port = Zen.freePort();
        try (Jvms jvms = new Jvms()) {
            Jvm server = jvms.start(Jvm.java(home).name("server").sysProp("java.rmi.dgc.leaseValue", "3000").main(BoardServer.class, port));
            server.expect("READY", Zen.START);
            Jvm c = jvms.start(Jvm.java(home).name("client").main(BoardClient.class, "127.0.0.1", port, "client", 0));
            c.expect("REGISTERED 0", Zen.START);
            assertThat(c.ask("session", "SESSION")).isEqualTo("client");
            Zen.waiting("the live client's session stays referenced").during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8))
                    .until(() -> server.askLong("unref", "UNREF") == 0);
            c.kill();
            Zen.waiting("unreferenced() once the lease expires").atMost(Duration.ofSeconds(20))
                    .until(() -> server.askLong("unref", "UNREF") == 1);
        }
    }

    /** The JMX connection of a killed console stays open (the 2 minute timeout has not passed). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void withoutAgent_killedJmxClient_connectionStaysOpen(Jvm.Jdk jdk) {
        Path home = jdk.home();
        int port = Zen.freePort();
        try (Jvms jvms = new Jvms()) {
            Jvm server = jvms.start(Jvm.java(home).name("server").main(BoardServer.class, port, "jmx"));
            assertThat(server.expect("JMX", Zen.START)).isEqualTo("JMX " + BoardServer.jmxUrl(port));
            server.expect("READY", Zen.START);
            Jvm c = jvms.start(Jvm.java(home).name("jmx-client").main(JmxClient.class, BoardServer.jmxUrl(port)));
            c.expect("CONNECTED", Zen.START);
            assertThat(server.askLong("jmxconns", "JMXCONNS")).isEqualTo(1);
            c.kill();
            Zen.waiting("the dead console's connection stays").during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8))
                    .until(() -> server.askLong("jmxconns", "JMXCONNS") == 1);
        }
    }
}
