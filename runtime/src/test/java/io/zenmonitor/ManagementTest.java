package io.zenmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zenmonitor.metrics.ZenMonitorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** The node's MBean: metrics readable, live settings writable, unregistered on close. */
class ManagementTest {

    @Test
    void mbean_registeredPerNode_readsMetricsAndChangesLiveSettings() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name;
        try (TestNodes nodes = new TestNodes()) {
            ZenNode a = nodes.start("mbean-a");
            name = new ObjectName("io.zenmonitor:type=ZenMonitor,node=\"mbean-a\"");
            assertThat(a.mbeanName()).isEqualTo(name);
            assertThat(server.isRegistered(name)).isTrue();
            ZenMonitorMXBean proxy = JMX.newMXBeanProxy(server, name, ZenMonitorMXBean.class);

            assertThat(proxy.getNode()).isEqualTo("mbean-a");
            assertThat(proxy.getCluster()).isEqualTo(nodes.cluster());
            assertThat(proxy.getMembers()).containsExactly("mbean-a");
            a.monitor(Target.named("mbean-a", "x"), d -> { });
            assertThat(proxy.getMetrics()).containsEntry("zen.local.monitor", 1L);

            proxy.setDemandAmount(42);
            proxy.setDemandIntervalMillis(250);
            proxy.setConnectorChunk(7);
            proxy.setBatcherSweepMillis(20);
            assertThat(a.settings().demandAmount()).isEqualTo(42);
            assertThat(a.settings().demandIntervalNanos()).isEqualTo(Duration.ofMillis(250).toNanos());
            assertThat(a.settings().connectorChunk()).isEqualTo(7);
            assertThat(a.settings().batcherSweepNanos()).isEqualTo(Duration.ofMillis(20).toNanos());
            assertThat(proxy.getMaximumRatePerSecond()).isEqualTo(168.0);

            assertThatThrownBy(() -> proxy.setDemandAmount(0))
                    .hasMessageContaining("zen: zen.demand.amount was \"0\" (from ZenSettings); must be an integer from 1 to 1000000");
            assertThat(a.settings().demandAmount()).isEqualTo(42);
        }
        assertThat(server.isRegistered(name)).isFalse();
    }

    @Test
    void statusOf_peer_answersItsFigures_unknownNodeFails() throws Exception {
        try (TestNodes nodes = new TestNodes()) {
            ZenNode a = nodes.start("status-a");
            ZenNode b = nodes.start("status-b");
            nodes.awaitView(2);
            for (int i = 0; i < 3; i++) {
                a.alive(Target.named("obj-" + i));
            }
            for (int i = 0; i < 3; i++) {
                MonitorRef ref = b.monitor(Target.named("status-a", "obj-" + i), d -> { });
                TestNodes.awaitEstablished(b, ref, a);
            }
            java.util.Map<String, Long> ofB = a.statusOf("status-b").get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(ofB).containsEntry("monitors", 3L);
            java.util.Map<String, Long> ofA = b.statusOf("status-a").get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(ofA).containsEntry("subscriptions", 3L).containsKey("objects");
            assertThat(a.statusOf("nobody")).failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withMessageContaining("not a member");
        }
    }

    @Test
    void start_returns_viewAlreadyApplied() {
        try (TestNodes nodes = new TestNodes()) {
            ZenNode a = nodes.start("view-a");
            assertThat(a.members()).containsExactly("view-a");
            ZenNode b = nodes.start("view-b");
            assertThat(b.members()).as("a node that joined an existing cluster sees it when start returns")
                    .containsExactlyInAnyOrder("view-a", "view-b");
        }
    }
}
