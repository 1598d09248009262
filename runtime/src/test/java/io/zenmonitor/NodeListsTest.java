package io.zenmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zenmonitor.wire.WireMessage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9: {@code nodes.allow}/{@code nodes.deny}. A node outside the lists is never subscribed to, and its
 * subscriptions are refused; both end as NODEDOWN {@code incompatible}, which zero-code actions never act on.
 */
class NodeListsTest {

    private final TestNodes nodes = new TestNodes();

    @AfterEach
    void close() {
        nodes.close();
    }

    @Test
    void deniedNode_neverSubscribedTo_monitorEndsIncompatibleAtOnce() {
        ZenNode a = nodes.start("a", c -> c.nodesDeny(List.of("b")));
        ZenNode b = nodes.start("b");
        nodes.awaitView(2);
        Target onB = Target.named("b", "thing");
        b.alive(onB);
        Downs downs = new Downs();
        // a still sends b its endpoint report (directory data every joiner gets); zen's own messages go
        // through send(), which the spy sees before any membership filtering
        List<WireMessage> sent = new CopyOnWriteArrayList<>();
        TestNodes.cluster(a).observeSends((to, m) -> sent.add(m));

        MonitorRef ref = a.monitor(onB, downs);

        Down down = downs.awaitDown(ref);
        assertThat(down.reason()).isEqualTo(DownReason.NODEDOWN_INCOMPATIBLE);
        assertThat(down.reason().isNodeGone()).isFalse();
        assertThat(a.metrics().get("zen.local.denied")).isEqualTo(1);
        assertThat(sent).as("no PING, no PROCESS").isEmpty();
        assertThat(b.metrics().get("zen.proxy.subscribers.size")).isZero();
    }

    @Test
    void deniedSubscriber_refused_itsMonitorEndsIncompatible() {
        ZenNode a = nodes.start("a", c -> c.nodesAllow(List.of("a", "c*")));
        ZenNode b = nodes.start("b");
        nodes.awaitView(2);
        Target onA = Target.named("a", "thing");
        a.alive(onA);
        Downs downs = new Downs();

        MonitorRef ref = b.monitor(onA, downs);

        // b's PING gets no PONG: after its ping timeout (5 s) b marks a incompatible
        Down down = downs.awaitDown(ref, Duration.ofSeconds(15));
        assertThat(down.reason()).isEqualTo(DownReason.NODEDOWN_INCOMPATIBLE);
        assertThat(a.metrics().get("zen.proxy.refused")).isGreaterThanOrEqualTo(1);
        assertThat(a.metrics().get("zen.proxy.subscribers.size")).isZero();
    }

    @Test
    void permittedNode_unaffected() {
        ZenNode a = nodes.start("a", c -> c.nodesDeny(List.of("x*", "10.*")));
        ZenNode b = nodes.start("b");
        nodes.awaitView(2);
        Target onB = Target.named("b", "thing");
        b.alive(onB);
        Downs downs = new Downs();

        MonitorRef ref = a.monitor(onB, downs);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.metrics().get("zen.proxy.subscribers.size") == 1);
        b.died(onB, DownReason.UNEXPORTED);

        assertThat(downs.awaitDown(ref).reason()).isEqualTo(DownReason.UNEXPORTED);
        assertThat(a.metrics().get("zen.local.denied")).isZero();
        assertThat(b.metrics().get("zen.proxy.refused")).isZero();
    }
}
