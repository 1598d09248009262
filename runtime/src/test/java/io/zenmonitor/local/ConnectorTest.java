package io.zenmonitor.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zenmonitor.Compatibility;
import io.zenmonitor.Down;
import io.zenmonitor.DownReason;
import io.zenmonitor.Downs;
import io.zenmonitor.MonitorRef;
import io.zenmonitor.Target;
import io.zenmonitor.Term;
import io.zenmonitor.TestNodes;
import io.zenmonitor.ZenConfig;
import io.zenmonitor.ZenNode;
import io.zenmonitor.local.CompatibilityCache.Cached;
import io.zenmonitor.wire.Codec;
import io.zenmonitor.wire.WireMessage;
import io.zenmonitor.wire.WireMessage.Instruction;
import io.zenmonitor.wire.WireMessage.Op;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Port of ZenMonitor's {@code test/local/connector_test.exs} (zen_monitor.md §8.3, tests 33-72), plus the
 * extra tests suggested at the end of §8.
 *
 * <p>Setup for every test, as in the original: a local node ({@code local}), a compatible node
 * ({@code compatible}, a ZenNode in the same in-JVM cluster), an incompatible node ({@code incompatible}, a
 * plain JGroups member that never answers PING, so a connect to it waits the 5 s ping timeout) and a down
 * node ({@code down}, a name that is no member). Each {@code @Nested} class starts them with the settings of
 * its {@code describe} block: {@code disable_sweep} is a 60 s Connector sweep on the local node (from the
 * start, so no 10 ms sweep can slip in before the change), a forced {@code :sweep} is
 * {@code Local.sweepConnector} on the loop.
 *
 * <p>Differences that come from the design, not from behaviour (each test says which applies):
 * <ul>
 *   <li>A Connector is not a process: it is an object of the node's loop, created lazily by the first
 *       {@code connect} or {@code monitor} for a node and never stopped or killed. "Getting a connector"
 *       checks that creation and reuse; "connector is killed" becomes a node restart (a fresh session).</li>
 *   <li>A forced sweep towards a node whose compatibility is unknown sends a PING and returns; the PONG
 *       completes the handshake and sends the pending instructions (ZenMonitor's sweep makes a synchronous
 *       ping call). The first PROCESS of a session carries {@code reset=true} (and is sent even empty), so the
 *       remote Proxy drops whatever it still held for us.</li>
 *   <li>A demonitor names only its ref (the ref carries its target); a demonitor of an unknown
 *       (target, ref) queues no unsubscribe.</li>
 *   <li>Fire-all order is monitor creation order, which equals ZenMonitor's (target, ref) order when the
 *       monitors are created in that order (they are, in test 61).</li>
 * </ul>
 */
@DisplayName("ZenMonitor.Local.Connector (connector_test.exs)")
class ConnectorTest {

    /** ZenMonitor's disable_sweep: 60 s. */
    static final Duration DISABLED = Duration.ofSeconds(60);
    /** Generous bound for anything that crosses the cluster (the build machine is loaded). */
    static final Duration LONG = Duration.ofSeconds(10);
    static final String COMPATIBLE = "compatible";
    static final String INCOMPATIBLE = "incompatible";
    /** ZenMonitor's :down@down: never a member. */
    static final String DOWN = "down";
    static final DownReason KILLED = new DownReason(DownReason.Kind.EXIT, Term.str("killed"));

    TestNodes nodes;
    ZenNode local;
    ZenNode compatible;
    JChannel incompatible;
    final Downs downs = new Downs();
    /** observe_zen_monitor: the lists the Connectors of {@code local} enqueue (swallowed). */
    final ConcurrentLinkedQueue<List<Down>> enqueues = new ConcurrentLinkedQueue<>();
    /** ObservableGen: every message {@code local} sends. */
    final ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
    private final List<Thread> reapers = new ArrayList<>();
    private final List<AutoCloseable> extras = new ArrayList<>();

    record Sent(Address to, WireMessage message) {
    }

