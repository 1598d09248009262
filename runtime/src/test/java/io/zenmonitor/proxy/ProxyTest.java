package io.zenmonitor.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.zenmonitor.DownReason;
import io.zenmonitor.Target;
import io.zenmonitor.Term;
import io.zenmonitor.TestNodes;
import io.zenmonitor.ZenNode;
import io.zenmonitor.wire.Codec;
import io.zenmonitor.wire.WireMessage;
import io.zenmonitor.wire.WireMessage.Certificate;
import io.zenmonitor.wire.WireMessage.Instruction;
import io.zenmonitor.wire.WireMessage.Op;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jgroups.Address;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * ZenMonitor's {@code test/proxy/proxy_test.exs} (zen_monitor.md §8.5, tests 80 to 94), then what our Proxy
 * promises beyond it.
 *
 * <p>As in the original the test plays the Connector: it hands PROCESS messages straight to the Proxy (on the
 * node's loop) from a fake subscriber address, and sees the PONG and DEAD messages the Proxy and its Batchers
 * send to that address through {@link Sent} (sends to a non-member are dropped after the spy). The original's
 * forwarding {@code Subscriber} process is a second fake address. Targets are named objects the node made
 * alive; "kill" is {@code died(t, EXIT, ...)}. ZenMonitor's ERTS monitor is our watch: the target's entry in
 * the subscriber table ({@link Proxy#watchCount()}).
 */
@DisplayName("ZenMonitor.Proxy (proxy_test.exs)")
class ProxyTest {

    /** The original's assert_receive waits 100 ms; widened for a loaded machine (a 10 ms Batcher sweep). */
    private static final Duration RECEIVE = Duration.ofSeconds(5);

    private TestNodes nodes;
    private ZenNode node;
    private final Sent sent = new Sent();
    /** The test process standing in for a Connector. */
    private final Address self = UUID.randomUUID();
    /** The original's forwarding Subscriber process: another Connector. */
    private final Address forwarder = UUID.randomUUID();

    @BeforeEach
    void startNode() {
        nodes = new TestNodes();
        node = nodes.start("a");
        TestNodes.cluster(node).observeSends(sent);
    }

    @AfterEach
    void closeNodes() {
        nodes.close();
    }

    private Target alive(String name) {
        Target t = Target.named("a", name);
        node.alive(t);
        return t;
    }

    private static Instruction subscribe(Target t) {
        return new Instruction(Op.SUBSCRIBE, t);
    }

    private static Instruction unsubscribe(Target t) {
        return new Instruction(Op.UNSUBSCRIBE, t);
    }

    /** A PROCESS from {@code from}, applied on the node's loop. */
    private void process(Address from, Instruction... instructions) {
        TestNodes.onLoopDo(node, n -> TestNodes.proxy(n).process(from, new WireMessage.Process(false, List.of(instructions))));
    }

    private <T> T proxy(Function<Proxy, T> f) {
        return TestNodes.onLoop(node, n -> f.apply(TestNodes.proxy(n)));
    }

    private int rows() {
        return proxy(Proxy::subscriptionsInLoop);
    }

    private int watches() {
        return proxy(Proxy::watchCount);
    }

    private List<Address> subscribersOf(Target t) {
        return proxy(p -> p.subscribersOf(t));
    }

    private List<Certificate> pending(Address subscriber) {
        return proxy(p -> p.pendingCertificates(subscriber));
    }

    private boolean hasBatcher(Address subscriber) {
        return proxy(p -> p.hasBatcher(subscriber));
    }

    private boolean isAlive(Target t) {
        return proxy(p -> p.isAlive(t));
    }

    @Nested
    @DisplayName("Ping")
    class Ping {

        // zen_monitor.md §8.5 #80
        @Test
        @DisplayName("returns :pong")
        void returnsPong() {
            TestNodes.onLoopDo(node, n -> TestNodes.proxy(n).ping(self, new WireMessage.Ping(Codec.VERSION, 0L, 4242L)));

            assertThat(sent.to(self)).containsExactly(new WireMessage.Pong(Codec.VERSION, 0L, 4242L));
        }
    }

    @Nested
    @DisplayName("Process")
    class Process {

        // zen_monitor.md §8.5 #81
        @Test
        @DisplayName("no monitors before subscription")
        void noMonitorsBeforeSubscription() {
            Target t1 = alive("t1");
            Target t2 = alive("t2");

            assertThat(isAlive(t1)).isTrue();
            assertThat(isAlive(t2)).isTrue();
            assertThat(watches()).isZero();
            assertThat(rows()).isZero();
        }

        // zen_monitor.md §8.5 #82
        @Test
        @DisplayName("subscriptions add entries to the subscribers table")
        void subscriptionsAddEntries() {
            Target t1 = alive("t1");
            Target t2 = alive("t2");
            Target t3 = alive("t3");

            process(self, subscribe(t1), subscribe(t2), subscribe(t3));

            assertThat(rows()).isEqualTo(3);
            assertThat(subscribersOf(t1)).containsExactly(self);
            assertThat(subscribersOf(t2)).containsExactly(self);
            assertThat(subscribersOf(t3)).containsExactly(self);
        }

        // zen_monitor.md §8.5 #83 (the original only asserts "not 2"; exactly 1 here)
        @Test
        @DisplayName("multiple subscriptions to the same pid do not get additional subscriber rows")
        void duplicateSubscriptionsOneRow() {
            Target t = alive("t");

            process(self, subscribe(t));
            process(self, subscribe(t));

            assertThat(rows()).isEqualTo(1);
            assertThat(subscribersOf(t)).containsExactly(self);
        }

        // zen_monitor.md §8.5 #84
        @Test
        @DisplayName("subscriptions result in processes being monitored")
        void subscriptionsAreWatched() {
            Target t1 = alive("t1");
            Target t2 = alive("t2");
            Target t3 = alive("t3");
            alive("unsubscribed");

            process(self, subscribe(t1), subscribe(t2), subscribe(t3));

            // exactly three watches, and they are on t1..t3 (each has a subscriber entry)
            assertThat(watches()).isEqualTo(3);
            for (Target t : List.of(t1, t2, t3)) {
                assertThat(subscribersOf(t)).isNotEmpty();
            }
        }

        // zen_monitor.md §8.5 #85 (the original only asserts "not 2"; exactly 1 here)
        @Test
        @DisplayName("duplicate subscriptions do not result in multiple monitors")
        void duplicateSubscriptionsOneWatch() {
            Target t = alive("t");

            process(self, subscribe(t));
            process(self, subscribe(t));

            assertThat(watches()).isEqualTo(1);
        }

        // zen_monitor.md §8.5 #86
        @Test
        @DisplayName("unsubscribe removes the subscriber")
        void unsubscribeRemovesSubscriber() {
            Target t = alive("t");
            process(self, subscribe(t));
            assertThat(rows()).isEqualTo(1);

            process(self, unsubscribe(t));

            assertThat(rows()).isZero();
            assertThat(subscribersOf(t)).isEmpty();
        }

        // zen_monitor.md §8.5 #87
        @Test
        @DisplayName("instruction order is respected (terminal subscribed)")
        void orderTerminalSubscribed() {
            Target t = alive("t");

            process(self, unsubscribe(t), subscribe(t));

            assertThat(rows()).isEqualTo(1);
            assertThat(subscribersOf(t)).containsExactly(self);
        }

        // zen_monitor.md §8.5 #88
        @Test
        @DisplayName("instruction order is respected (terminal unsubscribed)")
        void orderTerminalUnsubscribed() {
            Target t = alive("t");

            process(self, subscribe(t), unsubscribe(t));

            assertThat(rows()).isZero();
            assertThat(subscribersOf(t)).isEmpty();
        }

        // zen_monitor.md §8.5 #89
        @Test
        @DisplayName("unsubscribe is isolated to the unsubscriber")
        void unsubscribeIsolatedToUnsubscriber() {
            Target t = alive("t");
            process(self, subscribe(t));
            process(forwarder, subscribe(t));
            assertThat(rows()).isEqualTo(2);

            process(self, unsubscribe(t));

            assertThat(rows()).isEqualTo(1);
            assertThat(subscribersOf(t)).containsExactly(forwarder);
        }

        // zen_monitor.md §8.5 #90
        @Test
        @DisplayName("unsubscribe is isolated to the target")
        void unsubscribeIsolatedToTarget() {
            Target t = alive("t");
            Target other = alive("other");

            process(self, subscribe(t), unsubscribe(t), subscribe(other));

            assertThat(rows()).isEqualTo(1);
            assertThat(subscribersOf(other)).containsExactly(self);
            assertThat(subscribersOf(t)).isEmpty();
        }

        // zen_monitor.md §8.5 #91, INVERTED on purpose: ZenMonitor keeps its ERTS monitor after the last
        // unsubscribe until the target dies; our Proxy releases the watch at once, so an unsubscribed object
        // costs nothing (Proxy's "Differences from ZenMonitor").
        @Test
        @DisplayName("ERTS monitors persist after unsubscribe")
        void watchReleasedAfterLastUnsubscribe() {
            Target t = alive("t");
            process(self, subscribe(t));
            assertThat(rows()).isEqualTo(1);
            assertThat(watches()).isEqualTo(1);

            process(self, unsubscribe(t));

            assertThat(rows()).isZero();
            assertThat(watches()).isZero();
            // the object itself is still alive: a new subscription is a live watch again, not NOPROC
            assertThat(isAlive(t)).isTrue();
            process(self, subscribe(t));
            assertThat(watches()).isEqualTo(1);
            assertThat(pending(self)).isEmpty();
        }
    }

    @Nested
    @DisplayName("DOWN handling")
    class DownHandling {

        // zen_monitor.md §8.5 #92
        @Test
        @DisplayName("removes subscribers for the down pid")
        void removesSubscribersForDownPid() {
            Target target = alive("target");
            Target other = alive("other");
            process(self, subscribe(target), subscribe(other));
            process(forwarder, subscribe(target), subscribe(other));
            assertThat(rows()).isEqualTo(4);

            node.died(target, DownReason.Kind.EXIT, "killed");

            List<WireMessage.Dead> toSelf = sent.awaitDead(self, 1, RECEIVE);
            List<WireMessage.Dead> toForwarder = sent.awaitDead(forwarder, 1, RECEIVE);
            assertThat(toSelf).hasSize(1);
            assertThat(toSelf.get(0).certificates()).extracting(Certificate::target).containsExactly(target);
            assertThat(toForwarder).hasSize(1);
            assertThat(toForwarder.get(0).certificates()).extracting(Certificate::target).containsExactly(target);
            assertThat(rows()).isEqualTo(2);
            assertThat(subscribersOf(other)).containsExactlyInAnyOrder(self, forwarder);
            assertThat(subscribersOf(target)).isEmpty();
            assertThat(watches()).isEqualTo(1);
        }

        // zen_monitor.md §8.5 #93
        // The exit reason {:this, :is, :an, {:especially, {:deeply, {:nested, {:tuple}}}}}: tuples are arrays,
        // atoms are Term atoms (the Truncator keeps them as scalars).
        @Test
        @DisplayName("truncates reasons")
        void truncatesReasons() {
            Target target = alive("target");
            process(self, subscribe(target));
            process(forwarder, subscribe(target));
            Object reason = new Object[] {atom("this"), atom("is"), atom("an"),
                    new Object[] {atom("especially"), new Object[] {atom("deeply"), new Object[] {atom("nested"), new Object[] {atom("tuple")}}}}};

            node.died(target, DownReason.Kind.EXIT, reason);

            Term expected = Term.seq(atom("this"), atom("is"), atom("an"),
                    Term.seq(atom("especially"), Term.seq(Term.TRUNCATED, Term.TRUNCATED)));
            for (Address subscriber : List.of(self, forwarder)) {
                List<Certificate> certs = sent.awaitDead(subscriber, 1, RECEIVE).get(0).certificates();
                assertThat(certs).containsExactly(new Certificate(target, new DownReason(DownReason.Kind.EXIT, expected)));
            }
        }

        // zen_monitor.md §8.5 #94
        // A GenServer with a 10,000-entry map as state crashes with a function clause error: the reason is
        // {:function_clause, [frame, ...]} whose first frame carries the call's arguments, state included.
        @Test
        @DisplayName("truncates state")
        void truncatesState() {
            Target crasher = alive("crasher");
            process(self, subscribe(crasher));
            Map<Object, Object> state = new HashMap<>();
            for (int i = 0; i < 10_000; i++) {
                state.put(i, "value-" + i);
            }
            List<Object> frames = List.of(
                    new Object[] {atom("Crasher"), atom("handle_call"), List.of(atom("crash"), atom("from"), state), List.of()},
                    new Object[] {atom("gen_server"), atom("try_handle_call"), 4, List.of(Map.of("file", "gen_server.erl", "line", 1149))},
                    new Object[] {atom("gen_server"), atom("handle_msg"), 6, List.of(Map.of("file", "gen_server.erl", "line", 1178))},
                    new Object[] {atom("proc_lib"), atom("init_p_do_apply"), 3, List.of(Map.of("file", "proc_lib.erl", "line", 240))});

            node.died(crasher, DownReason.Kind.EXIT, new Object[] {atom("function_clause"), frames});

            List<Certificate> certs = sent.awaitDead(self, 1, RECEIVE).get(0).certificates();
            assertThat(certs).hasSize(1);
            assertThat(certs.get(0).target()).isEqualTo(crasher);
            Term detail = certs.get(0).reason().detail();
            assertThat(detail).isInstanceOf(Term.Seq.class);
            List<Term> top = ((Term.Seq) detail).elements();
            assertThat(top).hasSize(2);
            assertThat(top.get(0)).isEqualTo(atom("function_clause"));
            List<Term> truncatedFrames = ((Term.Seq) top.get(1)).elements();
            assertThat(truncatedFrames).hasSize(4);
            for (Term frame : truncatedFrames) {
                assertThat(frame).isEqualTo(Term.seq(Term.TRUNCATED, Term.TRUNCATED, Term.TRUNCATED, Term.TRUNCATED));
            }
        }
    }

    // ------------------------------------------------------------------ beyond ZenMonitor

    @Nested
    @DisplayName("Beyond ZenMonitor")
    class BeyondZenMonitor {

        @Test
        @DisplayName("process_subscribeToObjectNotAlive_noprocCertificateAtOnceAndNoWatch")
        void subscribeNotAliveGetsNoprocAtOnce() {
            Target never = Target.named("a", "never-alive");
            Target dead = alive("dead");
            node.died(dead, DownReason.Kind.EXIT, "killed");

            // checked in the same loop task as the PROCESS: the certificate is queued at once, not at a later event
            List<Certificate> pending = TestNodes.onLoop(node, n -> {
                Proxy p = TestNodes.proxy(n);
                p.process(self, new WireMessage.Process(false, List.of(subscribe(never), subscribe(dead))));
                return p.pendingCertificates(self);
            });

            assertThat(pending).containsExactly(new Certificate(never, DownReason.NOPROC), new Certificate(dead, DownReason.NOPROC));
            assertThat(watches()).isZero();
            assertThat(rows()).isZero();
            assertThat(node.metrics().get("zen.proxy.noproc")).isEqualTo(2L);
            List<WireMessage.Dead> delivered = sent.awaitDead(self, 1, RECEIVE);
            assertThat(delivered.get(0).certificates()).containsExactly(
                    new Certificate(never, DownReason.NOPROC), new Certificate(dead, DownReason.NOPROC));
        }

        @Test
        @DisplayName("process_twoSubscribersOneTarget_oneWatchAndBothGetTheSameCertificate")
        void twoSubscribersOneWatch() {
            Target t = alive("t");
            process(self, subscribe(t));
            process(forwarder, subscribe(t));

            assertThat(watches()).isEqualTo(1);
            assertThat(rows()).isEqualTo(2);

            node.died(t, DownReason.Kind.EXIT, "boom");

            Certificate toSelf = sent.awaitDead(self, 1, RECEIVE).get(0).certificates().get(0);
            Certificate toForwarder = sent.awaitDead(forwarder, 1, RECEIVE).get(0).certificates().get(0);
            assertThat(toSelf.target()).isEqualTo(t);
            assertThat(toSelf.reason()).isEqualTo(new DownReason(DownReason.Kind.EXIT, new Term.Str("boom")));
            // truncated once and shared: the very same certificate instance went to both Batchers
            assertThat(toForwarder).isSameAs(toSelf);
            assertThat(watches()).isZero();
            assertThat(rows()).isZero();
            assertThat(node.metrics().get("zen.proxy.batcher.enqueue")).isEqualTo(2L);
        }

        @Test
        @DisplayName("subscriberDown_dropsItsSubscriptionsAndBatcher_othersKept")
        void subscriberDownDropsSubscriptionsAndBatcher() {
            Target t = alive("t");
            Target u = alive("u");
            Target gone = Target.named("a", "gone");
            process(forwarder, subscribe(t));

            // one loop task, so self's NOPROC for "gone" is still pending in its Batcher when self leaves
            boolean hadBatcher = TestNodes.onLoop(node, n -> {
                Proxy p = TestNodes.proxy(n);
                p.process(self, new WireMessage.Process(false, List.of(subscribe(t), subscribe(u), subscribe(gone))));
                boolean had = p.hasBatcher(self) && p.pendingCertificates(self).size() == 1 && p.subscriptionsInLoop() == 3;
                p.subscriberDown(self);
                return had;
            });
            assertThat(hadBatcher).isTrue();

            assertThat(hasBatcher(self)).isFalse();
            assertThat(pending(self)).isEmpty();
            assertThat(subscribersOf(t)).containsExactly(forwarder);
            assertThat(subscribersOf(u)).isEmpty();
            assertThat(rows()).isEqualTo(1);
            assertThat(watches()).isEqualTo(1);

            // a later death reaches only the remaining subscriber; nothing more goes to the one that left
            node.died(t, DownReason.Kind.EXIT, "killed");
            assertThat(sent.awaitDead(forwarder, 1, RECEIVE).get(0).certificates()).extracting(Certificate::target).containsExactly(t);
            node.died(u, DownReason.Kind.EXIT, "killed");
            sent.refute(self, Duration.ofMillis(100));
            assertThat(sent.to(self)).isEmpty(); // the pending NOPROC was dropped, never sent
            assertThat(hasBatcher(self)).isFalse();
        }

        @Test
        @DisplayName("process_reset_dropsTheSendersPreviousSubscriptionsFirst")
        void resetDropsPreviousSubscriptions() {
            Target t1 = alive("t1");
            Target t2 = alive("t2");
            Target t3 = alive("t3");
            process(self, subscribe(t1), subscribe(t2));
            process(forwarder, subscribe(t1));
            assertThat(rows()).isEqualTo(3);

            // reset first, then the instructions: t1 comes back because the same message subscribes it again
            TestNodes.onLoopDo(node, n -> TestNodes.proxy(n).process(self,
                    new WireMessage.Process(true, List.of(subscribe(t3), subscribe(t1)))));

            assertThat(subscribersOf(t1)).containsExactlyInAnyOrder(forwarder, self);
            assertThat(subscribersOf(t2)).isEmpty();
            assertThat(subscribersOf(t3)).containsExactly(self);
            assertThat(rows()).isEqualTo(3);

            // a reset with no instructions drops everything of the sender and nothing of the others
            TestNodes.onLoopDo(node, n -> TestNodes.proxy(n).process(self, new WireMessage.Process(true, List.of())));
            assertThat(subscribersOf(t1)).containsExactly(forwarder);
            assertThat(subscribersOf(t3)).isEmpty();
            assertThat(rows()).isEqualTo(1);
        }
    }

    private static Term.Atom atom(String name) {
        return Term.atom(name);
    }
}
