package io.zenmonitor.truncate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.zenmonitor.DownReason;
import io.zenmonitor.Term;

import java.io.File;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The 28 cases of ZenMonitor's {@code test/truncator_test.exs} (zen_monitor.md §8.1), one nested class per
 * ExUnit {@code describe}, followed by the Java-specific and hostile-input cases the port adds.
 *
 * <p>Elixir data maps to Java as: tuples to arrays, lists to {@code List.of}, maps to maps, structs to
 * records, atoms to the {@link Sym} enum, pids to the (scalar) process id.
 */
@DisplayName("Truncator")
class TruncatorTest {

    private static final Term T = Term.TRUNCATED;
    private static final Truncator DEFAULT = Truncator.DEFAULT;
    private static final Duration GENEROUS = Duration.ofSeconds(10);

    /** Atoms of the original tests. */
    enum Sym { a, b, c, d, e, f, g, h, i, j, test_atom, foo, shutdown }

    // ----------------------------------------------------------------------------------------------
    // §8.1, in the original order

    @Nested
    @DisplayName("scalars should pass through")
    class ScalarsShouldPassThrough {

        // zen_monitor.md §8.1 #1
        @Test
        @DisplayName("atoms")
        void atoms() {
            assertThat(DEFAULT.truncate(Sym.test_atom)).isEqualTo(Term.atom("test_atom"));
        }

        // zen_monitor.md §8.1 #2
        @Test
        @DisplayName("floats")
        void floats() {
            assertThat(DEFAULT.truncate(1.2)).isEqualTo(new Term.Real(1.2));
        }

        // zen_monitor.md §8.1 #3
        @Test
        @DisplayName("integers")
        void integers() {
            assertThat(DEFAULT.truncate(1)).isEqualTo(Term.integer(1));
        }

        // zen_monitor.md §8.1 #4
        @Test
        @DisplayName("strings")
        void strings() {
            assertThat(DEFAULT.truncate("hello")).isEqualTo(Term.str("hello"));
        }

        // zen_monitor.md §8.1 #5: a pid has no Java counterpart; the process id is the scalar that stands for it.
        @Test
        @DisplayName("pids")
        void pids() {
            long pid = ProcessHandle.current().pid();
            assertThat(DEFAULT.truncate(pid)).isEqualTo(Term.integer(pid));
        }
    }

    @Nested
    @DisplayName("top level shutdown messages should pass through")
    class TopLevelShutdownMessagesShouldPassThrough {

        // zen_monitor.md §8.1 #6. Deliberate difference: the top-level {:shutdown, _} exemption is dropped,
        // so the long list is truncated here as it would be anywhere else.
        @Test
        @DisplayName("long list that would normally be truncated")
        void shutdownTuple_longList_isTruncatedLikeAnyValue() {
            Object[] shutdown = {Sym.shutdown, List.of(Sym.a, Sym.b, Sym.c, Sym.d, Sym.e, Sym.f, Sym.g)};

            assertThat(DEFAULT.truncate(shutdown)).isEqualTo(Term.seq(atom(Sym.shutdown), T));
        }

        // zen_monitor.md §8.1 #7: same result as ZenMonitor, for a reason that now applies at every level.
        @Test
        @DisplayName("only at top level, nested shutdown tuples should be truncated")
        void nestedShutdownTuple_truncated() {
            Object[] nested = {Sym.foo, new Object[] {Sym.shutdown, List.of(Sym.a, Sym.b, Sym.c, Sym.d, Sym.e, Sym.f, Sym.g)}};

            assertThat(DEFAULT.truncate(nested)).isEqualTo(Term.seq(atom(Sym.foo), Term.seq(atom(Sym.shutdown), T)));
        }
    }

    @Nested
    @DisplayName("bistring truncation")
    class BistringTruncation {

        // zen_monitor.md §8.1 #8
        @Test
        @DisplayName("less than limit should pass through")
        void lessThanLimit_passesThrough() {
            assertThat(DEFAULT.truncate("test-string")).isEqualTo(Term.str("test-string"));
        }

        // zen_monitor.md §8.1 #9
        @Test
        @DisplayName("equal to limit should pass through")
        void equalToLimit_passesThrough() {
            String input = "a".repeat(1024);

            assertThat(DEFAULT.truncate(input)).isEqualTo(Term.str(input));
        }

        // zen_monitor.md §8.1 #10
        @Test
        @DisplayName("greater than limit should be truncated")
        void greaterThanLimit_cutTo1021PlusEllipsis() {
            assertThat(DEFAULT.truncate("a".repeat(2048))).isEqualTo(Term.str("a".repeat(1021) + "..."));
        }
    }

    @Nested
    @DisplayName("list truncation")
    class ListTruncation {

        // zen_monitor.md §8.1 #11
        @Test
        @DisplayName("lists of size less than 5 should pass through")
        void listsUpTo4_passThrough() {
            assertThat(DEFAULT.truncate(List.of())).isEqualTo(Term.seq());
            assertThat(DEFAULT.truncate(List.of(1))).isEqualTo(ints(1));
            assertThat(DEFAULT.truncate(List.of(1, 2))).isEqualTo(ints(1, 2));
            assertThat(DEFAULT.truncate(List.of(1, 2, 3))).isEqualTo(ints(1, 2, 3));
            assertThat(DEFAULT.truncate(List.of(1, 2, 3, 4))).isEqualTo(ints(1, 2, 3, 4));
        }

        // zen_monitor.md §8.1 #12
        @Test
        @DisplayName("lists of size 5 should be truncated")
        void listOf5_truncated() {
            assertThat(DEFAULT.truncate(List.of(1, 2, 3, 4, 5))).isEqualTo(T);
        }

        // zen_monitor.md §8.1 #13
        @Test
        @DisplayName("lists of size greater than 5 should be truncated")
        void listOf6_truncated() {
            assertThat(DEFAULT.truncate(List.of(1, 2, 3, 4, 5, 6))).isEqualTo(T);
        }
    }

    @Nested
    @DisplayName("tuple truncation")
    class TupleTruncation {

