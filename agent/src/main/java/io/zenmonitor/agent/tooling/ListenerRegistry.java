package io.zenmonitor.agent.tooling;

import io.zenmonitor.Down;
import io.zenmonitor.DownReason;
import io.zenmonitor.MonitorOwner;
import io.zenmonitor.MonitorRef;
import io.zenmonitor.RmiTarget;
import io.zenmonitor.Target;
import io.zenmonitor.ZenNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.rmi.NoSuchObjectException;
import java.rmi.Remote;
import java.rmi.server.RemoteObject;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.NotificationFilter;
import javax.management.NotificationListener;
import javax.management.ObjectName;

/**
 * Zero-code listener cleanup: a remote stub passed to a registration method of an exported object is
 * monitored; when the stub's object or its node dies, the paired removal method is called on the same
 * object with the same arguments, paced by the node's Dispatcher.
 *
 * <h2>Ownership</h2>
 * The monitors of an exported object belong to one {@link MonitorOwner}: unexport the object and they go.
 * The application's own removal demonitors the registration. MBean notification listeners that carry a
 * remote stub (see {@link RemoteStubs}) are handled the same way: their owner is the MBean, and the
 * removal is {@code MBeanServer.removeNotificationListener(name, listener, filter, handback)}.
 *
 * <h2>Incompatible stubs</h2>
 * A stub whose endpoint no zen node advertises (a JVM without the agent) or whose node is incompatible
 * is never removed: its monitor fires NODEDOWN without {@link DownReason#isNodeGone()}, and the
 * registration is watched again later ({@value #FIRST_RETRY_MILLIS} ms, doubling to
 * {@value #MAX_RETRY_MILLIS} ms), so a client whose endpoint was advertised a moment after it
 * registered is covered too. In server-only mode a stub whose endpoint no zen node advertises is also
 * handed to the {@link ServerOnly} prober, which removes it once its endpoint is confirmed dead.
 *
 * <h2>Partitions</h2>
 * A stub whose node crashed ({@code NODEDOWN :crashed}, or {@code :left} where no probe was possible) is
 * removed at once. One whose node is only unreachable ({@code :unreachable}: hung, cut off, or this node
 * is below {@code partition.quorum}) is parked for {@code partition.grace}: nothing is removed, so after a
 * merge the application is exactly as before the blip. The drainer watches the stub again as soon as its
 * endpoint is advertised again (the node is back: "restored"), and removes it, paced, once the grace
 * period is over and it is still gone ("expired after grace").
 *
 * <h2>Threading</h2>
 * Calls arrive on the hook drainer thread; downs on the node's callback threads (where the removal runs,
 * one per dispatch, so removals are paced at {@code demand.amount} per {@code demand.interval}).
 * Retries are run by the drainer.
 */
final class ListenerRegistry {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("zen.agent");

    static final long FIRST_RETRY_MILLIS = 1_000;
    static final long MAX_RETRY_MILLIS = 30_000;
    /** NOPROC answers ignored (and retried) before a registration counts as dead. */
    static final int NOPROC_CONFIRMATIONS = 1;

    /**
     * One registration: the exported object or MBean that holds it, the removal's name, the stub, and
     * for notification listeners the listener object registered (compared by identity, as JMX does).
     */
    record Key(Target owner, String removeName, RmiTarget stub, Identity listener) {
    }

