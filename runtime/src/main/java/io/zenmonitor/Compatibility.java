package io.zenmonitor;

/** Whether a node runs a compatible zen Proxy (zen_monitor.md §4). Unknown nodes are incompatible. */
public enum Compatibility {
    COMPATIBLE,
    INCOMPATIBLE
}
