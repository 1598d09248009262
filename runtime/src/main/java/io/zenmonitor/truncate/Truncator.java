package io.zenmonitor.truncate;

import io.zenmonitor.DownReason;
import io.zenmonitor.Term;

/** PLACEHOLDER: replaced by the real Truncator. */
public final class Truncator {
    public static final int DEFAULT_DEPTH = 3;
    public static final int DEFAULT_MAX_STRING = 1024;
    public static final Truncator DEFAULT = new Truncator(DEFAULT_DEPTH, DEFAULT_MAX_STRING);
    private final int depth;
    private final int maxString;

    public Truncator(int depth, int maxString) {
        this.depth = depth;
        this.maxString = maxString;
    }

    public int depth() { return depth; }
    public int maxString() { return maxString; }

    public Term truncate(Object value) {
        if (value instanceof String s) {
            return new Term.Str(s.length() <= maxString ? s : s.substring(0, maxString - 3) + "...");
        }
        return Term.TRUNCATED;
    }

    public DownReason reason(DownReason.Kind kind, Object detail) {
        return new DownReason(kind, detail == null ? null : truncate(detail));
    }
}
