package io.zenmonitor.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * A node's counters and gauges: ZenMonitor's (zen_monitor.md §7) under {@code zen.<component>.*}
 * names, plus the wire and callback counters a JVM port needs.
 *
 * <p>Counters are {@link LongAdder}s: incrementing one never blocks or allocates. Gauges are read
 * through suppliers that return values the node's loop publishes after each drain and tick, so a
 * reader never touches a loop-confined table.
 */
public final class Metrics {

    /** {@code monitor} calls, counted in the caller. */
    public final LongAdder localMonitor = new LongAdder();
    /** {@code demonitor} calls. */
    public final LongAdder localDemonitor = new LongAdder();
    /** Down dispatches queued in Local (for the Dispatcher). */
    public final LongAdder localEnqueue = new LongAdder();
    /** Subscribe instructions queued by Connectors. */
    public final LongAdder connectorEnqueueSubscribe = new LongAdder();
    /** Unsubscribe instructions queued by Connectors. */
    public final LongAdder connectorEnqueueUnsubscribe = new LongAdder();
    /** Instructions sent by Connector sweeps. */
    public final LongAdder connectorSweep = new LongAdder();
    /** Messages a Connector did not expect (late pongs, certificates from another incarnation). */
    public final LongAdder connectorUnhandled = new LongAdder();
    /** Dispatches the Dispatcher pulled from Local. */
    public final LongAdder dispatcherDelivered = new LongAdder();
    /** Dispatches the Dispatcher handed to a callback (demonitored ones are skipped). */
    public final LongAdder dispatcherProcessed = new LongAdder();
    /** Callbacks that ran. */
    public final LongAdder dispatcherCallbacks = new LongAdder();
    /** Callbacks that threw. */
    public final LongAdder dispatcherCallbackErrors = new LongAdder();
    /** Death certificates produced by the Proxy. */
    public final LongAdder batcherEnqueue = new LongAdder();
    /** Certificates sent by Batcher sweeps. */
    public final LongAdder batcherSweep = new LongAdder();
    /** Subscriptions refused at once with NOPROC. */
    public final LongAdder proxyNoproc = new LongAdder();
    /** PING and PROCESS messages ignored because their sender is outside {@code nodes.allow}/{@code nodes.deny}. */
    public final LongAdder proxyRefused = new LongAdder();
    /** Monitors ended at once with NODEDOWN incompatible because their node or host is outside the lists. */
    public final LongAdder localDenied = new LongAdder();
    /** Monitors of an endpoint unknown when they were created that moved to its node once it was learned. */
    public final LongAdder localEndpointResolvedLate = new LongAdder();
    /** SUBSCRIBE instructions dropped because their sender already held {@code proxy.max-subscriptions}. */
    public final LongAdder proxySubscriptionsRefused = new LongAdder();
    /** Wire messages received and decoded. */
    public final LongAdder wireReceived = new LongAdder();
    /** Wire messages sent. */
    public final LongAdder wireSent = new LongAdder();
    /** Bytes of wire messages sent. */
    public final LongAdder wireSentBytes = new LongAdder();
    /** Wire messages dropped because they were malformed, oversized or of another version. */
    public final LongAdder wireDropped = new LongAdder();
    /** Sends that JGroups refused (the node is closing, the member left). */
    public final LongAdder wireSendErrors = new LongAdder();

    private final Map<String, LongSupplier> gauges = new LinkedHashMap<>();

    /** Registers a gauge (node wiring only, before the node is published). */
    public synchronized void gauge(String name, LongSupplier value) {
        gauges.put(name, value);
    }

    /** Every counter and gauge by name, in a stable order. */
    public synchronized Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("zen.local.monitor", localMonitor.sum());
        m.put("zen.local.demonitor", localDemonitor.sum());
        m.put("zen.local.enqueue", localEnqueue.sum());
        m.put("zen.local.connector.enqueue.subscribe", connectorEnqueueSubscribe.sum());
        m.put("zen.local.connector.enqueue.unsubscribe", connectorEnqueueUnsubscribe.sum());
        m.put("zen.local.connector.sweep", connectorSweep.sum());
        m.put("zen.local.connector.unhandled", connectorUnhandled.sum());
        m.put("zen.local.dispatcher.events.delivered", dispatcherDelivered.sum());
        m.put("zen.local.dispatcher.events.processed", dispatcherProcessed.sum());
        m.put("zen.local.dispatcher.callbacks", dispatcherCallbacks.sum());
        m.put("zen.local.dispatcher.callback-errors", dispatcherCallbackErrors.sum());
        m.put("zen.proxy.batcher.enqueue", batcherEnqueue.sum());
        m.put("zen.proxy.batcher.sweep", batcherSweep.sum());
        m.put("zen.proxy.noproc", proxyNoproc.sum());
        m.put("zen.proxy.refused", proxyRefused.sum());
        m.put("zen.local.denied", localDenied.sum());
        m.put("zen.local.endpoint-resolved-late", localEndpointResolvedLate.sum());
        m.put("zen.proxy.subscriptions-refused", proxySubscriptionsRefused.sum());
        m.put("zen.wire.received", wireReceived.sum());
        m.put("zen.wire.sent", wireSent.sum());
        m.put("zen.wire.sent-bytes", wireSentBytes.sum());
        m.put("zen.wire.dropped", wireDropped.sum());
        m.put("zen.wire.send-errors", wireSendErrors.sum());
        gauges.forEach((k, v) -> m.put(k, v.getAsLong()));
        return m;
    }

    /** One value by name, or {@code null} if there is no such metric. */
    public Long get(String name) {
        return snapshot().get(name);
    }
}
