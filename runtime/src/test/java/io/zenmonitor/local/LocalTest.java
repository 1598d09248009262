package io.zenmonitor.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zenmonitor.DownReason;
import io.zenmonitor.Downs;
import io.zenmonitor.MonitorOwner;
import io.zenmonitor.MonitorRef;
import io.zenmonitor.Target;
import io.zenmonitor.TestNodes;
import io.zenmonitor.ZenNode;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * ZenMonitor's {@code test/local/local_test.exs} (zen_monitor.md §8.2, tests 29 to 32).
 *
 * <p>The original runs the supervisor alone with local processes; here one fast node monitors a named
 * target it owns itself. ZenMonitor's References table is the monitor's state word in Java: a row
 * "exists" while {@link MonitorRef#isActive()} is true and {@link Local#liveMonitors()} counts it. The
 * test's mailbox is a {@link Downs} listener, and a subscriber process is a {@link MonitorOwner}.
 */
@DisplayName("ZenMonitor.Local (local_test.exs)")
class LocalTest {

    private TestNodes nodes;
    private ZenNode node;
    private Target pid;

    @BeforeEach
    void startNode() {
        nodes = new TestNodes();
        node = nodes.start("a");
        pid = Target.named("a", "pid");
        node.alive(pid);
    }

    @AfterEach
    void closeNodes() {
        nodes.close();
    }

    @Nested
    @DisplayName("Demonitoring a reference")
    class DemonitoringAReference {

        // zen_monitor.md §8.2 #29
        @Test
        @DisplayName("demonitored references are consumed from the references table")
        void demonitoredReferencesAreConsumed() {
            Downs downs = new Downs();
            MonitorRef ref = node.monitor(pid, downs);

            assertThat(ref.isActive()).isTrue();
            assertThat(TestNodes.local(node).liveMonitors()).isEqualTo(1);
            TestNodes.awaitEstablished(node, ref, node);

            assertThat(node.demonitor(ref)).isTrue();

            // gone right away, before any loop work: the state word is the row
            assertThat(ref.isActive()).isFalse();
            assertThat(TestNodes.local(node).liveMonitors()).isZero();
            // and the Connector's copy follows asynchronously
            TestNodes.awaitCleared(node, ref);
            // a second demonitor finds nothing to consume (ZenMonitor returns true regardless; we say whether it ended a live monitor)
            assertThat(node.demonitor(ref)).isFalse();
        }

        // zen_monitor.md §8.2 #30
        // Adapted: the original sends itself a fake DOWN. A Java callback that has run is the DOWN sitting in the
        // mailbox: demonitor without flush leaves it as it is and returns false (the monitor had already fired;
        // ZenMonitor always returns true).
        @Test
        @DisplayName("demonitor without flush does not clear already delivered :DOWN message")
        void demonitorWithoutFlushKeepsDeliveredDown() {
            Downs downs = new Downs();
            MonitorRef ref = node.monitor(pid, downs);
            TestNodes.awaitEstablished(node, ref, node);
            node.died(pid, DownReason.Kind.EXIT, "killed");
            downs.awaitDown(ref);

            assertThat(node.demonitor(ref)).isFalse();

            downs.refuteAny(Downs.RECEIVE);
            downs.assertOne(ref, DownReason.Kind.EXIT);
            assertThat(ref.isActive()).isFalse();
            assertThat(TestNodes.local(node).liveMonitors()).isZero();
        }

        // zen_monitor.md §8.2 #31
        // Adapted: a Java callback cannot be taken back once it has run. The closest thing to "a DOWN already in
        // the mailbox" is a down already handed to the callback executor but not yet started (one callback thread,
        // blocked by another monitor's callback). demonitor(ref, flush) clears it: it returns true and the callback
        // never runs. (Unlike ZenMonitor, the same holds without flush: no callback starts after demonitor returns.)
        @Test
        @DisplayName("demonitor with flush will clear already delivered :DOWN message")
        void demonitorWithFlushClearsDeliveredDown() throws Exception {
            nodes.close();
            nodes = new TestNodes();
            node = nodes.start("a", c -> c.callbackThreads(1));
            node.alive(pid);

            CountDownLatch blockerStarted = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            MonitorRef blocker = node.monitor(pid, d -> {
                blockerStarted.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Downs downs = new Downs();
            MonitorRef ref = node.monitor(pid, downs); // created second: dispatched after the blocker
            TestNodes.awaitEstablished(node, ref, node);
            try {
                node.died(pid, DownReason.Kind.EXIT, "killed");
                assertThat(blockerStarted.await(10, TimeUnit.SECONDS)).isTrue();
                // both downs have left the Dispatcher: ref's sits in the callback executor's queue
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> node.metrics().get("zen.local.dispatcher.events.processed") == 2L);
                assertThat(ref.isActive()).isTrue();

                assertThat(node.demonitor(ref, true)).isTrue();
                assertThat(ref.isActive()).isFalse();
            } finally {
                release.countDown();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> !blocker.isActive());
            downs.refuteAny(Downs.RECEIVE);
            assertThat(downs.of(ref)).isEmpty();
            assertThat(node.metrics().get("zen.local.dispatcher.callbacks")).isEqualTo(1L);
            assertThat(TestNodes.local(node).liveMonitors()).isZero();
        }
    }

    @Nested
    @DisplayName("Handles subscriber down")
    class HandlesSubscriberDown {

        // zen_monitor.md §8.2 #32
        // Adapted: the subscriber process is a MonitorOwner; "the subscriber is killed" is owner.close().
        @Test
        @DisplayName("cleans up references")
        void cleansUpReferences() {
            MonitorOwner subscriber = node.owner("subscriber");
            Downs downs = new Downs();
            MonitorRef ref = subscriber.monitor(pid, downs);
            TestNodes.awaitEstablished(node, ref, node);
            assertThat(ref.isActive()).isTrue();
            assertThat(subscriber.size()).isEqualTo(1);
            assertThat(TestNodes.local(node).liveMonitors()).isEqualTo(1);

            subscriber.close();

            assertThat(ref.isActive()).isFalse();
            assertThat(subscriber.size()).isZero();
            assertThat(TestNodes.local(node).liveMonitors()).isZero();
            // the Connector row and (our Proxy releases its watch on the last unsubscribe) the Proxy row go too
            TestNodes.awaitCleared(node, ref);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> TestNodes.onLoop(node, n -> TestNodes.proxy(n).subscribersOf(pid).isEmpty()));
            node.died(pid, DownReason.Kind.EXIT, "killed");
            downs.refuteAny(Downs.RECEIVE);
            assertThat(downs.count()).isZero();
        }
    }
}
