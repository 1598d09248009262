package io.zenmonitor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ZenMonitor's static facade over one default {@link ZenNode} per JVM (the node the agent starts).
 *
 * <p>{@link #start(ZenConfig)} starts the default node and registers a shutdown hook that closes it
 * cleanly (peers get {@code SHUTDOWN} downs without failure detection). Every other method delegates to
 * that node and throws {@link IllegalStateException} if none is started.
 */
public final class ZenMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(ZenMonitor.class);
    private static volatile ZenNode node;

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
            LOG.debug("JVM already shutting down: no shutdown hook for {}", n.name());
        }
        return n;
    }

    /** Makes {@code n} the default node (the agent starts its node itself). */
    public static synchronized void install(ZenNode n) {
        node = n;
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
