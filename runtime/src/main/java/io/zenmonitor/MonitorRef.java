package io.zenmonitor;

/**
 * A monitor created by {@link ZenNode#monitor}. It ends in exactly one {@link Down} or in a demonitor.
 * References compare by identity; {@link #id()} is unique within its node.
 */
public interface MonitorRef {

    /** A number unique within the node that created it, increasing in creation order. */
    long id();

    /** What is monitored (a bare name resolved to the local node). */
    Target target();

    /** Whether this monitor can still fire: neither fired nor demonitored. */
    boolean isActive();
}
