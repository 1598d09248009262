package io.zenmonitor;

/**
 * Receives the down of a monitor, once, on one of the node's callback threads, paced by the
 * Dispatcher. A listener that throws is logged and counted; one that blocks holds only its own thread.
 */
@FunctionalInterface
public interface DownListener {
    void onDown(Down down);
}
