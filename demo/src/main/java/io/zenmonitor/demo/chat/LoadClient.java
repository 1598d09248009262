package io.zenmonitor.demo.chat;

import java.rmi.registry.LocateRegistry;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The guild's ordinary work: {@code post} calls at a steady rate, and their latency.
 *
 * <p>Latency is measured from the moment a call was <em>due</em> (start + i / rate), not from when it was
 * sent, so a stall counts for every call it delays (no coordinated omission). Every 100 ms it prints
 * {@code LAT <epochMillis> <calls> <p50 µs> <p99 µs> <max µs> <errors>} for the calls that completed in that
 * window; a call still in flight at the window's end counts with its age so far, so a stall shows while it
 * lasts. It exits when its stdin ends.
 *
 * <pre>
 * LoadClient &lt;registryPort&gt; &lt;callsPerSecond&gt;
 * </pre>
 */
public final class LoadClient {

    private static final int MAX_WINDOW = 100_000;

    private static final Object LOCK = new Object();
    private static long[] window = new long[1024];
    private static int count;
    private static long errors;
    private static volatile long inFlightDueNanos;

    private LoadClient() {
    }

    public static void main(String[] args) {
        Mains.run(args, 2, "LoadClient <registryPort> <callsPerSecond>", LoadClient::serve);
    }

    private static void serve(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int rate = Integer.parseInt(args[1]);
        Guild guild = (Guild) LocateRegistry.getRegistry("127.0.0.1", port).lookup(GuildServer.BINDING);

        Thread reporter = new Thread(LoadClient::report, "reporter");
        reporter.setDaemon(true);
        reporter.start();
        Stdin.say("READY " + rate);

        long periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        for (long i = 0;; i++) {
            long due = start + i * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            inFlightDueNanos = due;
            boolean ok = true;
            try {
                guild.post("load", "message " + i);
            } catch (Exception e) {
                ok = false;
            }
            long latencyMicros = (System.nanoTime() - due) / 1000;
            inFlightDueNanos = 0;
            synchronized (LOCK) {
                if (!ok) {
                    errors++;
                }
                if (count < MAX_WINDOW) {
                    if (count == window.length) {
                        window = Arrays.copyOf(window, count * 2);
                    }
                    window[count++] = latencyMicros;
                }
            }
        }
    }

    private static void report() {
        long next = System.nanoTime();
        for (;;) {
            next += TimeUnit.MILLISECONDS.toNanos(100);
            LockSupport.parkNanos(next - System.nanoTime());
            long[] samples;
            long errs;
            synchronized (LOCK) {
                samples = Arrays.copyOf(window, count);
                count = 0;
                errs = errors;
            }
            long due = inFlightDueNanos;
            int n = samples.length;
            if (due != 0) {
                long age = (System.nanoTime() - due) / 1000;
                if (age > 1000) { // a call older than 1 ms is stalled: count its age so far
                    samples = Arrays.copyOf(samples, n + 1);
                    samples[n] = age;
                }
            }
            Arrays.sort(samples);
            StringBuilder line = new StringBuilder("LAT ").append(System.currentTimeMillis()).append(' ').append(n);
            if (samples.length == 0) {
                line.append(" - - -");
            } else {
                line.append(' ').append(percentile(samples, 50)).append(' ').append(percentile(samples, 99)).append(' ').append(samples[samples.length - 1]);
            }
            line.append(' ').append(errs);
            Stdin.say(line.toString());
        }
    }

    /** Nearest-rank percentile of sorted samples. */
    static long percentile(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
