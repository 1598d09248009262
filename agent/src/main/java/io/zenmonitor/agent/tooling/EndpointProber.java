package io.zenmonitor.agent.tooling;

import io.zenmonitor.Endpoint;
import io.zenmonitor.ZenConfig;
import io.zenmonitor.config.NodePatterns;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Server-only mode: watches the RMI endpoints (host:port) of listener stubs that no zen node advertises (a
 * client JVM without the agent) and says when one is confirmed dead, so that its registrations can be
 * removed like those of a dead agent client.
 *
 * <h2>Probing</h2>
 * One watch per endpoint, however many items (registrations) live there. A probe is a TCP connect that is
 * closed at once with a reset (see {@link NioConnector}): nothing is sent, no RMI call is made, nothing is
 * read or deserialized. Each endpoint is probed every {@code probe.interval}; at most
 * {@link #MAX_IN_FLIGHT} probes are open at once (later ones wait for the next tick).
 *
 * <h2>Confirmation rules</h2>
 * <ul>
 *   <li><b>Refused</b> ({@code probe.refused-after}, default 2): the host answered with a reset, so it is up
 *       and nothing listens on the port: the process is gone. That many consecutive refusals, one interval
 *       apart, confirm the endpoint dead (default: refused twice 1 s apart).</li>
 *   <li><b>No answer</b> ({@code probe.unreachable-after}, default 60 s): a timeout or an unreachable host
 *       or network. The endpoint is dead only when nothing answered (connected or refused) for that long
 *       since the last answer, or since the watch began.</li>
 *   <li>A successful connect resets both. A no-answer resets the refusal count (refusals must be
 *       consecutive).</li>
 * </ul>
 * A SIGSTOPped or hung client is not confirmed dead by refusals: its kernel still completes connects (then
 * stops answering once its accept backlog is full), so only the no-answer rule can apply to it.
 *
 * <h2>Items and the end of a watch</h2>
 * Before each probe the watch drops the items {@code wanted} no longer accepts (the application removed
 * the registration, its owner was unexported); an endpoint with no items left is no longer probed. A
 * confirmed endpoint's watch ends and its items go to the {@link Sink}, which removes them paced.
 *
 * <h2>Allow and deny lists</h2>
 * An endpoint whose host is outside {@code nodes.allow}/{@code nodes.deny} is never watched:
 * {@link #watch} returns false.
 *
 * <h2>Threading</h2>
 * Confined to one thread (the agent's hook drainer), except the {@link Connector} callbacks, which only
 * append to a concurrent queue and call {@code wakeup}. Time comes from the injected clock, so the rules
 * are tested without real time.
 *
 * @param <T> the watched item (a listener registration)
 */
final class EndpointProber<T> {

    /** Most probes open at once: bounds the sockets (file descriptors) the prober holds. */
    static final int MAX_IN_FLIGHT = 256;
    /** Longest connect timeout; shorter when {@code probe.interval} is shorter. */
    static final long MAX_CONNECT_TIMEOUT_NANOS = 1_000_000_000L;

    /** What one probe saw. */
    enum Outcome {
        /** The connect succeeded: something listens. */
        OPEN,
        /** The host reset the connect: nothing listens on the port. */
        REFUSED,
        /** Timeout, unreachable host or network, or an unresolvable host name. */
        NO_ANSWER
    }

    /** Why an endpoint was confirmed dead. */
    enum Verdict {
        /** {@code probe.refused-after} consecutive refusals. */
        REFUSED("endpoint-refused"),
        /** No answer for {@code probe.unreachable-after}. */
        UNREACHABLE("endpoint-unreachable");

        final String detail;

        Verdict(String detail) {
            this.detail = detail;
        }
    }

    /** Opens one probe connection; {@code done} runs once, on any thread. */
    interface Connector extends AutoCloseable {
        void probe(Endpoint endpoint, long timeoutNanos, java.util.function.Consumer<Outcome> done);

        @Override
        void close();
    }

    /** Receives the items of a confirmed dead endpoint (prober's thread). */
    interface Sink<T> {
        void dead(Endpoint endpoint, Verdict verdict, List<T> items);
    }

    /** The confirmation rules, in nanoseconds. */
    record Rules(long intervalNanos, int refusedAfter, long unreachableAfterNanos) {
        static Rules of(ZenConfig c) {
            return new Rules(c.probeInterval().toNanos(), c.probeRefusedAfter(), c.probeUnreachableAfter().toNanos());
        }

        long connectTimeoutNanos() {
            return Math.min(intervalNanos, MAX_CONNECT_TIMEOUT_NANOS);
        }
    }

    private static final class Watch<T> {
        final Endpoint endpoint;
        final LinkedHashSet<T> items = new LinkedHashSet<>();
        long dueNanos;
        long lastAnswerNanos;
        int refusals;
        boolean inFlight;
        boolean gone;

        Watch(Endpoint endpoint) {
            this.endpoint = endpoint;
        }
    }

    private record Result<T>(Watch<T> watch, Outcome outcome) {
    }

    private final Rules rules;
    private final NodePatterns nodes;
    private final Connector connector;
    private final LongSupplier clock;
    private final Predicate<T> wanted;
    private final Sink<T> sink;
    private final Runnable wakeup;
    private final Map<Endpoint, Watch<T>> watches = new HashMap<>();
    private final PriorityQueue<Watch<T>> due = new PriorityQueue<>((a, b) -> Long.compare(a.dueNanos, b.dueNanos));
    private final ConcurrentLinkedQueue<Result<T>> results = new ConcurrentLinkedQueue<>();
    /** Set when a result arrives and the drainer was not yet told: at most one wakeup per tick. */
    private final java.util.concurrent.atomic.AtomicBoolean wakePending = new java.util.concurrent.atomic.AtomicBoolean();
    private int inFlight;
    /** Probes started, and of what outcome (for status and tests). */
    long probes;
    long open;
    long refused;
    long noAnswer;
    long confirmed;

    EndpointProber(Rules rules, NodePatterns nodes, Connector connector, LongSupplier clock, Predicate<T> wanted,
            Sink<T> sink, Runnable wakeup) {
        this.rules = rules;
        this.nodes = nodes;
        this.connector = connector;
        this.clock = clock;
        this.wanted = wanted;
        this.sink = sink;
        this.wakeup = wakeup;
    }

    /**
     * Watches {@code item} at {@code endpoint} (idempotent). The first item of an endpoint starts its watch
     * and its first probe at the next {@link #tick}.
     *
     * @return false if the endpoint's host is outside the allow/deny lists (never watched)
     */
    boolean watch(Endpoint endpoint, T item) {
        if (!nodes.permits(endpoint.host())) {
            return false;
        }
        Watch<T> w = watches.get(endpoint);
        if (w == null) {
            w = new Watch<>(endpoint);
            long now = clock.getAsLong();
            w.dueNanos = now;
            w.lastAnswerNanos = now;
            watches.put(endpoint, w);
            due.add(w);
        }
        w.items.add(item);
        return true;
    }

    /** Applies the results that came back, then starts the probes that are due. */
    void tick() {
        long now = clock.getAsLong();
        wakePending.set(false);
        Result<T> r;
        while ((r = results.poll()) != null) {
            inFlight--;
            apply(r.watch(), r.outcome(), now);
        }
        Watch<T> w;
        while (inFlight < MAX_IN_FLIGHT && (w = due.peek()) != null && w.dueNanos - now <= 0) {
            due.poll();
            if (w.gone) {
                continue;
            }
            w.items.removeIf(wanted.negate());
            if (w.items.isEmpty()) {
                end(w);
                continue;
            }
            w.inFlight = true;
            w.dueNanos = now + rules.intervalNanos();
            inFlight++;
            probes++;
            Watch<T> probed = w;
            connector.probe(w.endpoint, rules.connectTimeoutNanos(), outcome -> {
                results.add(new Result<>(probed, outcome));
                if (wakePending.compareAndSet(false, true)) {
                    wakeup.run();
                }
            });
        }
    }

    private void apply(Watch<T> w, Outcome outcome, long now) {
        w.inFlight = false;
        if (w.gone) {
            return;
        }
        Verdict verdict = null;
        switch (outcome) {
            case OPEN -> {
                open++;
                w.refusals = 0;
                w.lastAnswerNanos = now;
            }
            case REFUSED -> {
                refused++;
                w.lastAnswerNanos = now; // the host answered: it is up
                if (++w.refusals >= rules.refusedAfter()) {
                    verdict = Verdict.REFUSED;
                }
            }
            case NO_ANSWER -> {
                noAnswer++;
                w.refusals = 0;
                if (now - w.lastAnswerNanos >= rules.unreachableAfterNanos()) {
                    verdict = Verdict.UNREACHABLE;
                }
            }
        }
        if (verdict == null) {
            due.add(w);
            return;
        }
        end(w);
        w.items.removeIf(wanted.negate());
        if (!w.items.isEmpty()) {
            confirmed++;
            sink.dead(w.endpoint, verdict, new ArrayList<>(w.items));
        }
    }

    private void end(Watch<T> w) {
        w.gone = true;
        watches.remove(w.endpoint, w);
    }

    /** Endpoints watched now. */
    int endpoints() {
        return watches.size();
    }

    /** Items watched at {@code endpoint} (0 if not watched). */
    int itemsAt(Endpoint endpoint) {
        Watch<T> w = watches.get(endpoint);
        return w == null ? 0 : w.items.size();
    }

    /** Probes open now. */
    int inFlight() {
        return inFlight;
    }

    /** Stops the connector; open probes are abandoned. */
    void close() {
        connector.close();
    }
}
