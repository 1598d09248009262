package io.zenmonitor.demo.chat;

import java.rmi.RemoteException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The guild as legacy code writes it: one lock (the object's monitor) guards a plain list of member
 * callbacks, a map of open sessions and the messages waiting for the next broadcast.
 *
 * <p>A broadcaster thread delivers the latest messages to every registered member once per broadcast
 * interval, over a few fan-out threads. A member whose call fails is kept: a failed RMI call may be
 * transient (a GC pause, a busy network), and legacy code has no better way to tell a dead client from a
 * slow one. So a dead member stays registered, and every broadcast pays for it, until someone calls
 * {@link #removeMemberListener}.
 *
 * <p>Sessions end when RMI's distributed GC says nobody references them any more
 * ({@link GuildSessionImpl#unreferenced()}), which plain RMI does 5 to 15 minutes after the client died.
 */
public final class GuildImpl implements Guild {

    /** Most messages sent in one broadcast call (the latest ones). */
    static final int DIGEST = 8;

    private final List<SessionListener> members = new ArrayList<>();
    private final Map<String, GuildSessionImpl> sessions = new HashMap<>();
    private final List<String> pending = new ArrayList<>();
    private long sequence;

    final AtomicLong registrations = new AtomicLong();
    final AtomicLong cleanups = new AtomicLong();
    final AtomicLong joined = new AtomicLong();
    final AtomicLong unreferenced = new AtomicLong();
    final AtomicLong posts = new AtomicLong();
    final AtomicLong broadcasts = new AtomicLong();
    final AtomicLong deliveries = new AtomicLong();
    final AtomicLong failedDeliveries = new AtomicLong();
    volatile long lastBroadcastMillis;
    /** Sizes published for monitoring, so that reading them never waits for the guild's lock. */
    private volatile int memberCount;
    private volatile int sessionCount;

    private final ExecutorService fanOut;
    private final int fanOutThreads;

    GuildImpl(int fanOutThreads) {
        this.fanOutThreads = fanOutThreads;
        AtomicInteger n = new AtomicInteger();
        this.fanOut = Executors.newFixedThreadPool(fanOutThreads, r -> {
            Thread t = new Thread(r, "fan-out-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public synchronized void addMemberListener(SessionListener listener) {
        members.add(listener);
        memberCount = members.size();
        registrations.incrementAndGet();
    }

    @Override
    public synchronized void removeMemberListener(SessionListener listener) {
        if (members.remove(listener)) {
            memberCount = members.size();
            cleanups.incrementAndGet();
        }
    }

    @Override
    public GuildSession join(String user) throws RemoteException {
        GuildSessionImpl s = new GuildSessionImpl(user, this);
        synchronized (this) {
            sessions.put(user, s);
            sessionCount = sessions.size();
        }
        joined.incrementAndGet();
        return s;
    }

    @Override
    public synchronized long post(String author, String text) {
        pending.add(author + ": " + text);
        if (pending.size() > DIGEST) {
            pending.remove(0);
        }
        posts.incrementAndGet();
        return ++sequence;
    }

    /** Called by a session that RMI found unreferenced. */
    synchronized void ended(GuildSessionImpl session) {
        if (sessions.remove(session.userName(), session)) {
            sessionCount = sessions.size();
            unreferenced.incrementAndGet();
        }
    }

    int memberCount() {
        return memberCount;
    }

    int sessionCount() {
        return sessionCount;
    }

    /** Delivers the pending messages to every registered member; returns how long it took. */
    long broadcastOnce() throws InterruptedException {
        List<String> digest;
        List<SessionListener> targets;
        synchronized (this) {
            digest = List.copyOf(pending);
            pending.clear();
            targets = new ArrayList<>(members);
        }
        long t0 = System.nanoTime();
        int per = (targets.size() + fanOutThreads - 1) / Math.max(1, fanOutThreads);
        List<Future<?>> parts = new ArrayList<>();
        for (int from = 0; from < targets.size(); from += per) {
            List<SessionListener> part = targets.subList(from, Math.min(targets.size(), from + per));
            parts.add(fanOut.submit(() -> deliver(part, digest)));
        }
        for (Future<?> f : parts) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                failedDeliveries.incrementAndGet();
            }
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        lastBroadcastMillis = ms;
        broadcasts.incrementAndGet();
        return ms;
    }

    private void deliver(List<SessionListener> part, List<String> digest) {
        for (SessionListener l : part) {
            try {
                l.onMessages(digest);
                deliveries.incrementAndGet();
            } catch (RemoteException | RuntimeException e) {
                failedDeliveries.incrementAndGet(); // kept: see the class comment
            }
        }
    }
}
