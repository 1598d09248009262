package io.zenmonitor.wire;

import java.util.Objects;

/**
 * A received message that {@link Codec#decode} refused: truncated, oversized, of another wire version,
 * or otherwise invalid. The receiver drops the message, counts the drop by {@link #reason()} and logs
 * the message text (rate-limited); it never takes the node down.
 *
 * <p>The text says what was wrong and where, as an offset from the first byte of the message, for
 * example {@code "string of 70000 bytes at offset 12 exceeds maxString 65536"}.
 *
 * <p>This exception is thrown for hostile input at line rate, so it is stackless: it never fills in a
 * stack trace and cannot be suppressed into.
 */
public final class MalformedMessageException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why a message was refused, for counting drops by cause. */
    public enum Reason {
        /** The message ends before a field it announces, or a count needs more bytes than remain. */
        TRUNCATED,
        /** The message, a string, a count, or a term's depth or size exceeds a {@link WireLimits} limit. */
        OVERSIZED,
        /** The header's wire version is not {@link Codec#VERSION} (PING and PONG excepted). */
        WRONG_VERSION,
        /** The first byte is not {@link Codec#MAGIC}: not a zen message. */
        BAD_MAGIC,
        /** The header names no known {@link MessageType}. */
        UNKNOWN_TYPE,
        /** A field holds an impossible value: bad tag, flag, varint, UTF-8, index, or record argument. */
        BAD_VALUE,
        /** Bytes remain after a complete message. */
        TRAILING_BYTES
    }

    private final Reason reason;

    MalformedMessageException(Reason reason, String message) {
        this(reason, message, null);
    }

    MalformedMessageException(Reason reason, String message, Throwable cause) {
        super(message, cause, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why the message was refused. */
    public Reason reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "MalformedMessageException(" + reason + "): " + getMessage();
    }
}
