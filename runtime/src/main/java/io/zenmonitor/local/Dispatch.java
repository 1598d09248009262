package io.zenmonitor.local;

import io.zenmonitor.Down;
import io.zenmonitor.DownReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A down dispatch (ZenMonitor's {@code {subscriber, DOWN}} item): queued in Local, pulled by the
 * Dispatcher, run on a callback thread.
 */
final class Dispatch implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatch.class);
    /** At most one callback-error line per this many nanoseconds (the rest are counted). */
    private static final long ERROR_LOG_INTERVAL_NANOS = 10_000_000_000L;
    private static volatile long lastErrorLog = System.nanoTime() - ERROR_LOG_INTERVAL_NANOS;

    final Monitor monitor;
    final DownReason reason;

    Dispatch(Monitor monitor, DownReason reason) {
        this.monitor = monitor;
        this.reason = reason;
    }

    @Override
    public void run() {
        Monitor m = monitor;
        if (!m.claim()) {
            return; // demonitored after the Dispatcher pulled it
        }
        Local local = m.local;
        try {
            local.metrics.dispatcherCallbacks.increment();
            m.listener.onDown(new Down(m, m.target, reason));
        } catch (Throwable t) {
            local.metrics.dispatcherCallbackErrors.increment();
            long now = System.nanoTime();
            if (now - lastErrorLog >= ERROR_LOG_INTERVAL_NANOS) {
                lastErrorLog = now;
                LOG.warn("{}: a DownListener threw (further errors are counted in zen.local.dispatcher.callback-errors for 10 s): {}",
                        local.nodeName, m, t);
            }
        } finally {
            m.finish();
            local.ended(m);
        }
    }
}