        // zen_monitor.md §8.1 #14
        @Test
        @DisplayName("tuples of size less than 5 should pass through")
        void tuplesUpTo4_passThrough() {
            assertThat(DEFAULT.truncate(new Object[] {})).isEqualTo(Term.seq());
            assertThat(DEFAULT.truncate(new Object[] {1})).isEqualTo(ints(1));
            assertThat(DEFAULT.truncate(new Object[] {1, 2})).isEqualTo(ints(1, 2));
            assertThat(DEFAULT.truncate(new Object[] {1, 2, 3})).isEqualTo(ints(1, 2, 3));
            assertThat(DEFAULT.truncate(new Object[] {1, 2, 3, 4})).isEqualTo(ints(1, 2, 3, 4));
        }

        // zen_monitor.md §8.1 #15
        @Test
        @DisplayName("tuples of size 5 should be truncated")
        void tupleOf5_truncated() {
            assertThat(DEFAULT.truncate(new Object[] {1, 2, 3, 4, 5})).isEqualTo(T);
        }

        // zen_monitor.md §8.1 #16
        @Test
        @DisplayName("tuples of size greater than 5 should be truncated")
        void tupleOf6_truncated() {
            assertThat(DEFAULT.truncate(new Object[] {1, 2, 3, 4, 5, 6})).isEqualTo(T);
        }
    }

    @Nested
    @DisplayName("map truncation")
    class MapTruncation {

        // zen_monitor.md §8.1 #17
        @Test
        @DisplayName("maps of size less than 5 should pass through")
        void mapsUpTo4_passThrough() {
            assertThat(DEFAULT.truncate(Map.of(Sym.a, 1))).isEqualTo(map("a", i(1)));
            assertThat(DEFAULT.truncate(Map.of(Sym.a, 1, Sym.b, 2))).isEqualTo(map("a", i(1), "b", i(2)));
            assertThat(DEFAULT.truncate(Map.of(Sym.a, 1, Sym.b, 2, Sym.c, 3)))
                    .isEqualTo(map("a", i(1), "b", i(2), "c", i(3)));
            assertThat(DEFAULT.truncate(Map.of(Sym.a, 1, Sym.b, 2, Sym.c, 3, Sym.d, 4)))
                    .isEqualTo(map("a", i(1), "b", i(2), "c", i(3), "d", i(4)));
        }

        // zen_monitor.md §8.1 #18
        @Test
        @DisplayName("maps of size 5 should be truncated")
        void mapOf5_truncated() {
            assertThat(DEFAULT.truncate(Map.of(Sym.a, 1, Sym.b, 2, Sym.c, 3, Sym.d, 4, Sym.e, 5))).isEqualTo(T);
        }

        // zen_monitor.md §8.1 #19
        @Test
        @DisplayName("maps of size greater than 5 should be truncated")
        void mapOf6_truncated() {
            assertThat(DEFAULT.truncate(Map.of(Sym.a, 1, Sym.b, 2, Sym.c, 3, Sym.d, 4, Sym.e, 5, Sym.f, 6)))
                    .isEqualTo(T);
        }
    }

    @Nested
    @DisplayName("struct truncation")
    class StructTruncation {

        record OneFieldStruct(int a) {
            OneFieldStruct() {
                this(1);
            }
        }

        record TwoFieldStruct(int a, int b) {
            TwoFieldStruct() {
                this(1, 2);
            }
        }

        record ThreeFieldStruct(int a, int b, int c) {
            ThreeFieldStruct() {
                this(1, 2, 3);
            }
        }

        record FourFieldStruct(int a, int b, int c, int d) {
            FourFieldStruct() {
                this(1, 2, 3, 4);
            }
        }

        record FiveFieldStruct(int a, int b, int c, int d, int e) {
            FiveFieldStruct() {
                this(1, 2, 3, 4, 5);
            }
        }

        record SixFieldStruct(int a, int b, int c, int d, int e, int f) {
            SixFieldStruct() {
                this(1, 2, 3, 4, 5, 6);
            }
        }

        // zen_monitor.md §8.1 #20
        @Test
        @DisplayName("structs of size less than 5 should pass through")
        void structsUpTo4_passThrough() {
            assertThat(DEFAULT.truncate(new OneFieldStruct())).isEqualTo(struct(OneFieldStruct.class, "a", i(1)));
            assertThat(DEFAULT.truncate(new TwoFieldStruct()))
                    .isEqualTo(struct(TwoFieldStruct.class, "a", i(1), "b", i(2)));
            assertThat(DEFAULT.truncate(new ThreeFieldStruct()))
                    .isEqualTo(struct(ThreeFieldStruct.class, "a", i(1), "b", i(2), "c", i(3)));
            assertThat(DEFAULT.truncate(new FourFieldStruct()))
                    .isEqualTo(struct(FourFieldStruct.class, "a", i(1), "b", i(2), "c", i(3), "d", i(4)));
        }

        // zen_monitor.md §8.1 #21
        @Test
        @DisplayName("structs of size 5 should be truncated")
        void structOf5_truncated() {
            assertThat(DEFAULT.truncate(new FiveFieldStruct())).isEqualTo(T);
        }

        // zen_monitor.md §8.1 #22
        @Test
        @DisplayName("structs of size greater than 5 should be truncated")
        void structOf6_truncated() {
            assertThat(DEFAULT.truncate(new SixFieldStruct())).isEqualTo(T);
        }
    }

    /** Counts reads of {@code SecretFiveFields}' accessors, which must never happen. */
    private static final AtomicInteger SECRET_READS = new AtomicInteger();

    @Nested
    @DisplayName("struct robustness")
    class StructRobustness {

        // zen_monitor.md §8.1 #23. The "unknown struct" is a record private to this method: it is reachable
        // only through setAccessible, and one of its accessors throws, yet it is kept as a struct.
        @Test
        @DisplayName("small unknown struct stays as-is")
        void privateRecord_keptAsStruct() {
            record NotARealModule(Sym a, Sym c) {
            }
            record NotARealModuleWithThrowingAccessor(Sym a, Sym c) {
                @Override
                public Sym c() {
                    throw new IllegalStateException("unreadable");
                }
            }

            assertThat(DEFAULT.truncate(new NotARealModule(Sym.b, Sym.d)))
                    .isEqualTo(struct(NotARealModule.class, "a", atom(Sym.b), "c", atom(Sym.d)));
            assertThat(DEFAULT.truncate(new NotARealModuleWithThrowingAccessor(Sym.b, Sym.d)))
                    .isEqualTo(struct(NotARealModuleWithThrowingAccessor.class, "a", atom(Sym.b), "c", T));
        }

