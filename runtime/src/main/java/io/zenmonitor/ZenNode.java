package io.zenmonitor;

import io.zenmonitor.metrics.Metrics;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.management.ObjectName;

/**
 * One zen node: a JGroups member that monitors targets anywhere in its cluster and lets its own
 * objects be monitored (ZenMonitor's Local and Proxy, symmetric on every node).
 *
 * <h2>Monitoring</h2>
 * {@link #monitor} registers interest and returns at once; it never waits for the network. The node's
 * Connector for the target's node subscribes at the next {@code connector.sweep}, in chunks of
 * {@code connector.chunk}. When the target dies the owning node's Proxy truncates the reason once and its
 * Batcher sends the certificate at the next {@code batcher.sweep}; the Dispatcher here then starts the
 * callback, paced.
 *
 * <h2>Being monitored</h2>
 * {@link #alive} and {@link #died} feed this node's Proxy with its live objects (the agent does it for
 * RMI exports and MBeans; an application may do it for anything it names). {@link #advertise} maps an RMI
 * endpoint to this node.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Every monitor ends in exactly one {@link Down} or one demonitor; nothing is silently lost, also
 *       across node crashes, partitions and clean shutdowns.</li>
 *   <li>After {@link #demonitor(MonitorRef, boolean)} returns, no new callback for that ref starts; with
 *       {@code flush} a running one has also finished.</li>
 *   <li>At most {@code demand.amount} callbacks start per {@code demand.interval}: a maximum rate of
 *       {@code demand.amount × 1 s / demand.interval} (10,000 per second by default), node-down fan-outs
 *       included.</li>
 *   <li>A node that leaves the view (crash, partition, leave) fires every monitor on it with
 *       {@code NODEDOWN}; a node that {@link #close() closes} first sends {@code SHUTDOWN} for every
 *       subscription it held.</li>
 * </ul>
 *
 * <h2>Costs</h2>
 * Subscribe latency: up to one connector sweep, plus {@code ceil(backlog / connector.chunk)} sweeps.
 * Death latency: up to one batcher sweep plus {@code ceil(backlog / batcher.chunk)} sweeps, then up to
 * one demand interval plus {@code ceil(queued / demand.amount)} intervals. Node-down latency: JGroups
 * failure detection (about 2 s for a killed JVM on the shipped stacks) plus the Dispatcher.
 *
 * <h2>Differences from ZenMonitor</h2>
 * A bare name means this node (ZenMonitor never fires those). A demonitored monitor's Proxy watch is
 * released. Callbacks replace DOWN messages; reasons are {@link DownReason}s, not wrapped terms. The
 * flush race is closed. A Connector cannot lose its monitors. Partitions and merges start fresh
 * subscription sessions on both sides.
 *
 * <h2>Threading</h2>
 * Every method may be called from any thread. {@link #connect} blocks up to 5 s (a ping);
 * {@link #close} blocks up to a few seconds while peers acknowledge the goodbye. Callbacks run on
 * {@code callback.threads} daemon threads of this node.
 *
 * <h2>Implementations</h2>
 * The runtime provides the only implementation; {@link #start} finds it whether the runtime jar is on
 * the application's class path or only inside {@code zen-agent.jar} (then the agent's node and this
 * API are shared, see {@link ZenMonitor}). Not meant to be implemented by applications.
 */
public interface ZenNode extends AutoCloseable {

    /** The target every node keeps alive for itself: monitor it to learn that a node went away. */
    String NODE_TARGET = "zen:node";

    /**
     * Starts a node and joins its cluster (blocks until joined, usually well under a second on the
     * shipped stacks).
     *
     * @throws IllegalArgumentException if the stack cannot be found
     * @throws IllegalStateException if the cluster cannot be joined, or no runtime is present
     */
    static ZenNode start(ZenConfig config) {
        return start(config, Map.of());
    }

