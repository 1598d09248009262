package io.zenmonitor.local;

import io.zenmonitor.ZenSettings;
import io.zenmonitor.metrics.Metrics;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Paces down callbacks: at most {@code demand.amount} start per {@code demand.interval}
 * (ZenMonitor's {@code Local.Dispatcher}), so a node-down fan-out of 100,000 monitors reaches the
 * application as a steady stream instead of a storm.
 *
 * <h2>Pacing</h2>
 * Every demand tick takes dispatches from Local's FIFO queue until {@code demand.amount} have been handed
 * to the callback executor. A dispatch whose monitor was demonitored after it was queued is skipped and
 * replaced by the next one, so skipped items do not eat the budget (ZenMonitor asks again for
 * {@code min(batch, amount) − sent}). Maximum rate: {@code demand.amount × 1 s / demand.interval}
 * (defaults: 1000 per 100 ms = 10,000 per second).
 *
 * <h2>Concurrency</h2>
 * The queue and the tick are confined to the node's loop. Callbacks run on the callback executor, so a
 * blocking callback holds one of its threads and never the loop; the monitor's own state word decides
 * at callback start whether it still runs (see {@link Monitor}).
 */
final class Dispatcher {

    private final ArrayDeque<Dispatch> queue = new ArrayDeque<>();
    private final Executor callbacks;
    private final ZenSettings settings;
    private final Metrics metrics;
    /** Published queue length for gauges (written by the loop). */
    private volatile int published;

    Dispatcher(Executor callbacks, ZenSettings settings, Metrics metrics) {
        this.callbacks = callbacks;
        this.settings = settings;
        this.metrics = metrics;
    }

    /** Local.enqueue: appends in FIFO order; events leave only through demand. */
    void enqueue(Dispatch d) {
        queue.add(d);
        metrics.localEnqueue.increment();
    }

    /** One demand tick: hands up to {@code demand.amount} live dispatches to the callback executor. */
    int tick() {
        int amount = settings.demandAmount();
        int started = 0;
        Dispatch d;
        while (started < amount && (d = queue.poll()) != null) {
            metrics.dispatcherDelivered.increment();
            if (d.monitor.state() != Monitor.LIVE) {
                continue; // demonitored since it was queued: replaced by the next one
            }
            try {
                callbacks.execute(d);
            } catch (RejectedExecutionException e) {
                continue; // the node is closing
            }
            started++;
        }
        metrics.dispatcherProcessed.add(started);
        published = queue.size();
        return started;
    }

    /** Dispatches waiting (ZenMonitor's {@code batch_length}); readable from any thread. */
    int batchLength() {
        return published;
    }

    void publish() {
        published = queue.size();
    }

    void clear() {
        for (Dispatch d : queue) {
            d.monitor.local.cancelQuietly(d.monitor);
        }
        queue.clear();
        published = 0;
    }
}
