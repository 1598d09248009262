package io.zenmonitor.local;

import io.zenmonitor.Compatibility;
import io.zenmonitor.DownListener;
import io.zenmonitor.DownReason;
import io.zenmonitor.MonitorOwner;
import io.zenmonitor.MonitorRef;
import io.zenmonitor.RmiTarget;
import io.zenmonitor.Target;
import io.zenmonitor.ZenSettings;
import io.zenmonitor.cluster.Transport;
import io.zenmonitor.core.Loop;
import io.zenmonitor.core.Ticker;
import io.zenmonitor.metrics.Metrics;
import io.zenmonitor.wire.WireMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jgroups.Address;

/**
 * The monitoring half of a node (ZenMonitor's {@code ZenMonitor.Local}): the API entry for monitor and
 * demonitor, the registry of {@link Connector}s (one per remote node), and the queue of down dispatches
 * that the {@link Dispatcher} paces.
 *
 * <h2>Concurrency</h2>
 * {@link #monitor} and {@link #demonitor} run on the caller's thread and never block or touch the
 * network: a monitor is one object whose state word is its liveness (see {@link Monitor}); registering it
 * with its Connector is a task appended to the node's {@link Loop}. Every table here is confined to the
 * loop. Demonitor wins or loses against the callback by one compare-and-set, so after it returns no new
 * callback starts; with {@code flush} it also waits for a callback already running (ZenMonitor's flush
 * race, zen_monitor.md §11.4, is closed).
 *
 * <h2>Batching</h2>
 * Connectors sweep every {@code connector.sweep}; the Dispatcher ticks every {@code demand.interval}.
 * Idle Connectors (no monitors, nothing pending) cost nothing per sweep beyond a flag check.
 *
 * <h2>Failure</h2>
 * Nothing is silently lost: a monitor ends in exactly one down or one demonitor. A Connector cannot
 * crash on its own (it is not a process); node down, incompatibility and BYE fire its monitors.
 *
 * <h2>Shutdown</h2>
 * {@link #closeAll()} ends every monitor of this node as demonitored: no callback runs after the node
 * is closed.
 */
public final class Local {

    /** Feature bits sent in PING/PONG (none yet). */
    static final long FEATURES = 0L;
    /** Prefix of the Connector key of an RMI endpoint that no node advertises. */
    static final String UNRESOLVED_PREFIX = "?";
    /**
     * Longest a monitor of an endpoint nobody advertises yet waits before {@code :unknown-endpoint}, when
     * some member of the view has not reported its endpoints (it is stalled, or its report is on the
     * way). Once every member has reported, the wait ends at the next sweep.
     */
    static final long ENDPOINT_WAIT_MAX_NANOS = 5_000_000_000L;

    final String nodeName;
    final Transport transport;
    final ZenSettings settings;
    final Metrics metrics;
    final CompatibilityCache cache = new CompatibilityCache();
    private final Loop loop;
    private final Ticker ticker;
    private final Dispatcher dispatcher;
    private final AtomicLong ids = new AtomicLong();
    private final LongAdder live = new LongAdder();
    private final HashMap<String, Connector> connectors = new HashMap<>();
    private long nonces;
    private volatile boolean closed;
    /** {@code nodes.allow}/{@code nodes.deny}: targets outside them are never subscribed to. */
    private volatile io.zenmonitor.config.NodePatterns nodes = io.zenmonitor.config.NodePatterns.ALL;

    public Local(String nodeName, Transport transport, Loop loop, ZenSettings settings, Metrics metrics, Ticker ticker, Executor callbacks) {
        this.nodeName = nodeName;
        this.transport = transport;
        this.loop = loop;
        this.settings = settings;
        this.metrics = metrics;
        this.ticker = ticker;
        this.dispatcher = new Dispatcher(callbacks, settings, metrics);
    }

    /**
     * Sets the allow and deny lists (before {@link #start()}): a monitor whose node, or whose RMI endpoint
     * host, is outside them is never subscribed to; it ends at once with NODEDOWN {@code incompatible}
     * through the Dispatcher (the agent never acts on that reason).
     */
    public void nodes(io.zenmonitor.config.NodePatterns patterns) {
        nodes = Objects.requireNonNull(patterns, "patterns");
    }

    /** Starts the Connector sweep and the demand tick on the loop. */
    public void start() {
        loop.execute(() -> connectors.put(nodeName, new Connector(nodeName, this, true)));
        loop.every(settings::connectorSweepNanos, this::sweep);
        loop.every(settings::demandIntervalNanos, dispatcher::tick);
    }

