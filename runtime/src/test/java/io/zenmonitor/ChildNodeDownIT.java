package io.zenmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real JVMs, real JGroups failure detection on the loopback stack: a child node holding monitored
 * targets is killed with {@code destroyForcibly()} (kill -9), and every monitor fires NODEDOWN.
 */
@Tag("multi-jvm")
class ChildNodeDownIT {

    static final int TARGETS = 1_000;

    static Stream<Path> jdks() {
        return ChildJvm.jdks().stream();
    }

    @ParameterizedTest(name = "child on {0}")
    @MethodSource("jdks")
    void childKilled_allMonitorsFireNodedown(Path javaHome) throws Exception {
        String cluster = "zen-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 1_000_000;
        try (ChildJvm child = ChildJvm.start(javaHome, cluster, "child", "loopback", TARGETS);
             ZenNode parent = ZenNode.start(ZenConfig.defaults().cluster(cluster).node("parent").stack("loopback"))) {
            child.expect("READY", Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(30)).alias("child joins, child said " + child.output()).until(() -> parent.members().contains("child"));

            Downs downs = new Downs();
            List<MonitorRef> refs = new ArrayList<>();
            for (int i = 0; i < TARGETS; i++) {
                refs.add(parent.monitor(Target.named("child", "t" + i), downs));
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                child.send("subs");
                return child.expect("SUBS", Duration.ofSeconds(10)).equals("SUBS " + TARGETS);
            });
            assertThat(downs.count()).isZero();

            long t0 = System.nanoTime();
            child.kill();
            downs.awaitCount(TARGETS, Duration.ofSeconds(60));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("[measured] %s: kill -9 -> %d NODEDOWN downs in %d ms%n", javaHome, TARGETS, ms);

            assertThat(downs.all()).hasSize(TARGETS)
                    .allSatisfy(d -> assertThat(d.reason().kind()).isEqualTo(DownReason.Kind.NODEDOWN));
            assertThat(refs).allSatisfy(r -> assertThat(downs.of(r)).hasSize(1));
        }
    }
}
