package io.zenmonitor;

import static org.awaitility.Awaitility.await;

import io.zenmonitor.cluster.Cluster;
import io.zenmonitor.core.Loop;
import io.zenmonitor.local.Local;
import io.zenmonitor.node.ClusterNode;
import io.zenmonitor.proxy.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.util.Util;

/**
 * Several {@link ZenNode}s in one JVM on the in-memory {@code memory} stack, each cluster with a unique
 * name, plus access to their internals on their loops (ZenMonitor's test support: ChildNode, the await
 * helpers, fast_zen_monitor).
 *
 * <p>Nodes start "fast" as in ZenMonitor's test environment: sweeps and the demand tick every 10 ms,
 * demand 1000. Close it (try-with-resources or {@code @AfterEach}) to close every node it started.
 */
public final class TestNodes implements AutoCloseable {

    private static final AtomicInteger CLUSTERS = new AtomicInteger();

    public static final Duration FAST = Duration.ofMillis(10);

    private final String cluster;
    private final List<ZenNode> nodes = new ArrayList<>();
    private final List<JChannel> channels = new ArrayList<>();

    public TestNodes() {
        cluster = "zen-test-" + ProcessHandle.current().pid() + "-" + CLUSTERS.incrementAndGet() + "-" + System.nanoTime() % 100000;
    }

    public String cluster() {
        return cluster;
    }

    /** The fast test configuration of node {@code name} in this cluster. */
    public ZenConfig config(String name) {
        return ZenConfig.defaults().cluster(cluster).node(name).stack("memory")
                .connectorSweep(FAST).batcherSweep(FAST).demandInterval(FAST).demandAmount(1000);
    }

    /** Starts a fast node. */
    public ZenNode start(String name) {
        return start(name, c -> c);
    }

    /** Starts a node with a configuration derived from the fast one. */
    public ZenNode start(String name, UnaryOperator<ZenConfig> tweak) {
        ZenNode n = ZenNode.start(tweak.apply(config(name)));
        nodes.add(n);
        return n;
    }

    /** A plain JGroups member of this cluster without zen: ZenMonitor's "Incompatible" node. */
    public JChannel startIncompatible(String name) throws Exception {
        JChannel ch = new JChannel(io.zenmonitor.cluster.Stacks.open("memory"));
        ch.name(name);
        ch.connect(cluster);
        channels.add(ch);
        return ch;
    }

    /** Waits until every started node sees {@code size} members. */
    public void awaitView(int size) {
        await().atMost(Duration.ofSeconds(10)).until(() -> nodes.stream().filter(n -> !n.isClosed()).allMatch(n -> n.members().size() == size));
    }

    /** Simulates a crash: the channel stops without a LEAVE and the node's threads stop. */
    public static void crash(ZenNode node) {
        try {
            Util.shutdown(impl(node).cluster().channel());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        impl(node).loop().close();
    }

    // ------------------------------------------------------------------ internals

    /** The runtime's node behind the API. */
    public static ClusterNode impl(ZenNode n) {
        return (ClusterNode) n;
    }

    public static Local local(ZenNode n) {
        return impl(n).local();
    }

    public static Proxy proxy(ZenNode n) {
        return impl(n).proxy();
    }

    public static Cluster cluster(ZenNode n) {
        return impl(n).cluster();
    }

    public static Loop loop(ZenNode n) {
        return impl(n).loop();
    }

    public static Address address(ZenNode n) {
        return impl(n).cluster().localAddress();
    }

    /** Runs {@code f} on the node's loop and returns its result. */
    public static <T> T onLoop(ZenNode n, Function<ZenNode, T> f) {
        CompletableFuture<T> r = new CompletableFuture<>();
        impl(n).loop().execute(() -> {
            try {
                r.complete(f.apply(n));
            } catch (Throwable t) {
                r.completeExceptionally(t);
            }
        });
        try {
            return r.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("loop task failed on " + n.name(), e);
        }
    }

    /** Runs {@code f} on the node's loop and waits for it. */
    public static void onLoopDo(ZenNode n, Consumer<ZenNode> f) {
        onLoop(n, x -> {
            f.accept(x);
            return null;
        });
    }

    /**
     * ZenMonitor's {@code await_monitor_established}: the monitoring node's Connector holds {@code ref}
     * and the owning node's Proxy holds a subscription from the monitoring node.
     */
    public static void awaitEstablished(ZenNode monitoring, MonitorRef ref, ZenNode owning) {
        Address subscriber = address(monitoring);
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            String node = onLoop(monitoring, n -> impl(n).local().nodeOfTarget(ref.target()));
            boolean held = onLoop(monitoring, n -> impl(n).local().connectorMonitors(node, ref.target()).contains(ref));
            boolean subscribed = onLoop(owning, n -> impl(n).proxy().subscribersOf(ref.target()).contains(subscriber));
            return held && subscribed;
        });
    }

    /** ZenMonitor's {@code await_monitor_cleared}: the Connector no longer holds {@code ref}. */
    public static void awaitCleared(ZenNode monitoring, MonitorRef ref) {
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            String node = onLoop(monitoring, n -> impl(n).local().nodeOfTarget(ref.target()));
            return !onLoop(monitoring, n -> impl(n).local().connectorMonitors(node, ref.target()).contains(ref));
        });
    }

    @Override
    public void close() {
        for (ZenNode n : nodes) {
            try {
                n.close();
            } catch (RuntimeException e) {
                // keep closing the others
            }
        }
        for (JChannel ch : channels) {
            Util.close(ch);
        }
    }
}
