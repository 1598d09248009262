package io.zenmonitor.bench.jmh;

import io.zenmonitor.Term;
import io.zenmonitor.truncate.Truncator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The Truncator (default limits: depth 3, strings 1024 chars) on one reason, built once in {@code @Setup}:
 *
 * <ul>
 *   <li>{@code typical}: an {@code IllegalStateException("session 42 timed out")} caused by an
 *       {@code IOException("socket closed")}, as thrown by application code (real stack frames);
 *   <li>{@code small-map}: a map of 3 short entries, as a hand-written reason;
 *   <li>{@code huge-string}: a 10,000,000-char string;
 *   <li>{@code huge-map}: a {@code HashMap} of 1,000,000 entries;
 *   <li>{@code deep-list}: lists nested 100,000 deep;
 *   <li>{@code cause-cycle}: an exception chain of 10,000 causes whose last cause points back to the first.
 * </ul>
 *
 * The hostile inputs must cost about what the typical one does: the Truncator never walks past its bounds.
 *
 * <pre>./bench/run.sh --only jmh</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TruncatorBenchmark {

    @Param({"typical", "small-map", "huge-string", "huge-map", "deep-list", "cause-cycle"})
    public String reason;

    private Object value;
    private final Truncator truncator = Truncator.DEFAULT;

    @Setup(Level.Trial)
    public void build() {
        value = build(reason);
    }

    /** The reason named {@code kind}. */
    public static Object build(String kind) {
        switch (kind) {
            case "typical":
                return sessionTimeout(42);
            case "small-map":
                return Map.of("session", 42, "reason", "idle", "after-ms", 30_000L);
            case "huge-string":
                return "x".repeat(10_000_000);
            case "huge-map": {
                Map<String, Integer> m = new HashMap<>();
                for (int i = 0; i < 1_000_000; i++) {
                    m.put("k" + i, i);
                }
                return m;
            }
            case "deep-list": {
                List<Object> top = new ArrayList<>();
                List<Object> cur = top;
                for (int i = 0; i < 100_000; i++) {
                    List<Object> inner = new ArrayList<>();
                    cur.add(inner);
                    cur = inner;
                }
                return top;
            }
            case "cause-cycle": {
                Chained first = new Chained("link 0");
                Chained cur = first;
                for (int i = 1; i < 10_000; i++) {
                    Chained c = new Chained("link " + i);
                    cur.next = c;
                    cur = c;
                }
                cur.next = first;
                return first;
            }
            default:
                throw new IllegalArgumentException("unknown reason " + kind);
        }
    }

    private static Exception sessionTimeout(int session) {
        try {
            throw new IOException("socket closed");
        } catch (IOException e) {
            return new IllegalStateException("session " + session + " timed out", e);
        }
    }

    /** An exception whose cause can be set to anything, cycles included (Throwable refuses self-causation only). */
    static final class Chained extends RuntimeException {
        Chained next;

        Chained(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable getCause() {
            return next;
        }
    }

    @Benchmark
    public Term truncate() {
        return truncator.truncate(value);
    }
}
