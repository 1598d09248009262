package io.zenmonitor;

/**
 * The Java stand-in for ZenMonitor's subscribing process: a group of monitors that end together.
 *
 * <p>Monitors created through an owner belong to it. {@link #close()} demonitors every one of them: after
 * it returns no new callback of theirs starts (as after {@link ZenNode#demonitor}), and the owner
 * refuses new monitors. Owners are cheap (one concurrent set); create one per session, connection or
 * exported object whose monitors must not outlive it.
 */
public interface MonitorOwner extends AutoCloseable {

    /** The owner's name, for logs. */
    String name();

    /**
     * Monitors {@code target} on behalf of this owner.
     *
     * @throws IllegalStateException if the owner or its node is closed
     */
    MonitorRef monitor(Target target, DownListener listener);

    /**
     * Demonitors one of this owner's monitors; a ref of another owner is left alone.
     *
     * @return whether this call ended a live monitor
     */
    boolean demonitor(MonitorRef ref, boolean flush);

    /** Live monitors of this owner. */
    int size();

    /** Whether {@link #close()} was called. */
    boolean isClosed();

    /** Demonitors every monitor of this owner and refuses new ones. Idempotent. */
    @Override
    void close();
}
