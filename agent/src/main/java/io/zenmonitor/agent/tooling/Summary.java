package io.zenmonitor.agent.tooling;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts what the agent did and logs one summary line per batch (at most one per second) instead of a
 * line per event: "removed 2000 registrations: com.acme.BoardImpl.removeBoardListener 2000 (NODEDOWN :left)".
 */
final class Summary {

    private static final Logger LOG = LoggerFactory.getLogger("zen.agent");
    static final long INTERVAL_NANOS = 1_000_000_000L;

    private final ConcurrentHashMap<String, LongAdder> removed = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> failed = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> lastFailure = new ConcurrentHashMap<>();
    final LongAdder totalRemoved = new LongAdder();
    final LongAdder totalFailed = new LongAdder();
    private long lastFlush = System.nanoTime();

    void removed(String method, String reason) {
        removed.computeIfAbsent(method + " (" + reason + ")", k -> new LongAdder()).increment();
        totalRemoved.increment();
    }

    private final ConcurrentHashMap<String, LongAdder> parked = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> restored = new ConcurrentHashMap<>();

    /** A registration whose node is unreachable is kept for partition.grace. */
    void parked(String method) {
        parked.computeIfAbsent(method, k -> new LongAdder()).increment();
    }

    /** A parked registration's node came back: it is watched again, nothing was removed. */
    void restored(String method) {
        restored.computeIfAbsent(method, k -> new LongAdder()).increment();
    }

    void failed(String method, String why) {
        failed.computeIfAbsent(method, k -> new LongAdder()).increment();
        lastFailure.put(method, why);
        totalFailed.increment();
    }

    /** Logs what accumulated since the last flush, if a second has passed. Drainer thread. */
    void flush(long now, boolean force) {
        if (!force && now - lastFlush < INTERVAL_NANOS) {
            return;
        }
        lastFlush = now;
        Map<String, Long> r = drain(removed);
        if (!r.isEmpty()) {
            long n = r.values().stream().mapToLong(Long::longValue).sum();
            LOG.info("removed {} registration{} of dead remote listeners: {}", n, n == 1 ? "" : "s", r);
        }
        Map<String, Long> p = drain(parked);
        if (!p.isEmpty()) {
            long n = p.values().stream().mapToLong(Long::longValue).sum();
            LOG.info("kept {} registration{} of unreachable (not crashed) nodes for partition.grace: {}", n, n == 1 ? "" : "s", p);
        }
        Map<String, Long> back = drain(restored);
        if (!back.isEmpty()) {
            long n = back.values().stream().mapToLong(Long::longValue).sum();
            LOG.info("restored after merge: {} registration{} of nodes that came back: {}", n, n == 1 ? "" : "s", back);
        }
        Map<String, Long> f = drain(failed);
        if (!f.isEmpty()) {
            StringBuilder b = new StringBuilder();
            f.forEach((k, v) -> b.append(k).append(' ').append(v).append(" (").append(lastFailure.get(k)).append(") "));
            LOG.warn("could not remove dead remote listeners: {}", b.toString().strip());
        }
    }

    private static Map<String, Long> drain(ConcurrentHashMap<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        for (var e : m.entrySet()) {
            long v = e.getValue().sumThenReset();
            if (v > 0) {
                out.put(e.getKey(), v);
            }
        }
        return out;
    }
}
