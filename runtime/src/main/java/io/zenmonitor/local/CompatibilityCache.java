package io.zenmonitor.local;

import io.zenmonitor.Compatibility;
import java.util.concurrent.ConcurrentHashMap;
import org.jgroups.Address;

/**
 * ZenMonitor's Nodes table: the cached compatibility of each node (zen_monitor.md §4). Written by the
 * Connectors on the loop, read by any thread.
 *
 * <p>Entries: none (reads as {@link Cached.State#MISS}), compatible with one node incarnation,
 * incompatible until a deadline after {@code attempts} failures, or unavailable (not in the view).
 * The penalty for attempt {@code n} is {@code min(60 s, 1 s × 2^n)}: 2, 4, 8, 16, 32, then 60 s.
 */
public final class CompatibilityCache {

    /** Base of the exponential penalty. */
    static final long PENALTY_BASE_MILLIS = 1_000L;
    /** Longest penalty. */
    static final long PENALTY_MAX_MILLIS = 60_000L;
    /** Attempt cap: ceil(log2(60000)). */
    static final int ATTEMPT_CAP = 16;

    sealed interface Entry permits Compatible, Incompatible, Unavailable {
    }

    record Compatible(Address address) implements Entry {
    }

    record Incompatible(long untilNanos, int attempts) implements Entry {
    }

    record Unavailable() implements Entry {
    }

    static final Unavailable UNAVAILABLE = new Unavailable();

    /** What {@code cached_compatibility} returns: a state and, for INCOMPATIBLE and EXPIRED, the attempts. */
    public record Cached(State state, int attempts) {
        public enum State { MISS, COMPATIBLE, INCOMPATIBLE, EXPIRED, UNAVAILABLE }
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /** The penalty after failed attempt {@code attempt} (1-based), in milliseconds. */
    public static long penaltyMillis(int attempt) {
        return Math.min(PENALTY_MAX_MILLIS, PENALTY_BASE_MILLIS << Math.min(Math.max(attempt, 0), ATTEMPT_CAP));
    }

    Entry get(String node) {
        return entries.get(node);
    }

    void put(String node, Entry e) {
        entries.put(node, e);
    }

    /** {@code compatibility_for_node}: compatible only when the cached entry says so exactly. */
    public Compatibility compatibility(String node) {
        return entries.get(node) instanceof Compatible ? Compatibility.COMPATIBLE : Compatibility.INCOMPATIBLE;
    }

    /** {@code cached_compatibility}: the entry as seen at {@code nowNanos}. */
    public Cached cached(String node, long nowNanos) {
        Entry e = entries.get(node);
        if (e == null) {
            return new Cached(Cached.State.MISS, 0);
        }
        if (e instanceof Compatible) {
            return new Cached(Cached.State.COMPATIBLE, 0);
        }
        if (e instanceof Incompatible i) {
            return i.untilNanos() - nowNanos >= 0
                    ? new Cached(Cached.State.INCOMPATIBLE, i.attempts())
                    : new Cached(Cached.State.EXPIRED, i.attempts());
        }
        return new Cached(Cached.State.UNAVAILABLE, 0);
    }
}
