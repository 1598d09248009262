package io.zenmonitor.local;

import io.zenmonitor.DownListener;
import io.zenmonitor.MonitorRef;
import io.zenmonitor.Target;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * One monitor: ZenMonitor's References row and the ref handed to the caller, in one object.
 *
 * <p>The {@link #state} word is the authoritative "this monitor is still live" flag that ZenMonitor keeps
 * in its References table. Every way a monitor ends is a single compare-and-set from {@code LIVE}: the
 * callback thread claims it ({@code LIVE → RUNNING → DONE}) or a demonitor cancels it
 * ({@code LIVE → CANCELLED}). Whoever wins decides, so a monitor ends exactly once, and a callback never
 * starts after a demonitor returned.
 *
 * <p>Memory: about 48 bytes (header, id, four references, state, node, runner) on a 64-bit JVM with
 * compressed oops; the target is shared with the caller.
 */
final class Monitor implements MonitorRef {

    static final int LIVE = 0;
    static final int RUNNING = 1;
    static final int DONE = 2;
    static final int CANCELLED = 3;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Monitor.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final long id;
    final Target target;
    final DownListener listener;
    final Owner owner;
    final Local local;
    /** The Connector key; written and read on the loop only. */
    String node;
    private volatile int state;
    /** The thread running this monitor's callback while RUNNING, so a flush from inside it does not wait for itself. */
    volatile Thread runner;

    Monitor(long id, Target target, DownListener listener, Owner owner, Local local) {
        this.id = id;
        this.target = target;
        this.listener = listener;
        this.owner = owner;
        this.local = local;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public Target target() {
        return target;
    }

    @Override
    public boolean isActive() {
        return state == LIVE;
    }

    int state() {
        return state;
    }

    /** LIVE → CANCELLED; true if this call ended the monitor. */
    boolean cancel() {
        return STATE.compareAndSet(this, LIVE, CANCELLED);
    }

    /** LIVE → RUNNING; true if the caller must now run the callback. */
    boolean claim() {
        if (STATE.compareAndSet(this, LIVE, RUNNING)) {
            runner = Thread.currentThread();
            return true;
        }
        return false;
    }

    /** RUNNING → DONE. */
    void finish() {
        runner = null;
        state = DONE;
    }

    /** Waits while the callback runs, unless the caller is that callback. */
    void awaitCallback() {
        long park = 10_000L;
        while (state == RUNNING && runner != Thread.currentThread()) {
            LockSupport.parkNanos(park);
            park = Math.min(park * 2, 1_000_000L);
        }
    }

    @Override
    public String toString() {
        return "#Ref<" + id + " " + target + ">";
    }
}
