package io.zenmonitor.local;

import io.zenmonitor.Compatibility;
import io.zenmonitor.DownReason;
import io.zenmonitor.Target;
import io.zenmonitor.wire.Codec;
import io.zenmonitor.wire.WireMessage;
import io.zenmonitor.wire.WireMessage.Instruction;
import io.zenmonitor.wire.WireMessage.Op;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jgroups.Address;

/**
 * The local side's agent for one remote node (ZenMonitor's {@code Local.Connector}): it batches
 * subscriptions to that node's Proxy, resolves the node's compatibility, and fires every monitor it holds
 * when the node goes down or is incompatible.
 *
 * <h2>Batching</h2>
 * The first live monitor of a target queues one SUBSCRIBE; the last demonitor queues one UNSUBSCRIBE.
 * Each sweep sends at most {@code connector.chunk} instructions, oldest first, in one PROCESS message.
 * A backlog of n instructions therefore waits {@code ceil(n / chunk)} sweeps.
 *
 * <h2>Compatibility</h2>
 * As zen_monitor.md §4: a miss or unavailable node in the view is pinged (attempt 1); an expired penalty
 * pings with attempt n+1; a PONG of our version makes it compatible; anything else (other version, no
 * answer within {@link #PING_TIMEOUT_NANOS}) makes it incompatible for 2, 4, 8, 16, 32, then 60 s. Unlike
 * ZenMonitor the ping never blocks a sweep: while it is outstanding the sweep leaves the batch alone.
 *
 * <h2>Failure</h2>
 * Node down (view), incompatible, or the node's Proxy going away (BYE) fire every monitor with
 * {@code NODEDOWN} through the Dispatcher and discard the pending batch. Every compatible session starts
 * with a PROCESS whose {@code reset} flag makes the remote Proxy drop whatever it still held for us, so
 * nothing stale survives a partition, a merge or a restart.
 *
 * <h2>Threading</h2>
 * Confined to the node's loop, except {@link Local}'s reads of the {@link CompatibilityCache}.
 */
final class Connector {

    /** ZenMonitor's ping call timeout. */
    static final long PING_TIMEOUT_NANOS = 5_000_000_000L;

    final String node;
    /** For the Connector of an endpoint no member advertises (yet): that endpoint; null otherwise. */
    final io.zenmonitor.Endpoint unresolved;
    /** When this unresolved Connector last went from no monitors to some (its monitors' wait began). */
    long unresolvedSince;
    private final Local local;
    private final boolean self;
    /** target → Monitor, or ArrayList of Monitors when several monitor the same target. */
    private final HashMap<Target, Object> monitors = new HashMap<>();
    private final ArrayDeque<Instruction> batch = new ArrayDeque<>();
    /** The incarnation we are compatible with, or null. */
    private Address address;
    private Address pingAddress;
    private long pingNonce;
    private long pingDeadline;
    private int pingAttempt;
    private boolean pinging;
    private boolean resetPending;
    private final List<CompletableFuture<Compatibility>> waiters = new ArrayList<>(0);
    private int monitorCount;

    Connector(String node, Local local, boolean self) {
        this(node, null, local, self);
    }

    Connector(String node, io.zenmonitor.Endpoint unresolved, Local local, boolean self) {
        this.node = node;
        this.unresolved = unresolved;
        this.local = local;
        this.self = self;
        if (self) {
            address = local.transport.localAddress();
            local.cache.put(node, new CompatibilityCache.Compatible(address));
        }
    }

    Address address() {
        return address;
    }

    int monitorCount() {
        return monitorCount;
    }

    int batchLength() {
        return batch.size();
    }

    List<Instruction> pendingInstructions() {
        return List.copyOf(batch);
    }

    /** Refs (monitor ids) held for {@code target}, for tests' await helpers. */
    List<Monitor> monitorsOf(Target target) {
        Object v = monitors.get(target);
        if (v == null) {
            return List.of();
        }
        if (v instanceof Monitor m) {
            return List.of(m);
        }
        @SuppressWarnings("unchecked")
        List<Monitor> l = (List<Monitor>) v;
        return List.copyOf(l);
    }

