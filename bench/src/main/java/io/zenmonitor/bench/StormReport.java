package io.zenmonitor.bench;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** The one result line every watching side prints after a kill, so that zen and its peers are measured alike. */
final class StormReport {

    private StormReport() {
    }

    /**
     * {@code RESULT downs= expected= detectMs= firstMs= lastMs= maxPerWindow= windows= worstSecondDev= quiet*=
     * storm*=} (times after the kill; work latencies in µs; quiet = the 2 s before the kill, storm = from the
     * first to the last down plus one window), and a {@code SHAPE} line with the 100 ms windows.
     *
     * @param perSecond the configured pace, or a negative number when there is none
     */
    static StringBuilder report(long killAt, long detectedAt, int expected, Arrivals downs, WorkProbe probe, double perSecond) {
        long[] t = downs.sorted();
        StringBuilder r = new StringBuilder("RESULT");
        r.append(" downs=").append(t.length).append(" expected=").append(expected);
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
            ZenSide.say("SHAPE " + Arrivals.describe(w));
        }
        return r;
    }

    static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
