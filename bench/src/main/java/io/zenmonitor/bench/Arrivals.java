package io.zenmonitor.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Arrival times of downs ({@link System#nanoTime()}), recorded by callback threads without locks or
 * allocation, and the shape of the burst they make: first, last, and the delivered count per 100 ms window
 * against the configured pace.
 */
public final class Arrivals {

    public static final long WINDOW_NANOS = 100_000_000;

    private final long[] times;
    private final AtomicInteger n = new AtomicInteger();

    public Arrivals(int capacity) {
        times = new long[capacity];
    }

    public void record() {
        int i = n.getAndIncrement();
        if (i < times.length) {
            times[i] = System.nanoTime();
        }
    }

    public int count() {
        return Math.min(n.get(), times.length);
    }

    /** The sorted arrival times so far. */
    public long[] sorted() {
        long[] s = Arrays.copyOf(times, count());
        Arrays.sort(s);
        return s;
    }

    /** Counts per 100 ms window, windows aligned on the first arrival. */
    public static int[] windows(long[] sorted) {
        if (sorted.length == 0) {
            return new int[0];
        }
        long first = sorted[0];
        int[] w = new int[(int) ((sorted[sorted.length - 1] - first) / WINDOW_NANOS) + 1];
        for (long t : sorted) {
            w[(int) ((t - first) / WINDOW_NANOS)]++;
        }
        return w;
    }

    /**
     * The largest deviation from {@code perSecond} of the count in any full one-second span that starts at a
     * 100 ms window boundary and lies inside the burst, as a fraction (0.03 = 3 %); -1 when the burst is
     * shorter than 1.1 s (no full second to judge; the per-window figures say it).
     */
    public static double worstSecondDeviation(int[] windows, double perSecond) {
        double worst = -1;
        for (int s = 0; s + 10 < windows.length; s++) { // spans strictly inside: the last window is partial
            int c = 0;
            for (int i = s; i < s + 10; i++) {
                c += windows[i];
            }
            worst = Math.max(worst, Math.abs(c - perSecond) / perSecond);
        }
        return worst;
    }

    /** A short form of the windows: max, median of the full windows, and the first few. */
    public static String describe(int[] w) {
        if (w.length == 0) {
            return "-";
        }
        int[] full = w.length > 2 ? Arrays.copyOfRange(w, 0, w.length - 1) : w;
        int[] s = full.clone();
        Arrays.sort(s);
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "max %d, median %d /100ms over %d windows: [", s[s.length - 1], s[s.length / 2], w.length));
        for (int i = 0; i < Math.min(8, w.length); i++) {
            b.append(i == 0 ? "" : " ").append(w[i]);
        }
        return b.append(w.length > 8 ? " ...]" : "]").toString();
    }
}
