package io.zenmonitor.proxy;

import io.zenmonitor.cluster.Transport;
import io.zenmonitor.metrics.Metrics;
import io.zenmonitor.wire.WireMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jgroups.Address;

/**
 * Batches death certificates for one subscribing node (ZenMonitor's {@code Proxy.Batcher}): certificates
 * accumulate between sweeps and leave FIFO, at most {@code batcher.chunk} per DEAD message, one message
 * per sweep. A backlog of n certificates takes {@code ceil(n / chunk)} sweeps.
 *
 * <p>Confined to the node's loop. It lives as long as its subscriber is in the view; when the subscriber
 * leaves, the Proxy drops it with its pending certificates (the subscriber's Connector fires NODEDOWN for
 * those monitors on its side).
 */
final class Batcher {

    final Address subscriber;
    /** Subscription rows the Proxy holds for this subscriber (kept here so the bound costs no extra map). */
    int rows;
    private final ArrayDeque<WireMessage.Certificate> batch = new ArrayDeque<>();
    private final Transport transport;
    private final Metrics metrics;

    Batcher(Address subscriber, Transport transport, Metrics metrics) {
        this.subscriber = subscriber;
        this.transport = transport;
        this.metrics = metrics;
    }

    void enqueue(WireMessage.Certificate certificate) {
        batch.add(certificate);
        metrics.batcherEnqueue.increment();
    }

    int length() {
        return batch.size();
    }

    List<WireMessage.Certificate> pending() {
        return List.copyOf(batch);
    }

    /** One sweep: sends at most {@code chunk} certificates; does nothing when empty. */
    void sweep(int chunk) {
        int n = Math.min(chunk, batch.size());
        if (n == 0) {
            return;
        }
        ArrayList<WireMessage.Certificate> certs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            certs.add(batch.poll());
        }
        metrics.batcherSweep.add(n);
        transport.send(subscriber, new WireMessage.Dead(certs));
    }

    /** Sends everything now, chunk by chunk (shutdown). */
    void flush(int chunk) {
        while (!batch.isEmpty()) {
            sweep(chunk);
        }
    }
}
