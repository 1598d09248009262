package io.zenmonitor;

import java.util.Objects;

/**
 * An object registered under a name on a node, for example an RMI registry binding.
 *
 * <p>A {@code null} node is a bare name: it means the node that monitors it (ZenMonitor never fires such
 * monitors, zen_monitor.md §11.1; we resolve the name on the local node instead).
 *
 * @param node the owning node's name, or {@code null} for the monitoring node
 * @param name the name, 1 to {@value #MAX_NAME_LENGTH} characters
 */
public record NamedTarget(String node, String name) implements Target {

    /** Longest name accepted. */
    public static final int MAX_NAME_LENGTH = 4096;

    public NamedTarget {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("target name must have 1 to " + MAX_NAME_LENGTH + " characters, was " + name.length());
        }
        if (node != null && node.isEmpty()) {
            throw new IllegalArgumentException("target node must not be empty (use null for the local node)");
        }
    }

    /** This target on {@code node} if it has no node yet. */
    public NamedTarget on(String localNode) {
        return node != null ? this : new NamedTarget(localNode, name);
    }

    @Override
    public String toString() {
        return node == null ? name : name + '@' + node;
    }
}
