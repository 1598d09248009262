package io.zenmonitor.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.zenmonitor.agent.it.legacy.BoardServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Starting the agent never stops the application: a bad option is reported (one line starting with
 * {@code zen:} that names the key) and the application runs; {@code enabled=false} leaves it untouched; a normal
 * start logs exactly one start line naming the cluster and the node.
 */
@Tag("multi-jvm")
class AgentStartIT {

    /** A start line, e.g. {@code zen 0.1.0 started: cluster=c node=n stack=loopback}. */
    static final Pattern START_LINE = Pattern.compile("zen .* started:");

    static final Duration EXIT = Duration.ofSeconds(30);

    @TempDir
    Path stackDir;

    static Stream<Jvm.Jdk> jdks() {
        return Jvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void badOption_reportedAndApplicationRuns(Jvm.Jdk jdk) {
        Path home = jdk.home();
        AgentJar.path();
        String cluster = Zen.uniqueCluster("badopt");
        try (Jvm app = Zen.withAgent(server(home), Zen.args(cluster, "app", "demand.amount=-5"), stackDir).start()) {
            app.expect("READY", Zen.START);
            try {
                Zen.waiting("a line starting with 'zen:' naming zen.demand.amount").atMost(Duration.ofSeconds(20))
                        .until(() -> !app.lines(l -> l.startsWith("zen:") && l.contains("zen.demand.amount")).isEmpty());
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("no 'zen: ... zen.demand.amount ...' line on stdout or stderr" + app.tail(), e);
            }
            app.send("count");
            assertThat(app.expect("COUNT", Jvm.ANSWER)).as("the application answers").isEqualTo("COUNT 0");
            app.send("quit");
            assertThat(app.awaitExit(EXIT)).as("exit status" + app.tail()).isZero();
            assertThat(app.lines(l -> START_LINE.matcher(l).find())).as("an inactive agent logs no start line" + app.tail()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void disabled_applicationRunsWithoutStartLine(Jvm.Jdk jdk) {
        Path home = jdk.home();
        AgentJar.path();
        String cluster = Zen.uniqueCluster("disabled");
        try (Jvm app = Zen.withAgent(server(home), Zen.args(cluster, "app", "enabled=false"), stackDir).start()) {
            app.expect("READY", Zen.START);
            app.send("count");
            assertThat(app.expect("COUNT", Jvm.ANSWER)).isEqualTo("COUNT 0");
            assertThat(Zen.members(app)).as("no zen node MBean when disabled").isEmpty();
            app.send("quit");
            assertThat(app.awaitExit(EXIT)).as("exit status" + app.tail()).isZero();
            assertThat(app.lines(l -> START_LINE.matcher(l).find())).as("enabled=false logs no start line" + app.tail()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void started_exactlyOneStartLineWithClusterAndNode(Jvm.Jdk jdk) {
        Path home = jdk.home();
        AgentJar.path();
        String cluster = Zen.uniqueCluster("start");
        String node = "node-" + ProcessHandle.current().pid();
        Pattern expected = Pattern.compile("zen .* started: cluster=" + Pattern.quote(cluster) + " node=" + Pattern.quote(node) + "\\b");
        try (Jvm app = Zen.withAgent(server(home), Zen.args(cluster, node), stackDir).start()) {
            app.expect("READY", Zen.START);
            try {
                Zen.waiting("the start line").atMost(Zen.JOIN)
                        .until(() -> !app.lines(l -> expected.matcher(l).find()).isEmpty());
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("no line matching " + expected + app.tail(), e);
            }
            app.send("quit");
            assertThat(app.awaitExit(EXIT)).as("exit status" + app.tail()).isZero();
            List<String> startLines = app.lines(l -> START_LINE.matcher(l).find());
            assertThat(startLines).as("start lines").hasSize(1);
            assertThat(startLines.get(0)).containsPattern(expected);
        }
    }

    static Jvm.Builder server(Path home) {
        return Jvm.java(home).name("app").main(BoardServer.class, Zen.freePort());
    }
}
