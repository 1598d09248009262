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
    public static final DownReason NODEDOWN = new DownReason(Kind.NODEDOWN, null);
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

    @Override
    public String toString() {
        return detail == null ? kind.name() : kind.name() + ' ' + detail;
    }
}