    // ------------------------------------------------------------------ API (any thread)

    /** Creates a monitor; never blocks; returns a ref even for dead or unknown targets. */
    public MonitorRef monitor(Target target, DownListener listener) {
        return monitor(target, listener, null);
    }

    Monitor monitor(Target target, DownListener listener, Owner owner) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(listener, "listener");
        if (closed) {
            throw new IllegalStateException("zen: node " + nodeName + " is closed");
        }
        metrics.localMonitor.increment();
        Monitor m = new Monitor(ids.incrementAndGet(), normalize(target), listener, owner, this);
        live.increment();
        if (owner != null) {
            owner.monitors.add(m);
        }
        loop.execute(() -> register(m));
        return m;
    }

    /**
     * Ends a monitor of this node. After it returns no new callback for {@code ref} starts; with
     * {@code flush} it also waits for a callback of {@code ref} that is running (unless called from it).
     *
     * @return whether this call ended a live monitor (false: already fired, demonitored, or not ours)
     */
    public boolean demonitor(MonitorRef ref, boolean flush) {
        metrics.localDemonitor.increment();
        if (!(ref instanceof Monitor m) || m.local != this) {
            return false;
        }
        if (m.cancel()) {
            ended(m);
            loop.execute(() -> unregister(m));
            return true;
        }
        if (flush) {
            m.awaitCallback();
        }
        return false;
    }

    /** A new owner of monitors. */
    public MonitorOwner owner(String name) {
        return new Owner(Objects.requireNonNull(name, "name"), this);
    }

    /** {@code compatibility(destination)}: reads the cache only. */
    public Compatibility compatibility(Target target) {
        Target t = normalize(target);
        if (t instanceof RmiTarget r) {
            String n = transport.nodeOfEndpointSnapshot(r.endpoint());
            return n == null ? Compatibility.INCOMPATIBLE : cache.compatibility(n);
        }
        return cache.compatibility(t.node());
    }

    /** The node owning {@code target} now, from any thread (the directory snapshot for RMI targets), or null. */
    public String ownerNode(Target target) {
        Target t = normalize(target);
        if (t instanceof RmiTarget r) {
            return transport.nodeOfEndpointSnapshot(r.endpoint());
        }
        return t.node();
    }

    /** {@code compatibility_for_node}: reads the cache only. */
    public Compatibility compatibilityForNode(String node) {
        return cache.compatibility(node);
    }

    /** {@code cached_compatibility}, for tests and the status command. */
    public CompatibilityCache.Cached cachedCompatibility(String node) {
        return cache.cached(node, ticker.nanos());
    }

    /** {@code connect}: resolves compatibility now (at most one ping however many callers). */
    public CompletableFuture<Compatibility> connect(String node) {
        CompletableFuture<Compatibility> f = new CompletableFuture<>();
        loop.execute(() -> connector(node).connect(f, ticker.nanos()));
        return f;
    }

    /** Live monitors of this node (ZenMonitor's References table size). */
    public long liveMonitors() {
        return live.sum();
    }

    /** Down dispatches waiting for demand (ZenMonitor's {@code batch_length}). */
    public int batchLength() {
        return dispatcher.batchLength();
    }

    /** The most callbacks per second: demand.amount × 1 s / demand.interval. */
    public double maximumRate() {
        return settings.maximumRatePerSecond();
    }

    // ------------------------------------------------------------------ loop side

    private Target normalize(Target t) {
        return t.resolvedOn(nodeName); // a bare name means this node (fixes zen_monitor.md §11.1)
    }

    private String nodeOf(Target t) {
        if (t instanceof RmiTarget r) {
            // an unknown endpoint gets its own Connector, which waits for the directory (settleUnresolved)
            String n = transport.nodeOfEndpoint(r.endpoint());
            return n != null ? n : UNRESOLVED_PREFIX + r.endpoint();
        }
        return t.node();
    }

    private void register(Monitor m) {
        if (m.state() != Monitor.LIVE) {
            return; // demonitored before it reached the loop
        }
        String node = nodeOf(m.target);
        if (denied(m.target, node)) {
            metrics.localDenied.increment(); // m.node stays null: a demonitor has nothing to unsubscribe
            enqueueDowns(List.of(new Dispatch(m, DownReason.NODEDOWN_INCOMPATIBLE)));
            return;
        }
        m.node = node;
        if (node.startsWith(UNRESOLVED_PREFIX) && m.target instanceof RmiTarget r) {
            unresolvedConnector(node, r.endpoint()).monitor(m);
        } else {
            connector(m.node).monitor(m);
        }
    }

    private Connector unresolvedConnector(String key, io.zenmonitor.Endpoint endpoint) {
        Connector c = connectors.get(key);
        if (c == null) {
            c = new Connector(key, endpoint, this, false);
            connectors.put(key, c);
        }
        return c;
    }

    /**
     * An unresolved Connector's monitors move to the owning node's Connector once the directory knows the
     * endpoint; they end with {@code :unknown-endpoint} once every member of the view has reported its
     * endpoints without it, or after {@link #ENDPOINT_WAIT_MAX_NANOS}. Loop only; may add Connectors.
     */
    void settleUnresolved(Connector c, long now) {
        String owner = transport.nodeOfEndpoint(c.unresolved);
        if (owner != null) {
            List<Monitor> moved = c.takeAll();
            connectors.remove(c.node);
            metrics.localEndpointResolvedLate.add(moved.size());
            for (Monitor m : moved) {
                if (m.state() != Monitor.LIVE) {
                    continue;
                }
                if (denied(m.target, owner)) {
                    metrics.localDenied.increment();
                    m.node = null;
                    enqueueDowns(List.of(new Dispatch(m, DownReason.NODEDOWN_INCOMPATIBLE)));
                    continue;
                }
                m.node = owner;
                connector(owner).monitor(m);
            }
        } else if (c.monitorCount() > 0 && (transport.endpointsComplete() || now - c.unresolvedSince >= ENDPOINT_WAIT_MAX_NANOS)) {
            c.fireAll(DownReason.NODEDOWN_UNKNOWN_ENDPOINT);
        }
    }

    /** The endpoint directory changed (an endpoint learned or withdrawn, a member reported). Loop only. */
    public void onDirectoryChanged() {
        settleAllUnresolved(ticker.nanos());
    }

    private void settleAllUnresolved(long now) {
        List<Connector> waiting = null;
        for (Connector c : connectors.values()) {
            if (c.unresolved != null) {
                if (waiting == null) {
                    waiting = new ArrayList<>();
                }
                waiting.add(c);
            }
        }
        if (waiting != null) {
            for (Connector c : waiting) {
                settleUnresolved(c, now);
            }
        }
    }

    /** Whether the lists forbid subscribing for {@code t} on {@code node} (never for this node itself). */
    private boolean denied(Target t, String node) {
        io.zenmonitor.config.NodePatterns n = nodes;
        if (n.permitsAll() || node.equals(nodeName)) {
            return false;
        }
        if (t instanceof RmiTarget r && !n.permits(r.endpoint().host())) {
            return true;
        }
        return !node.startsWith(UNRESOLVED_PREFIX) && !n.permits(node);
    }

    private void unregister(Monitor m) {
        if (m.node == null) {
            return; // cancelled before register ran: register skipped it
        }
        Connector c = connectors.get(m.node);
        if (c != null) {
            c.demonitor(m);
        }
    }

    private Connector connector(String node) {
        Connector c = connectors.get(node);
        if (c == null) {
            c = new Connector(node, this, node.equals(nodeName));
            connectors.put(node, c);
        }
        return c;
    }

    /** Runs {@code task} on the loop after {@code delayNanos}. */
    void after(long delayNanos, Runnable task) {
        loop.after(delayNanos, task);
    }

    long now() {
        return ticker.nanos();
    }

    long nextNonce() {
        return ++nonces ^ (System.identityHashCode(this) * 0x9E3779B97F4A7C15L);
    }

    /** Test hook (ZenMonitor's observe_zen_monitor): sees each Local.enqueue call's list. */
    private volatile java.util.function.Consumer<List<io.zenmonitor.Down>> enqueueObserver;
    private volatile boolean enqueueSwallowed;

    /**
     * Installs a spy that sees every list a Connector enqueues (tests only). With {@code swallow} the
     * dispatches do not reach the Dispatcher (the test stands in for Local, as ZenMonitor's
     * observe_zen_monitor does). {@code null} removes it.
     */
    public void observeEnqueues(java.util.function.Consumer<List<io.zenmonitor.Down>> observer, boolean swallow) {
        enqueueObserver = observer;
        enqueueSwallowed = observer != null && swallow;
    }

    /** Local.enqueue: a no-op for an empty list, otherwise appends every dispatch in order. */
    void enqueueDowns(List<Dispatch> downs) {
        if (downs.isEmpty()) {
            return;
        }
        java.util.function.Consumer<List<io.zenmonitor.Down>> spy = enqueueObserver;
        if (spy != null) {
            List<io.zenmonitor.Down> view = new ArrayList<>(downs.size());
            for (Dispatch d : downs) {
                view.add(new io.zenmonitor.Down(d.monitor, d.monitor.target, d.reason));
            }
            spy.accept(view);
            if (enqueueSwallowed) {
                return;
            }
        }
        for (Dispatch d : downs) {
            dispatcher.enqueue(d);
        }
    }

    /** A monitor ended (fired or demonitored): bookkeeping shared by both paths. */
    void ended(Monitor m) {
        live.decrement();
        if (m.owner != null) {
            m.owner.monitors.remove(m);
        }
    }

    /** Ends a monitor as demonitored without a Connector round trip (node close). */
    void cancelQuietly(Monitor m) {
        if (m.cancel()) {
            ended(m);
        }
    }

    /** Connector sweep over the active Connectors. */
    void sweep() {
        long now = ticker.nanos();
        boolean unresolved = false;
        for (Iterator<Connector> it = connectors.values().iterator(); it.hasNext(); ) {
            Connector c = it.next();
            if (c.unresolved != null) {
                if (c.monitorCount() == 0) {
                    it.remove(); // endpoints nobody advertises do not accumulate
                } else {
                    unresolved = true;
                }
            } else if (c.active()) {
                c.sweep(now);
            }
        }
        if (unresolved) {
            settleAllUnresolved(now);
        }
        dispatcher.publish();
    }

    /** Runs one demand tick now (tests). */
    int tick() {
        return dispatcher.tick();
    }

    public void onPong(String fromNode, Address from, WireMessage.Pong pong) {
        Connector c = fromNode == null ? null : connectors.get(fromNode);
        if (c == null) {
            metrics.connectorUnhandled.increment();
            return;
        }
        c.onPong(from, pong, ticker.nanos());
    }

    public void onDead(String fromNode, Address from, WireMessage.Dead dead) {
        Connector c = fromNode == null ? null : connectors.get(fromNode);
        if (c == null || (c.address() != null && !c.address().equals(from))) {
            metrics.connectorUnhandled.increment(); // another node's or incarnation's certificates
            return;
        }
        c.dead(dead.certificates());
    }

    public void onNodeDown(String node, Address gone) {
        onNodeDown(node, gone, DownReason.NODEDOWN);
    }

    /** {@code node} left the view; {@code reason} says whether it crashed or is unreachable. Loop thread. */
    public void onNodeDown(String node, Address gone, DownReason reason) {
        Connector c = node == null ? null : connectors.get(node);
        if (c != null) {
            c.nodeDown(gone, reason);
        }
    }

    public void onBye(String node, Address from) {
        Connector c = node == null ? null : connectors.get(node);
        if (c != null) {
            c.proxyGone(from, ticker.nanos());
        }
    }

    /** After a MergeView: every Connector of a node in the merged view starts a fresh session. */
    public void onMerge(Set<String> nodes) {
        for (Connector c : connectors.values()) {
            if (nodes.contains(c.node)) {
                c.resync();
            }
        }
    }

    /** Ends every monitor as demonitored and stops accepting new ones (node close). Loop only. */
    public void closeAll() {
        closed = true;
        for (Connector c : connectors.values()) {
            c.clear();
        }
        dispatcher.clear();
    }

    /** Marks the node closed for API callers; monitors created from now on are refused. */
    public void refuseNew() {
        closed = true;
    }

    public boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ inspection (loop only; tests use Loop.runAndWait)

    /** Monitors held by the Connector of {@code node} for {@code target}. */
    public List<MonitorRef> connectorMonitors(String node, Target target) {
        Connector c = connectors.get(node);
        return c == null ? List.of() : new ArrayList<>(c.monitorsOf(normalize(target)));
    }

    /** Pending instructions of the Connector of {@code node}. */
    public List<WireMessage.Instruction> connectorBatch(String node) {
        Connector c = connectors.get(node);
        return c == null ? List.of() : c.pendingInstructions();
    }

    /** The Connector key a target resolves to now. */
    public String nodeOfTarget(Target target) {
        return nodeOf(normalize(target));
    }

    /** Whether a Connector exists for {@code node}. */
    public boolean hasConnector(String node) {
        return connectors.containsKey(node);
    }

    /** Sweeps one Connector now (tests' forced {@code :sweep}). */
    public void sweepConnector(String node) {
        Connector c = connectors.get(node);
        if (c != null) {
            c.sweep(ticker.nanos());
        }
    }

    /** Number of Connectors (gauge). */
    public int connectorCount() {
        return connectors.size();
    }
}
