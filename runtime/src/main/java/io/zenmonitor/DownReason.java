package io.zenmonitor;

import java.util.Objects;
import java.util.Optional;

/**
 * Why a monitored target is down: a {@link Kind} and an optional detail already truncated into a
 * {@link Term}.
 *
 * <p>A reason is truncated once, on the node that owned the target, and the same instance is shared by
 * every listener it reaches (ZenMonitor's Truncator). It never carries an application object.
 *
 * @param kind what happened
 * @param detail the truncated detail, or {@code null} when there is none
 */
public record DownReason(Kind kind, Term detail) {

    /** What happened to a target. Stable ids: they are written on the wire and never reused. */
    public enum Kind {
        /** The RMI object was unexported. */
        UNEXPORTED(1),
        /** The MBean was unregistered. */
        UNREGISTERED(2),
        /** The RMI object was reaped by RMI after garbage collection. */
        COLLECTED(3),
        /** The target was not alive when the subscription reached its node. */
        NOPROC(4),
        /** The target's node left the view (crash, partition, leave) or is incompatible. */
        NODEDOWN(5),
        /** The target's node is shutting down cleanly. */
        SHUTDOWN(6),
        /** The application gave a reason (for example a Throwable) in the detail. */
        EXIT(7);

        private final int id;

        Kind(int id) {
            this.id = id;
        }

        /** The stable wire id. */
        public int id() {
            return id;
        }

        /** The kind with this wire id, or {@code null} if none has it. */
        public static Kind ofId(int id) {
            for (Kind k : values()) {
                if (k.id == id) {
                    return k;
                }
            }
            return null;
        }
    }

    public static final DownReason UNEXPORTED = new DownReason(Kind.UNEXPORTED, null);
    public static final DownReason UNREGISTERED = new DownReason(Kind.UNREGISTERED, null);
    public static final DownReason COLLECTED = new DownReason(Kind.COLLECTED, null);
    public static final DownReason NOPROC = new DownReason(Kind.NOPROC, null);
    /** NODEDOWN: the node left the view, and whether it crashed could not be told (no probe possible). */
    public static final DownReason NODEDOWN = new DownReason(Kind.NODEDOWN, Term.atom("left"));
    /**
     * NODEDOWN: the node left the view and its process is gone: its host refused a connection to its
     * port (or, as ZenMonitor would say, the node crashed).
     */
    public static final DownReason NODEDOWN_CRASHED = new DownReason(Kind.NODEDOWN, Term.atom("crashed"));
    /**
     * NODEDOWN: the node left the view but may still run: hung, or cut off by the network (its port did not
     * refuse the probe), or this node sees fewer members than {@code partition.quorum}. Final for the
     * monitor like any NODEDOWN; the agent's zero-code actions wait {@code partition.grace} for it.
     */
    public static final DownReason NODEDOWN_UNREACHABLE = new DownReason(Kind.NODEDOWN, Term.atom("unreachable"));
    /** NODEDOWN: the node was not in the view when the monitor was resolved. */
    public static final DownReason NODEDOWN_UNAVAILABLE = new DownReason(Kind.NODEDOWN, Term.atom("unavailable"));
    /** NODEDOWN: the node runs no compatible zen Proxy (no or another wire version), or is penalised for it. */
    public static final DownReason NODEDOWN_INCOMPATIBLE = new DownReason(Kind.NODEDOWN, Term.atom("incompatible"));
    /** NODEDOWN: no node advertises the RMI endpoint of the target (a JVM without zen, or gone). */
    public static final DownReason NODEDOWN_UNKNOWN_ENDPOINT = new DownReason(Kind.NODEDOWN, Term.atom("unknown-endpoint"));
    /** NODEDOWN: the node's Proxy said goodbye (clean shutdown) while the monitor was not yet subscribed. */
    public static final DownReason NODEDOWN_PROXY_GONE = new DownReason(Kind.NODEDOWN, Term.atom("proxy-gone"));
    public static final DownReason SHUTDOWN = new DownReason(Kind.SHUTDOWN, null);

    public DownReason {
        Objects.requireNonNull(kind, "kind");
    }

    /** The reason of this kind without detail (shared constants). */
    public static DownReason of(Kind kind) {
        return switch (kind) {
            case UNEXPORTED -> UNEXPORTED;
            case UNREGISTERED -> UNREGISTERED;
            case COLLECTED -> COLLECTED;
            case NOPROC -> NOPROC;
            case NODEDOWN -> NODEDOWN;
            case SHUTDOWN -> SHUTDOWN;
            case EXIT -> new DownReason(Kind.EXIT, null);
        };
    }

    /** The truncated detail, if any. */
    public Optional<Term> detailTerm() {
        return Optional.ofNullable(detail);
    }

    /**
     * Whether this is a NODEDOWN that says the target's node really went away (left the view, was not in
     * it, or said goodbye), as opposed to a node that is merely incompatible or unknown. Zero-code actions
     * (the agent) act only on these.
     */
    public boolean isNodeGone() {
        return kind == Kind.NODEDOWN && !NODEDOWN_INCOMPATIBLE.equals(this) && !NODEDOWN_UNKNOWN_ENDPOINT.equals(this);
    }

    /** Whether this is {@link #NODEDOWN_UNREACHABLE}: the node may come back (see {@code partition.grace}). */
    public boolean isUnreachable() {
        return NODEDOWN_UNREACHABLE.equals(this);
    }

    @Override
    public String toString() {
        return detail == null ? kind.name() : kind.name() + ' ' + detail;
    }
}