    boolean active() {
        return monitorCount > 0 || !batch.isEmpty() || resetPending || pinging || !waiters.isEmpty();
    }

    void monitor(Monitor m) {
        Target t = m.target;
        Object v = monitors.get(t);
        if (monitorCount == 0 && unresolved != null) {
            unresolvedSince = local.now();
        }
        if (v == null) {
            monitors.put(t, m);
            if (unresolved == null) {
                batch.add(new Instruction(Op.SUBSCRIBE, t));
                local.metrics.connectorEnqueueSubscribe.increment();
            }
        } else if (v instanceof Monitor other) {
            ArrayList<Monitor> l = new ArrayList<>(2);
            l.add(other);
            l.add(m);
            monitors.put(t, l);
        } else {
            @SuppressWarnings("unchecked")
            ArrayList<Monitor> l = (ArrayList<Monitor>) v;
            l.add(m);
        }
        monitorCount++;
    }

    void demonitor(Monitor m) {
        Target t = m.target;
        Object v = monitors.get(t);
        boolean emptied;
        if (v == m) {
            monitors.remove(t);
            emptied = true;
        } else if (v instanceof ArrayList<?> l && l.remove(m)) {
            emptied = l.isEmpty();
            if (emptied) {
                monitors.remove(t);
            }
        } else {
            return; // already fired or never here: nothing to unsubscribe (ZenMonitor queues a spurious one)
        }
        monitorCount--;
        if (emptied && unresolved == null) {
            batch.add(new Instruction(Op.UNSUBSCRIBE, t));
            local.metrics.connectorEnqueueUnsubscribe.increment();
        }
    }

    /** One Connector sweep: resolve compatibility, then send a chunk or fire everything. */
    void sweep(long now) {
        if (unresolved != null) {
            local.settleUnresolved(this, now);
            return;
        }
        switch (resolve(now)) {
            case COMPATIBLE -> send();
            case INCOMPATIBLE -> fireAll(notCompatibleReason());
            case PENDING -> { }
        }
    }

    enum Resolution { COMPATIBLE, INCOMPATIBLE, PENDING }

    /** The NODEDOWN detail for a node that resolved as not compatible. */
    private DownReason notCompatibleReason() {
        if (node.startsWith(Local.UNRESOLVED_PREFIX)) {
            return DownReason.NODEDOWN_UNKNOWN_ENDPOINT;
        }
        return local.cache.get(node) instanceof CompatibilityCache.Incompatible
                ? DownReason.NODEDOWN_INCOMPATIBLE : DownReason.NODEDOWN_UNAVAILABLE;
    }

    Resolution resolve(long now) {
        if (self) {
            return Resolution.COMPATIBLE;
        }
        if (pinging) {
            if (now - pingDeadline >= 0) {
                pinging = false;
                markIncompatible(pingAttempt, now);
                return Resolution.INCOMPATIBLE;
            }
            return Resolution.PENDING;
        }
        CompatibilityCache.Entry e = local.cache.get(node);
        if (e instanceof CompatibilityCache.Compatible) {
            return Resolution.COMPATIBLE;
        }
        if (e instanceof CompatibilityCache.Incompatible i) {
            if (i.untilNanos() - now >= 0) {
                return Resolution.INCOMPATIBLE;
            }
            return ping(i.attempts() + 1, now);
        }
        return ping(1, now); // miss or unavailable
    }

