package io.zenmonitor.node;

import io.zenmonitor.Compatibility;
import io.zenmonitor.DownListener;
import io.zenmonitor.DownReason;
import io.zenmonitor.Endpoint;
import io.zenmonitor.MonitorOwner;
import io.zenmonitor.MonitorRef;
import io.zenmonitor.Target;
import io.zenmonitor.ZenConfig;
import io.zenmonitor.ZenNode;
import io.zenmonitor.ZenSettings;

import io.zenmonitor.cluster.Cluster;
import io.zenmonitor.core.Loop;
import io.zenmonitor.core.Ticker;
import io.zenmonitor.local.Local;
import io.zenmonitor.metrics.Metrics;
import io.zenmonitor.metrics.ZenMonitorMXBean;
import io.zenmonitor.proxy.Proxy;
import io.zenmonitor.truncate.Truncator;
import io.zenmonitor.wire.Codec;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's {@link ZenNode}: one JChannel ({@link Cluster}), one scheduler ({@link Loop}), the
 * node's Local (Connectors and Dispatcher) and Proxy (Batchers).
 *
 * <p>Internal: application code uses {@link ZenNode}; the agent and tests reach the parts through the
 * accessors at the end.
 */
public final class ClusterNode implements ZenNode {

    private static final Logger LOG = LoggerFactory.getLogger(ZenNode.class);
    /** How long close waits for peers to acknowledge BYE. */
    public static final long BYE_TIMEOUT_MILLIS = 2_000;
    /** ZenMonitor's 5 s call timeout for connect. */
    public static final long CONNECT_TIMEOUT_MILLIS = 6_000;

    private final ZenConfig config;
    private final String name;
    private final Loop loop;
    private final Metrics metrics = new Metrics();
    private final ZenSettings settings;
    private final ThreadPoolExecutor callbacks;
    private final Cluster cluster;
    private final Local local;
    private final Proxy proxy;
    private final Truncator truncator;
    private final AtomicBoolean closed = new AtomicBoolean();
    private ObjectName mbeanName;

