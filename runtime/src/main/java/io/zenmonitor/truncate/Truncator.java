package io.zenmonitor.truncate;

import io.zenmonitor.DownReason;
import io.zenmonitor.Term;

import java.io.File;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the size of a down reason's detail before it is shared with every listener of the dead target,
 * so that one huge or hostile value cannot be multiplied across thousands of subscribers (ZenMonitor's
 * {@code ZenMonitor.Truncator}). It turns any object into a {@link Term} tree that is small by
 * construction and holds no application object.
 *
 * <p>The walk starts at level 0 and each container passes its elements down one level. The first rule
 * that matches a value wins:
 * <ol>
 *   <li><b>Depth cut-off</b>: at level {@link #depth()} or below, any value (null and scalars too) becomes
 *       {@link Term#TRUNCATED}.
 *   <li><b>Scalars</b>: {@code null} is {@link Term#NIL}; {@code Boolean}; {@code Byte}, {@code Short},
 *       {@code Integer}, {@code Long}, {@code AtomicInteger}, {@code AtomicLong} and a {@code BigInteger}
 *       that fits a long are {@link Term.Int}; a larger {@code BigInteger} is its decimal string, and one
 *       of more than 4096 bits is truncated; {@code Float} and {@code Double} are {@link Term.Real}; a
 *       {@code BigDecimal} is its (scientific) string, truncated if its unscaled value has more than
 *       4096 bits; an enum constant is the {@link Term.Atom} of its {@code name()}; a {@code Character}
 *       is a one-char string; a {@code Class} is its name; {@code UUID}, the {@code java.time} values,
 *       {@code InetAddress} (its literal address, never a DNS name) and {@code File} (its path) are
 *       strings. A {@code Term} is walked like the value it stands for: {@code Str} as a string,
 *       {@code Seq} as a list, {@code Struct} as a map that keeps its type, other terms as scalars.
 *   <li><b>Strings</b> (any {@code CharSequence}) of at most {@link #maxString()} chars are kept; a longer
 *       one becomes its first {@code maxString - 3} chars and {@code "..."}, exactly {@code maxString}
 *       chars, or one char less when the cut would split a surrogate pair.
 *   <li><b>Arrays</b> (the tuple analogue, primitive arrays included) and <b>collections</b> of 0 to 4
 *       elements become a {@link Term.Seq} of their elements one level down, in iteration order; with 5
 *       or more elements they become {@code TRUNCATED}. A {@code Map.Entry} is the pair
 *       {@code [key, value]}.
 *   <li><b>Records</b> of at most 4 components become a {@link Term.Struct} named after their class, with
 *       each component one level down; with 5 or more they become {@code TRUNCATED}. A record is no
 *       deeper than a map: the struct sits at the record's level. <b>Throwables</b> are structs of their
 *       {@code message}, the first 4 {@code frames} as {@code "class.method(File:line)"} strings, and
 *       their {@code cause} (present only when there is one).
 *   <li><b>Maps</b> of 0 to 4 entries become a {@code Struct} with an empty type and each value one level
 *       down; with 5 or more they become {@code TRUNCATED}. Keys are not walked but named: a string
 *       (cut as above), an enum's name, a boxed number, boolean or char as by {@code String.valueOf},
 *       {@code null} as {@code "nil"}, and any other key as {@code "truncated"}. When two keys get the
 *       same name, the later entry wins.
 *   <li>Anything else (lambdas, {@code Optional}, streams, iterables that are not collections, plain
 *       application objects) becomes {@code TRUNCATED}.
 * </ol>
 *
 * <p><b>Guarantees.</b>
 * <ul>
 *   <li>Containers ({@code Seq}, {@code Struct}) nest at most {@code depth} deep and only
 *       {@code TRUNCATED} appears at level {@code depth}; every container has at most 4 elements or
 *       fields. A result therefore has at most {@code (4^(depth + 1) - 1) / 3} nodes: 85 at the default
 *       depth of 3, 1 at depth 0.
 *   <li>Every string in the result (string values, atom names, struct types, field names) has at most
 *       {@code maxString} chars, so a node carries at most {@code 2 * maxString} chars (its own text
 *       and its name in the parent struct). The whole result is at most
 *       {@code 2 * maxString * (4^(depth + 1) - 1) / 3} chars: 174,080 with the defaults.
 *   <li>The work done is bounded the same way, whatever the input: no collection or map is trusted for
 *       its {@code size()}, at most 5 elements are ever pulled from an iterator, a long char sequence
 *       is read only up to the cut, cause chains (however long, even cyclic) and self-containing
 *       collections cost {@code O(depth)} levels, and the recursion is never deeper than {@code depth}.
 *   <li>{@link #truncate} never throws. A {@code Throwable} raised while reading a value (a throwing
 *       accessor, iterator, {@code getMessage()}, an inaccessible record) turns that value alone into
 *       {@code TRUNCATED}.
 *   <li>{@code toString()}, {@code hashCode()} and {@code equals()} are never called on an application
 *       object; only JDK types whose text is known to be short and side-effect free are rendered, and
 *       exact {@code BigInteger}/{@code BigDecimal} classes only (a subclass may override anything). No
 *       application object is kept in the result.
 *   <li>Instances are immutable and thread-safe.
 * </ul>
 *
 * <p><b>Differences from ZenMonitor.</b>
 * <ul>
 *   <li>ZenMonitor returns a top-level {@code {:shutdown, _}} tuple unchanged, however large. That
 *       exemption is dropped on purpose: everything carried to listeners must be bounded, and
 *       {@link DownReason.Kind#SHUTDOWN} already says why.
 *   <li>Strings are measured in UTF-16 chars rather than bytes, and a surrogate pair is never split.
 *   <li>ZenMonitor keeps map keys unchanged; here a key is reduced to a short name, because an
 *       arbitrary key object would escape every bound.
 *   <li>Application objects that are not strings, collections, maps, records or throwables (ZenMonitor
 *       passes pids, references and ports through) become {@code TRUNCATED}: Java has no opaque
 *       scalar identity that is safe to render.
 *   <li>Throwables have a dedicated shape, and their stack is cut to its first 4 frames rather than
 *       dropped as a long list would be.
 *   <li>Depth and string length are per instance (ZenMonitor fixes them at compile time).
 * </ul>
 */
public final class Truncator {

    /** Default nesting limit, ZenMonitor's {@code truncation_depth}. */
    public static final int DEFAULT_DEPTH = 3;
    /** Default string limit, ZenMonitor's {@code max_binary_size} (chars here, bytes there). */
    public static final int DEFAULT_MAX_STRING = 1024;
    /** A truncator with the ZenMonitor defaults. */
    public static final Truncator DEFAULT = new Truncator(DEFAULT_DEPTH, DEFAULT_MAX_STRING);

    private static final int MIN_DEPTH = 0;
    private static final int MAX_DEPTH = 16;
    // Below 16 the "..." marker would leave too little text for a cut string to say anything.
    private static final int MIN_MAX_STRING = 16;
    private static final int MAX_MAX_STRING = 65_536;

    /** Largest sequence, struct or map kept; one more and the container is TRUNCATED. */
    private static final int MAX_ELEMENTS = 4;
    // Rendering a number this large is quadratic in its size (and its decimal form is cut anyway).
    private static final int MAX_BITS = 4096;
    private static final String ELLIPSIS = "...";
    private static final String TRUNCATED_KEY = Term.TRUNCATED.name();
    private static final String NIL_KEY = Term.NIL.name();

    // Exact classes only: all final JDK value types whose toString is short and has no side effect.
    private static final Set<Class<?>> TEMPORALS = Set.of(
            Instant.class, LocalDate.class, LocalTime.class, LocalDateTime.class, OffsetDateTime.class,
            OffsetTime.class, ZonedDateTime.class, Duration.class, Period.class, Year.class, YearMonth.class,
            MonthDay.class);

    private final int depth;
    private final int maxString;

    /**
     * A truncator with these limits.
     *
     * @param depth how many levels of containers are kept, 0 (everything becomes {@code TRUNCATED}) to 16
     * @param maxString the longest string kept, in chars, 16 to 65536
     * @throws IllegalArgumentException if a limit is out of its range
     */
    public Truncator(int depth, int maxString) {
        if (depth < MIN_DEPTH || depth > MAX_DEPTH) {
            throw new IllegalArgumentException(
                    "depth must be between " + MIN_DEPTH + " and " + MAX_DEPTH + ", was " + depth);
        }
        if (maxString < MIN_MAX_STRING || maxString > MAX_MAX_STRING) {
            throw new IllegalArgumentException(
                    "maxString must be between " + MIN_MAX_STRING + " and " + MAX_MAX_STRING + ", was " + maxString);
        }
        this.depth = depth;
        this.maxString = maxString;
    }

    /** How many levels of containers are kept. */
    public int depth() {
        return depth;
    }

    /** The longest string kept, in chars. */
    public int maxString() {
        return maxString;
    }

    /**
     * The bounded form of {@code value}, following the rules of the class documentation.
     *
     * @param value anything, {@code null} included
     * @return a term within this truncator's limits, never {@code null}
     */
    public Term truncate(Object value) {
        try {
            return walk(value, 0);
        } catch (Throwable t) {
            // walk already contains every failure; this only guards the promise.
            return Term.TRUNCATED;
        }
    }

    /**
     * A down reason of this kind whose detail is truncated here, once, before it is shared.
     *
     * @param kind what happened
     * @param detail the application's detail, or {@code null} for none
     * @return {@code new DownReason(kind, detail == null ? null : truncate(detail))}
     * @throws NullPointerException if {@code kind} is null
     */
    public DownReason reason(DownReason.Kind kind, Object detail) {
        return new DownReason(kind, detail == null ? null : truncate(detail));
    }

    @Override
    public String toString() {
        return "Truncator[depth=" + depth + ", maxString=" + maxString + ']';
    }

    // ---------------------------------------------------------------------------------------------
    // The walk. Every entry point checks the level first so that nothing below the cut is even read.

    private Term walk(Object value, int d) {
        if (d >= depth) {
            return Term.TRUNCATED;
        }
        try {
            return walkUnchecked(value, d);
        } catch (Throwable t) {
            // Hostile code (or a StackOverflowError inside it) only costs the node it was reached from.
            return Term.TRUNCATED;
        }
    }

    /** Reads a value through application code only if it would survive the cut. */
    private Term walkRead(Source source, int d) {
        if (d >= depth) {
            return Term.TRUNCATED;
        }
        Object value;
        try {
            value = source.read();
        } catch (Throwable t) {
            return Term.TRUNCATED;
        }
        return walk(value, d);
    }

    @FunctionalInterface
    private interface Source {
        Object read() throws Throwable;
    }

    private Term walkUnchecked(Object value, int d) throws Throwable {
        if (value == null) {
            return Term.NIL;
        }
        if (value instanceof Term term) {
            return term(term, d);
        }
        Term scalar = scalar(value);
        if (scalar != null) {
            return scalar;
        }
        if (value instanceof String s) {
            return new Term.Str(cut(s));
        }
        if (value instanceof CharSequence cs) {
            return chars(cs);
        }
        Class<?> type = value.getClass();
        if (type.isArray()) {
            return array(value, d);
        }
        if (value instanceof Collection<?> collection) {
            return collection(collection, d);
        }
        if (value instanceof Map.Entry<?, ?> entry) {
            return new Term.Seq(List.of(walkRead(entry::getKey, d + 1), walkRead(entry::getValue, d + 1)));
        }
        if (type.isRecord()) {
            return record(value, type, d);
        }
        if (value instanceof Throwable throwable) {
            return throwable(throwable, type, d);
        }
        if (value instanceof Map<?, ?> map) {
            return map(map, d);
        }
        return Term.TRUNCATED;
    }

    /** The scalar term for a known JDK value type, or {@code null} if {@code value} is not one. */
    private Term scalar(Object value) {
        if (value instanceof Boolean b) {
            return new Term.Bool(b);
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return new Term.Int(((Number) value).longValue());
        }
        // get() is final in both, so even a subclass cannot run code here.
        if (value instanceof AtomicInteger a) {
            return new Term.Int(a.get());
        }
        if (value instanceof AtomicLong a) {
            return new Term.Int(a.get());
        }
        if (value instanceof Double || value instanceof Float) {
            return new Term.Real(((Number) value).doubleValue());
        }
        Class<?> type = value.getClass();
        if (type == BigInteger.class) {
            BigInteger big = (BigInteger) value;
            if (big.bitLength() < Long.SIZE) {
                return new Term.Int(big.longValue());
            }
            return big.bitLength() > MAX_BITS ? Term.TRUNCATED : new Term.Str(cut(big.toString()));
        }
        if (type == BigDecimal.class) {
            BigDecimal big = (BigDecimal) value;
            // toString switches to scientific notation for extreme scales, so only the digits matter.
            return big.unscaledValue().bitLength() > MAX_BITS ? Term.TRUNCATED : new Term.Str(cut(big.toString()));
        }
        if (value instanceof Character c) {
            return new Term.Str(String.valueOf(c.charValue()));
        }
        if (value instanceof Enum<?> e) {
            return atom(e.name());
        }
        if (value instanceof Class<?> c) {
            return new Term.Str(cut(c.getName()));
        }
        if (type == UUID.class || TEMPORALS.contains(type)) {
            return new Term.Str(cut(value.toString()));
        }
        // ZoneId cannot be subclassed outside java.time; getId() is its whole text.
        if (value instanceof ZoneId zone) {
            return new Term.Str(cut(zone.getId()));
        }
        // Never toString() or getHostName(): both may block on a reverse DNS lookup.
        if (value instanceof InetAddress address) {
            return new Term.Str(cut(address.getHostAddress()));
        }
        if (value instanceof File file) {
            return new Term.Str(cut(file.getPath()));
        }
        return null;
    }

    private Term term(Term term, int d) {
        if (term instanceof Term.Str s) {
            String cut = cut(s.value());
            return cut == s.value() ? s : new Term.Str(cut);
        }
        if (term instanceof Term.Atom a) {
            return a.name().length() <= maxString ? a : atom(a.name());
        }
        if (term instanceof Term.Seq seq) {
            // Term lists are immutable JDK lists: their size can be trusted.
            List<Term> elements = seq.elements();
            if (elements.size() > MAX_ELEMENTS) {
                return Term.TRUNCATED;
            }
            List<Term> out = new ArrayList<>(elements.size());
            for (Term element : elements) {
                out.add(walk(element, d + 1));
            }
            return new Term.Seq(out);
        }
        if (term instanceof Term.Struct struct) {
            Map<String, Term> fields = struct.fields();
            if (fields.size() > MAX_ELEMENTS) {
                return Term.TRUNCATED;
            }
            Map<String, Term> out = new LinkedHashMap<>();
            fields.forEach((name, value) -> putLast(out, cut(name), walk(value, d + 1)));
            return new Term.Struct(cut(struct.type()), out);
        }
        return term; // Int, Real, Bool: already as small as they get
    }

    // ---------------------------------------------------------------------------------------------
    // Strings

    private Term.Atom atom(String name) {
        return new Term.Atom(cut(name));
    }

    /** {@code s} itself when short enough, so unchanged strings are not copied. */
    private String cut(String s) {
        if (s.length() <= maxString) {
            return s;
        }
        int end = cutIndex(s.charAt(end0() - 1), s.charAt(end0()));
        return s.substring(0, end).concat(ELLIPSIS);
    }

    private int end0() {
        return maxString - ELLIPSIS.length();
    }

    /** Where to cut, given the chars on either side of the nominal cut. */
    private int cutIndex(char before, char after) {
        // Splitting a pair would leave a lone surrogate, which is not text and not encodable.
        return Character.isHighSurrogate(before) && Character.isLowSurrogate(after) ? end0() - 1 : end0();
    }

    /** A non-String sequence may be huge or lazy: read only the chars that are kept, one by one. */
    private Term chars(CharSequence cs) {
        int length = cs.length();
        if (length < 0) {
            return Term.TRUNCATED;
        }
        if (length <= maxString) {
            return new Term.Str(copy(cs, length));
        }
        int end = cutIndex(cs.charAt(end0() - 1), cs.charAt(end0()));
        return new Term.Str(copy(cs, end).concat(ELLIPSIS));
    }

    private static String copy(CharSequence cs, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(cs.charAt(i));
        }
        return out.toString();
    }

    // ---------------------------------------------------------------------------------------------
    // Containers

    private Term array(Object array, int d) {
        int length = Array.getLength(array);
        if (length > MAX_ELEMENTS) {
            return Term.TRUNCATED;
        }
        List<Term> out = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            out.add(walk(Array.get(array, i), d + 1));
        }
        return new Term.Seq(out);
    }

    private Term collection(Collection<?> collection, int d) {
        // size() may lie or be O(n) (concurrent collections): count by iterating, and stop at one too many.
        Object[] elements = new Object[MAX_ELEMENTS];
        int n = 0;
        for (Iterator<?> it = collection.iterator(); it.hasNext(); ) {
            if (n == MAX_ELEMENTS) {
                return Term.TRUNCATED;
            }
            elements[n++] = it.next();
        }
        // Elements are walked only once the count is known, so a TRUNCATED collection runs no more code.
        List<Term> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(walk(elements[i], d + 1));
        }
        return new Term.Seq(out);
    }

    private Term map(Map<?, ?> map, int d) {
        String[] keys = new String[MAX_ELEMENTS];
        Object[] values = new Object[MAX_ELEMENTS];
        boolean[] unreadable = new boolean[MAX_ELEMENTS];
        boolean valuesKept = d + 1 < depth;
        int n = 0;
        for (Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator(); it.hasNext(); ) {
            if (n == MAX_ELEMENTS) {
                return Term.TRUNCATED;
            }
            Map.Entry<?, ?> entry = it.next();
            // Read the entry now: some maps recycle one entry object across next() calls.
            keys[n] = keyName(entry);
            if (valuesKept) {
                try {
                    values[n] = entry.getValue();
                } catch (Throwable t) {
                    unreadable[n] = true;
                }
            }
            n++;
        }
        Map<String, Term> fields = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            putLast(fields, keys[i], unreadable[i] ? Term.TRUNCATED : walk(values[i], d + 1));
        }
        return new Term.Struct("", fields);
    }

    /** A key is named, never walked: only JDK scalars whose text is known to be short get their own. */
    private String keyName(Map.Entry<?, ?> entry) {
        try {
            Object key = entry.getKey();
            if (key == null) {
                return NIL_KEY;
            }
            if (key instanceof String s) {
                return cut(s);
            }
            if (key instanceof Enum<?> e) {
                return cut(e.name());
            }
            if (key instanceof Integer || key instanceof Long || key instanceof Short || key instanceof Byte
                    || key instanceof Double || key instanceof Float || key instanceof Boolean
                    || key instanceof Character) {
                return String.valueOf(key);
            }
            if (key instanceof AtomicInteger a) {
                return String.valueOf(a.get());
            }
            if (key instanceof AtomicLong a) {
                return String.valueOf(a.get());
            }
            if (key.getClass() == BigInteger.class && ((BigInteger) key).bitLength() <= MAX_BITS) {
                return cut(key.toString());
            }
            if (key.getClass() == BigDecimal.class && ((BigDecimal) key).unscaledValue().bitLength() <= MAX_BITS) {
                return cut(key.toString());
            }
            return TRUNCATED_KEY;
        } catch (Throwable t) {
            return TRUNCATED_KEY;
        }
    }

    /** Later duplicates win and take the later position, as if the earlier entry had not been there. */
    private static void putLast(Map<String, Term> fields, String name, Term value) {
        fields.remove(name);
        fields.put(name, value);
    }

    // ---------------------------------------------------------------------------------------------
    // Structs

    private Term record(Object record, Class<?> type, int d) {
        RecordComponent[] components = type.getRecordComponents();
        if (components.length > MAX_ELEMENTS) {
            return Term.TRUNCATED;
        }
        Map<String, Term> fields = new LinkedHashMap<>();
        for (RecordComponent component : components) {
            putLast(fields, cut(component.getName()), walkRead(() -> read(component, record), d + 1));
        }
        return new Term.Struct(cut(type.getName()), fields);
    }

    private static Object read(RecordComponent component, Object record) throws Throwable {
        Method accessor = component.getAccessor();
        // A record nested in a non-public class is unreadable without this; if it fails, invoke reports it.
        accessor.trySetAccessible();
        return accessor.invoke(record);
    }

    private Term throwable(Throwable throwable, Class<?> type, int d) {
        Map<String, Term> fields = new LinkedHashMap<>();
        fields.put("message", walkRead(throwable::getMessage, d + 1));
        fields.put("frames", frames(throwable, d + 1));
        // getCause() is read even below the cut: the field's presence says whether there is a cause.
        Object cause;
        try {
            cause = throwable.getCause();
        } catch (Throwable t) {
            cause = Term.TRUNCATED;
        }
        if (cause != null) {
            fields.put("cause", walk(cause, d + 1));
        }
        return new Term.Struct(cut(type.getName()), fields);
    }

    private Term frames(Throwable throwable, int d) {
        if (d >= depth) {
            return Term.TRUNCATED;
        }
        StackTraceElement[] stack;
        try {
            stack = throwable.getStackTrace();
        } catch (Throwable t) {
            return Term.TRUNCATED;
        }
        if (stack == null) {
            return Term.NIL;
        }
        // The top of the stack says where it failed; unlike a long list, it is worth keeping in part.
        int n = Math.min(stack.length, MAX_ELEMENTS);
        List<Term> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(frame(stack[i], d + 1));
        }
        return new Term.Seq(out);
    }

    private Term frame(StackTraceElement frame, int d) {
        if (d >= depth) {
            return Term.TRUNCATED;
        }
        if (frame == null) {
            return Term.NIL;
        }
        String file = frame.getFileName();
        int line = frame.getLineNumber();
        String where = frame.isNativeMethod() ? "Native Method"
                : file == null ? "Unknown Source"
                : line >= 0 ? file + ':' + line
                : file;
        return new Term.Str(cut(frame.getClassName() + '.' + frame.getMethodName() + '(' + where + ')'));
    }
}
