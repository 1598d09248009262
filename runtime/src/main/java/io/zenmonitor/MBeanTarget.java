package io.zenmonitor;

import java.util.Objects;

/**
 * A JMX MBean: a node, an MBean server id on that node, and the MBean's canonical {@code ObjectName}.
 *
 * @param node the owning node's name, or {@code null} for the monitoring node
 * @param server the MBean server's id on that node ({@value #PLATFORM} for the platform server)
 * @param objectName the canonical object name
 */
public record MBeanTarget(String node, String server, String objectName) implements Target {

    /** The id of the platform MBean server. */
    public static final String PLATFORM = "platform";
    /** Longest object name accepted. */
    public static final int MAX_NAME_LENGTH = 4096;

    public MBeanTarget {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(objectName, "objectName");
        if (objectName.isEmpty() || objectName.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("object name must have 1 to " + MAX_NAME_LENGTH + " characters, was " + objectName.length());
        }
        if (server.isEmpty() || server.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("MBean server id must have 1 to " + MAX_NAME_LENGTH + " characters");
        }
        if (node != null && node.isEmpty()) {
            throw new IllegalArgumentException("target node must not be empty (use null for the local node)");
        }
    }

    /** This target on {@code node} if it has no node yet. */
    public MBeanTarget on(String localNode) {
        return node != null ? this : new MBeanTarget(localNode, server, objectName);
    }

    @Override
    public String toString() {
        return objectName + (PLATFORM.equals(server) ? "" : " in " + server) + (node == null ? "" : "@" + node);
    }
}