        // zen_monitor.md §8.1 #24: also checks that no accessor of a truncated struct runs.
        @Test
        @DisplayName("large unknown struct should be truncated")
        void largePrivateRecord_truncatedWithoutReadingIt() {
            record SecretFiveFields(Sym a, Sym c, Sym e, Sym g, Sym i) {
                @Override
                public Sym a() {
                    SECRET_READS.incrementAndGet();
                    return a;
                }
            }
            SECRET_READS.set(0);

            assertThat(DEFAULT.truncate(new SecretFiveFields(Sym.b, Sym.d, Sym.f, Sym.h, Sym.j))).isEqualTo(T);
            assertThat(SECRET_READS).hasValue(0);
        }
    }

    @Nested
    @DisplayName("limited nesting")
    class LimitedNesting {

        /** ZenMonitor's {@code Nested} struct: 4 fields whose defaults are %{}, [], {} and nil. */
        record Nested(Object map, Object list, Object tuple, Object struct) {
            Nested() {
                this(Map.of(), List.of(), new Object[0], null);
            }

            Nested withMap(Object value) {
                return new Nested(value, list, tuple, struct);
            }

            Nested withList(Object value) {
                return new Nested(map, value, tuple, struct);
            }

            Nested withTuple(Object value) {
                return new Nested(map, list, value, struct);
            }

            Nested withStruct(Object value) {
                return new Nested(map, list, tuple, value);
            }
        }

        /** Elixir's {@code MapSet.new([1, 2, 3])}: a 2-field struct {@code %MapSet{map: %{1 => [], ...}, version: 2}}. */
        record MapSet(Map<Integer, List<Object>> map, int version) {
            static MapSet of(Integer... elements) {
                Map<Integer, List<Object>> map = new LinkedHashMap<>();
                for (Integer element : elements) {
                    map.put(element, List.of());
                }
                return new MapSet(map, 2);
            }
        }

        /** The expected Nested struct: each field its truncated default unless given. */
        private Term nested(Term map, Term list, Term tuple, Term struct) {
            return struct(Nested.class, "map", map, "list", list, "tuple", tuple, "struct", struct);
        }

        // zen_monitor.md §8.1 #25
        @Test
        @DisplayName("it should prevent deeply nested lists")
        void deeplyNestedLists() {
            List<Object> nested = List.of(Sym.a, List.of(Sym.b, List.of(Sym.c, List.of(Sym.d, List.of(Sym.e, List.of(Sym.f))))));

            assertThat(depth(0).truncate(nested)).isEqualTo(T);
            assertThat(depth(1).truncate(nested)).isEqualTo(Term.seq(T, T));
            assertThat(depth(2).truncate(nested)).isEqualTo(Term.seq(atom(Sym.a), Term.seq(T, T)));
            assertThat(depth(3).truncate(nested))
                    .isEqualTo(Term.seq(atom(Sym.a), Term.seq(atom(Sym.b), Term.seq(T, T))));
            assertThat(depth(4).truncate(nested))
                    .isEqualTo(Term.seq(atom(Sym.a), Term.seq(atom(Sym.b), Term.seq(atom(Sym.c), Term.seq(T, T)))));
        }

        // zen_monitor.md §8.1 #26
        @Test
        @DisplayName("it should prevent deeply nested maps")
        void deeplyNestedMaps() {
            Map<Sym, Object> nested = Map.of(Sym.a, Map.of(Sym.b, Map.of(Sym.c, Map.of(Sym.d, Map.of()))));

            assertThat(depth(0).truncate(nested)).isEqualTo(T);
            assertThat(depth(1).truncate(nested)).isEqualTo(map("a", T));
            assertThat(depth(2).truncate(nested)).isEqualTo(map("a", map("b", T)));
            assertThat(depth(3).truncate(nested)).isEqualTo(map("a", map("b", map("c", T))));
            assertThat(depth(4).truncate(nested)).isEqualTo(map("a", map("b", map("c", map("d", T)))));
            assertThat(depth(5).truncate(nested)).isEqualTo(map("a", map("b", map("c", map("d", map())))));
        }

        // zen_monitor.md §8.1 #27
        @Test
        @DisplayName("it should prevent deeply nested tuples")
        void deeplyNestedTuples() {
            Object[] nested = {Sym.a, new Object[] {Sym.b, new Object[] {Sym.c, new Object[] {Sym.d, new Object[] {}}}}};

            assertThat(depth(0).truncate(nested)).isEqualTo(T);
            assertThat(depth(1).truncate(nested)).isEqualTo(Term.seq(T, T));
            assertThat(depth(2).truncate(nested)).isEqualTo(Term.seq(atom(Sym.a), Term.seq(T, T)));
            assertThat(depth(3).truncate(nested))
                    .isEqualTo(Term.seq(atom(Sym.a), Term.seq(atom(Sym.b), Term.seq(T, T))));
            assertThat(depth(4).truncate(nested))
                    .isEqualTo(Term.seq(atom(Sym.a), Term.seq(atom(Sym.b), Term.seq(atom(Sym.c), Term.seq(T, T)))));
            assertThat(depth(5).truncate(nested)).isEqualTo(
                    Term.seq(atom(Sym.a), Term.seq(atom(Sym.b), Term.seq(atom(Sym.c), Term.seq(atom(Sym.d), Term.seq())))));
        }