    /** The common setup, with the local node's settings of the describe block. */
    void startNodes(UnaryOperator<ZenConfig> localSettings) throws Exception {
        nodes = new TestNodes();
        local = nodes.start("local", localSettings);
        compatible = nodes.start(COMPATIBLE);
        incompatible = nodes.startIncompatible(INCOMPATIBLE);
        nodes.awaitView(3);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Thread t : reapers) {
            t.join(10_000);
        }
        for (AutoCloseable c : extras) {
            c.close();
        }
        if (nodes != null) {
            nodes.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A live "process" on the compatible node (ZenMonitor's sleeping remote processes). */
    Target process(String name) {
        Target t = Target.named(COMPATIBLE, name);
        compatible.alive(t);
        return t;
    }

    /** Process.exit(pid, :kill). */
    void kill(Target t) {
        compatible.died(t, DownReason.Kind.EXIT, "killed");
    }

    /** A forced {@code :sweep} of the local Connector of {@code node}. */
    void sweep(String node) {
        TestNodes.onLoopDo(local, n -> TestNodes.local(n).sweepConnector(node));
    }

    /** await_monitor_established on the compatible node. */
    void established(MonitorRef... refs) {
        for (MonitorRef r : refs) {
            TestNodes.awaitEstablished(local, r, compatible);
        }
    }

    List<Instruction> batch(String node) {
        return TestNodes.onLoop(local, n -> TestNodes.local(n).connectorBatch(node));
    }

    List<MonitorRef> connectorMonitors(String node, Target t) {
        return TestNodes.onLoop(local, n -> TestNodes.local(n).connectorMonitors(node, t));
    }

    boolean hasConnector(String node) {
        return TestNodes.onLoop(local, n -> TestNodes.local(n).hasConnector(node));
    }

    Connector connector(String node) {
        return TestNodes.onLoop(local, n -> ConnectorProbe.of(TestNodes.local(n), node));
    }

    /** The incarnation the local Connector of {@code node} is in session with, read on the loop. */
    Address connectorAddress(String node) {
        return TestNodes.onLoop(local, n -> ConnectorProbe.of(TestNodes.local(n), node).address());
    }

    int connectorCount() {
        return TestNodes.onLoop(local, n -> TestNodes.local(n).connectorCount());
    }

    Cached cached(String node) {
        return TestNodes.local(local).cachedCompatibility(node);
    }

    /** observe_zen_monitor: the test stands in for Local and sees each {@code {:enqueue, list}}. */
    void observeZenMonitor() {
        TestNodes.local(local).observeEnqueues(enqueues::add, true);
    }

    /** The ObservableGen spy on the local node's sends. */
    void observeSends() {
        TestNodes.cluster(local).observeSends((to, m) -> sent.add(new Sent(to, m)));
    }

    List<WireMessage.Ping> pingsTo(Address to) {
        return sent.stream().filter(s -> to.equals(s.to()) && s.message() instanceof WireMessage.Ping)
                .map(s -> (WireMessage.Ping) s.message()).toList();
    }

    List<WireMessage.Ping> pings() {
        return sent.stream().filter(s -> s.message() instanceof WireMessage.Ping).map(s -> (WireMessage.Ping) s.message()).toList();
    }

    List<WireMessage.Process> processesTo(Address to) {
        return sent.stream().filter(s -> to.equals(s.to()) && s.message() instanceof WireMessage.Process)
                .map(s -> (WireMessage.Process) s.message()).toList();
    }

    /** assert_receive {:"$gen_cast", {:enqueue, _}}: the first list not yet consumed. */
    List<Down> awaitEnqueue() {
        await().atMost(LONG).until(() -> !enqueues.isEmpty());
        return enqueues.poll();
    }

    /** refute_receive of any enqueue for ExUnit's 100 ms. */
    void refuteEnqueue() {
        await().during(Downs.RECEIVE).atMost(Downs.RECEIVE.plusSeconds(5)).until(enqueues::isEmpty);
    }

    /** A ref this node never created (ZenMonitor's make_ref()). */
    static MonitorRef unknownRef(Target target) {
        return new MonitorRef() {
            @Override
            public long id() {
                return 1_000_000;
            }

            @Override
            public Target target() {
                return target;
            }

            @Override
            public boolean isActive() {
                return true;
            }
        };
    }

    /**
     * Stops a node as ZenMonitor's tests stop a child node: a crash ({@link TestNodes#crash}). Closing a
     * crashed node later waits 5 s for its closed loop, so it is closed in the background at once and
     * joined in {@link #tearDown()}.
     */
    void crash(ZenNode node) {
        TestNodes.crash(node);
        Thread reaper = new Thread(node::close, "reap-" + node.name());
        reaper.setDaemon(true);
        reaper.start();
        reapers.add(reaper);
    }

    static Down down(MonitorRef ref, Target target, DownReason reason) {
        return new Down(ref, target, reason);
    }

    // ================================================================== Getting a connector

    @Nested
    @DisplayName("Getting a connector")
    class GettingAConnector {

        @BeforeEach
        void setUp() throws Exception {
            startNodes(c -> c);
        }

        @Test
        @DisplayName("get connector for compatible remote node")
        void getConnectorForCompatibleRemoteNode() {
            // zen_monitor.md §8.3 #33. Connector.get_for_node starts a Connector process; ours is an object
            // created lazily by the first connect or monitor for the node (compatibility never creates one),
            // and it is live: the connect is resolved through it.
            assertThat(hasConnector(COMPATIBLE)).isFalse();
            assertThat(local.compatibilityForNode(COMPATIBLE)).isEqualTo(Compatibility.INCOMPATIBLE);
            assertThat(hasConnector(COMPATIBLE)).isFalse();

            assertThat(local.connect(COMPATIBLE)).isEqualTo(Compatibility.COMPATIBLE);

            assertThat(hasConnector(COMPATIBLE)).isTrue();
            assertThat(connectorAddress(COMPATIBLE)).isEqualTo(TestNodes.address(compatible));
        }

        @Test
        @DisplayName("get connector for incompatible remote node")
        void getConnectorForIncompatibleRemoteNode() {
            // zen_monitor.md §8.3 #34. The first monitor of a target on the incompatible node creates its
            // Connector, which holds the monitor and is at work: its sweep pings the node (we do not wait the
            // 5 s ping timeout here; tests 39 and 72 do).
            observeSends();
            Target t = Target.named(INCOMPATIBLE, "a");
            assertThat(hasConnector(INCOMPATIBLE)).isFalse();

            MonitorRef ref = local.monitor(t, downs);

            assertThat(hasConnector(INCOMPATIBLE)).isTrue();
            assertThat(connectorMonitors(INCOMPATIBLE, t)).containsExactly(ref);
            await().atMost(LONG).until(() -> !pingsTo(incompatible.getAddress()).isEmpty());
        }

        @Test
        @DisplayName("multiple gets return the same connector")
        void multipleGetsReturnTheSameConnector() {
            // zen_monitor.md §8.3 #35. Two connects and a monitor for one node use one and the same Connector
            // (identity), and only one Connector besides the node's own exists.
            observeSends();
            assertThat(local.connect(COMPATIBLE)).isEqualTo(Compatibility.COMPATIBLE);
            Connector first = connector(COMPATIBLE);

            assertThat(local.connect(COMPATIBLE)).isEqualTo(Compatibility.COMPATIBLE);
            MonitorRef ref = local.monitor(process("a"), downs);

            assertThat(connector(COMPATIBLE)).isNotNull().isSameAs(first);
            assertThat(connectorMonitors(COMPATIBLE, ref.target())).containsExactly(ref);
            assertThat(connectorCount()).as("the node's own Connector and the compatible node's").isEqualTo(2);
            assertThat(pingsTo(TestNodes.address(compatible))).as("the second connect is a cache hit of the same Connector").hasSize(1);
        }

        @Test
        @DisplayName("new connector after connector is killed")
        void newConnectorAfterConnectorIsKilled() {
            // zen_monitor.md §8.3 #36, adapted: a Connector cannot be killed (it is not a process), so there is
            // no "new Connector". What replaces it is a fresh session: a node that restarts under the same name
            // (close, then start again in the same cluster) is a new incarnation; the same Connector pings it,
            // resubscribes, and monitors work again.
            Target a = process("a");
            MonitorRef before = local.monitor(a, downs);
            established(before);
            Connector connector = connector(COMPATIBLE);
            Address oldIncarnation = TestNodes.address(compatible);

            compatible.close();
            assertThat(downs.awaitDown(before, LONG).reason()).isEqualTo(DownReason.SHUTDOWN);
            // the old incarnation left the view (before that, the BYE's 2 s penalty would fire new monitors)
            await().atMost(LONG).until(() -> cached(COMPATIBLE).state() == Cached.State.UNAVAILABLE);

            ZenNode restarted = nodes.start(COMPATIBLE);
            nodes.awaitView(3);
            Target b = Target.named(COMPATIBLE, "b");
            restarted.alive(b);
            MonitorRef after = local.monitor(b, downs);
            TestNodes.awaitEstablished(local, after, restarted);

            assertThat(connector(COMPATIBLE)).isSameAs(connector);
            assertThat(connectorAddress(COMPATIBLE)).isEqualTo(TestNodes.address(restarted)).isNotEqualTo(oldIncarnation);
            restarted.died(b, DownReason.Kind.EXIT, "killed");
            assertThat(downs.awaitDown(after, LONG).reason()).isEqualTo(KILLED);
            downs.assertOne(before, DownReason.Kind.SHUTDOWN);
        }

        @Test
        @DisplayName("each remote has its own connector")
        void eachRemoteHasItsOwnConnector() {
            // zen_monitor.md §8.3 #37.
            Target onCompatible = process("a");
            Target onIncompatible = Target.named(INCOMPATIBLE, "a");
            MonitorRef r1 = local.monitor(onCompatible, downs);
            MonitorRef r2 = local.monitor(onIncompatible, downs);

            Connector c1 = connector(COMPATIBLE);
            Connector c2 = connector(INCOMPATIBLE);
            assertThat(c1).isNotNull();
            assertThat(c2).isNotNull().isNotSameAs(c1);
            assertThat(connectorCount()).isEqualTo(3);
            assertThat(connectorMonitors(COMPATIBLE, onCompatible)).containsExactly(r1);
            assertThat(connectorMonitors(INCOMPATIBLE, onIncompatible)).containsExactly(r2);
        }
    }

    // ================================================================== Performing a connect

    @Nested
    @DisplayName("Performing a connect")
    class PerformingAConnect {

        @BeforeEach
        void setUp() throws Exception {
            startNodes(c -> c);
            observeSends();
        }

        @Test
        @DisplayName("connecting to a compatible remote node")
        void connectingToACompatibleRemoteNode() {
            // zen_monitor.md §8.3 #38. The spy sees the PING (ZenMonitor's :ping call to {ZenMonitor.Proxy, node}).
            assertThat(local.connect(COMPATIBLE)).isEqualTo(Compatibility.COMPATIBLE);

            assertThat(pingsTo(TestNodes.address(compatible))).singleElement()
                    .satisfies(p -> assertThat(p.version()).isEqualTo(Codec.VERSION));
        }

        @Test
        @DisplayName("connecting to an incompatible remote node")
        void connectingToAnIncompatibleRemoteNode() {
            // zen_monitor.md §8.3 #39. Our incompatible node never answers: the connect takes the 5 s ping timeout.
            assertThat(local.connect(INCOMPATIBLE)).isEqualTo(Compatibility.INCOMPATIBLE);

            assertThat(pingsTo(incompatible.getAddress())).hasSize(1);
        }

        @Test
        @DisplayName("connecting to a down remote node")
        void connectingToADownRemoteNode() {
            // zen_monitor.md §8.3 #40. Not a member: no network call at all.
            assertThat(local.connect(DOWN)).isEqualTo(Compatibility.INCOMPATIBLE);

            await().during(Downs.RECEIVE).atMost(Downs.RECEIVE.plusSeconds(5)).until(() -> pings().isEmpty());
            assertThat(cached(DOWN).state()).isEqualTo(Cached.State.UNAVAILABLE);
        }
    }

    // ================================================================== Connect status caching

    @Nested
    @DisplayName("Connect status caching")
    class ConnectStatusCaching {

        @BeforeEach
        void setUp() throws Exception {
            startNodes(c -> c.connectorSweep(DISABLED));
        }

        @Test
        @DisplayName("miss when never connected")
        void missWhenNeverConnected() {
            // zen_monitor.md §8.3 #41.
            assertThat(cached(COMPATIBLE).state()).isEqualTo(Cached.State.MISS);
        }

        @Test
        @DisplayName("compatible hit after successful connection")
        void compatibleHitAfterSuccessfulConnection() {
            // zen_monitor.md §8.3 #42.
            assertThat(cached(COMPATIBLE).state()).isEqualTo(Cached.State.MISS);
            assertThat(local.connect(COMPATIBLE)).isEqualTo(Compatibility.COMPATIBLE);
            assertThat(cached(COMPATIBLE).state()).isEqualTo(Cached.State.COMPATIBLE);
        }

        @Test
        @DisplayName("incompatible hit after unsuccessful connection")
        void incompatibleHitAfterUnsuccessfulConnection() {
            // zen_monitor.md §8.3 #43. Disabled: with the 60 s sweep of this group nothing notices the ping
            // timeout (Connector.ping arms no deadline of its own; resolve runs only at sweeps and connects).
            assertThat(cached(INCOMPATIBLE).state()).isEqualTo(Cached.State.MISS);
            assertThat(local.connect(INCOMPATIBLE)).isEqualTo(Compatibility.INCOMPATIBLE);
            assertThat(cached(INCOMPATIBLE)).isEqualTo(new Cached(Cached.State.INCOMPATIBLE, 1));
        }

        @Test
        @DisplayName("incompatible cache entries expire")
        void incompatibleCacheEntriesExpire() {
            // zen_monitor.md §8.3 #44. The attempt-1 penalty is 2 s: it is still in force just after the
            // connect (we also check it lasts at least 1 s), and it has expired well within 10 s. Disabled for
            // the same bug as #43.
            assertThat(local.connect(INCOMPATIBLE)).isEqualTo(Compatibility.INCOMPATIBLE);
            assertThat(cached(INCOMPATIBLE).state()).isEqualTo(Cached.State.INCOMPATIBLE);

            await().atLeast(Duration.ofSeconds(1)).atMost(LONG).pollInterval(Duration.ofMillis(50))
                    .until(() -> cached(INCOMPATIBLE).state() == Cached.State.EXPIRED);
            assertThat(cached(INCOMPATIBLE).attempts()).isEqualTo(1);
        }

        @Test
        @DisplayName("remote node crash causes an unavailable cache")
        void remoteNodeCrashCausesAnUnavailableCache() {
            // zen_monitor.md §8.3 #45.
            assertThat(local.connect(COMPATIBLE)).isEqualTo(Compatibility.COMPATIBLE);

            crash(compatible);

            await().atMost(LONG).until(() -> cached(COMPATIBLE).state() == Cached.State.UNAVAILABLE);
        }
    }

    // ================================================================== Compatibility checking

    @Nested
    @DisplayName("Compatibility checking")
    class CompatibilityChecking {

        @BeforeEach
        void setUp() throws Exception {
            startNodes(c -> c);
        }

        @Test
        @DisplayName("all nodes start off incompatible")
        void allNodesStartOffIncompatible() {
            // zen_monitor.md §8.3 #46. Also: asking creates no Connector (nothing connects in the background).
            for (String node : List.of(COMPATIBLE, INCOMPATIBLE, DOWN)) {
                assertThat(local.compatibilityForNode(node)).as(node).isEqualTo(Compatibility.INCOMPATIBLE);
                assertThat(local.compatibility(Target.named(node, "a"))).as(node).isEqualTo(Compatibility.INCOMPATIBLE);
                assertThat(hasConnector(node)).as(node).isFalse();
            }
        }

        @Test
        @DisplayName("after connecting to a compatible node it becomes compatible")
        void afterConnectingToACompatibleNodeItBecomesCompatible() {
            // zen_monitor.md §8.3 #47.
            assertThat(local.compatibilityForNode(COMPATIBLE)).isEqualTo(Compatibility.INCOMPATIBLE);
            assertThat(local.connect(COMPATIBLE)).isEqualTo(Compatibility.COMPATIBLE);
            assertThat(local.compatibilityForNode(COMPATIBLE)).isEqualTo(Compatibility.COMPATIBLE);
            assertThat(local.compatibility(Target.named(COMPATIBLE, "a"))).isEqualTo(Compatibility.COMPATIBLE);
        }

        @Test
        @DisplayName("after connecting to an incompatible node it remains incompatible")
        void afterConnectingToAnIncompatibleNodeItRemainsIncompatible() throws Exception {
            // zen_monitor.md §8.3 #48. "During" is also checked while the ping is in flight.
            assertThat(local.compatibilityForNode(INCOMPATIBLE)).isEqualTo(Compatibility.INCOMPATIBLE);

            CompletableFuture<Compatibility> connect = TestNodes.local(local).connect(INCOMPATIBLE);
            assertThat(connect).isNotDone();
            assertThat(local.compatibilityForNode(INCOMPATIBLE)).isEqualTo(Compatibility.INCOMPATIBLE);
            assertThat(connect.get(LONG.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(Compatibility.INCOMPATIBLE);

            assertThat(local.compatibilityForNode(INCOMPATIBLE)).isEqualTo(Compatibility.INCOMPATIBLE);
        }

        @Test
        @DisplayName("after connecting to a down node it remains incompatible")
        void afterConnectingToADownNodeItRemainsIncompatible() {
            // zen_monitor.md §8.3 #49.
            assertThat(local.compatibilityForNode(DOWN)).isEqualTo(Compatibility.INCOMPATIBLE);
            assertThat(local.connect(DOWN)).isEqualTo(Compatibility.INCOMPATIBLE);
            assertThat(local.compatibilityForNode(DOWN)).isEqualTo(Compatibility.INCOMPATIBLE);
        }
    }

    // ================================================================== Monitoring a remote process

    @Nested
    @DisplayName("Monitoring a remote process (local bookkeeping)")
    class MonitoringARemoteProcess {

        Target a;

        @BeforeEach
        void setUp() throws Exception {
            startNodes(c -> c.connectorSweep(DISABLED));
            a = process("a");
            process("b");
            process("c");
        }

        @Test
        @DisplayName("unmonitored pid is added to queue")
        void unmonitoredPidIsAddedToQueue() {
            // zen_monitor.md §8.3 #50. The connect creates the Connector (and is the sync barrier of the
            // original); its session-opening PROCESS carries no instruction, so the queue is still empty.
            assertThat(local.connect(COMPATIBLE)).isEqualTo(Compatibility.COMPATIBLE);
            assertThat(batch(COMPATIBLE)).isEmpty();

            local.monitor(a, downs);

            assertThat(batch(COMPATIBLE)).containsExactly(new Instruction(Op.SUBSCRIBE, a));
        }

        @Test
        @DisplayName("already monitored pid is not added to the queue")
        void alreadyMonitoredPidIsNotAddedToTheQueue() {
            // zen_monitor.md §8.3 #51.
            MonitorRef r1 = local.monitor(a, downs);
            MonitorRef r2 = local.monitor(a, downs);

            assertThat(batch(COMPATIBLE)).containsExactly(new Instruction(Op.SUBSCRIBE, a));
            assertThat(connectorMonitors(COMPATIBLE, a)).containsExactlyInAnyOrder(r1, r2);
        }
    }

    // ================================================================== Demonitoring a process

    @Nested
    @DisplayName("Demonitoring a process")
    class DemonitoringAProcess {

        // The original's setup order (disable_sweep, then fast) leaves an implicit 10 ms Connector sweep
        // (zen_monitor.md §8.0 and §11.11); here the sweep is really disabled and every test forces its sweep.

        Target target;
        Target other;

        @BeforeEach
        void setUp() throws Exception {
            startNodes(c -> c.connectorSweep(DISABLED));
            observeZenMonitor();
            target = process("target");
            other = process("other");
        }

        @Test
        @DisplayName("works on unknown process / ref")
        void worksOnUnknownProcessRef() {
            // zen_monitor.md §8.3 #52. Connector.demonitor(pid, make_ref()) returns :ok. Ours: demonitor of a
            // ref this node never made returns false; the Connector-level demonitor of an unknown
            // (target, ref) pair is a no-op. Deliberate difference: it queues no unsubscribe (ZenMonitor
            // leaves [{:unsubscribe, pid}] in the batch).
            assertThat(local.connect(COMPATIBLE)).isEqualTo(Compatibility.COMPATIBLE);

            assertThat(local.demonitor(unknownRef(target))).isFalse();
            assertThat(local.demonitor(unknownRef(target), true)).isFalse();
            TestNodes.onLoopDo(local, n -> ConnectorProbe.of(TestNodes.local(n), COMPATIBLE)
                    .demonitor(new Monitor(1_000_000, target, downs, null, TestNodes.local(n))));

            assertThat(batch(COMPATIBLE)).isEmpty();
            assertThat(local.metrics().connectorEnqueueUnsubscribe.sum()).isZero();
        }

        @Test
        @DisplayName("doesn't send down")
        void doesntSendDown() {
            // zen_monitor.md §8.3 #53. We also wait until the certificate of the kill was sent to us, so that
            // "nothing within 100 ms" is not vacuous.
            MonitorRef ref = local.monitor(target, downs);
            sweep(COMPATIBLE);
            established(ref);

            assertThat(local.demonitor(ref)).isTrue();
            long received = local.metrics().wireReceived.sum();
            kill(target);

            await().atMost(LONG).until(() -> compatible.metrics().batcherSweep.sum() >= 1);
            await().atMost(LONG).until(() -> local.metrics().wireReceived.sum() > received);
            refuteEnqueue();
            assertThat(local.metrics().connectorUnhandled.sum()).isZero();
        }

        @Test
        @DisplayName("is isolated to the demonitored process only")
        void isIsolatedToTheDemonitoredProcessOnly() {
            // zen_monitor.md §8.3 #54.
            MonitorRef targetRef = local.monitor(target, downs);
            MonitorRef otherRef = local.monitor(other, downs);
            sweep(COMPATIBLE);
            established(targetRef, otherRef);

            local.demonitor(targetRef);
            kill(target);
            kill(other);

            assertThat(awaitEnqueue()).containsExactly(down(otherRef, other, KILLED));
            refuteEnqueue();
        }

        @Test
        @DisplayName("incorrect reference does nothing")
        void incorrectReferenceDoesNothing() {
            // zen_monitor.md §8.3 #55. The wrong ref names the same target but was never made by this node.
            MonitorRef rightRef = local.monitor(target, downs);
            sweep(COMPATIBLE);
            established(rightRef);

            assertThat(local.demonitor(unknownRef(target))).isFalse();
            kill(target);

            assertThat(awaitEnqueue()).containsExactly(down(rightRef, target, KILLED));
        }

        @Test
        @DisplayName("incorrect pid does nothing")
        void incorrectPidDoesNothing() {
            // zen_monitor.md §8.3 #56. The public demonitor names only the ref, which carries its target, so a
            // (wrong_target, ref) pair exists only at the Connector: we hand the real Connector a monitor with
            // the ref's id and the wrong target. It is not found (no unsubscribe is queued) and the real
            // monitor still fires.
            MonitorRef ref = local.monitor(target, downs);
            sweep(COMPATIBLE);
            established(ref);

            TestNodes.onLoopDo(local, n -> ConnectorProbe.of(TestNodes.local(n), COMPATIBLE)
                    .demonitor(new Monitor(ref.id(), other, downs, null, TestNodes.local(n))));
            assertThat(batch(COMPATIBLE)).isEmpty();
            kill(target);

            assertThat(awaitEnqueue()).containsExactly(down(ref, target, KILLED));
        }

        @Test
        @DisplayName("demonitoring the only monitor adds an unsubscribe to the queue")
        void demonitoringTheOnlyMonitorAddsAnUnsubscribeToTheQueue() {
            // zen_monitor.md §8.3 #57.
            MonitorRef ref = local.monitor(target, downs);
            assertThat(batch(COMPATIBLE)).containsExactly(new Instruction(Op.SUBSCRIBE, target));

            sweep(COMPATIBLE);
            established(ref);
            assertThat(batch(COMPATIBLE)).isEmpty();
            local.demonitor(ref);

            assertThat(batch(COMPATIBLE)).containsExactly(new Instruction(Op.UNSUBSCRIBE, target));
        }

        @Test
        @DisplayName("demonitoring one of many monitors does not add an unsubscribe to the queue")
        void demonitoringOneOfManyMonitorsDoesNotAddAnUnsubscribeToTheQueue() {
            // zen_monitor.md §8.3 #58.
            MonitorRef r1 = local.monitor(target, downs);
            MonitorRef r2 = local.monitor(target, downs);
            assertThat(batch(COMPATIBLE)).containsExactly(new Instruction(Op.SUBSCRIBE, target));

            sweep(COMPATIBLE);
            established(r1, r2);
            local.demonitor(r1);

            assertThat(batch(COMPATIBLE)).isEmpty();
            assertThat(connectorMonitors(COMPATIBLE, target)).containsExactly(r2);
        }

        @Test
        @DisplayName("demonitoring the last of many monitors adds an unsubscribe to the queue")
        void demonitoringTheLastOfManyMonitorsAddsAnUnsubscribeToTheQueue() {
            // zen_monitor.md §8.3 #59.
            MonitorRef r1 = local.monitor(target, downs);
            MonitorRef r2 = local.monitor(target, downs);
            sweep(COMPATIBLE);
            established(r1, r2);

            local.demonitor(r1);
            local.demonitor(r2);

            assertThat(batch(COMPATIBLE)).containsExactly(new Instruction(Op.UNSUBSCRIBE, target));
        }
    }

    // ================================================================== Handles nodedown

    @Nested
    @DisplayName("Handles nodedown")
    class HandlesNodedown {

        @BeforeEach
        void setUp() throws Exception {
            startNodes(c -> c.connectorSweep(DISABLED));
            observeZenMonitor();
        }

        @Test
        @DisplayName("marks the node as unavailable")
        void marksTheNodeAsUnavailable() {
            // zen_monitor.md §8.3 #60.
            assertThat(local.connect(COMPATIBLE)).isEqualTo(Compatibility.COMPATIBLE);

            crash(compatible);

            await().atMost(LONG).until(() -> cached(COMPATIBLE).state() == Cached.State.UNAVAILABLE);
        }

        @Test
        @DisplayName("fires all monitors")
        void firesAllMonitors() {
            // zen_monitor.md §8.3 #61. One enqueue with every monitor, NODEDOWN, in (target, ref) order, which
            // is our creation order here. The original's 50 ms sleep is replaced by awaiting the subscriptions.
            Target a = process("a");
            Target b = process("b");
            Target c = process("c");
            MonitorRef a1 = local.monitor(a, downs);
            MonitorRef a2 = local.monitor(a, downs);
            MonitorRef b1 = local.monitor(b, downs);
            MonitorRef b2 = local.monitor(b, downs);
            MonitorRef c1 = local.monitor(c, downs);
            MonitorRef c2 = local.monitor(c, downs);
            sweep(COMPATIBLE);
            established(a1, a2, b1, b2, c1, c2);

            crash(compatible);

            assertThat(awaitEnqueue()).containsExactly(
                    down(a1, a, DownReason.NODEDOWN), down(a2, a, DownReason.NODEDOWN),
                    down(b1, b, DownReason.NODEDOWN), down(b2, b, DownReason.NODEDOWN),
                    down(c1, c, DownReason.NODEDOWN), down(c2, c, DownReason.NODEDOWN));
            refuteEnqueue();
        }
    }

    // ================================================================== Handles summaries

    @Nested
    @DisplayName("Handles summaries")
    class HandlesSummaries {

        Target a;
        Target b;
        Target c;

        @BeforeEach
        void setUp() throws Exception {
            startNodes(cfg -> cfg.connectorSweep(DISABLED));
            observeZenMonitor();
            a = process("a");
            b = process("b");
            c = process("c");
        }

        /**
         * The test plays the compatible node's Batcher, as the original sends {@code {:dead, compatible, ...}}
         * to the Connector itself: a DEAD from the compatible node's address, over the wire. Returns once the
         * local node received it.
         */
        void summary(WireMessage.Certificate... certificates) {
            long received = local.metrics().wireReceived.sum();
            Address to = TestNodes.address(local);
            TestNodes.onLoopDo(compatible, n -> TestNodes.cluster(n).send(to, new WireMessage.Dead(List.of(certificates))));
            await().atMost(LONG).until(() -> local.metrics().wireReceived.sum() > received);
        }

        WireMessage.Certificate dead(Target t, String reason) {
            return new WireMessage.Certificate(t, new DownReason(DownReason.Kind.EXIT, Term.atom(reason)));
        }

        @Test
        @DisplayName("empty summary does nothing")
        void emptySummaryDoesNothing() {
            // zen_monitor.md §8.3 #62. The connect creates the Connector the summary is for; it is handled by
            // that Connector (not counted as unhandled) and enqueues nothing.
            assertThat(local.connect(COMPATIBLE)).isEqualTo(Compatibility.COMPATIBLE);

            summary();

            refuteEnqueue();
            assertThat(local.metrics().connectorUnhandled.sum()).isZero();
        }

        @Test
        @DisplayName("unmonitored pids does nothing")
        void unmonitoredPidsDoesNothing() {
            // zen_monitor.md §8.3 #63.
            assertThat(local.connect(COMPATIBLE)).isEqualTo(Compatibility.COMPATIBLE);

            summary(dead(a, "test_a"), dead(b, "test_b"), dead(c, "test_c"));

            refuteEnqueue();
            assertThat(local.metrics().connectorUnhandled.sum()).isZero();
        }

        @Test
        @DisplayName("monitored pids get enqueued")
        void monitoredPidsGetEnqueued() {
            // zen_monitor.md §8.3 #64.
            MonitorRef ra = local.monitor(a, downs);
            MonitorRef rb = local.monitor(b, downs);
            MonitorRef rc = local.monitor(c, downs);

            summary(dead(a, "test_a"), dead(b, "test_b"), dead(c, "test_c"));

            assertThat(awaitEnqueue()).containsExactly(
                    down(ra, a, dead(a, "test_a").reason()),
                    down(rb, b, dead(b, "test_b").reason()),
                    down(rc, c, dead(c, "test_c").reason()));
        }

        @Test
        @DisplayName("mixed pids, monitored enqueue, unmonitored ignored")
        void mixedPidsMonitoredEnqueueUnmonitoredIgnored() {
            // zen_monitor.md §8.3 #65.
            MonitorRef ra = local.monitor(a, downs);
            MonitorRef rc = local.monitor(c, downs);

            summary(dead(a, "test_a"), dead(b, "test_b"), dead(c, "test_c"));

            assertThat(awaitEnqueue()).containsExactly(
                    down(ra, a, dead(a, "test_a").reason()),
                    down(rc, c, dead(c, "test_c").reason()));
            refuteEnqueue();
        }
    }

    // ================================================================== Periodic Sweep to compatible remote

    @Nested
    @DisplayName("Periodic Sweep to compatible remote")
    class PeriodicSweepToCompatibleRemote {

        Address remote;

        @BeforeEach
        void setUp() throws Exception {
            startNodes(c -> c.connectorSweep(DISABLED).connectorChunk(2));
            observeSends();
            remote = TestNodes.address(compatible);
        }

        void refuteProcess(int seen) {
            await().during(Downs.RECEIVE).atMost(Downs.RECEIVE.plusSeconds(5)).until(() -> processesTo(remote).size() == seen);
        }

        WireMessage.Process awaitProcess(int index) {
            await().atMost(LONG).until(() -> processesTo(remote).size() > index);
            return processesTo(remote).get(index);
        }

        @Test
        @DisplayName("sweep does not send a subscription if there are no newly monitored pids")
        void sweepDoesNotSendASubscriptionIfThereAreNoNewlyMonitoredPids() {
            // zen_monitor.md §8.3 #66. Our Connector opens a session (connect) with one PROCESS{reset} and no
            // instruction; a forced sweep afterwards with nothing queued sends nothing.
            assertThat(local.connect(COMPATIBLE)).isEqualTo(Compatibility.COMPATIBLE);
            assertThat(awaitProcess(0)).isEqualTo(new WireMessage.Process(true, List.of()));

            sweep(COMPATIBLE);

            refuteProcess(1);
        }

        @Test
        @DisplayName("sweep sends the monitored pids since the last sweep")
        void sweepSendsTheMonitoredPidsSinceTheLastSweep() {
            // zen_monitor.md §8.3 #67. The first PROCESS of the session carries reset=true.
            Target t = process("target");
            local.monitor(t, downs);

            sweep(COMPATIBLE);

            assertThat(awaitProcess(0)).isEqualTo(new WireMessage.Process(true, List.of(new Instruction(Op.SUBSCRIBE, t))));
            refuteProcess(1);
        }

        @Test
        @DisplayName("sweep ignores already monitored pids on subsequenet sweeps")
        void sweepIgnoresAlreadyMonitoredPidsOnSubsequentSweeps() {
            // zen_monitor.md §8.3 #68 (the original's typo kept in the name).
            Target t = process("target");
            local.monitor(t, downs);
            sweep(COMPATIBLE);
            assertThat(awaitProcess(0).instructions()).containsExactly(new Instruction(Op.SUBSCRIBE, t));

            local.monitor(t, downs);
            sweep(COMPATIBLE);

            refuteProcess(1);
        }

        @Test
        @DisplayName("sweep transmits pids in the order received")
        void sweepTransmitsPidsInTheOrderReceived() {
            // zen_monitor.md §8.3 #69.
            Target first = process("first");
            Target second = process("second");
            local.monitor(first, downs);
            local.monitor(second, downs);

            sweep(COMPATIBLE);

            assertThat(awaitProcess(0).instructions())
                    .containsExactly(new Instruction(Op.SUBSCRIBE, first), new Instruction(Op.SUBSCRIBE, second));
        }

        @Test
        @DisplayName("sweep will only transmit the requested chunk size")
        void sweepWillOnlyTransmitTheRequestedChunkSize() {
            // zen_monitor.md §8.3 #70 (reduce_chunk_size: 2).
            Target a = process("a");
            Target b = process("b");
            Target c = process("c");
            local.monitor(a, downs);
            local.monitor(b, downs);
            local.monitor(c, downs);

            sweep(COMPATIBLE);
            assertThat(awaitProcess(0).instructions())
                    .containsExactly(new Instruction(Op.SUBSCRIBE, a), new Instruction(Op.SUBSCRIBE, b));
            refuteProcess(1);

            sweep(COMPATIBLE);
            assertThat(awaitProcess(1)).isEqualTo(new WireMessage.Process(false, List.of(new Instruction(Op.SUBSCRIBE, c))));
        }
    }

    // ================================================================== Periodic Sweep to incompatible remote

    @Nested
    @DisplayName("Periodic Sweep to incompatible remote")
    class PeriodicSweepToIncompatibleRemote {

        @BeforeEach
        void setUp() throws Exception {
            startNodes(c -> c.connectorSweep(DISABLED).connectorChunk(2));
            observeZenMonitor();
        }

        @Test
        @DisplayName("sweep does not send a message if there are no newly monitored pids")
        void sweepDoesNotSendAMessageIfThereAreNoNewlyMonitoredPids() throws Exception {
            // zen_monitor.md §8.3 #71. Our forced sweep towards an unknown node pings and returns; the sweep
            // that resolves "incompatible" (after the 5 s ping timeout) fires all monitors, here none. The
            // async connect only creates the Connector (ZenMonitor's Connector.get).
            CompletableFuture<Compatibility> connect = TestNodes.local(local).connect(INCOMPATIBLE);
            await().atMost(LONG).pollInterval(Duration.ofMillis(50)).until(() -> {
                sweep(INCOMPATIBLE);
                return cached(INCOMPATIBLE).state() == Cached.State.INCOMPATIBLE;
            });
            assertThat(connect.get(LONG.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(Compatibility.INCOMPATIBLE);

            sweep(INCOMPATIBLE);

            refuteEnqueue();
        }

        @Test
        @DisplayName("sweep sends nodedown for incompatible remote")
        void sweepSendsNodedownForIncompatibleRemote() {
            // zen_monitor.md §8.3 #72. Forced sweeps until the one after the 5 s ping timeout fires.
            Target t = Target.named(INCOMPATIBLE, "target");
            MonitorRef ref = local.monitor(t, downs);

            await().atMost(LONG).pollInterval(Duration.ofMillis(50)).until(() -> {
                sweep(INCOMPATIBLE);
                return !enqueues.isEmpty();
            });

            assertThat(enqueues.poll()).containsExactly(down(ref, t, DownReason.NODEDOWN_INCOMPATIBLE));
            refuteEnqueue();
        }
    }

    // ================================================================== extra tests (zen_monitor.md §8, end)

    @Nested
    @DisplayName("Suggested extra tests (not in connector_test.exs)")
    class Extra {

        @Test
        @DisplayName("the backoff sequence is 2/4/8/16/32/60 s")
        void backoffSequence() {
            // zen_monitor.md §8 end and §2: penalty(attempt) = min(60 s, 1 s × 2^min(attempt, 16)).
            long[] expected = {2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000};
            for (int attempt = 1; attempt <= expected.length; attempt++) {
                assertThat(CompatibilityCache.penaltyMillis(attempt)).as("attempt %d", attempt).isEqualTo(expected[attempt - 1]);
            }
            assertThat(CompatibilityCache.penaltyMillis(16)).isEqualTo(60_000);
            assertThat(CompatibilityCache.penaltyMillis(Integer.MAX_VALUE)).isEqualTo(60_000);
        }

        @Test
        @DisplayName("consecutive failed connects back off: attempt 1 (2 s), then attempt 2 (4 s)")
        void consecutiveFailedConnectsBackOff() throws Exception {
            // Integration check of the backoff with a member that answers PING with another version (an
            // immediate failure, so the test takes about one 2 s penalty instead of two 5 s ping timeouts).
            // While the penalty is in force a connect is a cache hit and sends no PING.
            startNodes(c -> c.connectorSweep(DISABLED));
            OtherVersionMember old = OtherVersionMember.start(nodes.cluster(), "old");
            extras.add(old);
            await().atMost(LONG).until(() -> local.members().contains("old"));

            assertPenalty("old", 1, 2_000);
            assertThat(old.pings()).isEqualTo(1);

            assertThat(local.connect("old")).isEqualTo(Compatibility.INCOMPATIBLE);
            assertThat(old.pings()).as("no ping while the penalty is in force").isEqualTo(1);

            await().atMost(LONG).pollInterval(Duration.ofMillis(50)).until(() -> cached("old").state() == Cached.State.EXPIRED);
            assertThat(cached("old")).isEqualTo(new Cached(Cached.State.EXPIRED, 1));

            assertPenalty("old", 2, 4_000);
            assertThat(old.pings()).isEqualTo(2);
        }

        /**
         * A connect that fails, and the penalty it sets: the deadline was written between the two clock
         * readings around the connect, so {@code until - before >= penalty >= until - after} pins it exactly,
         * however slow the machine.
         */
        void assertPenalty(String node, int attempts, long penaltyMillis) {
            long before = System.nanoTime();
            assertThat(local.connect(node)).isEqualTo(Compatibility.INCOMPATIBLE);
            long after = System.nanoTime();
            assertThat(cached(node)).isEqualTo(new Cached(Cached.State.INCOMPATIBLE, attempts));
            CompatibilityCache.Entry e = TestNodes.local(local).cache.get(node);
            assertThat(e).isInstanceOf(CompatibilityCache.Incompatible.class);
            long until = ((CompatibilityCache.Incompatible) e).untilNanos();
            assertThat(until - before).isGreaterThanOrEqualTo(penaltyMillis * 1_000_000);
            assertThat(until - after).isLessThanOrEqualTo(penaltyMillis * 1_000_000);
        }

        @Test
        @DisplayName("monitors fire with NODEDOWN when the remote Proxy goes away while its node stays up")
        void monitorsFireWhenTheRemoteProxyGoesAwayWhileItsNodeStaysUp() throws Exception {
            // zen_monitor.md §4 "Events after a compatible connection": the Proxy monitor firing with a reason
            // other than noconnection marks the node incompatible (attempt 1, 2 s) and fires all monitors with
            // :nodedown. Our equivalent of "the Proxy went away" is its BYE (Connector.proxyGone). To keep the
            // node up, the compatible node runs on its loop what close() runs there (Proxy shutdown: SHUTDOWN
            // certificates, then BYE) without leaving the cluster.
            startNodes(c -> c.connectorSweep(DISABLED));
            observeSends();
            Address remote = TestNodes.address(compatible);
            Target subscribed = process("subscribed");
            Target pending = process("pending");
            MonitorRef r1 = local.monitor(subscribed, downs);
            sweep(COMPATIBLE);
            established(r1);
            MonitorRef r2 = local.monitor(pending, downs); // queued, not yet sent: the Proxy does not know it

            TestNodes.onLoopDo(compatible, n -> {
                TestNodes.proxy(n).shutdown();
                TestNodes.cluster(n).sayGoodbye();
            });

            assertThat(downs.awaitDown(r1, LONG).reason()).isEqualTo(DownReason.SHUTDOWN);
            assertThat(downs.awaitDown(r2, LONG).reason()).isEqualTo(DownReason.NODEDOWN_PROXY_GONE);
            assertThat(cached(COMPATIBLE)).isEqualTo(new Cached(Cached.State.INCOMPATIBLE, 1));
            assertThat(local.compatibilityForNode(COMPATIBLE)).isEqualTo(Compatibility.INCOMPATIBLE);
            assertThat(local.members()).contains(COMPATIBLE);

            // while the penalty holds, a new monitor fires at the next sweep and nothing is sent
            int processes = processesTo(remote).size();
            MonitorRef r3 = local.monitor(process("during-penalty"), downs);
            sweep(COMPATIBLE);
            assertThat(downs.awaitDown(r3, LONG).reason()).isEqualTo(DownReason.NODEDOWN_INCOMPATIBLE);
            assertThat(processesTo(remote)).hasSize(processes);

            // after the 2 s penalty the next sweep pings again (attempt 2); the node answers: compatible again
            await().atMost(LONG).pollInterval(Duration.ofMillis(50)).until(() -> cached(COMPATIBLE).state() == Cached.State.EXPIRED);
            int pings = pingsTo(remote).size();
            Target after = process("after");
            MonitorRef r4 = local.monitor(after, downs);
            sweep(COMPATIBLE);
            established(r4);
            assertThat(pingsTo(remote)).hasSize(pings + 1);
            assertThat(cached(COMPATIBLE).state()).isEqualTo(Cached.State.COMPATIBLE);
            kill(after);
            assertThat(downs.awaitDown(r4, LONG).reason()).isEqualTo(KILLED);
            for (MonitorRef r : List.of(r1, r2, r3, r4)) {
                assertThat(downs.of(r)).hasSize(1);
            }
        }

        @Test
        @DisplayName("a node that closes cleanly: SHUTDOWN for its subscriptions, NODEDOWN for the rest")
        void aNodeThatClosesCleanly() throws Exception {
            // The same with a real close: monitors the remote Proxy held get its SHUTDOWN certificates; a
            // monitor it never heard of (still queued here) is fired NODEDOWN by the BYE; a monitor made after
            // the close fires NODEDOWN at the next sweep; the node reads incompatible, then unavailable once
            // it left the view.
            startNodes(c -> c.connectorSweep(DISABLED));
            Target subscribed = process("subscribed");
            Target pending = process("pending");
            MonitorRef r1 = local.monitor(subscribed, downs);
            sweep(COMPATIBLE);
            established(r1);
            MonitorRef r2 = local.monitor(pending, downs);

            compatible.close();

            assertThat(downs.awaitDown(r1, LONG).reason()).isEqualTo(DownReason.SHUTDOWN);
            assertThat(downs.awaitDown(r2, LONG).reason()).isEqualTo(DownReason.NODEDOWN_PROXY_GONE);
            assertThat(local.compatibilityForNode(COMPATIBLE)).isEqualTo(Compatibility.INCOMPATIBLE);
            MonitorRef r3 = local.monitor(Target.named(COMPATIBLE, "after-close"), downs);
            sweep(COMPATIBLE);
            // penalised after the BYE (incompatible), or gone from the view already (unavailable)
            assertThat(downs.awaitDown(r3, LONG).reason()).isIn(DownReason.NODEDOWN_INCOMPATIBLE, DownReason.NODEDOWN_UNAVAILABLE);
            await().atMost(LONG).until(() -> cached(COMPATIBLE).state() == Cached.State.UNAVAILABLE);
            for (MonitorRef r : List.of(r1, r2, r3)) {
                assertThat(downs.of(r)).hasSize(1);
            }
        }
    }
}
