package io.zenmonitor;

/**
 * A down notification: the monitor that fired, its target and why. Delivered at most once per monitor,
 * to the monitor's {@link DownListener}.
 *
 * @param ref the monitor
 * @param target the target as it was monitored (a bare name resolved to the local node)
 * @param reason the shared, truncated reason
 */
public record Down(MonitorRef ref, Target target, DownReason reason) {
}
