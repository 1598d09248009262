package io.zenmonitor.bench;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** The one result line every watching side prints after a kill, so that zen and its peers are measured alike. */
final class StormReport {

    /** How long the work probe keeps running after the last down: the "after" control period. */
    static final long AFTER_NANOS = TimeUnit.SECONDS.toNanos(2);

    private StormReport() {
    }

    /**
     * {@code RESULT downs= expected= detectMs= firstMs= lastMs= maxPerWindow= windows= worstSecondDev= quiet*=
     * storm*= after*=} (times after the kill; work latencies in µs; quiet = the 2 s before the kill, storm = from
     * the first to the last down plus one window, after = 2 s starting 200 ms after the last down: a control
     * period that shows what the machine's own noise does to the probe), and a {@code SHAPE} line with the
     * 100 ms windows. The caller keeps the probe running for {@link #AFTER_NANOS} + 300 ms after the last down.
     *
     * @param perSecond the configured pace, or a negative number when there is none
     */
    static StringBuilder report(long killAt, long detectedAt, int expected, Arrivals downs, WorkProbe probe, double perSecond) {
        long[] all = downs.sorted();
        int from = 0;
        while (from < all.length && all[from] < killAt) {
            from++; // downs before the kill are not part of the storm (the caller reports them)
        }
        long[] t = java.util.Arrays.copyOfRange(all, from, all.length);
        StringBuilder r = new StringBuilder("RESULT");
        r.append(" downs=").append(t.length).append(" expected=").append(expected).append(" beforeKill=").append(from);
        r.append(" detectMs=").append(detectedAt == 0 ? -1 : ms(detectedAt - killAt));
        long[] quiet = probe.percentiles(killAt - TimeUnit.SECONDS.toNanos(2), killAt);
        r.append(" quietP50us=").append(quiet[0]).append(" quietP99us=").append(quiet[1]).append(" quietMaxUs=").append(quiet[2]);
        if (t.length > 0) {
            r.append(" firstMs=").append(ms(t[0] - killAt)).append(" lastMs=").append(ms(t[t.length - 1] - killAt));
            int[] w = Arrivals.windows(t);
            int max = 0;
            for (int c : w) {
                max = Math.max(max, c);
            }
            r.append(" maxPerWindow=").append(max).append(" windows=").append(w.length);
            r.append(" worstSecondDev=").append(perSecond <= 0 ? "-1" : String.format(Locale.ROOT, "%.4f", Arrivals.worstSecondDeviation(w, perSecond)));
            long[] storm = probe.percentiles(t[0], t[t.length - 1] + Arrivals.WINDOW_NANOS);
            r.append(" stormP50us=").append(storm[0]).append(" stormP99us=").append(storm[1]).append(" stormMaxUs=").append(storm[2])
                    .append(" stormSamples=").append(storm[3]);
            long afterFrom = t[t.length - 1] + 2 * Arrivals.WINDOW_NANOS;
            long[] after = probe.percentiles(afterFrom, afterFrom + AFTER_NANOS);
            r.append(" afterP50us=").append(after[0]).append(" afterP99us=").append(after[1]).append(" afterMaxUs=").append(after[2]);
            ZenSide.say("SHAPE " + Arrivals.describe(w));
        }
        return r;
    }

    static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
