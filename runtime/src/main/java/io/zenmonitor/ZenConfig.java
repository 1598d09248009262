package io.zenmonitor;

import io.zenmonitor.config.Config;
import io.zenmonitor.config.ConfigKey;
import io.zenmonitor.config.ZenConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The settings of one zen node: cluster and node names, JGroups stack, pacing, batching, truncation and
 * the agent's switches. Immutable; each wither returns a new instance.
 *
 * <p><b>Where values come from.</b> {@link #parse} and {@link #fromEnvironment} read, highest first:
 * agent arguments ({@code -javaagent:zen-agent.jar=demand.amount=500,stack=tcp}, keys without the
 * {@code zen.} prefix), system properties ({@code -Dzen.demand.amount=500}), environment variables
 * ({@code ZEN_DEMAND_AMOUNT=500}), then defaults. {@link Config} does the reading and validation;
 * {@link ConfigKey} lists every key with its default, allowed values and whether it is live:
 *
 * <table>
 *   <caption>Keys (see {@link ConfigKey} for the allowed values)</caption>
 *   <tr><th>key</th><th>default</th><th>getter</th><th>live</th></tr>
 *   <tr><td>zen.cluster</td><td>zen</td><td>{@link #cluster()}</td><td>no</td></tr>
 *   <tr><td>zen.node</td><td>&lt;host&gt;-&lt;pid&gt;</td><td>{@link #node()}</td><td>no</td></tr>
 *   <tr><td>zen.stack</td><td>loopback</td><td>{@link #stack()}</td><td>no</td></tr>
 *   <tr><td>zen.demand.amount</td><td>1000</td><td>{@link #demandAmount()}</td><td>yes</td></tr>
 *   <tr><td>zen.demand.interval</td><td>100ms</td><td>{@link #demandInterval()}</td><td>yes</td></tr>
 *   <tr><td>zen.connector.sweep</td><td>100ms</td><td>{@link #connectorSweep()}</td><td>yes</td></tr>
 *   <tr><td>zen.connector.chunk</td><td>5000</td><td>{@link #connectorChunk()}</td><td>yes</td></tr>
 *   <tr><td>zen.batcher.sweep</td><td>100ms</td><td>{@link #batcherSweep()}</td><td>yes</td></tr>
 *   <tr><td>zen.batcher.chunk</td><td>5000</td><td>{@link #batcherChunk()}</td><td>yes</td></tr>
 *   <tr><td>zen.truncate.depth</td><td>3</td><td>{@link #truncateDepth()}</td><td>no</td></tr>
 *   <tr><td>zen.truncate.max-string</td><td>1024</td><td>{@link #truncateMaxString()}</td><td>no</td></tr>
 *   <tr><td>zen.callback.threads</td><td>4</td><td>{@link #callbackThreads()}</td><td>no</td></tr>
 *   <tr><td>zen.proxy.max-subscriptions</td><td>1000000</td><td>{@link #proxyMaxSubscriptions()}</td><td>no</td></tr>
 *   <tr><td>zen.listeners</td><td>true</td><td>{@link #listeners()}</td><td>no</td></tr>
 *   <tr><td>zen.listeners.pairs</td><td>(none)</td><td>{@link #listenersPairs()}</td><td>no</td></tr>
 *   <tr><td>zen.partition.grace</td><td>60s</td><td>{@link #partitionGrace()}</td><td>no</td></tr>
 *   <tr><td>zen.partition.quorum</td><td>0</td><td>{@link #partitionQuorum()}</td><td>no</td></tr>
 *   <tr><td>zen.dgc</td><td>true</td><td>{@link #dgc()}</td><td>no</td></tr>
 *   <tr><td>zen.probe.interval</td><td>1s</td><td>{@link #probeInterval()}</td><td>no</td></tr>
 *   <tr><td>zen.probe.refused-after</td><td>2</td><td>{@link #probeRefusedAfter()}</td><td>no</td></tr>
 *   <tr><td>zen.probe.unreachable-after</td><td>60s</td><td>{@link #probeUnreachableAfter()}</td><td>no</td></tr>
 *   <tr><td>zen.nodes.allow</td><td>(all)</td><td>{@link #nodesAllow()}</td><td>no</td></tr>
 *   <tr><td>zen.nodes.deny</td><td>(none)</td><td>{@link #nodesDeny()}</td><td>no</td></tr>
 *   <tr><td>zen.enabled</td><td>true</td><td>{@link #enabled()}</td><td>no</td></tr>
 *   <tr><td>zen.log</td><td>info</td><td>{@link #log()}</td><td>no</td></tr>
 * </table>
 *
 * <p><b>Pacing.</b> The Dispatcher starts at most {@link #demandAmount()} DownListener callbacks per
 * {@link #demandInterval()}: at most {@code demandAmount / demandInterval} callbacks per second (10,000/s
 * by default).
 *
 * <p><b>Errors.</b> A bad configuration fails at once with every problem, one line each, in the form
 * {@code zen: zen.demand.amount was "-5" (from ZEN_DEMAND_AMOUNT); must be an integer from 1 to 1000000}.
 * Withers name themselves as the source ({@code (from ZenConfig.demandAmount)}).
 *
 * <p><b>Threading.</b> Immutable and safe to share.
 */
public final class ZenConfig {

    private final Config config;

    private ZenConfig(Config config) {
        this.config = config;
    }

    /** Every key at its default. */
    public static ZenConfig defaults() {
        return new ZenConfig(Config.defaults());
    }

    /**
     * The configuration from this JVM's system properties ({@code zen.*}) and environment
     * ({@code ZEN_*}), without agent arguments.
     *
     * @throws ZenConfigException with every problem found
     */
    public static ZenConfig fromEnvironment() {
        return new ZenConfig(Config.fromEnvironment());
    }

    /**
     * The configuration from explicit sources, highest precedence first.
     *
     * @param agentArguments keys without the {@code zen.} prefix, e.g. {@code demand.amount}
     *     (see {@link Config#parseAgentArgs} for the {@code k=v,k=v} string)
     * @param systemProperties system properties; only {@code zen.*} are read
     * @param environment environment variables; only {@code ZEN_*} are read, plus {@code HOSTNAME} and
     *     {@code COMPUTERNAME} for the default node name
     * @throws ZenConfigException with every problem found (bad values, unknown keys, conflicts)
     * @throws NullPointerException if a map is null
     */
    public static ZenConfig parse(Map<String, String> agentArguments, Map<String, String> systemProperties,
            Map<String, String> environment) {
        return new ZenConfig(Config.parse(agentArguments, systemProperties, environment));
    }

    /** The typed view of a configuration already resolved (for the agent, which uses {@link Config#fromAgentArguments}). */
    public static ZenConfig of(Config config) {
        return new ZenConfig(Objects.requireNonNull(config, "config"));
    }

    /**
     * The stack's site values given as {@code stack.*} keys ({@code -Dzen.stack.dir=...},
     * {@code ZEN_STACK_DIR}, agent argument {@code stack.dir=...}), by normalised name ({@code STACK_DIR}).
     * They fill the stack XML's {@code ${zen.stack.*:default}} placeholders.
     */
    public java.util.Map<String, String> stackValues() {
        return config.stackValues();
    }

    /**
     * A copy with one stack site value set, e.g. {@code stackValue("stack.dir", "/var/run/zen")}.
     *
     * @throws IllegalArgumentException if {@code name} is not a {@code stack.*} name
     */
    public ZenConfig stackValue(String name, String value) {
        return new ZenConfig(config.withStackValue(name, value));
    }

    /** Warnings to log once, e.g. an old key name was used. */
    public List<String> warnings() {
        return config.warnings();
    }

    // ---------------------------------------------------------------------------------------------------
    // Getters

    /** JGroups cluster name ({@code zen.cluster}). */
    public String cluster() {
        return config.text(ConfigKey.CLUSTER);
    }

    /** Logical node name ({@code zen.node}). */
    public String node() {
        return config.text(ConfigKey.NODE);
    }

    /** JGroups stack: a stack name from jgroups-config or a path to an XML file ({@code zen.stack}). */
    public String stack() {
        return config.text(ConfigKey.STACK);
    }

    /** Most DownListener callbacks started per {@link #demandInterval()} ({@code zen.demand.amount}). */
    public int demandAmount() {
        return config.integer(ConfigKey.DEMAND_AMOUNT);
    }

    /** Dispatcher pacing period ({@code zen.demand.interval}). */
    public Duration demandInterval() {
        return config.duration(ConfigKey.DEMAND_INTERVAL);
    }

    /** How often a Connector sends pending subscriptions ({@code zen.connector.sweep}). */
    public Duration connectorSweep() {
        return config.duration(ConfigKey.CONNECTOR_SWEEP);
    }

    /** Most targets a Connector sends per sweep ({@code zen.connector.chunk}). */
    public int connectorChunk() {
        return config.integer(ConfigKey.CONNECTOR_CHUNK);
    }

    /** How often a Batcher sends pending death certificates ({@code zen.batcher.sweep}). */
    public Duration batcherSweep() {
        return config.duration(ConfigKey.BATCHER_SWEEP);
    }

    /** Most certificates a Batcher sends per sweep ({@code zen.batcher.chunk}). */
    public int batcherChunk() {
        return config.integer(ConfigKey.BATCHER_CHUNK);
    }

    /** Deepest nesting the Truncator keeps ({@code zen.truncate.depth}). */
    public int truncateDepth() {
        return config.integer(ConfigKey.TRUNCATE_DEPTH);
    }

    /** Longest string the Truncator keeps, in characters ({@code zen.truncate.max-string}). */
    public int truncateMaxString() {
        return config.integer(ConfigKey.TRUNCATE_MAX_STRING);
    }

    /** Threads that run DownListener callbacks ({@code zen.callback.threads}). */
    public int callbackThreads() {
        return config.integer(ConfigKey.CALLBACK_THREADS);
    }

    /**
     * Most subscriptions one monitoring node may hold on this node's Proxy, its pending death certificates
     * included ({@code zen.proxy.max-subscriptions}). Beyond it the Proxy drops SUBSCRIBE instructions from
     * that node and counts them in {@code zen.proxy.subscriptions-refused}: a flooding peer cannot grow this node's heap
     * past about 160 B times this number.
     */
    public int proxyMaxSubscriptions() {
        return config.integer(ConfigKey.PROXY_MAX_SUBSCRIPTIONS);
    }

    /** Whether zero-code listener cleanup is on ({@code zen.listeners}). */
    public boolean listeners() {
        return config.flag(ConfigKey.LISTENERS);
    }

    /** Extra {@code Class#add/remove} registration pairs, unmodifiable ({@code zen.listeners.pairs}). */
    public List<String> listenersPairs() {
        return config.list(ConfigKey.LISTENERS_PAIRS);
    }

    /** Whether fast DGC lease expiry is on ({@code zen.dgc}). */
    public boolean dgc() {
        return config.flag(ConfigKey.DGC);
    }

    /** How long zero-code actions wait for an unreachable node to come back ({@code zen.partition.grace}). */
    public Duration partitionGrace() {
        return config.duration(ConfigKey.PARTITION_GRACE);
    }

    /** Members this node must see to report departures as crashes; 0 is off ({@code zen.partition.quorum}). */
    public int partitionQuorum() {
        return config.integer(ConfigKey.PARTITION_QUORUM);
    }

    /** How often server-only mode probes an agent-less client's endpoint ({@code zen.probe.interval}). */
    public Duration probeInterval() {
        return config.duration(ConfigKey.PROBE_INTERVAL);
    }

    /** Consecutive refused probes that confirm an endpoint dead ({@code zen.probe.refused-after}). */
    public int probeRefusedAfter() {
        return config.integer(ConfigKey.PROBE_REFUSED_AFTER);
    }

    /** Time without any answer that confirms an endpoint dead ({@code zen.probe.unreachable-after}). */
    public Duration probeUnreachableAfter() {
        return config.duration(ConfigKey.PROBE_UNREACHABLE_AFTER);
    }

    /** Glob patterns on node names and endpoint hosts zen deals with; empty allows all ({@code zen.nodes.allow}). */
    public List<String> nodesAllow() {
        return config.list(ConfigKey.NODES_ALLOW);
    }

    /** Glob patterns on node names and endpoint hosts zen never deals with ({@code zen.nodes.deny}). */
    public List<String> nodesDeny() {
        return config.list(ConfigKey.NODES_DENY);
    }

    /** {@link #nodesAllow()} and {@link #nodesDeny()} as one matcher. */
    public io.zenmonitor.config.NodePatterns nodePatterns() {
        return io.zenmonitor.config.NodePatterns.of(nodesAllow(), nodesDeny());
    }

    /** The master switch ({@code zen.enabled}). */
    public boolean enabled() {
        return config.flag(ConfigKey.ENABLED);
    }

    /** Agent log level, lower case: trace, debug, info, warn, error or off ({@code zen.log}). */
    public String log() {
        return config.text(ConfigKey.LOG);
    }

    // ---------------------------------------------------------------------------------------------------
    // Withers: each returns a new ZenConfig, checked at once.

    /**
     * @param cluster 1 to 100 characters from A-Z, a-z, 0-9, '.', '_' and '-' (trimmed)
     * @throws IllegalArgumentException if not allowed
     */
    public ZenConfig cluster(String cluster) {
        return with(ConfigKey.CLUSTER, "cluster", cluster);
    }

    /**
     * @param node 1 to 255 characters from A-Z, a-z, 0-9, '.', '_', '@', ':' and '-' (trimmed)
     * @throws IllegalArgumentException if not allowed
     */
    public ZenConfig node(String node) {
        return with(ConfigKey.NODE, "node", node);
    }

    /**
     * @param stack a stack name of a-z, 0-9 and '-', or a path to an XML file (trimmed)
     * @throws IllegalArgumentException if not allowed
     */
    public ZenConfig stack(String stack) {
        return with(ConfigKey.STACK, "stack", stack);
    }

    /**
     * @param demandAmount 1 to 1000000
     * @throws IllegalArgumentException if out of range
     */
    public ZenConfig demandAmount(int demandAmount) {
        return with(ConfigKey.DEMAND_AMOUNT, "demandAmount", demandAmount);
    }

    /**
     * @param demandInterval 1ms to 1h
     * @throws IllegalArgumentException if null or out of range
     */
    public ZenConfig demandInterval(Duration demandInterval) {
        return with(ConfigKey.DEMAND_INTERVAL, "demandInterval", demandInterval);
    }

    /**
     * @param connectorSweep 1ms to 1h
     * @throws IllegalArgumentException if null or out of range
     */
    public ZenConfig connectorSweep(Duration connectorSweep) {
        return with(ConfigKey.CONNECTOR_SWEEP, "connectorSweep", connectorSweep);
    }

    /**
     * @param connectorChunk 1 to 100000
     * @throws IllegalArgumentException if out of range
     */
    public ZenConfig connectorChunk(int connectorChunk) {
        return with(ConfigKey.CONNECTOR_CHUNK, "connectorChunk", connectorChunk);
    }

    /**
     * @param batcherSweep 1ms to 1h
     * @throws IllegalArgumentException if null or out of range
     */
    public ZenConfig batcherSweep(Duration batcherSweep) {
        return with(ConfigKey.BATCHER_SWEEP, "batcherSweep", batcherSweep);
    }

    /**
     * @param batcherChunk 1 to 100000
     * @throws IllegalArgumentException if out of range
     */
    public ZenConfig batcherChunk(int batcherChunk) {
        return with(ConfigKey.BATCHER_CHUNK, "batcherChunk", batcherChunk);
    }

    /**
     * @param truncateDepth 0 to 16
     * @throws IllegalArgumentException if out of range
     */
    public ZenConfig truncateDepth(int truncateDepth) {
        return with(ConfigKey.TRUNCATE_DEPTH, "truncateDepth", truncateDepth);
    }

    /**
     * @param truncateMaxString 16 to 65536
     * @throws IllegalArgumentException if out of range
     */
    public ZenConfig truncateMaxString(int truncateMaxString) {
        return with(ConfigKey.TRUNCATE_MAX_STRING, "truncateMaxString", truncateMaxString);
    }

    /**
     * @param callbackThreads 1 to 256
     * @throws IllegalArgumentException if out of range
     */
    public ZenConfig callbackThreads(int callbackThreads) {
        return with(ConfigKey.CALLBACK_THREADS, "callbackThreads", callbackThreads);
    }

    /**
     * @param proxyMaxSubscriptions 1 to 100,000,000
     * @throws IllegalArgumentException if out of range
     */
    public ZenConfig proxyMaxSubscriptions(int proxyMaxSubscriptions) {
        return with(ConfigKey.PROXY_MAX_SUBSCRIPTIONS, "proxyMaxSubscriptions", proxyMaxSubscriptions);
    }

    /**
     * @param listeners whether zero-code listener cleanup is on
     * @throws IllegalStateException if false while {@link #listenersPairs()} is not empty
     */
    public ZenConfig listeners(boolean listeners) {
        return with(ConfigKey.LISTENERS, "listeners", listeners);
    }

    /**
     * @param listenersPairs entries like {@code com.example.Board#addListener/removeListener}; empty for none
     * @throws IllegalArgumentException if null or an entry is malformed
     * @throws IllegalStateException if not empty while {@link #listeners()} is false
     */
    public ZenConfig listenersPairs(List<String> listenersPairs) {
        return with(ConfigKey.LISTENERS_PAIRS, "listenersPairs", listenersPairs);
    }

    /** @param dgc whether fast DGC lease expiry is on */
    public ZenConfig dgc(boolean dgc) {
        return with(ConfigKey.DGC, "dgc", dgc);
    }

    /**
     * @param partitionGrace 1ms to 1h
     * @throws IllegalArgumentException if null or out of range
     */
    public ZenConfig partitionGrace(Duration partitionGrace) {
        return with(ConfigKey.PARTITION_GRACE, "partitionGrace", partitionGrace);
    }

    /**
     * @param partitionQuorum 0 (off) to 10000
     * @throws IllegalArgumentException if out of range
     */
    public ZenConfig partitionQuorum(int partitionQuorum) {
        return with(ConfigKey.PARTITION_QUORUM, "partitionQuorum", partitionQuorum);
    }

    /**
     * @param probeInterval 1ms to 1h
     * @throws IllegalArgumentException if null or out of range
     * @throws IllegalStateException if longer than {@link #probeUnreachableAfter()}
     */
    public ZenConfig probeInterval(Duration probeInterval) {
        return with(ConfigKey.PROBE_INTERVAL, "probeInterval", probeInterval);
    }

    /**
     * @param probeRefusedAfter 1 to 100
     * @throws IllegalArgumentException if out of range
     */
    public ZenConfig probeRefusedAfter(int probeRefusedAfter) {
        return with(ConfigKey.PROBE_REFUSED_AFTER, "probeRefusedAfter", probeRefusedAfter);
    }

    /**
     * @param probeUnreachableAfter 1ms to 1h
     * @throws IllegalArgumentException if null or out of range
     * @throws IllegalStateException if shorter than {@link #probeInterval()}
     */
    public ZenConfig probeUnreachableAfter(Duration probeUnreachableAfter) {
        return with(ConfigKey.PROBE_UNREACHABLE_AFTER, "probeUnreachableAfter", probeUnreachableAfter);
    }

    /**
     * @param nodesAllow glob patterns ({@code *}, {@code ?}) on node names and hosts; empty allows all
     * @throws IllegalArgumentException if null or a pattern is malformed
     */
    public ZenConfig nodesAllow(List<String> nodesAllow) {
        return with(ConfigKey.NODES_ALLOW, "nodesAllow", nodesAllow);
    }

    /**
     * @param nodesDeny glob patterns ({@code *}, {@code ?}) on node names and hosts; empty denies none
     * @throws IllegalArgumentException if null or a pattern is malformed
     */
    public ZenConfig nodesDeny(List<String> nodesDeny) {
        return with(ConfigKey.NODES_DENY, "nodesDeny", nodesDeny);
    }

    /** @param enabled the master switch */
    public ZenConfig enabled(boolean enabled) {
        return with(ConfigKey.ENABLED, "enabled", enabled);
    }

    /**
     * @param log trace, debug, info, warn, error or off, in any case
     * @throws IllegalArgumentException if not one of them
     */
    public ZenConfig log(String log) {
        return with(ConfigKey.LOG, "log", log);
    }

    private ZenConfig with(ConfigKey key, String wither, Object value) {
        return new ZenConfig(config.with(key, value, "ZenConfig." + wither));
    }

    // ---------------------------------------------------------------------------------------------------
    // Views

    /** Every key as {@code zen.<key>} and its value as text, in {@link ConfigKey} order (for logs and status). */
    public Map<String, String> asProperties() {
        return config.asProperties();
    }

    /**
     * One short line for the start-up log, e.g.
     * {@code cluster=zen node=web-1-4242 stack=loopback demand=1000/100ms connector=5000/100ms batcher=5000/100ms}.
     */
    public String summary() {
        return "cluster=" + cluster() + " node=" + node() + " stack=" + stack()
                + " demand=" + demandAmount() + "/" + ConfigKey.DEMAND_INTERVAL.format(demandInterval())
                + " connector=" + connectorChunk() + "/" + ConfigKey.CONNECTOR_SWEEP.format(connectorSweep())
                + " batcher=" + batcherChunk() + "/" + ConfigKey.BATCHER_SWEEP.format(batcherSweep());
    }

    /** Equal when every value is equal (where the values came from is not compared). */
    @Override
    public boolean equals(Object o) {
        return o instanceof ZenConfig other && config.equals(other.config);
    }

    @Override
    public int hashCode() {
        return config.hashCode();
    }

    @Override
    public String toString() {
        return "ZenConfig" + asProperties();
    }
}
