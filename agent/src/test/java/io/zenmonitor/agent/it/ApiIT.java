package io.zenmonitor.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.zenmonitor.Down;
import io.zenmonitor.DownReason;
import io.zenmonitor.Target;
import io.zenmonitor.ZenConfig;
import io.zenmonitor.ZenNode;
import io.zenmonitor.agent.it.apiapp.ApiApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Application code that uses {@code ZenMonitor} with only the agent: {@link ApiApp}'s class path has no zen
 * jar, so the API must come from zen-agent.jar and act on the agent's node, while JGroups stays hidden.
 */
@Tag("multi-jvm")
class ApiIT {

    static final Duration BUDGET = Duration.ofSeconds(30);

    @TempDir
    Path stackDir;

    static Stream<Jvm.Jdk> jdks() {
        return Jvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void applicationUsesTheApiOnTheAgentsNode_withoutShippingTheRuntime(Jvm.Jdk jdk) {
        String cluster = Zen.uniqueCluster("api");
        ConcurrentLinkedQueue<Down> downs = new ConcurrentLinkedQueue<>();
        try (Jvms jvms = new Jvms()) {
            Jvm app = jvms.start(Zen.withAgent(Jvm.java(jdk.home()).name("app").main(ApiApp.class), Zen.args(cluster, "app"), stackDir));
            assertThat(app.expect("READY", Zen.START)).isEqualTo("READY app");
            assertThat(app.ask("loader", "LOADER")).as("the API comes from the agent (bootstrap class path), JGroups stays hidden")
                    .isEqualTo("bootstrap jgroups=hidden");
            try (ZenNode observer = ZenNode.start(ZenConfig.defaults().cluster(cluster).node("observer")
                    .stackValue("stack.dir", stackDir.toString()))) {
                Zen.awaitMembers(List.of(app), "app", "observer");
                Zen.awaitView(observer, "app", "observer");

                // being monitored: the application feeds the agent's Proxy through the API
                assertThat(app.ask("alive session-1", "ALIVE")).isEqualTo("ok");
                observer.monitor(Target.named("app", "session-1"), downs::add);
                Zen.waiting("the app's Proxy holds the observer's subscription").atMost(BUDGET)
                        .until(() -> Zen.number(app, "Subscriptions") >= 1);
                assertThat(app.ask("died session-1", "DIED")).isEqualTo("ok");
                Zen.waiting("EXIT reaches the observer").atMost(BUDGET).until(() -> !downs.isEmpty());
                assertThat(downs).singleElement().satisfies(d -> {
                    assertThat(d.reason().kind()).isEqualTo(DownReason.Kind.EXIT);
                    assertThat(d.reason().toString()).contains("IllegalStateException").contains("bye");
                });

                // ZenNode.start from application code runs on the agent's runtime
                assertThat(app.ask("start-node " + cluster + " app-second " + stackDir, "NODE2"))
                        .contains("app-second").contains("observer");

                // monitoring: the application's monitor fires when the observer leaves
                assertThat(app.ask("monitor-node observer", "MONITOR")).matches("\\d+");
                Zen.waiting("the observer's Proxy holds the app's subscription to its node target").atMost(BUDGET)
                        .until(() -> observer.metrics().snapshot().getOrDefault("zen.proxy.subscribers.size", 0L) >= 1);
            }
            assertThat(app.expect("DOWN", BUDGET)).isEqualTo("DOWN SHUTDOWN null");
        }
    }
}
