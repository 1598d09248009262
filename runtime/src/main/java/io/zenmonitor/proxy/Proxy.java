package io.zenmonitor.proxy;

import io.zenmonitor.DownReason;
import io.zenmonitor.Target;
import io.zenmonitor.ZenSettings;
import io.zenmonitor.cluster.Transport;
import io.zenmonitor.metrics.Metrics;
import io.zenmonitor.truncate.Truncator;
import io.zenmonitor.wire.Codec;
import io.zenmonitor.wire.WireMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jgroups.Address;

/**
 * The watched half of a node (ZenMonitor's {@code ZenMonitor.Proxy}): it keeps the table of this node's
 * live objects, holds the subscriptions of every monitoring node, and turns a death into one
 * certificate per subscriber, handed to that subscriber's {@link Batcher}.
 *
 * <h2>Objects</h2>
 * Anything can feed the table: {@link #alive} when an object is exported or registered, {@link #died}
 * when it goes. A subscription for an object that is not alive is answered at once with {@code NOPROC}
 * (a watch on something already dead must resolve, akka#29628).
 *
 * <h2>Subscriptions</h2>
 * At most one watch per local object, however many nodes subscribe: the watch is the object's entry in
 * the subscriber table, holding one address or a small array of them. Instructions of one PROCESS are
 * applied in order, so a subscribe/unsubscribe pair ends as its last instruction says. A PROCESS with
 * {@code reset} first drops everything that subscriber held (a new session after a partition or restart).
 *
 * <h2>Bounds</h2>
 * One monitoring node holds at most {@code proxy.max-subscriptions} rows here, counting the certificates
 * still pending in its Batcher (a NOPROC answer costs memory too). A SUBSCRIBE beyond that is dropped and
 * counted in {@code zen.proxy.subscriptions-refused}, with one WARN per {@value #REFUSED_LOG_INTERVAL_SECONDS} s: a
 * peer that subscribes to millions of targets, alive or not, cannot grow this node's heap past the
 * bound. The monitors behind a refused SUBSCRIBE end only by demonitor or when this node goes away, so
 * the key must sit above the largest honest subscriber (the default, 1,000,000, is ten times the
 * 100,000 registrations of the design's heaviest client).
 *
 * <h2>Data layout</h2>
 * One hash table holds both: live object → its subscribers ({@link #NONE}, one {@code Address}, or an
 * {@code Address[]}). A subscription therefore costs no entry and no object of its own: it is a reference
 * stored in the object's existing entry, whose key is the object's own {@link Target} (the copy decoded from
 * the wire is dropped at once). Measured by the bench module (BENCHMARKS.md).
 *
 * <h2>Deaths</h2>
 * The reason is truncated once (by whoever calls {@link #died(Target, DownReason.Kind, Object)}) and the
 * same instance goes to every subscriber. The watch ends with the death.
 *
 * <h2>Differences from ZenMonitor</h2>
 * The watch is released when its last subscriber unsubscribes (ZenMonitor keeps its ERTS monitor until
 * the target dies, zen_monitor.md test 91), so an unsubscribed object costs nothing. A subscriber that
 * leaves the view loses its subscriptions at once, whether or not it had a Batcher (ZenMonitor keeps the
 * rows of a subscriber without a Batcher until the targets die, §3).
 *
 * <h2>Threading</h2>
 * Confined to the node's loop.
 */
public final class Proxy {