    /** JMX matches listener, filter and handback by identity. */
    record Identity(Object listener, Object filter, Object handback) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Identity i && i.listener == listener && i.filter == filter && i.handback == handback;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(listener) * 31 + System.identityHashCode(filter) * 17 + System.identityHashCode(handback);
        }
    }

    /** Undoes a registration the way the application would. */
    @FunctionalInterface
    interface Removal {
        void run() throws Exception;
    }

    final class Registration {
        final Key key;
        /** For the summary: {@code Class.method}. */
        final String what;
        final Removal removal;
        volatile MonitorRef ref;
        long retryMillis = FIRST_RETRY_MILLIS;
        long dueNanos;
        int noprocs;
        /** While parked (its node unreachable): when the grace period ends; 0 when not parked. */
        volatile long parkedUntil;

        Registration(Key key, String what, Removal removal) {
            this.key = key;
            this.what = what;
            this.removal = removal;
        }
    }

    private final ZenNode node;
    private final ListenerPairs pairs;
    private final Summary summary;
    private final ConcurrentHashMap<Target, MonitorOwner> owners = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Registration> registrations = new ConcurrentHashMap<>();
    /** Registrations to watch again; drainer only (callbacks hand them over through {@link #retryQueue}). */
    private final PriorityQueue<Registration> due = new PriorityQueue<>((a, b) -> Long.compare(a.dueNanos, b.dueNanos));
    private final java.util.concurrent.ConcurrentLinkedQueue<Registration> retryQueue = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Server-only mode (null when off): unknown-endpoint registrations go to its prober. */
    private volatile ServerOnly serverOnly;

    /** Parked registrations (their node unreachable); drainer only, fed by {@link #parkQueue}. */
    private final java.util.ArrayList<Registration> parked = new java.util.ArrayList<>();
    private final java.util.concurrent.ConcurrentLinkedQueue<Registration> parkQueue = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final long graceNanos;
    private long lastParkCheck;
    /** How often parked registrations are checked for a returned node or an ended grace period. */
    static final long PARK_CHECK_NANOS = 250_000_000L;
    final java.util.concurrent.atomic.LongAdder restoredCount = new java.util.concurrent.atomic.LongAdder();
    final java.util.concurrent.atomic.LongAdder expiredCount = new java.util.concurrent.atomic.LongAdder();

    ListenerRegistry(ZenNode node, ListenerPairs pairs, Summary summary, java.time.Duration grace) {
        this.node = node;
        this.pairs = pairs;
        this.summary = summary;
        this.graceNanos = grace.toNanos();
    }

    int size() {
        return registrations.size();
    }

    ListenerPairs pairs() {
        return pairs;
    }

    /** A registration-style method of {@code self} returned. Drainer thread. */
    void onCall(Object self, String method, Object[] args) {
        ListenerPairs.Role role = pairs.role(self.getClass(), method);
        if (role == null) {
            return;
        }
        RmiTarget owner = exportedTarget(self);
        if (owner == null) {
            return; // not exported: a local call on a local object, not a remote registration
        }
        for (Object a : args) {
            if (!RmiTarget.isStub(a)) {
                continue;
            }
            RmiTarget stub;
            try {
                stub = RmiTarget.of((Remote) a);
            } catch (IllegalArgumentException e) {
                continue;
            }
            Key key = new Key(owner, role.removeName(), stub, null);
            if (role.add()) {
                Registration r = methodRegistration(key, self, args.clone(), a);
                if (registrations.putIfAbsent(key, r) == null) {
                    watch(r, self.getClass().getName());
                }
            } else {
                Registration r = registrations.remove(key);
                if (r != null && r.ref != null) {
                    node.demonitor(r.ref);
                }
            }
        }
    }

    private Registration methodRegistration(Key key, Object self, Object[] args, Object stub) {
        String what = self.getClass().getName() + '.' + key.removeName();
        return new Registration(key, what, () -> {
            Method m = ListenerPairs.removal(self.getClass(), key.removeName(), args);
            if (m == null) {
                throw new NoSuchMethodException("no public method " + key.removeName() + " accepting the registered arguments");
            }
            m.setAccessible(true);
            m.invoke(self, m.getParameterCount() == args.length ? args : new Object[] {stub});
        });
    }

    /**
     * {@code MBeanServer.addNotificationListener(name, listener, filter, handback)} or one of the two
     * {@code removeNotificationListener}s returned on {@code server} (the MBean server's interceptor).
     * Drainer thread.
     */
    void onNotificationListener(Object server, String method, Object[] args) {
        if (!(server instanceof MBeanServer mbs) || args.length < 2 || !(args[0] instanceof ObjectName name)
                || !(args[1] instanceof NotificationListener listener)) {
            return;
        }
        Target owner = Target.mbean(name);
        if (method.startsWith("add")) {
            Object stubObject = RemoteStubs.find(listener);
            if (stubObject == null || args.length < 4) {
                return;
            }
            RmiTarget stub;
            try {
                stub = RmiTarget.of((Remote) stubObject);
            } catch (IllegalArgumentException e) {
                return;
            }
            NotificationFilter filter = (NotificationFilter) args[2];
            Object handback = args[3];
            Key key = new Key(owner, "removeNotificationListener", stub, new Identity(listener, filter, handback));
            Registration r = new Registration(key, "MBeanServer.removeNotificationListener(" + name + ")",
                    () -> mbs.removeNotificationListener(name, listener, filter, handback));
            if (registrations.putIfAbsent(key, r) == null) {
                watch(r, name.toString());
            }
        } else if (args.length >= 4) {
            drop(new Key(owner, "removeNotificationListener", null, new Identity(listener, args[2], args[3])), true);
        } else {
            drop(new Key(owner, "removeNotificationListener", null, new Identity(listener, null, null)), false);
        }
    }

    /** The application removed a notification listener: every match ({@code exact}: same filter and handback too). */
    private void drop(Key like, boolean exact) {
        registrations.values().removeIf(r -> {
            Key k = r.key;
            boolean match = k.listener() != null && k.owner().equals(like.owner())
                    && k.listener().listener() == like.listener().listener()
                    && (!exact || k.listener().equals(like.listener()));
            if (match && r.ref != null) {
                node.demonitor(r.ref);
            }
            return match;
        });
    }

    private static RmiTarget exportedTarget(Object self) {
        try {
            return RmiTarget.of(RemoteObject.toStub((Remote) self));
        } catch (NoSuchObjectException | IllegalArgumentException | ClassCastException e) {
            return null;
        }
    }

    private void watch(Registration r, String ownerName) {
        MonitorOwner owner = owners.computeIfAbsent(r.key.owner(), t -> node.owner(ownerName));
        try {
            r.ref = owner.monitor(r.key.stub(), down -> onDown(r, down));
        } catch (IllegalStateException closed) {
            registrations.remove(r.key, r); // the exported object went away meanwhile
        }
    }

    /** On a callback thread: remove the registration the way the application would. */
    private void onDown(Registration r, Down down) {
        if (registrations.get(r.key) != r) {
            return;
        }
        DownReason reason = down.reason();
        long parkedUntil = r.parkedUntil;
        if (reason.isUnreachable() && parkedUntil == 0) {
            r.parkedUntil = System.nanoTime() + graceNanos;
            summary.parked(r.what);
            parkQueue.add(r); // not removed: the node may come back within partition.grace
            return;
        }
        if (parkedUntil != 0 && reason.kind() == DownReason.Kind.NODEDOWN) {
            // watched again by the park check: either the grace period ended, or the node came and went again
            if (System.nanoTime() - parkedUntil < 0 && (reason.isUnreachable() || !reason.isNodeGone())) {
                parkQueue.add(r);
                return;
            }
            reason = DownReason.NODEDOWN_UNREACHABLE; // expired after grace: remove, reported as such
            expiredCount.increment();
        } else if (reason.kind() == DownReason.Kind.NODEDOWN && !reason.isNodeGone()) {
            ServerOnly so = serverOnly;
            if (so != null && DownReason.NODEDOWN_UNKNOWN_ENDPOINT.equals(reason)) {
                so.unknownEndpoint(r); // a client without the agent: its endpoint is probed (server-only mode)
            }
            retryQueue.add(r); // incompatible or unknown endpoint: never removed by us; look again later
            return;
        }
        if (reason.kind() == DownReason.Kind.NOPROC && r.noprocs++ < NOPROC_CONFIRMATIONS) {
            // The client's agent learns of its own exports through an asynchronous hook: a subscription
            // can overtake the export of a listener that was registered right after it was exported.
            // Only a NOPROC that repeats after a pause means the object is really gone.
            retryQueue.add(r);
            return;
        }
        removeConfirmed(r, parkedUntil != 0 ? "expired after partition.grace (" + reason + ")" : reason.toString());
    }

    /** An exported object or MBean is gone: its registrations' monitors go with its owner. Drainer thread. */
    void ownerGone(Target t) {
        MonitorOwner o = owners.remove(t);
        if (o != null) {
            o.close();
            registrations.keySet().removeIf(k -> k.owner().equals(t));
        }
    }

    /** The directory snapshot {@link #runRetries} last looked at (compared by identity). */
    private java.util.Map<io.zenmonitor.Endpoint, String> lastDirectory;

    /** Watches again the registrations whose time came. Drainer thread. */
    void runRetries(long now) {
        Registration r;
        while ((r = retryQueue.poll()) != null) {
            r.dueNanos = now + TimeUnit.MILLISECONDS.toNanos(r.retryMillis);
            r.retryMillis = Math.min(MAX_RETRY_MILLIS, r.retryMillis * 2);
            due.add(r);
        }
        java.util.Map<io.zenmonitor.Endpoint, String> directory = node.endpoints();
        if (directory != lastDirectory) {
            lastDirectory = directory;
            if (!due.isEmpty()) {
                watchLearned(directory);
            }
        }
        while ((r = due.peek()) != null && r.dueNanos - now <= 0) {
            due.poll();
            if (registrations.get(r.key) == r) {
                watch(r, r.what);
            }
        }
    }

    /**
     * The directory changed: registrations waiting for a retry whose endpoint a node now advertises (a
     * client whose node joined after it registered, or a server that restarted and heard from its clients
     * only now) are watched at once, so they become zen subscriptions instead of waiting for their backoff
     * or being probed. One log line per node that took some over.
     */
    private void watchLearned(java.util.Map<io.zenmonitor.Endpoint, String> directory) {
        java.util.Map<String, Integer> byNode = null;
        java.util.ArrayList<Registration> now = null;
        for (Registration r : due) {
            String owner = directory.get(r.key.stub().endpoint());
            if (owner != null && registrations.get(r.key) == r) {
                if (now == null) {
                    now = new java.util.ArrayList<>();
                    byNode = new java.util.TreeMap<>();
                }
                now.add(r);
                byNode.merge(owner, 1, Integer::sum);
            }
        }
        if (now == null) {
            return;
        }
        due.removeAll(now);
        for (Registration r : now) {
            r.retryMillis = FIRST_RETRY_MILLIS;
            watch(r, r.what);
        }
        byNode.forEach((n, count) -> LOG.info("node {} now advertises the endpoint of {} registration{}: monitored through zen again",
                n, count, count == 1 ? "" : "s"));
    }

    /**
     * Parked registrations: watched again when their endpoint is advertised again (their node is back) or
     * when the grace period ended (the monitor then fires at once, paced, and {@link #onDown} removes).
     * Drainer thread.
     */
    void runParked(long now) {
        Registration r;
        while ((r = parkQueue.poll()) != null) {
            parked.add(r);
        }
        if (parked.isEmpty() || now - lastParkCheck < PARK_CHECK_NANOS) {
            return;
        }
        lastParkCheck = now;
        java.util.List<String> members = node.members();
        java.util.Iterator<Registration> it = parked.iterator();
        while (it.hasNext()) {
            Registration p = it.next();
            if (registrations.get(p.key) != p) {
                it.remove(); // the application removed it meanwhile
                continue;
            }
            boolean back = node.nodeOf(p.key.stub()).map(members::contains).orElse(false);
            if (back) {
                p.parkedUntil = 0;
                restoredCount.increment();
                summary.restored(p.what);
                it.remove();
                watch(p, p.what);
            } else if (now - p.parkedUntil >= 0) {
                it.remove();
                watch(p, p.what); // fires at once (the node is gone): onDown removes it
            }
        }
    }

    /** Registrations parked while their node is unreachable, for the MBean and status. */
    int parkedCount() {
        return parked.size() + parkQueue.size();
    }

    // ------------------------------------------------------------------ server-only mode (issue 9)

    /** Turns server-only mode on (before the drainer starts). */
    void serverOnly(ServerOnly so) {
        serverOnly = so;
    }

    /** Whether {@code r} is still a live registration (the prober drops the others). Any thread. */
    boolean isLive(Registration r) {
        return registrations.get(r.key) == r;
    }

    /**
     * Removes registrations whose endpoint was confirmed dead, paced by the node's Dispatcher: each gets
     * a monitor, owned by its registration's owner, on {@code trigger}, a name on this node that is never
     * alive; the node answers each with one down through the Dispatcher, and that callback runs the
     * removal. Drainer thread.
     */
    void removePaced(java.util.List<Registration> dead, Target trigger, DownReason reason) {
        for (Registration r : dead) {
            MonitorOwner owner = owners.get(r.key.owner());
            if (owner == null || !isLive(r)) {
                continue;
            }
            try {
                r.ref = owner.monitor(trigger, down -> removeConfirmed(r, reason.toString()));
            } catch (IllegalStateException closed) {
                registrations.remove(r.key, r); // the exported object went away meanwhile
            }
        }
    }

    /**
     * On a callback thread: the stub's object, node or endpoint is dead; remove the registration as the
     * application would, once, and count it under {@code why}.
     */
    private void removeConfirmed(Registration r, String why) {
        if (!registrations.remove(r.key, r)) {
            return; // the application removed it, or another down did
        }
        try {
            r.removal.run();
            summary.removed(r.what, why);
        } catch (InvocationTargetException e) {
            summary.failed(r.what, e.getCause() == null ? e.toString() : e.getCause().toString());
        } catch (Exception e) {
            summary.failed(r.what, e.toString());
        }
    }

    /** Pending retries, for tests and status. */
    int retrying() {
        return due.size() + retryQueue.size();
    }
}
