package io.zenmonitor.bench;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * The "unrelated work" of a watching JVM: one platform thread that starts a small fixed CPU task (about
 * 10 to 30 µs) every millisecond on a fixed schedule and records, for each task, the time from its
 * <em>scheduled</em> start to its end. Measuring from the schedule (not from the actual start) keeps a stall
 * visible in every task it delays (no coordinated omission). The percentiles of the quiet period before a
 * kill and of the storm after it come from the same thread in the same JVM.
 */
public final class WorkProbe {

    private static final long PERIOD_NANOS = 1_000_000;

    private final long[] scheduled;
    private final long[] latency;
    private volatile int count;
    private volatile boolean running = true;
    private final Thread thread;
    private long sink;

    public WorkProbe(int capacity) {
        scheduled = new long[capacity];
        latency = new long[capacity];
        thread = new Thread(this::run, "bench-work-probe");
        thread.setDaemon(true);
    }

    public WorkProbe start() {
        thread.start();
        return this;
    }

    public void stop() throws InterruptedException {
        running = false;
        thread.join();
    }

    private void run() {
        long next = System.nanoTime() + PERIOD_NANOS;
        int n = 0;
        while (running && n < scheduled.length) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            sink += work();
            long end = System.nanoTime();
            scheduled[n] = next;
            latency[n] = end - next;
            n++;
            count = n;
            next += PERIOD_NANOS;
        }
    }

    /** A small fixed amount of CPU work that the JIT cannot remove. */
    private long work() {
        long h = sink;
        for (int i = 0; i < 20_000; i++) {
            h = h * 31 + (i ^ (h >>> 7));
        }
        return h & 1;
    }

    /** p50, p99 and max latency in microseconds of the tasks scheduled in [from, to), and how many. */
    public long[] percentiles(long fromNanos, long toNanos) {
        int n = count;
        long[] sel = new long[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (scheduled[i] >= fromNanos && scheduled[i] < toNanos) {
                sel[k++] = latency[i];
            }
        }
        if (k == 0) {
            return new long[] {-1, -1, -1, 0};
        }
        long[] s = Arrays.copyOf(sel, k);
        Arrays.sort(s);
        return new long[] {s[(int) (k * 0.50)] / 1000, s[Math.min(k - 1, (int) (k * 0.99))] / 1000, s[k - 1] / 1000, k};
    }
}