    private final Transport transport;
    private final ZenSettings settings;
    private final Metrics metrics;
    private final Truncator truncator;
    /** The value of a live object that no node subscribes to. */
    private static final Object NONE = new Object();
    /** Live object → {@link #NONE}, its one subscriber's Address, or Address[] when several nodes subscribe. */
    private final HashMap<Target, Object> objects = new HashMap<>();
    /** Objects whose value is not {@link #NONE} (objects with a watch). */
    private int watched;
    private final HashMap<Address, Batcher> batchers = new HashMap<>();
    private final int maxSubscriptions;
    private long lastRefusedLog;
    /** At most one WARN about refused subscriptions per this many seconds. */
    static final long REFUSED_LOG_INTERVAL_SECONDS = 10;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Proxy.class);
    private int subscriptions;
    private volatile int publishedSubscriptions;
    private volatile int publishedObjects;

    public Proxy(Transport transport, ZenSettings settings, Metrics metrics, Truncator truncator) {
        this(transport, settings, metrics, truncator, Integer.MAX_VALUE);
    }

    /** A Proxy that holds at most {@code maxSubscriptions} rows plus pending certificates per subscriber. */
    public Proxy(Transport transport, ZenSettings settings, Metrics metrics, Truncator truncator, int maxSubscriptions) {
        this.maxSubscriptions = maxSubscriptions;
        this.transport = transport;
        this.settings = settings;
        this.metrics = metrics;
        this.truncator = truncator;
    }

    // ------------------------------------------------------------------ objects

    /** The object is exported or registered. */
    public void alive(Target target) {
        objects.putIfAbsent(target, NONE);
    }

    /** The object is gone; {@code detail} is truncated once here and shared by all subscribers. */
    public void died(Target target, DownReason.Kind kind, Object detail) {
        died(target, truncator.reason(kind, detail));
    }

    /** The object is gone with an already truncated reason. */
    public void died(Target target, DownReason reason) {
        Object subs = objects.remove(target);
        if (subs == null || subs == NONE) {
            return;
        }
        watched--;
        WireMessage.Certificate cert = new WireMessage.Certificate(target, reason);
        if (subs instanceof Address a) {
            subscriptions--;
            Batcher b = batcher(a);
            b.rows--;
            b.enqueue(cert);
        } else {
            for (Address a : (Address[]) subs) {
                subscriptions--;
                Batcher b = batcher(a);
                b.rows--;
                b.enqueue(cert);
            }
        }
    }

    public boolean isAlive(Target target) {
        return objects.containsKey(target);
    }

    // ------------------------------------------------------------------ messages

    public void ping(Address from, WireMessage.Ping ping) {
        transport.send(from, new WireMessage.Pong(Codec.VERSION, 0L, ping.nonce()));
    }

    public void process(Address from, WireMessage.Process process) {
        if (process.reset()) {
            dropSubscriptions(from);
        }
        Batcher held = null;
        for (WireMessage.Instruction i : process.instructions()) {
            Target t = i.target();
            if (i.op() == WireMessage.Op.SUBSCRIBE) {
                if (held == null) {
                    held = batcher(from);
                }
                Object subs;
                if (held.rows + held.length() >= maxSubscriptions) {
                    refused(from);
                } else if ((subs = objects.get(t)) == null) {
                    metrics.proxyNoproc.increment();
                    held.enqueue(new WireMessage.Certificate(t, DownReason.NOPROC));
                } else {
                    subscribe(t, subs, from);
                }
            } else {
                unsubscribe(t, from);
            }
        }
    }

    private void refused(Address from) {
        metrics.proxySubscriptionsRefused.increment();
        long now = System.nanoTime();
        if (lastRefusedLog == 0 || now - lastRefusedLog >= REFUSED_LOG_INTERVAL_SECONDS * 1_000_000_000L) {
            lastRefusedLog = now;
            LOG.warn("{} holds {} subscriptions and pending certificates here (zen.proxy.max-subscriptions); its further "
                    + "SUBSCRIBEs are dropped and counted in zen.proxy.subscriptions-refused (one line per {} s)",
                    from, maxSubscriptions, REFUSED_LOG_INTERVAL_SECONDS);
        }
    }

    /** A subscriber left the view or said goodbye: its subscriptions and pending certificates go. */
    public void subscriberDown(Address subscriber) {
        batchers.remove(subscriber);
        dropSubscriptions(subscriber);
    }

    /** One Batcher sweep over the Batchers that have certificates. */
    public void sweep() {
        int chunk = settings.batcherChunk();
        for (Batcher b : batchers.values()) {
            b.sweep(chunk);
        }
        publish();
    }

    /**
     * Clean shutdown: every subscription dies with {@code SHUTDOWN} and every Batcher is flushed now, so
     * peers get their downs without waiting for failure detection.
     *
     * @return the remote subscribers that were sent certificates
     */
    public List<Address> shutdown() {
        for (Map.Entry<Target, Object> e : objects.entrySet()) {
            Object subs = e.getValue();
            if (subs == NONE) {
                continue;
            }
            WireMessage.Certificate cert = new WireMessage.Certificate(e.getKey(), DownReason.SHUTDOWN);
            if (subs instanceof Address a) {
                batcher(a).enqueue(cert);
            } else {
                for (Address a : (Address[]) subs) {
                    batcher(a).enqueue(cert);
                }
            }
        }
        objects.clear();
        subscriptions = 0;
        watched = 0;
        for (Batcher b : batchers.values()) {
            b.rows = 0;
        }
        int chunk = settings.batcherChunk();
        List<Address> notified = new ArrayList<>(batchers.keySet());
        for (Batcher b : batchers.values()) {
            b.flush(chunk);
        }
        publish();
        return notified;
    }

    // ------------------------------------------------------------------ tables

    /**
     * {@code t} is a live object whose value is {@code subs}. {@code put} on an existing key keeps the key the
     * table already holds (the object's own Target), so the decoded {@code t} is not retained.
     */
    private void subscribe(Target t, Object subs, Address from) {
        if (subs == NONE) {
            objects.put(t, from);
            watched++;
        } else if (subs instanceof Address a) {
            if (a.equals(from)) {
                return;
            }
            objects.put(t, new Address[] {a, from});
        } else {
            Address[] arr = (Address[]) subs;
            for (Address a : arr) {
                if (a.equals(from)) {
                    return;
                }
            }
            Address[] grown = Arrays.copyOf(arr, arr.length + 1);
            grown[arr.length] = from;
            objects.put(t, grown);
        }
        subscriptions++;
        batcher(from).rows++;
    }

    private void unsubscribe(Target t, Address from) {
        Object subs = objects.get(t);
        if (subs == null || subs == NONE) {
            return;
        }
        if (subs instanceof Address a) {
            if (a.equals(from)) {
                objects.put(t, NONE);
                watched--;
                subscriptions--;
                batcher(from).rows--;
            }
            return;
        }
        Object shrunk = without((Address[]) subs, from);
        if (shrunk != subs) {
            objects.put(t, shrunk);
            subscriptions--;
            batcher(from).rows--;
        }
    }

    /** The array without {@code a} (an Address when one is left), or the same array if absent. */
    private static Object without(Address[] arr, Address a) {
        int i = 0;
        while (i < arr.length && !arr[i].equals(a)) {
            i++;
        }
        if (i == arr.length) {
            return arr;
        }
        if (arr.length == 2) {
            return arr[1 - i];
        }
        Address[] out = new Address[arr.length - 1];
        System.arraycopy(arr, 0, out, 0, i);
        System.arraycopy(arr, i + 1, out, i, arr.length - i - 1);
        return out;
    }

    /** One pass over the table: O(live objects), run only when a subscriber leaves or resets. */
    private void dropSubscriptions(Address subscriber) {
        Batcher b = batchers.get(subscriber);
        if (b != null) {
            b.rows = 0;
        }
        if (watched == 0) {
            return;
        }
        for (Map.Entry<Target, Object> e : objects.entrySet()) {
            Object subs = e.getValue();
            if (subs == NONE) {
                continue;
            }
            if (subs instanceof Address a) {
                if (a.equals(subscriber)) {
                    e.setValue(NONE);
                    watched--;
                    subscriptions--;
                }
            } else {
                Object shrunk = without((Address[]) subs, subscriber);
                if (shrunk != subs) {
                    e.setValue(shrunk);
                    subscriptions--;
                }
            }
        }
    }

    private Batcher batcher(Address subscriber) {
        Batcher b = batchers.get(subscriber);
        if (b == null) {
            b = new Batcher(subscriber, transport, metrics);
            batchers.put(subscriber, b);
        }
        return b;
    }

    void publish() {
        publishedSubscriptions = subscriptions;
        publishedObjects = objects.size();
    }

    // ------------------------------------------------------------------ inspection

    /** (target, subscriber) rows (ZenMonitor's Subscribers table size); readable from any thread. */
    public int subscriptionCount() {
        return publishedSubscriptions;
    }

    /** Live local objects; readable from any thread. */
    public int objectCount() {
        return publishedObjects;
    }

    /** Loop only: the subscribers of {@code target}. */
    public List<Address> subscribersOf(Target target) {
        Object subs = objects.get(target);
        if (subs == null || subs == NONE) {
            return List.of();
        }
        return subs instanceof Address a ? List.of(a) : List.of((Address[]) subs);
    }

    /** Loop only: every (target, subscriber) row. */
    public int subscriptionsInLoop() {
        return subscriptions;
    }

    /** Loop only: targets with a watch. */
    public int watchCount() {
        return watched;
    }

    /** Loop only: pending certificates for {@code subscriber}. */
    public List<WireMessage.Certificate> pendingCertificates(Address subscriber) {
        Batcher b = batchers.get(subscriber);
        return b == null ? List.of() : b.pending();
    }

    /** Loop only: one forced sweep of {@code subscriber}'s Batcher (tests' {@code :sweep}). */
    public void sweepBatcher(Address subscriber) {
        Batcher b = batchers.get(subscriber);
        if (b != null) {
            b.sweep(settings.batcherChunk());
        }
    }

    /** Loop only: Batchers (one per subscriber in the view that subscribed or got a certificate). */
    public int batcherCount() {
        return batchers.size();
    }

    /** Loop only: rows plus pending certificates held for {@code subscriber} (what the bound counts). */
    public int heldFor(Address subscriber) {
        Batcher b = batchers.get(subscriber);
        return b == null ? 0 : b.rows + b.length();
    }

    /** Loop only: whether a Batcher exists for {@code subscriber}. */
    public boolean hasBatcher(Address subscriber) {
        return batchers.containsKey(subscriber);
    }
}