    private Resolution ping(int attempt, long now) {
        Address to = local.transport.addressOf(node);
        if (to == null) {
            // not in the view: no network call (ZenMonitor never connects nodes itself)
            if (!node.startsWith(Local.UNRESOLVED_PREFIX)) {
                local.cache.put(node, CompatibilityCache.UNAVAILABLE); // endpoints nobody owns are not cached
            }
            completeWaiters(Compatibility.INCOMPATIBLE);
            return Resolution.INCOMPATIBLE;
        }
        pinging = true;
        pingAttempt = attempt;
        pingAddress = to;
        pingNonce = local.nextNonce();
        pingDeadline = now + PING_TIMEOUT_NANOS;
        long nonce = pingNonce;
        // the timeout must not wait for a sweep (sweeps may be 1 h apart): a one-shot check on the loop
        local.after(PING_TIMEOUT_NANOS, () -> pingExpired(nonce));
        local.transport.send(to, new WireMessage.Ping(Codec.VERSION, Local.FEATURES, pingNonce));
        return Resolution.PENDING;
    }

    /** The ping {@code nonce} got no answer in time: incompatible for this attempt's penalty. */
    void pingExpired(long nonce) {
        if (pinging && pingNonce == nonce) {
            pinging = false;
            markIncompatible(pingAttempt, local.now());
            fireAll(DownReason.NODEDOWN_INCOMPATIBLE);
        }
    }

    void onPong(Address from, WireMessage.Pong pong, long now) {
        if (!pinging || pong.nonce() != pingNonce || !from.equals(pingAddress)) {
            local.metrics.connectorUnhandled.increment();
            return;
        }
        pinging = false;
        if (pong.version() == Codec.VERSION) {
            address = from;
            local.cache.put(node, new CompatibilityCache.Compatible(from));
            resetPending = true; // a new session: the Proxy must forget whatever it held for us
            completeWaiters(Compatibility.COMPATIBLE);
            send();
        } else {
            markIncompatible(pingAttempt, now);
            fireAll(DownReason.NODEDOWN_INCOMPATIBLE);
        }
    }

    private void markIncompatible(int attempt, long now) {
        address = null;
        local.cache.put(node, new CompatibilityCache.Incompatible(now + CompatibilityCache.penaltyMillis(attempt) * 1_000_000L, attempt));
        completeWaiters(Compatibility.INCOMPATIBLE);
    }

    /** {@code connect}: answers from the cache when it can, otherwise after one resolution. */
    void connect(CompletableFuture<Compatibility> result, long now) {
        waiters.add(result);
        if (!pinging) {
            Resolution r = resolve(now);
            if (r == Resolution.COMPATIBLE) {
                completeWaiters(Compatibility.COMPATIBLE);
            } else if (r == Resolution.INCOMPATIBLE) {
                completeWaiters(Compatibility.INCOMPATIBLE);
            }
        }
    }

    private void completeWaiters(Compatibility c) {
        if (!waiters.isEmpty()) {
            for (CompletableFuture<Compatibility> f : waiters) {
                f.complete(c);
            }
            waiters.clear();
        }
    }

    /** The member {@code gone} left the view. */
    void nodeDown(Address gone) {
        nodeDown(gone, DownReason.NODEDOWN);
    }

    void nodeDown(Address gone, DownReason reason) {
        // With no session (address null) a departure is ours only if no other incarnation of the node is in
        // the view now: a restarted node's new monitors must not get its previous incarnation's death.
        boolean ours = gone.equals(address) || (pinging && gone.equals(pingAddress))
                || (address == null && !pinging && local.transport.addressOf(node) == null);
        if (!ours || self) {
            return; // an old incarnation leaving after a new one answered
        }
        if (pinging && gone.equals(pingAddress)) {
            pinging = false;
        }
        address = null;
        local.cache.put(node, CompatibilityCache.UNAVAILABLE);
        completeWaiters(Compatibility.INCOMPATIBLE);
        fireAll(reason);
    }

    /** The node's Proxy said goodbye (clean shutdown): as ZenMonitor's proxy monitor firing, not noconnection. */
    void proxyGone(Address from, long now) {
        if (self || !from.equals(address)) {
            return;
        }
        markIncompatible(1, now);
        fireAll(DownReason.NODEDOWN_PROXY_GONE);
    }

