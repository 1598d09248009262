package io.zenmonitor;

import java.time.Duration;
import java.util.Map;

/**
 * ZenMonitor's static facade over one default {@link ZenNode} per JVM (the node the agent starts).
 *
 * <p>{@link #start(ZenConfig)} starts the default node and registers a shutdown hook that closes it
 * cleanly (peers get {@code SHUTDOWN} downs without failure detection). Every other method delegates to
 * that node and throws {@link IllegalStateException} if none is started.
 *
 * <h2>With the agent</h2>
 * Under {@code -javaagent:zen-agent.jar} the default node is the agent's: the agent puts this API (the
 * {@code io.zenmonitor}, {@code io.zenmonitor.config} and {@code io.zenmonitor.metrics} packages, JDK
 * types only) on the bootstrap class path and keeps the runtime, JGroups and slf4j hidden. Application code
 * compiles against zen-runtime with Maven's {@code provided} scope and ships nothing. The agent starts
 * its node in the background: {@link #awaitNode(Duration)} waits for it; {@link #nodeOrNull()} does not.
 */
public final class ZenMonitor {

    private static volatile ZenNode node;

    /** Starts nodes on a runtime this API cannot load itself (the agent's). */
    @FunctionalInterface
    public interface Starter {
        ZenNode start(ZenConfig config, Map<String, String> attributes);
    }

    private ZenMonitor() {
    }

    /**
     * Starts the default node.
     *
     * @throws IllegalStateException if a default node is already running
     */
    public static synchronized ZenNode start(ZenConfig config) {
        if (node != null && !node.isClosed()) {
            throw new IllegalStateException("zen: the default node " + node.name() + " is already running");
        }
        ZenNode n = ZenNode.start(config);
        node = n;
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(n::close, "zen-shutdown"));
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the node stays until it exits
        }
        ZenMonitor.class.notifyAll();
        return n;
    }

    /** Makes {@code n} the default node (the agent starts its node itself). */
    public static synchronized void install(ZenNode n) {
        node = n;
        ZenMonitor.class.notifyAll();
    }

    /**
     * For the agent: makes {@code starter} the way {@link ZenNode#start} starts nodes when the runtime is
     * not loadable from this API's class loader.
     */
    public static void install(Starter starter) {
        NodeFactory.install(starter);
    }

    /**
     * The default node, waiting up to {@code timeout} for one to be started (the agent starts its node
     * in the background, so code running early in {@code main} may get there first).
     *
     * @throws IllegalStateException if none is started within {@code timeout}
     */
    public static ZenNode awaitNode(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (ZenMonitor.class) {
            while (node == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return node();
                }
                try {
                    ZenMonitor.class.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return node();
                }
            }
            return node;
        }
    }

    /** The default node, if started. */
    public static ZenNode nodeOrNull() {
        return node;
    }

    /**
     * The default node.
     *
     * @throws IllegalStateException if none is started
     */
    public static ZenNode node() {
        ZenNode n = node;
        if (n == null) {
            throw new IllegalStateException("zen: no default node: call ZenMonitor.start(config) or run with -javaagent:zen-agent.jar");
        }
        return n;
    }

    public static MonitorRef monitor(Target target, DownListener listener) {
        return node().monitor(target, listener);
    }

    public static boolean demonitor(MonitorRef ref) {
        return node().demonitor(ref);
    }

    public static boolean demonitor(MonitorRef ref, boolean flush) {
        return node().demonitor(ref, flush);
    }

    public static Compatibility compatibility(Target target) {
        return node().compatibility(target);
    }

    public static Compatibility compatibilityForNode(String nodeName) {
        return node().compatibilityForNode(nodeName);
    }

    public static Compatibility connect(String nodeName) {
        return node().connect(nodeName);
    }

    /** Closes the default node, if any. */
    public static synchronized void stop() {
        ZenNode n = node;
        node = null;
        if (n != null) {
            n.close();
        }
    }
}
