package io.zenmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * ZenMonitor's {@code test/black_box_test.exs} (zen_monitor.md §8.7, tests 105-139), through the public API:
 * {@link ZenNode}, {@link Target}, {@link Downs}, plus the {@link TestNodes} await helpers.
 *
 * <p>Mapping (PORTING_BRIEF): a sleeping process is a {@code Target.named(node, name)} made alive with
 * {@code node.alive(t)}; "kill" is {@code node.died(t, EXIT, "killed")}, so {@code :killed} is
 * {@code EXIT "killed"}; the test mailbox is a {@link Downs}. "Establish" and "clear" are
 * {@link TestNodes#awaitEstablished} and {@link TestNodes#awaitCleared}. ExUnit's 100 ms
 * {@code assert_receive} becomes a generous await (the machine is loaded); {@code refute_receive} stays
 * 100 ms ({@link Downs#RECEIVE}). Every node runs the fast test settings (10 ms sweeps and ticks), and
 * "remotes started and connected" means they are in the view ({@link TestNodes#awaitView}).
 */
class BlackBoxTest {

    /** assert_receive after "clear": generous, the machine is loaded. */
    static final Duration DOWN_WAIT = Duration.ofSeconds(10);
    /** A crashed node leaves the view after JGroups failure detection (~2 s on the memory stack). */
    static final Duration NODEDOWN_WAIT = Duration.ofSeconds(15);
    /**
     * An incompatible node never answers PING, so it is marked incompatible after the 5 s ping timeout
     * (ZenMonitor's call fails at once because the node has no Proxy process).
     */
    static final Duration INCOMPATIBLE_WAIT = Duration.ofSeconds(15);

    static final DownReason KILLED = new DownReason(DownReason.Kind.EXIT, new Term.Str("killed"));

    TestNodes nodes;
    ZenNode local;
    final Downs downs = new Downs();

    @BeforeEach
    void createCluster() {
        nodes = new TestNodes();
    }

    @AfterEach
    void closeCluster() {
        nodes.close();
    }

    // ------------------------------------------------------------------ helpers

    void startLocal() {
        startLocal(c -> c);
    }

    void startLocal(UnaryOperator<ZenConfig> tweak) {
        local = nodes.start("local", tweak);
    }

    /** A "sleeping process" named {@code name} on {@code owner}. */
    static Target spawn(ZenNode owner, String name) {
        Target t = Target.named(owner.name(), name);
        owner.alive(t);
        return t;
    }

    /** Process.exit(pid, :kill). */
    static void kill(ZenNode owner, Target t) {
        owner.died(t, DownReason.Kind.EXIT, "killed");
    }

    MonitorRef monitor(Target t) {
        return local.monitor(t, downs);
    }

    /** assert_receive {:DOWN, ^ref, :process, ^target, {:zen_monitor, reason}}. */
    void assertDown(MonitorRef ref, Target target, DownReason reason, Duration wait) {
        Down d = downs.awaitDown(ref, wait);
        assertThat(d.ref()).isSameAs(ref);
        assertThat(d.target()).isEqualTo(target);
        assertThat(d.reason()).isEqualTo(reason);
    }

    void assertKilled(MonitorRef ref, Target target) {
        assertDown(ref, target, KILLED, DOWN_WAIT);
    }

    void assertNoproc(MonitorRef ref, Target target) {
        assertDown(ref, target, DownReason.NOPROC, DOWN_WAIT);
    }

    /** refute_receive {:DOWN, ...} after the expected ones: exactly {@code expected} downs in all, one per ref. */
    void refuteExtra(int expected) {
        downs.refuteAny(Downs.RECEIVE);
        assertThat(downs.count()).isEqualTo(expected);
        assertThat(downs.all().stream().map(Down::ref).distinct().count()).isEqualTo(expected);
    }

    // ------------------------------------------------------------------ scenarios shared by the local and remote groups

    /** #106 / #115. */
    void downOnKill(ZenNode owner) {
        Target t = spawn(owner, "t");
        MonitorRef ref = monitor(t);
        TestNodes.awaitEstablished(local, ref, owner);
        kill(owner, t);
        TestNodes.awaitCleared(local, ref);
        assertKilled(ref, t);
        refuteExtra(1);
    }

    /** #107 / #116. */
    void multipleMonitorsFire(ZenNode owner) {
        Target t = spawn(owner, "t");
        List<MonitorRef> refs = List.of(monitor(t), monitor(t), monitor(t));
        refs.forEach(r -> TestNodes.awaitEstablished(local, r, owner));
        kill(owner, t);
        refs.forEach(r -> TestNodes.awaitCleared(local, r));
        refs.forEach(r -> assertKilled(r, t));
        refuteExtra(3);
    }

    /** #108 / #117. */
    void alreadyDown(ZenNode owner) {
        Target t = spawn(owner, "t");
        kill(owner, t);
        MonitorRef ref = monitor(t);
        TestNodes.awaitCleared(local, ref);
        assertNoproc(ref, t);
        refuteExtra(1);
    }

    /** #109 / #118. */
    void multipleAlreadyDown(ZenNode owner) {
        Target t = spawn(owner, "t");
        kill(owner, t);
        List<MonitorRef> refs = List.of(monitor(t), monitor(t), monitor(t));
        refs.forEach(r -> TestNodes.awaitCleared(local, r));
        refs.forEach(r -> assertNoproc(r, t));
        refuteExtra(3);
    }

    /** #110 / #119. */
    void mixedBeforeAndAfter(ZenNode owner) {
        Target t = spawn(owner, "t");
        List<MonitorRef> before = List.of(monitor(t), monitor(t));
        before.forEach(r -> TestNodes.awaitEstablished(local, r, owner));
        kill(owner, t);
        before.forEach(r -> TestNodes.awaitCleared(local, r));
        before.forEach(r -> assertKilled(r, t));

        List<MonitorRef> after = List.of(monitor(t), monitor(t));
        after.forEach(r -> TestNodes.awaitCleared(local, r));
        after.forEach(r -> assertNoproc(r, t));
        refuteExtra(4);
    }

    /** #111 / #120. */
    void multipleDownProcesses(ZenNode owner) {
        Target t = spawn(owner, "t");
        Target o = spawn(owner, "o");
        List<MonitorRef> tRefs = List.of(monitor(t), monitor(t));
        List<MonitorRef> oRefs = List.of(monitor(o), monitor(o));
        tRefs.forEach(r -> TestNodes.awaitEstablished(local, r, owner));
        oRefs.forEach(r -> TestNodes.awaitEstablished(local, r, owner));
        kill(owner, t);
        kill(owner, o);
        tRefs.forEach(r -> TestNodes.awaitCleared(local, r));
        oRefs.forEach(r -> TestNodes.awaitCleared(local, r));
        tRefs.forEach(r -> assertKilled(r, t));
        oRefs.forEach(r -> assertKilled(r, o));
        refuteExtra(4);
    }

    /** #112 / #121. */
    void multipleAlreadyDownProcesses(ZenNode owner) {
        Target t = spawn(owner, "t");
        Target o = spawn(owner, "o");
        kill(owner, t);
        kill(owner, o);
        List<MonitorRef> tRefs = List.of(monitor(t), monitor(t));
        List<MonitorRef> oRefs = List.of(monitor(o), monitor(o));
        tRefs.forEach(r -> TestNodes.awaitCleared(local, r));
        oRefs.forEach(r -> TestNodes.awaitCleared(local, r));
        tRefs.forEach(r -> assertNoproc(r, t));
        oRefs.forEach(r -> assertNoproc(r, o));
        refuteExtra(4);
    }

    /** #113 / #122: only o is established and cleared, as in the original. */
    void mixedDownProcesses(ZenNode owner) {
        Target t = spawn(owner, "t");
        Target o = spawn(owner, "o");
        kill(owner, t);
        List<MonitorRef> tRefs = List.of(monitor(t), monitor(t));
        List<MonitorRef> oRefs = List.of(monitor(o), monitor(o));
        oRefs.forEach(r -> TestNodes.awaitEstablished(local, r, owner));
        kill(owner, o);
        oRefs.forEach(r -> TestNodes.awaitCleared(local, r));
        tRefs.forEach(r -> assertNoproc(r, t));
        oRefs.forEach(r -> assertKilled(r, o));
        refuteExtra(4);
    }

    // ------------------------------------------------------------------ describes

    @Nested
    @DisplayName("Monitoring a local process")
    class MonitoringALocalProcess {

        @BeforeEach
        void setUp() {
            startLocal();
        }

        // zen_monitor.md §8.7 #105
        @Test
        @DisplayName("monitoring a local process returns a reference")
        void returnsReference() {
            Target t = spawn(local, "t");
            MonitorRef ref = monitor(t);
            assertThat(ref).isNotNull();
            assertThat(ref.target()).isEqualTo(t);
            assertThat(ref.isActive()).isTrue();
            assertThat(monitor(t)).isNotSameAs(ref).extracting(MonitorRef::id).isNotEqualTo(ref.id());
        }

        // zen_monitor.md §8.7 #106
        @Test
        @DisplayName("local process returns a :DOWN message if it goes down")
        void downOnKill() {
            BlackBoxTest.this.downOnKill(local);
        }

        // zen_monitor.md §8.7 #107
        @Test
        @DisplayName("multiple monitors all get fired")
        void multipleMonitors() {
            multipleMonitorsFire(local);
        }

        // zen_monitor.md §8.7 #108
        @Test
        @DisplayName("an already down local process returns a :DOWN message")
        void alreadyDown() {
            BlackBoxTest.this.alreadyDown(local);
        }

        // zen_monitor.md §8.7 #109
        @Test
        @DisplayName("multiple monitors for already down local process returns :DOWN messages")
        void multipleAlreadyDown() {
            BlackBoxTest.this.multipleAlreadyDown(local);
        }

        // zen_monitor.md §8.7 #110
        @Test
        @DisplayName("mixed monitors established before and after process down")
        void mixedBeforeAndAfter() {
            BlackBoxTest.this.mixedBeforeAndAfter(local);
        }

        // zen_monitor.md §8.7 #111
        @Test
        @DisplayName("multiple down processes all report back as :DOWN")
        void multipleDownProcesses() {
            BlackBoxTest.this.multipleDownProcesses(local);
        }

        // zen_monitor.md §8.7 #112
        @Test
        @DisplayName("multiple already down process all report back as :DOWN")
        void multipleAlreadyDownProcesses() {
            BlackBoxTest.this.multipleAlreadyDownProcesses(local);
        }

        // zen_monitor.md §8.7 #113
        @Test
        @DisplayName("mixed down processes all report back as :DOWN")
        void mixedDownProcesses() {
            BlackBoxTest.this.mixedDownProcesses(local);
        }
    }

    @Nested
    @DisplayName("Monitoring a remote process on a compatible node")
    class MonitoringARemoteProcessOnACompatibleNode {

        ZenNode remote;

        @BeforeEach
        void setUp() {
            startLocal();
            remote = nodes.start("compatible");
            nodes.awaitView(2);
        }

        // zen_monitor.md §8.7 #114
        @Test
        @DisplayName("monitoring a remote process returns a reference")
        void returnsReference() {
            Target t = spawn(remote, "t");
            MonitorRef ref = monitor(t);
            assertThat(ref).isNotNull();
            assertThat(ref.target()).isEqualTo(t);
            assertThat(ref.isActive()).isTrue();
        }

        // zen_monitor.md §8.7 #115
        @Test
        @DisplayName("remote process returns a :DOWN message if it goes down")
        void downOnKill() {
            BlackBoxTest.this.downOnKill(remote);
        }

        // zen_monitor.md §8.7 #116
        @Test
        @DisplayName("multiple monitors all get fired")
        void multipleMonitors() {
            multipleMonitorsFire(remote);
        }

        // zen_monitor.md §8.7 #117
        @Test
        @DisplayName("an already down remote process returns a :DOWN message")
        void alreadyDown() {
            BlackBoxTest.this.alreadyDown(remote);
        }

        // zen_monitor.md §8.7 #118 (the original's typo "alread" kept)
        @Test
        @DisplayName("multiple monitors for alread down remote process returns :DOWN messages")
        void multipleAlreadyDown() {
            BlackBoxTest.this.multipleAlreadyDown(remote);
        }

        // zen_monitor.md §8.7 #119
        @Test
        @DisplayName("mixed monitors established before and after process down")
        void mixedBeforeAndAfter() {
            BlackBoxTest.this.mixedBeforeAndAfter(remote);
        }

        // zen_monitor.md §8.7 #120
        @Test
        @DisplayName("multiple down processes all report back as :DOWN")
        void multipleDownProcesses() {
            BlackBoxTest.this.multipleDownProcesses(remote);
        }

        // zen_monitor.md §8.7 #121
        @Test
        @DisplayName("multiple already down process all report back as :DOWN")
        void multipleAlreadyDownProcesses() {
            BlackBoxTest.this.multipleAlreadyDownProcesses(remote);
        }

        // zen_monitor.md §8.7 #122
        @Test
        @DisplayName("mixed down processes all report back as :DOWN")
        void mixedDownProcesses() {
            BlackBoxTest.this.mixedDownProcesses(remote);
        }

        // zen_monitor.md §8.7 #123: "stop the node" is a crash-like nodedown (no goodbye), so TestNodes.crash;
        // the down waits for JGroups failure detection.
        @Test
        @DisplayName("all monitored processes report back as :DOWN if the node dies")
        void nodeDies() {
            Target t = spawn(remote, "t");
            Target o = spawn(remote, "o");
            MonitorRef tRef = monitor(t);
            MonitorRef oRef = monitor(o);
            TestNodes.awaitEstablished(local, tRef, remote);
            TestNodes.awaitEstablished(local, oRef, remote);
            TestNodes.crash(remote);
            assertDown(tRef, t, DownReason.NODEDOWN, NODEDOWN_WAIT);
            assertDown(oRef, o, DownReason.NODEDOWN, DOWN_WAIT);
            TestNodes.awaitCleared(local, tRef);
            TestNodes.awaitCleared(local, oRef);
            refuteExtra(2);
        }
    }

    @Nested
    @DisplayName("Monitoring a remote process on an incompatible node")
    class MonitoringARemoteProcessOnAnIncompatibleNode {

        // A plain JGroups member without zen: it never answers PING, so unlike ZenMonitor (whose call to a
        // missing Proxy fails at once) the node is marked incompatible only after the 5 s ping timeout.
        static final String INCOMPATIBLE = "incompatible";
        Target t;
        Target o;

        @BeforeEach
        void setUp() throws Exception {
            startLocal();
            nodes.startIncompatible(INCOMPATIBLE);
            nodes.awaitView(2);
            t = Target.named(INCOMPATIBLE, "t");
            o = Target.named(INCOMPATIBLE, "o");
        }

        // zen_monitor.md §8.7 #124
        @Test
        @DisplayName("monitoring a remote process returns a reference")
        void returnsReference() {
            MonitorRef ref = monitor(t);
            assertThat(ref).isNotNull();
            assertThat(ref.target()).isEqualTo(t);
        }

        // zen_monitor.md §8.7 #125: ZenMonitor delivers within 100 ms; here within the ping timeout + slack.
        @Test
        @DisplayName("monitoring returns down with :nodedown")
        void downWithNodedown() {
            MonitorRef ref = monitor(t);
            assertDown(ref, t, DownReason.NODEDOWN_INCOMPATIBLE, INCOMPATIBLE_WAIT);
            refuteExtra(1);
            assertThat(local.compatibilityForNode(INCOMPATIBLE)).isEqualTo(Compatibility.INCOMPATIBLE);
        }

        // zen_monitor.md §8.7 #126
        @Test
        @DisplayName("monitoring multiple returns multiple downs with :nodedown")
        void multipleDownsWithNodedown() {
            MonitorRef tRef = monitor(t);
            MonitorRef oRef = monitor(o);
            assertDown(tRef, t, DownReason.NODEDOWN_INCOMPATIBLE, INCOMPATIBLE_WAIT);
            assertDown(oRef, o, DownReason.NODEDOWN_INCOMPATIBLE, INCOMPATIBLE_WAIT);
            refuteExtra(2);
        }
    }

    @Nested
    @DisplayName("Monitoring a remote process on a compatible node that becomes incompatible")
    class MonitoringARemoteProcessThatBecomesIncompatible {

        ZenNode remote;

        @BeforeEach
        void setUp() {
            startLocal();
            remote = nodes.start("compatible");
            nodes.awaitView(2);
        }

        // zen_monitor.md §8.7 #127
        @Test
        @DisplayName("monitoring a remote process returns a reference")
        void returnsReference() {
            Target t = spawn(remote, "t");
            MonitorRef ref = monitor(t);
            assertThat(ref).isNotNull();
            assertThat(ref.target()).isEqualTo(t);
        }

        // zen_monitor.md §8.7 #128. ZenMonitor stops the zen_monitor application while the node stays up: the
        // Connector's monitor on the remote Proxy fires (not noconnection), the node is marked incompatible
        // (2 s penalty) and every monitor fires with :nodedown. A ZenNode cannot stop its Proxy and stay in the
        // view; the closest equivalent is the remote node closing cleanly. Its Proxy first sends SHUTDOWN
        // certificates for every subscription it held (so t, established before, gets SHUTDOWN where ZenMonitor
        // says :nodedown: our clean shutdown is more precise), then BYE, which is ZenMonitor's "Proxy went
        // away": the node becomes incompatible and anything monitored afterwards (o) fires with NODEDOWN.
        @Test
        @DisplayName("subscribing to a previously compatible host will cause :nodedown")
        void previouslyCompatibleHostCausesNodedown() {
            Target t = spawn(remote, "t");
            Target o = spawn(remote, "o");
            MonitorRef tRef = monitor(t);
            TestNodes.awaitEstablished(local, tRef, remote);
            assertThat(local.compatibilityForNode(remote.name())).isEqualTo(Compatibility.COMPATIBLE);

            remote.close();

            MonitorRef oRef = monitor(o);
            TestNodes.awaitCleared(local, tRef);
            assertDown(tRef, t, DownReason.SHUTDOWN, DOWN_WAIT);
            // o fires because the Proxy said goodbye (BYE), or, if the view change won the race, because the
            // node is gone: either way a NODEDOWN that says the node went away
            Down od = downs.awaitDown(oRef, DOWN_WAIT);
            assertThat(od.reason().kind()).isEqualTo(DownReason.Kind.NODEDOWN);
            assertThat(od.reason().isNodeGone()).isTrue();
            refuteExtra(2);
            assertThat(local.compatibilityForNode(remote.name())).isEqualTo(Compatibility.INCOMPATIBLE);
        }
    }

    @Nested
    @DisplayName("Monitoring has process-level multi-tenancy")
    class MultiTenancy {

        Target t;
        Target o;

        @BeforeEach
        void setUp() {
            startLocal();
            t = spawn(local, "t");
            o = spawn(local, "o");
        }

        // zen_monitor.md §8.7 #129
        @Test
        @DisplayName("only the down process sends a :DOWN message")
        void onlyTheDownProcess() {
            MonitorRef tRef = monitor(t);
            MonitorRef oRef = monitor(o);
            TestNodes.awaitEstablished(local, tRef, local);
            TestNodes.awaitEstablished(local, oRef, local);
            kill(local, t);
            TestNodes.awaitCleared(local, tRef);
            assertKilled(tRef, t);
            downs.refute(oRef, Downs.RECEIVE);
            assertThat(oRef.isActive()).isTrue();
            refuteExtra(1);
        }

        // zen_monitor.md §8.7 #130
        @Test
        @DisplayName("only the already down process sends a :DOWN message")
        void onlyTheAlreadyDownProcess() {
            kill(local, t);
            MonitorRef tRef = monitor(t);
            MonitorRef oRef = monitor(o);
            assertNoproc(tRef, t);
            downs.refute(oRef, Downs.RECEIVE);
            assertThat(oRef.isActive()).isTrue();
            refuteExtra(1);
        }
    }

    @Nested
    @DisplayName("Demonitor")
    class Demonitor {

        Target t;

        @BeforeEach
        void setUp() {
            startLocal();
            t = spawn(local, "t");
        }

        // zen_monitor.md §8.7 #131
        @Test
        @DisplayName("prevents :DOWN from being delivered")
        void preventsDown() {
            MonitorRef ref = monitor(t);
            assertThat(local.demonitor(ref)).isTrue();
            kill(local, t);
            downs.refute(ref, Downs.RECEIVE);
            assertThat(downs.count()).isZero();
            assertThat(ref.isActive()).isFalse();
        }

        // zen_monitor.md §8.7 #132. A DOWN in an Erlang mailbox is a callback that already ran here. The original
        // checks the mailbox without waiting right after "clear" (racy); we wait for the delivery first, then
        // demonitor: it returns false (the monitor had fired) and the delivered down stays.
        // Difference: a down that is queued but whose callback has not started is cancelled by a plain demonitor
        // (our guarantee: no callback starts after demonitor returns), see the flush tests.
        @Test
        @DisplayName(":DOWN sent before demonitor still exists")
        void downSentBeforeDemonitorStillExists() {
            MonitorRef ref = monitor(t);
            TestNodes.awaitEstablished(local, ref, local);
            kill(local, t);
            TestNodes.awaitCleared(local, ref);
            assertKilled(ref, t);
            assertThat(local.demonitor(ref)).isFalse();
            downs.assertOne(ref, DownReason.Kind.EXIT);
            refuteExtra(1);
        }

        // zen_monitor.md §8.7 #133
        @Test
        @DisplayName("only effects the demonitored reference")
        void onlyAffectsTheDemonitoredReference() {
            MonitorRef kept = monitor(t);
            MonitorRef dropped = monitor(t);
            TestNodes.awaitEstablished(local, kept, local);
            TestNodes.awaitEstablished(local, dropped, local);
            assertThat(local.demonitor(dropped)).isTrue();
            kill(local, t);
            TestNodes.awaitCleared(local, kept);
            assertKilled(kept, t);
            downs.refute(dropped, Downs.RECEIVE);
            refuteExtra(1);
        }
    }

    /**
     * The flush group. An Erlang "DOWN in the mailbox, not yet received" is here a dispatch the Dispatcher
     * has handed to the callback executor whose callback has not started. To hold dispatches in that state
     * deterministically, the local node has ONE callback thread and a "blocker" monitor's callback occupies it
     * until the test releases it.
     */
    @Nested
    @DisplayName("Demonitor Flush")
    class DemonitorFlush {

        Target t;
        final CountDownLatch blockerRunning = new CountDownLatch(1);
        final CountDownLatch releaseBlocker = new CountDownLatch(1);

        @BeforeEach
        void setUp() {
            startLocal(c -> c.callbackThreads(1));
            t = spawn(local, "t");
        }

        @AfterEach
        void release() {
            releaseBlocker.countDown();
        }

        /** Occupies the only callback thread; returns the number of dispatches handed to callbacks so far. */
        long holdCallbackThread() throws InterruptedException {
            Target blocker = spawn(local, "blocker");
            MonitorRef ref = local.monitor(blocker, d -> {
                blockerRunning.countDown();
                try {
                    releaseBlocker.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            TestNodes.awaitEstablished(local, ref, local);
            long before = processed();
            kill(local, blocker);
            assertThat(blockerRunning.await(DOWN_WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            // the tick counts what it handed over after handing it: wait for the blocker's own count
            awaitHandedToCallbacks(before, 1);
            return before + 1;
        }

        long processed() {
            return local.metrics().get("zen.local.dispatcher.events.processed");
        }

        /** Waits until {@code n} more dispatches were handed to the (blocked) callback thread. */
        void awaitHandedToCallbacks(long before, int n) {
            await().atMost(DOWN_WAIT).until(() -> processed() >= before + n);
        }

        // zen_monitor.md §8.7 #134
        @Test
        @DisplayName("prevents :DOWN from being delivered")
        void preventsDown() {
            MonitorRef ref = monitor(t);
            TestNodes.awaitEstablished(local, ref, local);
            assertThat(local.demonitor(ref, true)).isTrue();
            kill(local, t);
            TestNodes.awaitCleared(local, ref);
            downs.refute(ref, Downs.RECEIVE);
            assertThat(downs.count()).isZero();
        }

        // zen_monitor.md §8.7 #135: the down has left Local's queue and waits for the (held) callback thread,
        // like a DOWN sitting in the mailbox; demonitor(flush) consumes it: it returns true and the callback
        // never runs. (In our design a plain demonitor would too; flush additionally waits for a running one.)
        @Test
        @DisplayName(":DOWN sent before demonitor will be consumed by the flush")
        void flushConsumesSentDown() throws InterruptedException {
            MonitorRef ref = monitor(t);
            TestNodes.awaitEstablished(local, ref, local);
            long before = holdCallbackThread();
            kill(local, t);
            TestNodes.awaitCleared(local, ref);
            awaitHandedToCallbacks(before, 1);

            assertThat(local.demonitor(ref, true)).isTrue();
            releaseBlocker.countDown();
            downs.refute(ref, Downs.RECEIVE);
            assertThat(downs.count()).isZero();
            assertThat(local.metrics().get("zen.local.dispatcher.callbacks")).isEqualTo(1L); // the blocker only
        }

        // zen_monitor.md §8.7 #136: ref1..ref3 fire in creation order and all wait for the held callback thread.
        // Flushing ref1 consumes only ref1; once released, ref2 and ref3 are delivered, and a plain demonitor of
        // ref2 afterwards leaves its delivered down in place (returns false). Difference: in ZenMonitor ref2's
        // DOWN is already in the mailbox when both demonitors run; here a not-yet-run callback would be
        // cancelled by any demonitor, so ref2 is demonitored after its delivery.
        @Test
        @DisplayName(":flush only removes the flushed reference")
        void flushOnlyRemovesTheFlushedReference() throws InterruptedException {
            MonitorRef ref1 = monitor(t);
            MonitorRef ref2 = monitor(t);
            MonitorRef ref3 = monitor(t);
            List<MonitorRef> refs = List.of(ref1, ref2, ref3);
            refs.forEach(r -> TestNodes.awaitEstablished(local, r, local));
            long before = holdCallbackThread();
            kill(local, t);
            refs.forEach(r -> TestNodes.awaitCleared(local, r));
            awaitHandedToCallbacks(before, 3);

            assertThat(local.demonitor(ref1, true)).isTrue();
            releaseBlocker.countDown();
            assertKilled(ref3, t);
            assertKilled(ref2, t);
            assertThat(local.demonitor(ref2)).isFalse();
            downs.refute(ref1, Downs.RECEIVE);
            refuteExtra(2);
        }
    }

    @Nested
    @DisplayName("Compatibility For Node")
    class CompatibilityForNode {

        ZenNode remote;

        @BeforeEach
        void setUp() throws Exception {
            startLocal();
            remote = nodes.start("compatible");
            nodes.startIncompatible("incompatible");
            nodes.awaitView(3);
        }

        // zen_monitor.md §8.7 #137
        @Test
        @DisplayName("when remote is compatible")
        void whenRemoteIsCompatible() {
            assertThat(local.connect(remote.name())).isEqualTo(Compatibility.COMPATIBLE);
            assertThat(local.compatibilityForNode(remote.name())).isEqualTo(Compatibility.COMPATIBLE);
        }

        // zen_monitor.md §8.7 #138: connect blocks for the 5 s ping timeout (the plain member never answers).
        @Test
        @DisplayName("when remote is incompatible")
        void whenRemoteIsIncompatible() {
            assertThat(local.connect("incompatible")).isEqualTo(Compatibility.INCOMPATIBLE);
            assertThat(local.compatibilityForNode("incompatible")).isEqualTo(Compatibility.INCOMPATIBLE);
        }

        // zen_monitor.md §8.7 #139: :down@down is a name that is not a member.
        @Test
        @DisplayName("when remote is down")
        void whenRemoteIsDown() {
            assertThat(local.connect("down")).isEqualTo(Compatibility.INCOMPATIBLE);
            assertThat(local.compatibilityForNode("down")).isEqualTo(Compatibility.INCOMPATIBLE);
        }
    }

    /**
     * Extra (zen_monitor.md §5 and §11.1, quirk fixed): ZenMonitor never fires a monitor of a bare name, for a
     * real death or a missing name. We resolve a bare name to the node that monitors it.
     */
    @Nested
    @DisplayName("Monitoring a bare name (extra: zen_monitor.md §11.1 fixed)")
    class MonitoringABareName {

        ZenNode remote;

        @BeforeEach
        void setUp() {
            startLocal();
            remote = nodes.start("compatible");
            nodes.awaitView(2);
        }

        @Test
        @DisplayName("a bare name resolves to the monitoring node and delivers a :DOWN when it dies")
        void bareName_resolvesToMonitoringNode_deliversDown() {
            Target bare = Target.named("svc");
            Target onLocal = Target.named(local.name(), "svc");
            Target onRemote = Target.named(remote.name(), "svc");
            local.alive(bare); // the owner resolves a bare name to itself too
            remote.alive(onRemote);

            MonitorRef ref = monitor(bare);
            assertThat(ref.target()).isEqualTo(onLocal);
            assertThat(local.compatibility(bare)).isEqualTo(Compatibility.COMPATIBLE);
            TestNodes.awaitEstablished(local, ref, local);

            kill(remote, onRemote); // the same name on another node is another target
            downs.refute(ref, Downs.RECEIVE);

            kill(local, bare);
            TestNodes.awaitCleared(local, ref);
            assertKilled(ref, onLocal);
            refuteExtra(1);
        }

        @Test
        @DisplayName("a bare name that is not registered delivers :noproc")
        void bareName_missing_deliversNoproc() {
            MonitorRef ref = monitor(Target.named("missing"));
            assertNoproc(ref, Target.named(local.name(), "missing"));
            refuteExtra(1);
        }
    }
}
