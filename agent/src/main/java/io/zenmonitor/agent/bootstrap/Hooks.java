package io.zenmonitor.agent.bootstrap;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The only agent class that instrumented code calls: advice inlined into JDK and application classes
 * hands its arguments here, and this class appends them to a lock-free queue that the agent's drainer
 * thread empties.
 *
 * <p>Loaded by the bootstrap class loader (appended at agent start), so every class can see it; it uses
 * JDK types only. Every entry point only enqueues: no blocking, no locks, no exceptions into the
 * application, no work on the agent's own threads (their names start with {@code zen-}). When the queue
 * holds {@value #MAX_PENDING} events the newest are dropped and counted ({@link #dropped()}), so a
 * stalled agent can never exhaust the application's memory.
 */
public final class Hooks {

    /** An RMI object was exported: {@code [EXPORTED, impl, stub, permanent]}. */
    public static final int EXPORTED = 1;
    /** An RMI object left the object table: {@code [REMOVED, sun.rmi.transport.Target, collected]}. */
    public static final int REMOVED = 2;
    /** An MBean was registered: {@code [MBEAN_REGISTERED, ObjectInstance]}. */
    public static final int MBEAN_REGISTERED = 3;
    /** An MBean is being unregistered: {@code [MBEAN_UNREGISTERED, ObjectName]}. */
    public static final int MBEAN_UNREGISTERED = 4;
    /** A registration-style method of an exported object returned: {@code [LISTENER_CALL, self, method, args]}. */
    public static final int LISTENER_CALL = 5;

    /**
     * {@code MBeanServer.addNotificationListener} / {@code removeNotificationListener} returned:
     * {@code [NOTIFICATION_LISTENER_CALL, interceptor, method, args]}.
     */
    public static final int NOTIFICATION_LISTENER_CALL = 6;

    /** Most events waiting for the drainer. */
    public static final int MAX_PENDING = 1 << 20;

    private static final ConcurrentLinkedQueue<Object[]> QUEUE = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger PENDING = new AtomicInteger();
    private static final AtomicLong DROPPED = new AtomicLong();
    private static final AtomicLong SUPPRESSED = new AtomicLong();

    /** Wakes the drainer; set by the agent once it runs (a JDK type, so this class needs nothing else). */
    public static volatile Runnable wakeup;

    private Hooks() {
    }

    public static void exported(Object impl, Object stub, boolean permanent) {
        offer(new Object[] {EXPORTED, impl, stub, permanent});
    }

    public static void removed(Object target) {
        // RMI's own reaping (after GC) runs on the "RMI Reaper" thread; everything else is an unexport
        boolean collected = Thread.currentThread().getName().startsWith("RMI Reaper");
        offer(new Object[] {REMOVED, target, collected});
    }

    public static void mbeanRegistered(Object objectInstance) {
        offer(new Object[] {MBEAN_REGISTERED, objectInstance});
    }

    public static void mbeanUnregistered(Object objectName) {
        offer(new Object[] {MBEAN_UNREGISTERED, objectName});
    }

    public static void listenerCall(Object self, String method, Object[] args) {
        offer(new Object[] {LISTENER_CALL, self, method, args});
    }

    public static void notificationListenerCall(Object server, String method, Object[] args) {
        offer(new Object[] {NOTIFICATION_LISTENER_CALL, server, method, args});
    }

    /** Advice that failed (its own bug): counted, never thrown into the application. */
    public static void suppressed(Throwable t) {
        SUPPRESSED.incrementAndGet();
    }

    private static void offer(Object[] event) {
        if (Thread.currentThread().getName().startsWith("zen-")) {
            return; // the agent's own work (e.g. a listener removal it makes) is not an application event
        }
        if (PENDING.incrementAndGet() > MAX_PENDING) {
            PENDING.decrementAndGet();
            DROPPED.incrementAndGet();
            return;
        }
        QUEUE.offer(event);
        Runnable w = wakeup;
        if (w != null) {
            w.run();
        }
    }

    /** The next event, or {@code null}; the drainer only. */
    public static Object[] poll() {
        Object[] e = QUEUE.poll();
        if (e != null) {
            PENDING.decrementAndGet();
        }
        return e;
    }

    public static int pending() {
        return PENDING.get();
    }

    public static long dropped() {
        return DROPPED.get();
    }

    public static long suppressedCount() {
        return SUPPRESSED.get();
    }
}
