package io.zenmonitor.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zenmonitor.DownReason;
import io.zenmonitor.Downs;
import io.zenmonitor.MonitorRef;
import io.zenmonitor.Target;
import io.zenmonitor.Term;
import io.zenmonitor.TestNodes;
import io.zenmonitor.ZenNode;
import io.zenmonitor.wire.WireMessage;
import io.zenmonitor.wire.WireMessage.Certificate;
import io.zenmonitor.wire.WireMessage.Instruction;
import io.zenmonitor.wire.WireMessage.Op;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.jgroups.Address;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * ZenMonitor's {@code test/proxy/batcher_test.exs} (zen_monitor.md §8.6, tests 95 to 104).
 *
 * <p>The test is the subscriber (a Connector) under a fake address, and sees what the Batcher sends it through
 * {@link Sent}. There is no {@code Batcher.get} or {@code Batcher.enqueue} in Java: the Proxy creates a
 * subscriber's Batcher lazily with the first certificate it produces for it, so certificates are made the real
 * way, by a subscribed target dying ({@code EXIT}) or by subscribing to an object that is not alive
 * ({@code NOPROC}). The node's Batcher sweep is 60 s (the original's disable_sweep) so that every sweep in these
 * tests is a forced one ({@link Proxy#sweepBatcher}), as the original's {@code send(batcher, :sweep)}.
 */
@DisplayName("ZenMonitor.Proxy.Batcher (batcher_test.exs)")
class BatcherTest {

    private static final Duration SLOW_SWEEP = Duration.ofSeconds(60);
    /** Failure detection of a crashed member on the memory stack is about 2 s; the original allowed 5 s. */
    private static final Duration SUBSCRIBER_DOWN = Duration.ofSeconds(15);

    private TestNodes nodes;
    private ZenNode node;
    private final Sent sent = new Sent();
    /** The test process: a subscribing Connector. */
    private final Address self = UUID.randomUUID();
    /** Another subscriber ({@code :other} in the original). */
    private final Address other = UUID.randomUUID();

    @BeforeEach
    void startNode() {
        nodes = new TestNodes();
        node = nodes.start("a", c -> c.batcherSweep(SLOW_SWEEP));
        TestNodes.cluster(node).observeSends(sent);
    }

    @AfterEach
    void closeNodes() {
        nodes.close();
    }

    private <T> T proxy(Function<Proxy, T> f) {
        return TestNodes.onLoop(node, n -> f.apply(TestNodes.proxy(n)));
    }

    private void process(Address from, Instruction... instructions) {
        TestNodes.onLoopDo(node, n -> TestNodes.proxy(n).process(from, new WireMessage.Process(false, List.of(instructions))));
    }

    private void sweep(Address subscriber) {
        TestNodes.onLoopDo(node, n -> TestNodes.proxy(n).sweepBatcher(subscriber));
    }

    private List<Certificate> pending(Address subscriber) {
        return proxy(p -> p.pendingCertificates(subscriber));
    }

    private boolean hasBatcher(Address subscriber) {
        return proxy(p -> p.hasBatcher(subscriber));
    }

    private List<Address> subscribersOf(Target t) {
        return proxy(p -> p.subscribersOf(t));
    }

    private int rows() {
        return proxy(Proxy::subscriptionsInLoop);
    }

    /** ZenMonitor's {@code Batcher.enqueue(b, pid, reason)}: {@code subscriber} subscribes to a live object that dies. */
    private Certificate certify(Address subscriber, String pid, String reason) {
        Target t = Target.named("a", pid);
        node.alive(t);
        process(subscriber, new Instruction(Op.SUBSCRIBE, t));
        node.died(t, DownReason.Kind.EXIT, Term.atom(reason));
        return new Certificate(t, new DownReason(DownReason.Kind.EXIT, Term.atom(reason)));
    }

    @Nested
    @DisplayName("Getting a Batcher")
    class GettingABatcher {

        // zen_monitor.md §8.6 #95
        // Adapted: "get" is the Proxy creating the subscriber's Batcher with its first certificate.
        @Test
        @DisplayName("batcher for pid")
        void batcherForPid() {
            assertThat(hasBatcher(self)).isFalse();

            Certificate c = certify(self, "test_pid", "test_reason");

            assertThat(hasBatcher(self)).isTrue();
            assertThat(pending(self)).containsExactly(c);
        }

        // zen_monitor.md §8.6 #96
        // Adapted: the Batcher is not a process with an identity to compare; "the same Batcher" shows as
        // certificates produced at different times accumulating in one batch and leaving in one DEAD message.
        @Test
        @DisplayName("multiple gets for the same pid should return the same batcher")
        void sameBatcherForSamePid() {
            Certificate first = certify(self, "p1", "r1");
            assertThat(pending(self)).containsExactly(first);

            Certificate second = certify(self, "p2", "r2");

            assertThat(pending(self)).containsExactly(first, second);
            sweep(self);
            assertThat(sent.deadTo(self)).containsExactly(new WireMessage.Dead(List.of(first, second)));
        }

        // zen_monitor.md §8.6 #97
        // Adapted: a Batcher cannot die on its own (it is not a process). What ends one is its subscriber
        // leaving (view change or BYE: Proxy.subscriberDown), which drops it with its pending certificates; the
        // next certificate for that address gets a fresh, empty Batcher.
        @Test
        @DisplayName("batcher is replaced if it dies")
        void batcherReplacedAfterSubscriberLeft() {
            certify(self, "p1", "r1");
            assertThat(hasBatcher(self)).isTrue();

            TestNodes.onLoopDo(node, n -> TestNodes.proxy(n).subscriberDown(self));
            assertThat(hasBatcher(self)).isFalse();

            Certificate fresh = certify(self, "p2", "r2");
            assertThat(hasBatcher(self)).isTrue();
            assertThat(pending(self)).containsExactly(fresh); // the old Batcher's certificate is not in it
            sweep(self);
            assertThat(sent.deadTo(self)).containsExactly(new WireMessage.Dead(List.of(fresh)));
        }

        // zen_monitor.md §8.6 #98
        @Test
        @DisplayName("each pid gets its own batcher")
        void eachPidGetsItsOwnBatcher() {
            Certificate mine = certify(self, "p1", "r1");
            Certificate theirs = certify(other, "p2", "r2");

            assertThat(pending(self)).containsExactly(mine);
            assertThat(pending(other)).containsExactly(theirs);
            sweep(self);
            assertThat(sent.deadTo(self)).containsExactly(new WireMessage.Dead(List.of(mine)));
            assertThat(sent.deadTo(other)).isEmpty();
            assertThat(pending(other)).containsExactly(theirs);
        }
    }

    @Nested
    @DisplayName("Enqueuing Certificates")
    class EnqueuingCertificates {

        // zen_monitor.md §8.6 #99 (sweep 60 s)
        @Test
        @DisplayName("certificate gets added to the current batch")
        void certificateAddedToBatch() {
            Certificate c = certify(self, "test_pid", "test_reason");

            List<Certificate> batch = pending(self);
            assertThat(batch).hasSize(1);
            assertThat(batch.get(0)).isEqualTo(c);
            assertThat(node.metrics().get("zen.proxy.batcher.enqueue")).isEqualTo(1L);
            assertThat(sent.deadTo(self)).isEmpty();
        }
    }

    @Nested
    @DisplayName("Periodic Sweeps")
    class PeriodicSweeps {

        @BeforeEach
        void reduceChunkSize() {
            node.settings().batcherChunk(2);
        }

        // zen_monitor.md §8.6 #100
        @Test
        @DisplayName("sweep should do nothing if the batch is empty")
        void sweepDoesNothingWhenEmpty() {
            // a Batcher that exists and is empty: its only certificate already left
            certify(self, "p1", "r1");
            sweep(self);
            assertThat(sent.deadTo(self)).hasSize(1);
            assertThat(pending(self)).isEmpty();
            long swept = node.metrics().get("zen.proxy.batcher.sweep");

            sweep(self);

            sent.refute(self, Downs.RECEIVE);
            assertThat(sent.deadTo(self)).hasSize(1);
            assertThat(node.metrics().get("zen.proxy.batcher.sweep")).isEqualTo(swept);
        }

        // zen_monitor.md §8.6 #101
        @Test
        @DisplayName("sweep should deliver a summary to the subscriber")
        void sweepDeliversSummary() {
            Certificate c = certify(self, "test_pid", "test_reason");

            sweep(self);

            assertThat(sent.deadTo(self)).containsExactly(new WireMessage.Dead(List.of(c)));
            assertThat(pending(self)).isEmpty();
        }

        // zen_monitor.md §8.6 #102
        @Test
        @DisplayName("sweep should deliver the summary in the same order it received them")
        void sweepKeepsOrder() {
            Certificate c1 = certify(self, "p1", "r1");
            Certificate c2 = certify(self, "p2", "r2");

            sweep(self);

            assertThat(sent.deadTo(self)).containsExactly(new WireMessage.Dead(List.of(c1, c2)));
        }

        // zen_monitor.md §8.6 #103
        @Test
        @DisplayName("sweep will only deliver the requested chunk size")
        void sweepDeliversChunk() {
            Certificate c1 = certify(self, "p1", "r1");
            Certificate c2 = certify(self, "p2", "r2");
            Certificate c3 = certify(self, "p3", "r3");
            Certificate c4 = certify(self, "p4", "r4");

            sweep(self);
            assertThat(sent.deadTo(self)).containsExactly(new WireMessage.Dead(List.of(c1, c2)));
            assertThat(pending(self)).containsExactly(c3, c4);

            sweep(self);
            assertThat(sent.deadTo(self)).containsExactly(
                    new WireMessage.Dead(List.of(c1, c2)), new WireMessage.Dead(List.of(c3, c4)));
            assertThat(pending(self)).isEmpty();
        }
    }

    @Nested
    @DisplayName("Handling Subscriber Down")
    class HandlingSubscriberDown {

        // zen_monitor.md §8.6 #104
        // The spawned subscriber is a real node whose Connector subscribes to a and b (and to a dead object, so
        // that it has a Batcher here); "killed" is a crash, seen through the view change. The other subscriber
        // is a fake address, which no view change concerns.
        @Test
        @DisplayName("batcher cleans up subscriptions")
        void batcherCleansUpSubscriptions() {
            ZenNode sub = nodes.start("sub");
            nodes.awaitView(2);
            Address subAddress = TestNodes.address(sub);
            Target a = Target.named("a", "a");
            Target b = Target.named("a", "b");
            Target c = Target.named("a", "c");
            node.alive(a);
            node.alive(b);
            node.alive(c);
            Downs downs = new Downs();
            MonitorRef ra = sub.monitor(a, downs);
            MonitorRef rb = sub.monitor(b, downs);
            sub.monitor(Target.named("a", "dead"), downs);
            TestNodes.awaitEstablished(sub, ra, node);
            TestNodes.awaitEstablished(sub, rb, node);
            await().atMost(Duration.ofSeconds(5)).until(() -> hasBatcher(subAddress));
            process(other, new Instruction(Op.SUBSCRIBE, a), new Instruction(Op.SUBSCRIBE, c));
            assertThat(rows()).isEqualTo(4);
            assertThat(subscribersOf(a)).containsExactlyInAnyOrder(subAddress, other);
            assertThat(subscribersOf(b)).containsExactly(subAddress);
            assertThat(subscribersOf(c)).containsExactly(other);

            TestNodes.crash(sub);

            await().atMost(SUBSCRIBER_DOWN).until(() -> rows() == 2);
            assertThat(subscribersOf(a)).containsExactly(other);
            assertThat(subscribersOf(b)).isEmpty();
            assertThat(subscribersOf(c)).containsExactly(other);
            assertThat(hasBatcher(subAddress)).isFalse();
            assertThat(pending(subAddress)).isEmpty();
        }
    }
}
