package io.zenmonitor;

import java.rmi.Remote;
import javax.management.ObjectName;

/**
 * Something that can be monitored: an RMI remote object, a JMX MBean, or a named object. A target is
 * alive while it is exported or registered on its node and that node is in the view; it dies once,
 * with a {@link DownReason}.
 *
 * <p>Targets are values: two targets are equal when they name the same object, whoever built them, so
 * a stub decoded on a client and the exported object seen on the server give equal targets.
 */
public sealed interface Target permits RmiTarget, MBeanTarget, NamedTarget {

    /**
     * The node that owns this target, or {@code null} when it is found another way (an RMI target is
     * found by its endpoint; a bare name means the monitoring node).
     */
    String node();

    /** This target with a missing node (a bare name) resolved to {@code localNode}; otherwise itself. */
    default Target resolvedOn(String localNode) {
        if (this instanceof NamedTarget n) {
            return n.on(localNode);
        }
        if (this instanceof MBeanTarget b) {
            return b.on(localNode);
        }
        return this;
    }

    /** The target for an RMI stub, a dynamic proxy stub or a legacy {@code _Stub}, decoded with public API. */
    static RmiTarget of(Remote stub) {
        return RmiTarget.of(stub);
    }

    /** An object registered under {@code name} on {@code node}. */
    static NamedTarget named(String node, String name) {
        return new NamedTarget(node, name);
    }

    /** An object registered under {@code name} on the node that monitors it. */
    static NamedTarget named(String name) {
        return new NamedTarget(null, name);
    }

    /** An MBean in the platform MBean server of {@code node}. */
    static MBeanTarget mbean(String node, ObjectName name) {
        return new MBeanTarget(node, MBeanTarget.PLATFORM, name.getCanonicalName());
    }

    /** An MBean in the platform MBean server of the node that monitors it. */
    static MBeanTarget mbean(ObjectName name) {
        return new MBeanTarget(null, MBeanTarget.PLATFORM, name.getCanonicalName());
    }
}