    /**
     * Starts a node whose {@code attributes} (small strings, e.g. the agent's RMI DGC VMID) every member
     * sees through {@link #attributesOf}.
     */
    static ZenNode start(ZenConfig config, Map<String, String> attributes) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(attributes, "attributes");
        return NodeFactory.get().start(config, attributes);
    }

    /** The runtime's version (from the jar manifest), or "dev". */
    static String version() {
        String v = ZenNode.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** This node's name. */
    String name();

    /** The configuration this node started with. */
    ZenConfig config();

    /** The live pacing and batching settings (changes take effect at the next tick or sweep). */
    ZenSettings settings();

    /** Counters and gauges. */
    Metrics metrics();

    /** Node names of the current view, this node included. */
    List<String> members();

    /** The attributes {@code node} started with (see {@link #start(ZenConfig, Map)}), or an empty map. */
    Map<String, String> attributesOf(String node);

    /**
     * Monitors a node itself: {@code listener} gets one down when the node leaves the view (NODEDOWN),
     * closes cleanly (SHUTDOWN) or turns out incompatible. Paced like every other down.
     */
    MonitorRef monitorNode(String node, DownListener listener);

    /**
     * Monitors {@code target}: {@code listener} gets exactly one {@link Down}, unless the monitor is
     * demonitored first. Returns at once, also for dead or unknown targets (they fire {@code NOPROC} or
     * {@code NODEDOWN}).
     *
     * @throws IllegalStateException if the node is closed
     */
    MonitorRef monitor(Target target, DownListener listener);

    /** A group of monitors that {@link MonitorOwner#close() close} together. */
    MonitorOwner owner(String ownerName);

    /** {@link #demonitor(MonitorRef, boolean)} without flush. */
    boolean demonitor(MonitorRef ref);

    /**
     * Ends a monitor: after this returns no new callback for {@code ref} starts; with {@code flush} a
     * callback already running has also returned (unless this is called from that callback).
     *
     * @return whether this call ended a live monitor (false if it had fired, was demonitored, or belongs
     *     to another node)
     */
    boolean demonitor(MonitorRef ref, boolean flush);

    /**
     * The node that owns {@code target} as far as this node knows now: a named or MBean target's node, or
     * the node that advertises an RMI target's endpoint (empty while none does, e.g. after it left).
     * Never blocks.
     */
    java.util.Optional<String> nodeOf(Target target);

    /**
     * The endpoint directory as this node knows it now: every RMI endpoint a member of the view
     * advertises, with that member's node name. An immutable snapshot that is replaced, never changed, when
     * the directory changes. A node that joins learns every endpoint the members advertise once each of
     * them has reported to it (one message each, sent when they see it join). Never blocks.
     */
    Map<Endpoint, String> endpoints();

    /**
     * Asks {@code node} for its figures (live monitors, subscriptions and, on agent nodes, the agent's
     * counts), as the status command prints them. Completes exceptionally if {@code node} is not a member
     * or does not answer within 5 s. Never blocks.
     */
    java.util.concurrent.CompletableFuture<Map<String, Long>> statusOf(String node);

    /** Whether the target's node is known compatible (cache only; unknown nodes are incompatible). */
    Compatibility compatibility(Target target);

    /** Whether {@code node} is known compatible (cache only). */
    Compatibility compatibilityForNode(String node);

    /**
     * Resolves {@code node}'s compatibility now: pings it if the cache does not already know (at most one
     * ping however many callers). Blocks up to about 5 s.
     */
    Compatibility connect(String node);

    /** {@code target}, owned by this node, is alive (exported, registered). Never blocks. */
    void alive(Target target);

    /**
     * {@code target} died. {@code detail} (a Throwable, a string, a map...) is truncated once, here on the
     * caller's thread (a getter of the detail that blocks holds only that thread, never the node), and
     * shared by every monitor it reaches. Never waits for the network or the node's loop.
     */
    void died(Target target, DownReason.Kind kind, Object detail);

    /** {@code target} died with {@code reason} (already truncated). Never blocks. */
    void died(Target target, DownReason reason);

    /** Advertises an RMI endpoint this node listens on, so stubs pointing at it map to this node. */
    void advertise(Endpoint endpoint);

    /** Stops advertising an endpoint. */
    void withdraw(Endpoint endpoint);

    /**
     * Leaves the cluster cleanly: every subscription held on this node's Proxy dies with
     * {@code SHUTDOWN} and is flushed at once, peers acknowledge, then the channel closes. This node's own
     * monitors end as demonitored (no callback runs after close). Idempotent.
     */
    @Override
    void close();

    /** Whether {@link #close()} was called. */
    boolean isClosed();

    /** The node's MBean name: {@code io.zenmonitor:type=ZenMonitor,node=<name>}, or null if not registered. */
    ObjectName mbeanName();
}