        // zen_monitor.md §8.1 #28. The original matches one field; here the whole struct is asserted, so the
        // untouched defaults (%{} -> empty map, [] and {} -> empty seq, nil) are checked too.
        @Test
        @DisplayName("it should prevent deeply nested structs")
        void deeplyNestedStructs() {
            Term emptyMap = map();
            Term empty = Term.seq();
            Term allCut = nested(T, T, T, T); // at depth 1 every field sits at the cut

            assertThat(depth(1).truncate(new Nested().withMap(Map.of(Sym.a, 1)))).isEqualTo(allCut);
            assertThat(depth(2).truncate(new Nested().withMap(Map.of(Sym.a, Map.of(Sym.b, 2)))))
                    .isEqualTo(nested(map("a", T), empty, empty, Term.NIL));

            List<Object> list = List.of(1, List.of(2, List.of(3)));
            assertThat(depth(1).truncate(new Nested().withList(list))).isEqualTo(allCut);
            assertThat(depth(2).truncate(new Nested().withList(list)))
                    .isEqualTo(nested(emptyMap, Term.seq(T, T), empty, Term.NIL));

            MapSet mapSet = MapSet.of(1, 2, 3);
            assertThat(depth(1).truncate(new Nested().withStruct(mapSet))).isEqualTo(allCut);
            assertThat(depth(2).truncate(new Nested().withStruct(mapSet)))
                    .isEqualTo(nested(emptyMap, empty, empty, struct(MapSet.class, "map", T, "version", T)));

            Object[] tuple = {Sym.a, new Object[] {Sym.b, new Object[] {Sym.c, new Object[] {}}}};
            assertThat(depth(1).truncate(new Nested().withTuple(tuple))).isEqualTo(allCut);
            assertThat(depth(2).truncate(new Nested().withTuple(tuple)))
                    .isEqualTo(nested(emptyMap, empty, Term.seq(T, T), Term.NIL));
            assertThat(depth(3).truncate(new Nested().withTuple(tuple)))
                    .isEqualTo(nested(emptyMap, empty, Term.seq(atom(Sym.a), Term.seq(T, T)), Term.NIL));
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Beyond §8.1: the Java mapping

    @Nested
    @DisplayName("Java values (beyond truncator_test.exs)")
    class JavaValues {

        @Test
        void truncate_jdkScalars_mappedToTerms() {
            assertThat(DEFAULT.truncate(null)).isEqualTo(Term.NIL);
            assertThat(DEFAULT.truncate(true)).isEqualTo(new Term.Bool(true));
            assertThat(DEFAULT.truncate((byte) -3)).isEqualTo(i(-3));
            assertThat(DEFAULT.truncate((short) 300)).isEqualTo(i(300));
            assertThat(DEFAULT.truncate(Long.MIN_VALUE)).isEqualTo(i(Long.MIN_VALUE));
            assertThat(DEFAULT.truncate(new AtomicInteger(7))).isEqualTo(i(7));
            assertThat(DEFAULT.truncate(new AtomicLong(8))).isEqualTo(i(8));
            assertThat(DEFAULT.truncate(1.5f)).isEqualTo(new Term.Real(1.5));
            assertThat(DEFAULT.truncate('x')).isEqualTo(Term.str("x"));
            assertThat(DEFAULT.truncate(String.class)).isEqualTo(Term.str("java.lang.String"));
            assertThat(DEFAULT.truncate(DownReason.Kind.EXIT)).isEqualTo(Term.atom("EXIT"));
        }

        @Test
        void truncate_jdkValueTypes_renderedAsShortStrings() throws Exception {
            UUID uuid = new UUID(0x1234L, 0x5678L);
            assertThat(DEFAULT.truncate(uuid)).isEqualTo(Term.str("00000000-0000-1234-0000-000000005678"));
            assertThat(DEFAULT.truncate(Instant.EPOCH)).isEqualTo(Term.str("1970-01-01T00:00:00Z"));
            assertThat(DEFAULT.truncate(Duration.ofSeconds(90))).isEqualTo(Term.str("PT1M30S"));
            assertThat(DEFAULT.truncate(LocalDate.of(2024, 2, 29))).isEqualTo(Term.str("2024-02-29"));
            assertThat(DEFAULT.truncate(ZoneId.of("Europe/Paris"))).isEqualTo(Term.str("Europe/Paris"));
            // getByAddress does no lookup, and neither may the truncator: the literal address, no host name.
            InetAddress address = InetAddress.getByAddress("some.host.invalid", new byte[] {10, 0, 0, 1});
            assertThat(DEFAULT.truncate(address)).isEqualTo(Term.str("10.0.0.1"));
            assertThat(DEFAULT.truncate(new File("dir", "file.txt")))
                    .isEqualTo(Term.str("dir" + File.separator + "file.txt"));
        }

        @Test
        void truncate_bigInteger_intWhenItFitsStringOtherwise() {
            assertThat(DEFAULT.truncate(BigInteger.valueOf(Long.MAX_VALUE))).isEqualTo(i(Long.MAX_VALUE));
            assertThat(DEFAULT.truncate(BigInteger.valueOf(Long.MIN_VALUE))).isEqualTo(i(Long.MIN_VALUE));
            assertThat(DEFAULT.truncate(BigInteger.TWO.pow(100))).isEqualTo(Term.str("1267650600228229401496703205376"));
            // 2^4000 has 1205 digits: rendered, then cut by the string rule.
            Term cut = DEFAULT.truncate(BigInteger.TWO.pow(4000));
            assertThat(cut).isEqualTo(Term.str(BigInteger.TWO.pow(4000).toString().substring(0, 1021) + "..."));
        }

        @Test
        void truncate_hugeBigInteger_truncatedWithoutRendering() {
            BigInteger huge = BigInteger.TWO.pow(50_000_000);

            Term result = assertTimeoutPreemptively(GENEROUS, () -> DEFAULT.truncate(huge));

            assertThat(result).isEqualTo(T);
        }

        @Test
        void truncate_bigDecimal_scientificStringOrTruncated() {
            assertThat(DEFAULT.truncate(new BigDecimal("1.50"))).isEqualTo(Term.str("1.50"));
            assertThat(DEFAULT.truncate(BigDecimal.valueOf(1, 1_000_000_000))).isEqualTo(Term.str("1E-1000000000"));
            assertThat(DEFAULT.truncate(new BigDecimal(BigInteger.TWO.pow(5000)))).isEqualTo(T);
        }

        @Test
        void truncate_primitiveArrays_areTuples() {
            assertThat(DEFAULT.truncate(new int[] {1, 2})).isEqualTo(ints(1, 2));
            assertThat(DEFAULT.truncate(new char[] {'o', 'k'})).isEqualTo(Term.seq(Term.str("o"), Term.str("k")));
            assertThat(DEFAULT.truncate(new double[] {0.5})).isEqualTo(Term.seq(new Term.Real(0.5)));
            assertThat(DEFAULT.truncate(new boolean[] {false})).isEqualTo(Term.seq(new Term.Bool(false)));
            assertThat(DEFAULT.truncate(new byte[0])).isEqualTo(Term.seq());
            assertThat(DEFAULT.truncate(new long[5])).isEqualTo(T);
            assertThat(DEFAULT.truncate(new byte[1 << 20])).isEqualTo(T);
        }

        @Test
        void truncate_setsAndQueues_areSeqsInIterationOrder() {
            assertThat(DEFAULT.truncate(new LinkedHashSet<>(List.of("x", "y")))).isEqualTo(Term.seq(Term.str("x"), Term.str("y")));
            assertThat(DEFAULT.truncate(new java.util.ArrayDeque<>(List.of(3, 1)))).isEqualTo(ints(3, 1));
        }

        @Test
        void truncate_mapEntry_isPair() {
            assertThat(DEFAULT.truncate(Map.entry(Sym.a, List.of(1))))
                    .isEqualTo(Term.seq(atom(Sym.a), ints(1)));
            assertThat(depth(1).truncate(Map.entry(Sym.a, 1))).isEqualTo(Term.seq(T, T));
        }

        @Test
        void truncate_mapKeys_namedNotWalked() {
            Map<Object, Object> scalars = new LinkedHashMap<>();
            scalars.put(null, 1);
            scalars.put(42L, 2);
            scalars.put(true, 3);
            scalars.put('k', 4);
            assertThat(DEFAULT.truncate(scalars)).isEqualTo(map("nil", i(1), "42", i(2), "true", i(3), "k", i(4)));

            Map<Object, Object> others = new LinkedHashMap<>();
            others.put(List.of(1), 1);
            others.put(new Object[] {2}, 2);
            others.put(2.5, 3);
            others.put("k".repeat(2000), 4);
            assertThat(DEFAULT.truncate(others))
                    .isEqualTo(map("truncated", i(2), "2.5", i(3), "k".repeat(1021) + "...", i(4)));
        }

        @Test
        void truncate_duplicateKeyNames_lastEntryWins() {
            Map<Object, Object> clash = new LinkedHashMap<>();
            clash.put(1, "int");
            clash.put("x", "string");
            clash.put("1", "later");

            Term result = DEFAULT.truncate(clash);

            assertThat(result).isEqualTo(map("x", Term.str("string"), "1", Term.str("later")));
            assertThat(((Term.Struct) result).fields().keySet()).containsExactly("x", "1");
        }

        @Test
        void truncate_termInput_walkedLikeTheValueItStandsFor() {
            assertThat(DEFAULT.truncate(Term.str("z".repeat(2000)))).isEqualTo(Term.str("z".repeat(1021) + "..."));
            assertThat(DEFAULT.truncate(Term.integer(5))).isEqualTo(Term.integer(5));
            assertThat(DEFAULT.truncate(Term.seq(i(1), i(2), i(3), i(4), i(5)))).isEqualTo(T);
            assertThat(DEFAULT.truncate(Term.seq(Term.seq(Term.seq(Term.seq())))))
                    .isEqualTo(Term.seq(Term.seq(Term.seq(T))));
            Term.Struct typed = new Term.Struct("com.example.Failure", Map.of("code", Term.seq(i(1))));
            assertThat(depth(1).truncate(typed)).isEqualTo(new Term.Struct("com.example.Failure", Map.of("code", T)));
            Map<String, Term> five = new LinkedHashMap<>();
            for (String name : List.of("a", "b", "c", "d", "e")) {
                five.put(name, i(0));
            }
            assertThat(DEFAULT.truncate(new Term.Struct("Wide", five))).isEqualTo(T);
        }

        @Test
        void truncate_opaqueValues_truncated() {
            Supplier<String> lambda = () -> "secret";
            Iterable<Integer> notACollection = () -> List.of(1).iterator();
            assertThat(DEFAULT.truncate(lambda)).isEqualTo(T);
            assertThat(DEFAULT.truncate(notACollection)).isEqualTo(T);
            assertThat(DEFAULT.truncate(Optional.of(1))).isEqualTo(T);
            assertThat(DEFAULT.truncate(Stream.of(1))).isEqualTo(T);
            assertThat(DEFAULT.truncate(new Object())).isEqualTo(T);
            assertThat(DEFAULT.truncate(new LongAdder())).isEqualTo(T);
            // A subclass of a JDK number may override bitLength/toString: not trusted.
            assertThat(DEFAULT.truncate(new BigInteger("12") {
            })).isEqualTo(T);
        }

        @Test
        void truncate_depthZero_everythingTruncated() {
            Truncator none = depth(0);

            assertThat(none.truncate(null)).isEqualTo(T);
            assertThat(none.truncate(1)).isEqualTo(T);
            assertThat(none.truncate("x")).isEqualTo(T);
            assertThat(none.truncate(List.of())).isEqualTo(T);
            assertThat(none.truncate(new Object[] {Sym.shutdown, "exempt in ZenMonitor"})).isEqualTo(T);
        }

        @Test
        void reason_truncatesDetailOrKeepsNull() {
            assertThat(DEFAULT.reason(DownReason.Kind.EXIT, null)).isEqualTo(new DownReason(DownReason.Kind.EXIT, null));
            assertThat(DEFAULT.reason(DownReason.Kind.SHUTDOWN, List.of(1, 2, 3, 4, 5)))
                    .isEqualTo(new DownReason(DownReason.Kind.SHUTDOWN, T));
            assertThat(depth(1).reason(DownReason.Kind.EXIT, List.of("a")))
                    .isEqualTo(new DownReason(DownReason.Kind.EXIT, Term.seq(T)));
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Beyond §8.1: throwables

    /** A throwable with a fixed, known stack so that its frames can be asserted exactly. */
    static final class Boom extends RuntimeException {
        static final StackTraceElement[] STACK = {
            new StackTraceElement("com.example.Service", "handle", "Service.java", 42),
            new StackTraceElement("com.example.Native", "call", null, -2),
            new StackTraceElement("com.example.Generated", "run", null, -1),
            new StackTraceElement("com.example.NoLines", "go", "NoLines.java", -1),
            new StackTraceElement("com.example.Fifth", "dropped", "Fifth.java", 5),
        };
        static final Term FRAMES = Term.seq(
                Term.str("com.example.Service.handle(Service.java:42)"),
                Term.str("com.example.Native.call(Native Method)"),
                Term.str("com.example.Generated.run(Unknown Source)"),
                Term.str("com.example.NoLines.go(NoLines.java)"));
        static final Term FRAMES_CUT = Term.seq(T, T, T, T);

        Boom(String message) {
            super(message);
            setStackTrace(STACK);
        }

        Boom(String message, Throwable cause) {
            super(message, cause);
            setStackTrace(STACK);
        }
    }

    @Nested
    @DisplayName("throwables (beyond truncator_test.exs)")
    class Throwables {

        @Test
        void truncate_throwable_messageFirstFourFramesAndCause() {
            Boom boom = new Boom("outer", new IllegalStateException("inner"));

            Term result = depth(4).truncate(boom);

            Term.Struct cause = (Term.Struct) ((Term.Struct) result).fields().get("cause");
            assertThat(result).isEqualTo(struct(Boom.class,
                    "message", Term.str("outer"), "frames", Boom.FRAMES, "cause", cause));
            assertThat(cause.type()).isEqualTo("java.lang.IllegalStateException");
            assertThat(cause.fields()).containsOnlyKeys("message", "frames");
            assertThat(cause.fields().get("message")).isEqualTo(Term.str("inner"));
            // Real frames of this test, at level 2 of 4: present and rendered, at most 4.
            assertThat(((Term.Seq) cause.fields().get("frames")).elements())
                    .hasSize(4)
                    .first().isEqualTo(Term.str(frameText(boom.getCause().getStackTrace()[0])));
        }

        @Test
        void truncate_throwableWithoutMessageOrCause_nilMessageAndNoCauseField() {
            assertThat(DEFAULT.truncate(new Boom(null)))
                    .isEqualTo(struct(Boom.class, "message", Term.NIL, "frames", Boom.FRAMES));
        }

        @Test
        void truncate_throwableWithHostileGetters_onlyThoseFieldsTruncated() {
            RuntimeException hostile = new RuntimeException("unused") {
                @Override
                public String getMessage() {
                    throw new IllegalStateException("no message");
                }

                @Override
                public StackTraceElement[] getStackTrace() {
                    throw new IllegalStateException("no stack");
                }

                @Override
                public synchronized Throwable getCause() {
                    throw new IllegalStateException("no cause");
                }
            };

            assertThat(DEFAULT.truncate(hostile))
                    .isEqualTo(new Term.Struct(hostile.getClass().getName(), fields("message", T, "frames", T, "cause", T)));
        }

        @Test
        void truncate_throwableWithHugeMessage_messageCut() {
            assertThat(DEFAULT.truncate(new Boom("m".repeat(5000))))
                    .isEqualTo(struct(Boom.class, "message", Term.str("m".repeat(1021) + "..."), "frames", Boom.FRAMES));
        }

        @Test
        void truncate_deepCauseChain_costsOnlyDepthLevels() {
            Throwable chain = null;
            for (int n = 0; n < 10_000; n++) {
                chain = new Boom("e" + n, chain);
            }
            Throwable top = chain;

            Term result = assertTimeoutPreemptively(GENEROUS, () -> DEFAULT.truncate(top));

            Term level2 = struct(Boom.class, "message", T, "frames", T, "cause", T);
            Term level1 = struct(Boom.class, "message", Term.str("e9998"), "frames", Boom.FRAMES_CUT, "cause", level2);
            assertThat(result).isEqualTo(struct(Boom.class, "message", Term.str("e9999"), "frames", Boom.FRAMES, "cause", level1));
            assertWithinLimits(result, DEFAULT);
        }

        @Test
        void truncate_cyclicCause_costsOnlyDepthLevels() {
            Boom a = new Boom("A");
            Boom b = new Boom("B");
            a.initCause(b);
            b.initCause(a);

            Term result = assertTimeoutPreemptively(GENEROUS, () -> DEFAULT.truncate(a));

            Term again = struct(Boom.class, "message", T, "frames", T, "cause", T);
            Term viaB = struct(Boom.class, "message", Term.str("B"), "frames", Boom.FRAMES_CUT, "cause", again);
            assertThat(result).isEqualTo(struct(Boom.class, "message", Term.str("A"), "frames", Boom.FRAMES, "cause", viaB));
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Beyond §8.1: hostile input

    /** An application object whose identity methods must never be called. */
    static final class Hostile {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String toString() {
            calls.incrementAndGet();
            throw new AssertionError("toString called");
        }

        @Override
        public int hashCode() {
            calls.incrementAndGet();
            throw new AssertionError("hashCode called");
        }

        @Override
        public boolean equals(Object other) {
            calls.incrementAndGet();
            throw new AssertionError("equals called");
        }
    }

    /** A char sequence as long as a String can be, which refuses to be turned into one. */
    static final class EndlessChars implements CharSequence {
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public int length() {
            return Integer.MAX_VALUE;
        }

        @Override
        public char charAt(int index) {
            reads.incrementAndGet();
            return 'x';
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            throw new AssertionError("subSequence called");
        }

        @Override
        public String toString() {
            throw new AssertionError("toString called");
        }
    }

    @Nested
    @DisplayName("hostile input (beyond truncator_test.exs)")
    class HostileInput {

        @Test
        void truncate_hugeString_cutToMaxString() {
            String huge = "a".repeat(100 * 1024 * 1024);

            Term result = assertTimeoutPreemptively(GENEROUS, () -> DEFAULT.truncate(huge));

            assertThat(result).isEqualTo(Term.str("a".repeat(1021) + "..."));
            assertThat(((Term.Str) result).value()).hasSize(1024);
        }

        @Test
        void truncate_hugeCharSequence_readsOnlyTheKeptChars() {
            EndlessChars chars = new EndlessChars();

            Term result = assertTimeoutPreemptively(GENEROUS, () -> DEFAULT.truncate(chars));

            assertThat(result).isEqualTo(Term.str("x".repeat(1021) + "..."));
            assertThat(chars.reads.get()).isLessThanOrEqualTo(1024);
        }

        @Test
        void truncate_surrogatePairAtCut_neverSplit() {
            String emoji = "\uD83D\uDE00";
            // The pair straddles the cut (chars 1020 and 1021): cut one char earlier, 1023 chars in all.
            String straddling = "a".repeat(1020) + emoji + "b".repeat(100);
            assertThat(DEFAULT.truncate(straddling)).isEqualTo(Term.str("a".repeat(1020) + "..."));
            assertThat(DEFAULT.truncate(new StringBuilder(straddling))).isEqualTo(Term.str("a".repeat(1020) + "..."));
            // The pair ends right at the cut: kept whole, 1024 chars.
            String before = "a".repeat(1019) + emoji + "b".repeat(100);
            assertThat(DEFAULT.truncate(before)).isEqualTo(Term.str("a".repeat(1019) + emoji + "..."));
        }

        @Test
        void truncate_objectWithHostileIdentityMethods_neverCallsThem() {
            Hostile hostile = new Hostile();
            Map<Object, Object> keyed = new java.util.IdentityHashMap<>();
            keyed.put(hostile, hostile);

            assertThat(DEFAULT.truncate(hostile)).isEqualTo(T);
            assertThat(DEFAULT.truncate(List.of(hostile, "ok"))).isEqualTo(Term.seq(T, Term.str("ok")));
            assertThat(DEFAULT.truncate(new Object[] {hostile})).isEqualTo(Term.seq(T));
            assertThat(DEFAULT.truncate(keyed)).isEqualTo(map("truncated", T));
            assertThat(DEFAULT.truncate(Map.entry(hostile, hostile))).isEqualTo(Term.seq(T, T));
            assertThat(hostile.calls).hasValue(0);
        }

        @Test
        void truncate_collectionWithLyingSizeAndEndlessIterator_truncatedAfterFiveElements() {
            AtomicInteger pulled = new AtomicInteger();
            Collection<Object> endless = new AbstractCollection<>() {
                @Override
                public int size() {
                    return 0;
                }

                @Override
                public Iterator<Object> iterator() {
                    return Stream.<Object>iterate(0, n -> n).peek(n -> pulled.incrementAndGet()).iterator();
                }
            };

            Term result = assertTimeoutPreemptively(GENEROUS, () -> DEFAULT.truncate(endless));

            assertThat(result).isEqualTo(T);
            assertThat(pulled.get()).isLessThanOrEqualTo(5);
        }

        @Test
        void truncate_collectionWhoseSizeOverstates_countsByIterating() {
            Collection<Object> twoClaimingMany = new AbstractCollection<>() {
                @Override
                public int size() {
                    return 1_000_000;
                }

                @Override
                public Iterator<Object> iterator() {
                    return List.<Object>of(1, 2).iterator();
                }
            };

            assertThat(DEFAULT.truncate(twoClaimingMany)).isEqualTo(ints(1, 2));
        }

        @Test
        void truncate_collectionWhoseIteratorThrows_truncated() {
            Collection<Object> broken = new AbstractCollection<>() {
                @Override
                public int size() {
                    return 1;
                }

                @Override
                public Iterator<Object> iterator() {
                    throw new UnsupportedOperationException("no iteration");
                }
            };

            assertThat(DEFAULT.truncate(broken)).isEqualTo(T);
            assertThat(DEFAULT.truncate(List.of("kept", broken))).isEqualTo(Term.seq(Term.str("kept"), T));
        }

        @Test
        void truncate_mapWhoseEntrySetIteratorThrows_truncated() {
            Map<Object, Object> broken = new AbstractMap<>() {
                @Override
                public Set<Entry<Object, Object>> entrySet() {
                    return new AbstractSet<>() {
                        @Override
                        public Iterator<Entry<Object, Object>> iterator() {
                            throw new IllegalStateException("no entries");
                        }

                        @Override
                        public int size() {
                            return 1;
                        }
                    };
                }
            };

            assertThat(DEFAULT.truncate(broken)).isEqualTo(T);
            assertThat(DEFAULT.truncate(Map.of("inner", broken))).isEqualTo(map("inner", T));
        }

        @Test
        void truncate_mapWhoseSizeUnderstates_truncated() {
            Map<Object, Object> six = new LinkedHashMap<>();
            for (int n = 0; n < 6; n++) {
                six.put(n, n);
            }
            Map<Object, Object> lying = new AbstractMap<>() {
                @Override
                public int size() {
                    return 1;
                }

                @Override
                public Set<Entry<Object, Object>> entrySet() {
                    return six.entrySet();
                }
            };

            assertThat(DEFAULT.truncate(lying)).isEqualTo(T);
        }

        @Test
        void truncate_mapWithThrowingEntry_onlyThatValueTruncated() {
            Map.Entry<Object, Object> bad = new AbstractMap.SimpleEntry<>("bad", 1) {
                @Override
                public Object getValue() {
                    throw new IllegalStateException("no value");
                }
            };
            Map<Object, Object> map = new AbstractMap<>() {
                @Override
                public Set<Entry<Object, Object>> entrySet() {
                    // Backed by a list so that building the set never touches the entries.
                    List<Entry<Object, Object>> entries = List.of(Map.entry("ok", 1), bad);
                    return new AbstractSet<>() {
                        @Override
                        public Iterator<Entry<Object, Object>> iterator() {
                            return entries.iterator();
                        }

                        @Override
                        public int size() {
                            return entries.size();
                        }
                    };
                }
            };

            assertThat(DEFAULT.truncate(map)).isEqualTo(map("ok", i(1), "bad", T));
        }

        @Test
        void truncate_recordAccessorThrows_onlyThatFieldTruncated() {
            record Fragile(int ok, String bad) {
                @Override
                public String bad() {
                    throw new IllegalStateException("unreadable");
                }
            }

            assertThat(DEFAULT.truncate(new Fragile(1, "x"))).isEqualTo(struct(Fragile.class, "ok", i(1), "bad", T));
        }

        @Test
        void truncate_selfContainingList_boundedByDepth() {
            List<Object> loop = new ArrayList<>();
            loop.add(loop);

            assertThat(DEFAULT.truncate(loop)).isEqualTo(Term.seq(Term.seq(Term.seq(T))));
        }

        @Test
        void truncate_veryDeepNesting_noStackOverflow() {
            Object deep = "bottom";
            for (int n = 0; n < 100_000; n++) {
                deep = List.of(deep);
            }
            Object top = deep;

            Term result = assertTimeoutPreemptively(GENEROUS, () -> depth(16).truncate(top));

            Term expected = T;
            for (int n = 0; n < 16; n++) {
                expected = Term.seq(expected);
            }
            assertThat(result).isEqualTo(expected);
        }

        @Test
        void truncate_worstCaseInput_withinStatedBound() {
            // A map 6 levels deep, 4 entries everywhere, with keys and leaves far longer than maxString.
            Object widest = "v".repeat(5000);
            for (int level = 0; level < 6; level++) {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int n = 0; n < 4; n++) {
                    map.put(n + "k".repeat(5000), widest);
                }
                widest = map;
            }

            Term result = DEFAULT.truncate(widest);

            assertWithinLimits(result, DEFAULT);
            assertThat(nodes(result)).isEqualTo(85); // (4^(3+1) - 1) / 3: the bound is reached
            assertThat(chars(result)).isLessThanOrEqualTo(2L * 1024 * 85);
        }
    }

    @Nested
    @DisplayName("limits (beyond truncator_test.exs)")
    class Limits {

        @Test
        void defaults_areZenMonitorsValues() {
            assertThat(Truncator.DEFAULT_DEPTH).isEqualTo(3);
            assertThat(Truncator.DEFAULT_MAX_STRING).isEqualTo(1024);
            assertThat(Truncator.DEFAULT.depth()).isEqualTo(3);
            assertThat(Truncator.DEFAULT.maxString()).isEqualTo(1024);
        }

        @Test
        void constructor_outOfRange_rejectedNamingValueAndRange() {
            assertThatThrownBy(() -> new Truncator(-1, 1024))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("depth must be between 0 and 16, was -1");
            assertThatThrownBy(() -> new Truncator(17, 1024))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("depth must be between 0 and 16, was 17");
            assertThatThrownBy(() -> new Truncator(3, 15))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxString must be between 16 and 65536, was 15");
            assertThatThrownBy(() -> new Truncator(3, 65_537))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxString must be between 16 and 65536, was 65537");
        }

        @Test
        void constructor_rangeBounds_accepted() {
            Truncator smallest = new Truncator(0, 16);
            Truncator largest = new Truncator(16, 65_536);

            assertThat(smallest.depth()).isZero();
            assertThat(smallest.maxString()).isEqualTo(16);
            assertThat(largest.depth()).isEqualTo(16);
            assertThat(largest.maxString()).isEqualTo(65_536);
        }

        @Test
        void truncate_customDepthAndMaxString_applied() {
            Truncator small = new Truncator(2, 16);

            assertThat(small.truncate("0123456789abcdef")).isEqualTo(Term.str("0123456789abcdef"));
            assertThat(small.truncate("0123456789abcdefg")).isEqualTo(Term.str("0123456789abc..."));
            assertThat(small.truncate(List.of(List.of(List.of(1)), "x".repeat(40))))
                    .isEqualTo(Term.seq(Term.seq(T), Term.str("x".repeat(13) + "...")));
            assertThat(small.truncate(Map.of("k".repeat(20), 1))).isEqualTo(map("k".repeat(13) + "...", i(1)));
            assertWithinLimits(small.truncate(new Boom("m".repeat(100), new Boom("cause"))), small);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Helpers

    private static Truncator depth(int depth) {
        return new Truncator(depth, Truncator.DEFAULT_MAX_STRING);
    }

    private static Term.Atom atom(Sym sym) {
        return Term.atom(sym.name());
    }

    private static Term.Int i(long value) {
        return Term.integer(value);
    }

    private static Term.Seq ints(long... values) {
        List<Term> out = new ArrayList<>();
        for (long value : values) {
            out.add(i(value));
        }
        return new Term.Seq(out);
    }

    /** Alternating field names and terms, in order. */
    private static Map<String, Term> fields(Object... namesAndTerms) {
        Map<String, Term> out = new LinkedHashMap<>();
        for (int n = 0; n < namesAndTerms.length; n += 2) {
            out.put((String) namesAndTerms[n], (Term) namesAndTerms[n + 1]);
        }
        return out;
    }

    /** The expected form of a plain map. */
    private static Term.Struct map(Object... namesAndTerms) {
        return new Term.Struct("", fields(namesAndTerms));
    }

    /** The expected form of a record or throwable. */
    private static Term.Struct struct(Class<?> type, Object... namesAndTerms) {
        return new Term.Struct(type.getName(), fields(namesAndTerms));
    }

    private static String frameText(StackTraceElement frame) {
        return frame.getClassName() + '.' + frame.getMethodName() + '(' + frame.getFileName() + ':' + frame.getLineNumber() + ')';
    }

    private static List<Term> children(Term term) {
        if (term instanceof Term.Seq seq) {
            return seq.elements();
        }
        if (term instanceof Term.Struct struct) {
            return List.copyOf(struct.fields().values());
        }
        return List.of();
    }

    private static int nodes(Term term) {
        int n = 1;
        for (Term child : children(term)) {
            n += nodes(child);
        }
        return n;
    }

    private static long chars(Term term) {
        long n = 0;
        if (term instanceof Term.Str s) {
            n = s.value().length();
        } else if (term instanceof Term.Atom a) {
            n = a.name().length();
        } else if (term instanceof Term.Struct s) {
            n = s.type().length() + s.fields().keySet().stream().mapToLong(String::length).sum();
        }
        for (Term child : children(term)) {
            n += chars(child);
        }
        return n;
    }

    /** Checks the class's guarantees: nesting, width and string length. */
    private static void assertWithinLimits(Term term, Truncator truncator) {
        assertWithinLimits(term, truncator, 0);
    }

    private static void assertWithinLimits(Term term, Truncator truncator, int level) {
        assertThat(level).isLessThanOrEqualTo(truncator.depth());
        if (level == truncator.depth()) {
            assertThat(term).isEqualTo(T);
        }
        assertThat(children(term)).hasSizeLessThanOrEqualTo(4);
        if (term instanceof Term.Str s) {
            assertThat(s.value().length()).isLessThanOrEqualTo(truncator.maxString());
        }
        if (term instanceof Term.Struct s) {
            assertThat(s.type().length()).isLessThanOrEqualTo(truncator.maxString());
            s.fields().keySet().forEach(k -> assertThat(k.length()).isLessThanOrEqualTo(truncator.maxString()));
        }
        for (Term child : children(term)) {
            assertWithinLimits(child, truncator, level + 1);
        }
    }
}
