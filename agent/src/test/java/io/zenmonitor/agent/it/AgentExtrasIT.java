package io.zenmonitor.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.zenmonitor.Down;
import io.zenmonitor.DownReason;
import io.zenmonitor.MonitorRef;
import io.zenmonitor.Target;
import io.zenmonitor.ZenConfig;
import io.zenmonitor.ZenNode;
import io.zenmonitor.agent.it.legacy.BoardClient;
import io.zenmonitor.agent.it.legacy.BoardServer;
import io.zenmonitor.agent.it.legacy.OwnLibsServer;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.management.ObjectName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent beyond listener cleanup: MBeans seen by other nodes' API monitors, late attach, and an
 * application that brings its own JGroups and slf4j.
 */
@Tag("multi-jvm")
class AgentExtrasIT {

    static final Duration BUDGET = Duration.ofSeconds(30);

    @TempDir
    Path stackDir;

    static Stream<Jvm.Jdk> jdks() {
        return Jvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void mbeanUnregisteredOnAgentNode_apiMonitorOnAnotherNodeGetsUnregistered(Jvm.Jdk jdk) throws Exception {
        String cluster = Zen.uniqueCluster("mbean");
        int port = Zen.freePort();
        ConcurrentLinkedQueue<Down> downs = new ConcurrentLinkedQueue<>();
        try (Jvms jvms = new Jvms();
             ZenNode observer = ZenNode.start(ZenConfig.defaults().cluster(cluster).node("observer")
                     .stackValue("stack.dir", stackDir.toString()))) {
            Jvm server = jvms.start(Zen.withAgent(Jvm.java(jdk.home()).name("server").main(BoardServer.class, port),
                    Zen.args(cluster, "server"), stackDir));
            server.expect("READY", Zen.START);
            Zen.awaitMembers(List.of(server), "server", "observer");
            Zen.awaitView(observer, "server", "observer");
            ObjectName name = new ObjectName("legacy:type=Probe,name=p1");
            long objectsBefore = objects(observer);
            assertThat(server.ask("mbean-register " + name, "MBEAN")).startsWith("registered");
            // the agent learns of the registration through its asynchronous hook: a monitor that overtook it
            // would get NOPROC, rightly; wait until the server's Proxy holds the MBean
            Zen.waiting("the server's Proxy holds the new MBean").atMost(BUDGET).until(() -> objects(observer) > objectsBefore);
            MonitorRef ref = observer.monitor(Target.mbean("server", name), downs::add);
            Zen.waiting("the server's Proxy holds the observer's subscription").atMost(BUDGET)
                    .failFast("the monitor ended early: " + downs, () -> !downs.isEmpty())
                    .until(() -> Zen.number(server, "Subscriptions") >= 1);
            assertThat(downs).isEmpty();
            assertThat(server.ask("mbean-unregister " + name, "MBEAN")).startsWith("unregistered");
            Zen.waiting("UNREGISTERED reaches the observer").atMost(BUDGET).until(() -> !downs.isEmpty());
            assertThat(downs).singleElement().satisfies(d -> {
                assertThat(d.ref()).isSameAs(ref);
                assertThat(d.reason().kind()).isEqualTo(DownReason.Kind.UNREGISTERED);
            });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void lateAttach_existingServerThenKilledClient_registrationsRemoved(Jvm.Jdk jdk) throws Exception {
        String cluster = Zen.uniqueCluster("attach");
        int port = Zen.freePort();
        try (Jvms jvms = new Jvms()) {
            Jvm server = jvms.start(Jvm.java(jdk.home()).name("server").jvmArg("-XX:+EnableDynamicAgentLoading")
                    .sysProp("zen.stack.dir", stackDir.toString()).main(BoardServer.class, port));
            server.expect("READY", Zen.START);
            long t0 = System.nanoTime();
            com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(Long.toString(server.pid()));
            try {
                vm.loadAgent(AgentJar.path().toString(), Zen.args(cluster, "server"));
            } finally {
                vm.detach();
            }
            System.out.printf("[measured] %s: late attach returned after %d ms%n", jdk, (System.nanoTime() - t0) / 1_000_000);
            // the attached agent's node joins in the background: let it found the cluster before the client
            // joins (two JVMs joining at the same moment can race in JGroups' join, see loopback.xml)
            Zen.awaitMembers(List.of(server), "server");
            Jvm client = jvms.start(Zen.withAgent(Jvm.java(jdk.home()).name("client").main(BoardClient.class, "127.0.0.1", port, "client", 300),
                    Zen.args(cluster, "client"), stackDir));
            client.expect("REGISTERED", Zen.START);
            Zen.awaitMembers(List.of(server, client), "server", "client");
            Zen.awaitAtLeast(client, "Subscriptions", 300, BUDGET);
            client.kill();
            Zen.waiting("the attached agent removes the killed client's 300 registrations").atMost(BUDGET)
                    .until(() -> server.askLong("count", "COUNT") == 0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void applicationWithItsOwnJGroupsAndSlf4j_bothWorkSideBySide(Jvm.Jdk jdk) {
        String cluster = Zen.uniqueCluster("ownlibs");
        int port = Zen.freePort();
        String appLibs = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> p.contains("jgroups-") || p.contains("slf4j-api") || p.contains("slf4j-simple"))
                .filter(p -> p.endsWith(".jar"))
                .collect(Collectors.joining(File.pathSeparator));
        assertThat(appLibs).contains("jgroups-").contains("slf4j-api").contains("slf4j-simple");
        try (Jvms jvms = new Jvms()) {
            Jvm server = jvms.start(Zen.withAgent(Jvm.java(jdk.home()).name("server")
                    .classPath(Jvm.legacyClassPath() + File.pathSeparator + appLibs).main(OwnLibsServer.class, port),
                    Zen.args(cluster, "server"), stackDir));
            server.expect("READY", Zen.START);
            String jgroups = server.lines(l -> l.startsWith("APP-JGROUPS")).get(0);
            assertThat(jgroups).as("the application's JGroups comes from its own class path, not the agent's")
                    .contains("jgroups-").doesNotContain("zen-agent");
            assertThat(server.lines(l -> l.startsWith("APP-SLF4J")).get(0)).contains("org.slf4j.simple.SimpleLogger");
            Zen.awaitMembers(List.of(server), "server");
            Jvm client = jvms.start(Zen.withAgent(Jvm.java(jdk.home()).name("client").main(BoardClient.class, "127.0.0.1", port, "client", 200),
                    Zen.args(cluster, "client"), stackDir));
            client.expect("REGISTERED", Zen.START);
            Zen.awaitMembers(List.of(server, client), "server", "client");
            Zen.awaitAtLeast(client, "Subscriptions", 200, BUDGET);
            client.kill();
            Zen.waiting("the agent works next to the application's own JGroups").atMost(BUDGET)
                    .until(() -> server.askLong("count", "COUNT") == 0);
        }
    }

    @org.junit.jupiter.api.Test
    void statusCommand_printsMembersWithCompatibility() throws Exception {
        String cluster = Zen.uniqueCluster("status");
        int port = Zen.freePort();
        Path home = Path.of(System.getProperty("java.home"));
        try (Jvms jvms = new Jvms()) {
            Jvm server = jvms.start(Zen.withAgent(Jvm.java(home).name("server").main(BoardServer.class, port),
                    Zen.args(cluster, "server"), stackDir));
            server.expect("READY", Zen.START);
            Zen.awaitMembers(List.of(server), "server");
            Jvm client = jvms.start(Zen.withAgent(Jvm.java(home).name("client").main(BoardClient.class, "127.0.0.1", port, "client", 5),
                    Zen.args(cluster, "client"), stackDir));
            client.expect("REGISTERED", Zen.START);
            Zen.awaitMembers(List.of(server, client), "server", "client");
            Zen.awaitAtLeast(client, "Subscriptions", 5, BUDGET);
            Process status = new ProcessBuilder(home.resolve("bin/java").toString(), "-Djava.net.preferIPv4Stack=true",
                    "-Dzen.stack.dir=" + stackDir, "-jar", AgentJar.path().toString(), "status", "--cluster", cluster, "--wait", "2")
                    .redirectErrorStream(true).start();
            try {
                String out = new String(status.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(status.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as(out).isTrue();
                assertThat(status.exitValue()).as(out).isZero();
                assertThat(out).contains("cluster " + cluster)
                        .containsPattern("server\\s+compatible .*\\blisteners\\.registrations=5\\b")
                        .containsPattern("server\\s+compatible .*\\bmonitors=\\d+")
                        .containsPattern("client\\s+compatible .*\\bsubscriptions=\\d+");
            } finally {
                status.destroyForcibly();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void mainReturns_jvmExitsWithTheAgent(Jvm.Jdk jdk) {
        String cluster = Zen.uniqueCluster("returns");
        try (Jvms jvms = new Jvms()) {
            Jvm app = jvms.start(Zen.withAgent(Jvm.java(jdk.home()).name("app").main(io.zenmonitor.agent.it.legacy.ReturningMain.class, 4000),
                    Zen.args(cluster, "app"), stackDir));
            app.expect("RETURNING", Zen.START);
            assertThat(app.awaitExit(Duration.ofSeconds(30))).as("exit status; the agent's threads must not keep the JVM alive").isZero();
        }
    }

    /** The server's exported objects and MBeans alive on its Proxy, from its answer to a status query. */
    private static long objects(ZenNode observer) throws Exception {
        return observer.statusOf("server").get(10, java.util.concurrent.TimeUnit.SECONDS).get("objects");
    }
}