    private ClusterNode(ZenConfig config) {
        this.config = config;
        this.name = config.node();
        this.settings = new ZenSettings(config);
        this.loop = new Loop("zen-" + name);
        AtomicInteger threads = new AtomicInteger();
        this.callbacks = new ThreadPoolExecutor(config.callbackThreads(), config.callbackThreads(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "zen-" + name + "-callback-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        callbacks.allowCoreThreadTimeOut(true);
        this.cluster = new Cluster(name, config.cluster(), config.stack(), config.stackValues(), loop, metrics, Codec.DEFAULT);
        this.local = new Local(name, cluster, loop, settings, metrics, Ticker.SYSTEM, callbacks);
        this.truncator = new Truncator(config.truncateDepth(), config.truncateMaxString());
        this.proxy = new Proxy(cluster, settings, metrics, truncator, config.proxyMaxSubscriptions());
        cluster.bind(local, proxy);
        cluster.partitionQuorum(config.partitionQuorum());
        cluster.statusSource(this::statusFigures);
        local.nodes(config.nodePatterns());
        cluster.nodes(config.nodePatterns());
    }

    /**
     * Starts a node and joins its cluster (blocks until joined, usually well under a second on the
     * shipped stacks).
     *
     * @throws IllegalArgumentException if the stack cannot be found
     * @throws IllegalStateException if the cluster cannot be joined
     */
    public static ClusterNode start(ZenConfig config) {
        return start(config, Map.of());
    }

    /**
     * Starts a node whose {@code attributes} (small strings, e.g. the agent's RMI DGC VMID) every member
     * sees through {@link #attributesOf}.
     */
    public static ClusterNode start(ZenConfig config, Map<String, String> attributes) {
        Objects.requireNonNull(config, "config");
        long t0 = System.nanoTime();
        ClusterNode node = new ClusterNode(config);
        node.cluster.attributes(attributes);
        try {
            node.cluster.connect();
        } catch (IllegalArgumentException e) {
            node.loop.close();
            node.callbacks.shutdownNow();
            throw e;
        } catch (Exception e) {
            node.loop.close();
            node.callbacks.shutdownNow();
            throw new IllegalStateException("zen: node " + config.node() + " cannot join cluster " + config.cluster()
                    + " on stack " + config.stack() + ": " + causes(e), e);
        }
        // JGroups delivered the first view during connect; it is applied on the loop: wait for it, so that
        // members() and friends answer for the joined cluster as soon as start returns
        node.loop.runAndWait(() -> { }, 5_000);
        node.local.start();
        Target self = Target.named(node.name, NODE_TARGET);
        node.loop.execute(() -> node.proxy.alive(self));
        node.loop.every(node.settings::batcherSweepNanos, node.proxy::sweep);
        node.registerGauges();
        node.registerMBean();
        LOG.info("zen {} started: cluster={} node={} stack={} address={} members={} pacing={}/{}ms ({} ms)",
                ZenNode.version(), config.cluster(), node.name, config.stack(), node.cluster.localAddress(), node.cluster.members().size(),
                config.demandAmount(), config.demandInterval().toMillis(), (System.nanoTime() - t0) / 1_000_000);
        return node;
    }


    @Override
    public String name() {
        return name;
    }

    @Override
    public ZenConfig config() {
        return config;
    }

    @Override
    public ZenSettings settings() {
        return settings;
    }

    @Override
    public Metrics metrics() {
        return metrics;
    }

    @Override
    public List<String> members() {
        return cluster.members();
    }

    @Override
    public Map<String, String> attributesOf(String node) {
        return cluster.attributesOf(node);
    }

    @Override
    public MonitorRef monitorNode(String node, DownListener listener) {
        return monitor(Target.named(node, NODE_TARGET), listener);
    }

    // ------------------------------------------------------------------ monitoring

    @Override
    public MonitorRef monitor(Target target, DownListener listener) {
        return local.monitor(target, listener);
    }

    @Override
    public MonitorOwner owner(String ownerName) {
        return local.owner(ownerName);
    }

    @Override
    public boolean demonitor(MonitorRef ref) {
        return local.demonitor(ref, false);
    }

    @Override
    public boolean demonitor(MonitorRef ref, boolean flush) {
        return local.demonitor(ref, flush);
    }

    @Override
    public java.util.concurrent.CompletableFuture<Map<String, Long>> statusOf(String node) {
        return cluster.queryStatus(node, CONNECT_TIMEOUT_MILLIS);
    }

    @Override
    public Map<io.zenmonitor.Endpoint, String> endpoints() {
        return cluster.endpointDirectory();
    }

    @Override
    public java.util.Optional<String> nodeOf(Target target) {
        return java.util.Optional.ofNullable(local.ownerNode(target));
    }

    @Override
    public Compatibility compatibility(Target target) {
        return local.compatibility(target);
    }

    @Override
    public Compatibility compatibilityForNode(String node) {
        return local.compatibilityForNode(node);
    }

    @Override
    public Compatibility connect(String node) {
        try {
            return local.connect(node).get(CONNECT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Compatibility.INCOMPATIBLE;
        } catch (ExecutionException | TimeoutException e) {
            return Compatibility.INCOMPATIBLE;
        }
    }

    // ------------------------------------------------------------------ being monitored

    @Override
    public void alive(Target target) {
        Target t = own(target);
        loop.execute(() -> proxy.alive(t));
    }

    @Override
    public void died(Target target, DownReason.Kind kind, Object detail) {
        Target t = own(target);
        // Truncated here, on the caller's thread: the Truncator reads the detail through application code
        // (getMessage(), record accessors, iterators), and a getter that blocks or spins must hold only the
        // thread that reported the death, never this node's loop.
        DownReason reason = truncator.reason(kind, detail);
        loop.execute(() -> proxy.died(t, reason));
    }

    @Override
    public void died(Target target, DownReason reason) {
        Target t = own(target);
        loop.execute(() -> proxy.died(t, reason));
    }

    @Override
    public void advertise(Endpoint endpoint) {
        cluster.advertise(endpoint);
    }

    @Override
    public void withdraw(Endpoint endpoint) {
        cluster.withdraw(endpoint);
    }

    private Target own(Target t) {
        return t.resolvedOn(name);
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        local.refuseNew();
        loop.runAndWait(() -> {
            local.closeAll();
            proxy.shutdown();
            cluster.sayGoodbye();
        }, 5_000);
        try {
            if (!cluster.awaitByeAcks(BYE_TIMEOUT_MILLIS)) {
                LOG.debug("{}: not every peer acknowledged the goodbye within {} ms", name, BYE_TIMEOUT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            cluster.close();
        } catch (RuntimeException e) {
            LOG.debug("{}: channel close failed: {}", name, e.toString());
        }
        loop.close();
        callbacks.shutdownNow();
        unregisterMBean();
        LOG.info("zen node {} closed", name);
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    // ------------------------------------------------------------------ metrics and JMX

    /** The figures the status command prints: monitors, subscriptions, and the agent's {@code zen.agent.*} gauges. */
    private Map<String, Long> statusFigures() {
        Map<String, Long> all = metrics.snapshot();
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        out.put("monitors", local.liveMonitors());
        out.put("subscriptions", (long) proxy.subscriptionCount());
        out.put("objects", (long) proxy.objectCount());
        all.forEach((k, v) -> {
            if (k.startsWith("zen.agent.")) {
                out.put(k.substring("zen.agent.".length()), v);
            }
        });
        return out;
    }

    private void registerGauges() {
        metrics.gauge("zen.local.references.size", local::liveMonitors);
        metrics.gauge("zen.local.batch-length", local::batchLength);
        metrics.gauge("zen.proxy.subscribers.size", proxy::subscriptionCount);
        metrics.gauge("zen.proxy.objects.size", proxy::objectCount);
        metrics.gauge("zen.cluster.members", () -> cluster.members().size());
        metrics.gauge("zen.loop.pending", loop::pending);
        metrics.gauge("zen.loop.failures", loop::failures);
    }

    @Override
    public ObjectName mbeanName() {
        return mbeanName;
    }

    private void registerMBean() {
        try {
            ObjectName on = new ObjectName("io.zenmonitor:type=ZenMonitor,node=" + ObjectName.quote(name));
            var server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(on)) {
                LOG.warn("{}: MBean {} is already registered (two nodes with one name in this JVM); not registering", name, on);
                return;
            }
            server.registerMBean(new Management(), on);
            mbeanName = on;
        } catch (Exception e) {
            LOG.warn("{}: cannot register the ZenMonitor MBean: {}", name, e.toString());
        }
    }

    private void unregisterMBean() {
        if (mbeanName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbeanName);
            } catch (Exception e) {
                LOG.debug("{}: cannot unregister the MBean: {}", name, e.toString());
            }
        }
    }

    private final class Management implements ZenMonitorMXBean {
        @Override public String getNode() { return name; }
        @Override public String getCluster() { return config.cluster(); }
        @Override public List<String> getMembers() { return cluster.members(); }
        @Override public Map<String, Long> getMetrics() { return metrics.snapshot(); }
        @Override public long getLiveMonitors() { return local.liveMonitors(); }
        @Override public int getBatchLength() { return local.batchLength(); }
        @Override public int getSubscriptions() { return proxy.subscriptionCount(); }
        @Override public int getDemandAmount() { return settings.demandAmount(); }
        @Override public void setDemandAmount(int amount) { settings.demandAmount(amount); }
        @Override public long getDemandIntervalMillis() { return settings.demandIntervalNanos() / 1_000_000; }
        @Override public void setDemandIntervalMillis(long millis) { settings.demandInterval(Duration.ofMillis(millis)); }
        @Override public long getConnectorSweepMillis() { return settings.connectorSweepNanos() / 1_000_000; }
        @Override public void setConnectorSweepMillis(long millis) { settings.connectorSweep(Duration.ofMillis(millis)); }
        @Override public int getConnectorChunk() { return settings.connectorChunk(); }
        @Override public void setConnectorChunk(int chunk) { settings.connectorChunk(chunk); }
        @Override public long getBatcherSweepMillis() { return settings.batcherSweepNanos() / 1_000_000; }
        @Override public void setBatcherSweepMillis(long millis) { settings.batcherSweep(Duration.ofMillis(millis)); }
        @Override public int getBatcherChunk() { return settings.batcherChunk(); }
        @Override public void setBatcherChunk(int chunk) { settings.batcherChunk(chunk); }
        @Override public double getMaximumRatePerSecond() { return settings.maximumRatePerSecond(); }
    }

    // ------------------------------------------------------------------ internal access (tests, benchmarks)

    public Local local() {
        return local;
    }

    public Proxy proxy() {
        return proxy;
    }

    public Cluster cluster() {
        return cluster;
    }

    public Loop loop() {
        return loop;
    }

    /**
     * The messages of {@code e} and its causes, outermost first, at most 4 ("Could not initialize SSL: ...:
     * keystore password was incorrect"): JGroups wraps the telling one a few levels deep.
     */
    private static String causes(Throwable e) {
        java.util.List<String> messages = new java.util.ArrayList<>();
        for (Throwable t = e; t != null && messages.size() < 4; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            if (messages.isEmpty() || !messages.get(messages.size() - 1).contains(m)) {
                messages.add(m);
            }
        }
        return String.join(": ", messages);
    }
}