    /** After a merge: resubscribe everything on a fresh session so both sides agree again. */
    void resync() {
        if (self) {
            return;
        }
        batch.clear();
        for (Target t : monitors.keySet()) {
            batch.add(new Instruction(Op.SUBSCRIBE, t));
        }
        resetPending = true;
        if (address != null) {
            // re-handshake: the remote may have dropped us while we were apart
            address = null;
            local.cache.put(node, CompatibilityCache.UNAVAILABLE);
        }
    }

    /** Certificates from this node's Proxy: one down per monitor of each target, in certificate order. */
    void dead(List<WireMessage.Certificate> certificates) {
        ArrayList<Dispatch> downs = new ArrayList<>();
        for (WireMessage.Certificate c : certificates) {
            Object v = monitors.remove(c.target());
            if (v == null) {
                continue; // no monitors: ignored, as in ZenMonitor
            }
            if (v instanceof Monitor m) {
                monitorCount--;
                downs.add(new Dispatch(m, c.reason()));
            } else {
                @SuppressWarnings("unchecked")
                ArrayList<Monitor> l = (ArrayList<Monitor>) v;
                l.sort(BY_ID);
                monitorCount -= l.size();
                for (Monitor m : l) {
                    downs.add(new Dispatch(m, c.reason()));
                }
            }
        }
        local.enqueueDowns(downs);
    }

    private static final Comparator<Monitor> BY_ID = Comparator.comparingLong(m -> m.id);

    /** ZenMonitor's fire-all: every monitor gets {@code reason} in creation order; the batch is discarded. */
    void fireAll(DownReason reason) {
        batch.clear();
        resetPending = false;
        if (monitors.isEmpty()) {
            return;
        }
        ArrayList<Monitor> all = new ArrayList<>(monitorCount);
        for (Object v : monitors.values()) {
            if (v instanceof Monitor m) {
                all.add(m);
            } else {
                @SuppressWarnings("unchecked")
                ArrayList<Monitor> l = (ArrayList<Monitor>) v;
                all.addAll(l);
            }
        }
        monitors.clear();
        monitorCount = 0;
        all.sort(BY_ID);
        ArrayList<Dispatch> downs = new ArrayList<>(all.size());
        for (Monitor m : all) {
            downs.add(new Dispatch(m, reason));
        }
        local.enqueueDowns(downs);
    }

    /**
     * Hands every monitor over (in creation order) and forgets them, without a down: the endpoint of this
     * unresolved Connector became known, and its monitors move to the owning node's Connector.
     */
    List<Monitor> takeAll() {
        ArrayList<Monitor> all = new ArrayList<>(monitorCount);
        for (Object v : monitors.values()) {
            if (v instanceof Monitor m) {
                all.add(m);
            } else {
                @SuppressWarnings("unchecked")
                ArrayList<Monitor> l = (ArrayList<Monitor>) v;
                all.addAll(l);
            }
        }
        all.sort(BY_ID);
        monitors.clear();
        batch.clear();
        monitorCount = 0;
        return all;
    }

    /** Drops every monitor without a down (the node is closing: its own monitors end as demonitored). */
    void clear() {
        for (Object v : monitors.values()) {
            if (v instanceof Monitor m) {
                local.cancelQuietly(m);
            } else {
                @SuppressWarnings("unchecked")
                ArrayList<Monitor> l = (ArrayList<Monitor>) v;
                l.forEach(local::cancelQuietly);
            }
        }
        monitors.clear();
        batch.clear();
        monitorCount = 0;
        completeWaiters(Compatibility.INCOMPATIBLE);
    }

    /** The send step: at most one PROCESS of at most {@code connector.chunk} instructions. */
    void send() {
        boolean reset = resetPending;
        int n = Math.min(local.settings.connectorChunk(), batch.size());
        local.metrics.connectorSweep.add(n);
        if (n == 0 && !reset) {
            return;
        }
        resetPending = false;
        ArrayList<Instruction> chunk = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            chunk.add(batch.poll());
        }
        local.transport.send(address, new WireMessage.Process(reset, chunk));
    }

    @Override
    public String toString() {
        return "Connector[" + node + ", " + monitorCount + " monitors, " + batch.size() + " pending]";
    }
}
