package io.zenmonitor;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The truncated form of a down reason's detail: a small tree of strings, numbers, booleans, atoms,
 * sequences and structs, produced once by the {@link io.zenmonitor.truncate.Truncator} on the node
 * that owned the dead target and carried on the wire as such.
 *
 * <p>A {@code Term} never holds an application object, so a reason can cross the network and be shared
 * by every listener it reaches without Java serialization and without keeping anything alive.
 *
 * <p><b>Guarantees.</b> Terms are immutable. A term built by the Truncator respects its limits (depth,
 * string length, at most four elements per sequence or struct); a term built by hand is bounded only by
 * the wire limits ({@link io.zenmonitor.wire.WireLimits}).
 */
public sealed interface Term permits Term.Str, Term.Int, Term.Real, Term.Bool, Term.Atom, Term.Seq, Term.Struct {

    /** The atom that replaces anything cut by the Truncator, as ZenMonitor's {@code :truncated}. */
    Atom TRUNCATED = new Atom("truncated");
    /** The atom for {@code null}. */
    Atom NIL = new Atom("nil");

    /** A string, at most {@code truncate.max-string} characters when it comes from the Truncator. */
    record Str(String value) implements Term {
        public Str {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return '"' + value + '"';
        }
    }

    /** An integral number (byte, short, int, long, char code points are not numbers: they are strings). */
    record Int(long value) implements Term {
        @Override
        public String toString() {
            return Long.toString(value);
        }
    }

    /** A floating point number. */
    record Real(double value) implements Term {
        @Override
        public String toString() {
            return Double.toString(value);
        }
    }

    /** A boolean. */
    record Bool(boolean value) implements Term {
        @Override
        public String toString() {
            return Boolean.toString(value);
        }
    }

    /** A symbol: an enum constant's name, {@code nil}, {@code truncated}. */
    record Atom(String name) implements Term {
        public Atom {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String toString() {
            return ':' + name;
        }
    }

    /** An ordered sequence: a list, set, array or other collection. */
    record Seq(List<Term> elements) implements Term {
        public Seq {
            elements = List.copyOf(elements);
        }

        @Override
        public String toString() {
            return elements.toString();
        }
    }

    /**
     * A map, record or throwable: named fields in order. {@code type} is the class name for records and
     * throwables, and empty for a plain map.
     */
    record Struct(String type, Map<String, Term> fields) implements Term {
        public Struct {
            Objects.requireNonNull(type, "type");
            // keep insertion order, reject nulls: LinkedHashMap copy wrapped unmodifiable
            var copy = new java.util.LinkedHashMap<String, Term>();
            fields.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "field name"), Objects.requireNonNull(v, "field value")));
            fields = java.util.Collections.unmodifiableMap(copy);
        }

        @Override
        public String toString() {
            return (type.isEmpty() ? "%" : "%" + type) + fields;
        }
    }

    static Str str(String s) {
        return new Str(s);
    }

    static Int integer(long v) {
        return new Int(v);
    }

    static Atom atom(String name) {
        return new Atom(name);
    }

    static Seq seq(Term... elements) {
        return new Seq(List.of(elements));
    }
}
