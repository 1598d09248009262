package io.zenmonitor.wire;

/**
 * The bounds {@link Codec} enforces on every message, both ways: the encoder throws
 * {@link IllegalArgumentException} when one of our messages breaks a limit (a bug on our side must be
 * loud), and the decoder refuses a received message that breaks one with a
 * {@link MalformedMessageException} of reason {@link MalformedMessageException.Reason#OVERSIZED}.
 *
 * <p>Both ends of a link must use limits at least as large as the other end's messages need; the
 * {@link #DEFAULT} limits are far above what the Batcher and Connector produce.
 *
 * @param maxMessageBytes largest whole message in bytes (default 16 MiB): bounds memory per received message
 * @param maxEntries most instructions per PROCESS or certificates (and distinct reasons) per DEAD (default
 *     100,000): bounds the work one message can queue
 * @param maxString longest string in UTF-8 bytes (default 65,536): a term string or node name never needs more
 * @param maxTermDepth deepest nesting of a reason's term (default 16): the decoder recurses once per level
 * @param maxTermNodes most nodes in one reason's term (default 4,096): bounds the objects one reason allocates
 * @param maxSeq most elements of one sequence or fields of one struct (default 64): the Truncator keeps four
 * @param maxEndpoints most endpoints in one ENDPOINTS message (default 4,096): a node listens on few ports
 */
public record WireLimits(
        int maxMessageBytes,
        int maxEntries,
        int maxString,
        int maxTermDepth,
        int maxTermNodes,
        int maxSeq,
        int maxEndpoints) {

    /** The limits of {@link Codec#DEFAULT}. */
    public static final WireLimits DEFAULT = new WireLimits(16 << 20, 100_000, 65_536, 16, 4096, 64, 4096);

    /** Smallest {@code maxMessageBytes}: a header and a PING must fit. */
    static final int MIN_MESSAGE_BYTES = 64;
    /** Largest {@code maxMessageBytes}: well under the largest Java array. */
    static final int MAX_MESSAGE_BYTES = 1 << 30;
    /** Largest {@code maxTermDepth}: keeps the encoder's and decoder's recursion shallow. */
    static final int MAX_TERM_DEPTH = 64;

    /**
     * @throws IllegalArgumentException if a limit is not positive or above its sane maximum; the message
     *     names the limit and the value
     */
    public WireLimits {
        check("maxMessageBytes", maxMessageBytes, MIN_MESSAGE_BYTES, MAX_MESSAGE_BYTES);
        check("maxEntries", maxEntries, 1, 1 << 24);
        check("maxString", maxString, 1, 16 << 20);
        check("maxTermDepth", maxTermDepth, 1, MAX_TERM_DEPTH);
        check("maxTermNodes", maxTermNodes, 1, 1 << 20);
        check("maxSeq", maxSeq, 1, 1 << 16);
        check("maxEndpoints", maxEndpoints, 1, 1 << 20);
    }

    private static void check(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be from " + min + " to " + max + ", was " + value);
        }
    }
}
