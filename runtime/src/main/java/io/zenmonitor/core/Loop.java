package io.zenmonitor.core;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one scheduler of a node: a single thread that owns every table of Local, the Connectors, the
 * Dispatcher, the Proxy and the Batchers, and drives all sweeps and demand ticks.
 *
 * <h2>Concurrency</h2>
 * Any thread may {@link #execute} a task. Producers only append to a lock-free queue and, when the loop
 * is idle, ask the executor for a single drain (a Caffeine-style drain-status state machine keeps at
 * most one drain pending). The queue is unbounded: a task is never dropped or refused while the loop
 * runs, so an application thread never blocks and never loses a monitor; the bound on memory is the
 * application's own call rate. A drain runs at most {@value #DRAIN_BATCH} tasks before it yields to
 * ticks, so a flood of monitors cannot starve a sweep.
 *
 * <h2>Ticks</h2>
 * {@link #every} runs a task periodically with an interval read again after each run, so settings
 * changed at run time take effect at the next tick. Ticks and tasks run on the same thread and never
 * overlap.
 *
 * <h2>Failure</h2>
 * A task that throws is logged and counted; the loop goes on.
 *
 * <h2>Shutdown</h2>
 * {@link #close()} stops accepting ticks and drains; tasks submitted afterwards are dropped silently
 * (the node is gone).
 */
public final class Loop implements Executor, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Loop.class);

    /** Most tasks one drain runs before it lets a tick in. */
    static final int DRAIN_BATCH = 4096;

    private static final int IDLE = 0;
    private static final int REQUIRED = 1;
    private static final int PROCESSING_TO_IDLE = 2;
    private static final int PROCESSING_TO_REQUIRED = 3;

    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger drainStatus = new AtomicInteger(IDLE);
    private final ScheduledThreadPoolExecutor executor;
    private final Runnable drainTask = this::drain;
    private final String name;
    private volatile Thread thread;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.LongAdder failures = new java.util.concurrent.atomic.LongAdder();
    private final AtomicInteger pending = new AtomicInteger();

    public Loop(String name) {
        this.name = name;
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            thread = t;
            return t;
        };
        executor = new ScheduledThreadPoolExecutor(1, factory);
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Appends a task; never blocks. */
    @Override
    public void execute(Runnable task) {
        if (closed) {
            return;
        }
        pending.incrementAndGet();
        queue.offer(task);
        scheduleDrain();
    }

    /** Whether the calling thread is this loop's thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Tasks submitted and not yet run. */
    public int pending() {
        return pending.get();
    }

    /** Tasks that threw. */
    public long failures() {
        return failures.sum();
    }

    /**
     * Runs {@code tick} every {@code intervalNanos}, on the loop thread. The interval is read again at
     * every wake-up, and the loop wakes at least every {@value #MAX_TICK_WAIT_MILLIS} ms to do so, so a
     * shortened interval (a setting changed at run time from 1 h to 10 ms) applies within that time.
     */
    public void every(LongSupplier intervalNanos, Runnable tick) {
        new Tick(intervalNanos, tick).arm(intervalNanos.getAsLong());
    }

    /** Longest sleep between two reads of a tick's interval. */
    static final long MAX_TICK_WAIT_MILLIS = 250;

    private final class Tick implements Runnable {
        private final LongSupplier interval;
        private final Runnable task;
        private long last = System.nanoTime();

        Tick(LongSupplier interval, Runnable task) {
            this.interval = interval;
            this.task = task;
        }

        void arm(long delayNanos) {
            if (closed) {
                return;
            }
            long wait = Math.max(1_000L, Math.min(delayNanos, TimeUnit.MILLISECONDS.toNanos(MAX_TICK_WAIT_MILLIS)));
            try {
                executor.schedule(this, wait, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // closed concurrently: the node is gone
            }
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            long every = interval.getAsLong();
            long due = last + every - now;
            if (due <= 0) {
                last = now;
                Loop.this.run(task);
                due = every;
            }
            arm(due);
        }
    }

    /** Runs {@code task} once after {@code delayNanos}, on the loop thread. */
    public void after(long delayNanos, Runnable task) {
        if (closed) {
            return;
        }
        try {
            executor.schedule(() -> run(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed concurrently
        }
    }

    private void scheduleDrain() {
        for (;;) {
            int status = drainStatus.get();
            switch (status) {
                case IDLE:
                    if (drainStatus.compareAndSet(IDLE, REQUIRED)) {
                        submitDrain();
                        return;
                    }
                    break;
                case PROCESSING_TO_IDLE:
                    if (drainStatus.compareAndSet(PROCESSING_TO_IDLE, PROCESSING_TO_REQUIRED)) {
                        return;
                    }
                    break;
                default: // REQUIRED or PROCESSING_TO_REQUIRED: a drain will see the task
                    return;
            }
        }
    }

    private void submitDrain() {
        try {
            executor.execute(drainTask);
        } catch (RejectedExecutionException e) {
            drainStatus.set(IDLE); // closed
        }
    }

    private void drain() {
        drainStatus.set(PROCESSING_TO_IDLE);
        Runnable task;
        int n = 0;
        while (n < DRAIN_BATCH && (task = queue.poll()) != null) {
            pending.decrementAndGet();
            run(task);
            n++;
        }
        if (!drainStatus.compareAndSet(PROCESSING_TO_IDLE, IDLE)) {
            // a producer asked for another drain while we ran
            drainStatus.set(REQUIRED);
            submitDrain();
        } else if (!queue.isEmpty()) {
            scheduleDrain(); // batch limit reached: let ticks in, then go on
        }
    }

    private void run(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            failures.increment();
            LOG.error("{}: task failed (the loop goes on)", name, t);
        }
    }

    /**
     * Runs {@code task} on the loop and waits for it (for shutdown and tests; never from the loop itself).
     */
    public void runAndWait(Runnable task, long timeoutMillis) {
        if (closed) {
            return;
        }
        if (inLoop()) {
            task.run();
            return;
        }
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        execute(() -> {
            try {
                task.run();
            } finally {
                done.countDown();
            }
        });
        try {
            done.await(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        try {
            if (!inLoop()) {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.clear();
    }
}
