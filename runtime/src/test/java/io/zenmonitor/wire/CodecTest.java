package io.zenmonitor.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.zenmonitor.DownReason;
import io.zenmonitor.Endpoint;
import io.zenmonitor.MBeanTarget;
import io.zenmonitor.NamedTarget;
import io.zenmonitor.RmiTarget;
import io.zenmonitor.Target;
import io.zenmonitor.Term;
import io.zenmonitor.wire.MalformedMessageException.Reason;
import io.zenmonitor.wire.WireMessage.Certificate;
import io.zenmonitor.wire.WireMessage.Dead;
import io.zenmonitor.wire.WireMessage.Instruction;
import io.zenmonitor.wire.WireMessage.Op;
import io.zenmonitor.wire.WireMessage.Process;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CodecTest {

    private static final Codec CODEC = Codec.DEFAULT;

    static final RmiTarget RMI = new RmiTarget(new Endpoint("192.168.1.20", 1099), 42L, 0x1234_5678, 1_700_000_000_000L, (short) -2);
    static final MBeanTarget MBEAN_ON_NODE = new MBeanTarget("node-a", MBeanTarget.PLATFORM, "com.example:type=Cache,name=orders");
    static final MBeanTarget MBEAN_LOCAL = new MBeanTarget(null, "custom-server", "java.lang:type=Memory");
    static final NamedTarget NAMED_ON_NODE = new NamedTarget("node-b", "orders/service");
    static final NamedTarget NAMED_LOCAL = new NamedTarget(null, "registry:éléphant 🐘");

    static final Term DEEP_TERM = new Term.Struct("java.lang.IllegalStateException", fields(
            "message", Term.str("boom: ünïcødé ✓ 🌍"),
            "code", Term.integer(-17),
            "ratio", new Term.Real(0.125),
            "retry", new Term.Bool(false),
            "state", Term.atom("closed"),
            "cause", new Term.Struct("java.io.IOException", fields("message", Term.str("reset"), "trace", Term.seq(Term.str("a"), Term.NIL))),
            "items", Term.seq(Term.seq(), Term.seq(Term.integer(1), Term.seq(Term.TRUNCATED)), new Term.Struct("", Map.of()))));

    /** Small valid messages of every type, used here and by {@link CodecFuzzTest}. */
    static List<WireMessage> samples() {
        return List.of(
                new WireMessage.Ping(1, 0L, 123L),
                new WireMessage.Pong(7, -1L, Long.MIN_VALUE),
                new Process(false, List.of()),
                new Process(true, List.of(
                        new Instruction(Op.SUBSCRIBE, RMI),
                        new Instruction(Op.UNSUBSCRIBE, MBEAN_ON_NODE),
                        new Instruction(Op.SUBSCRIBE, MBEAN_LOCAL),
                        new Instruction(Op.SUBSCRIBE, NAMED_ON_NODE),
                        new Instruction(Op.UNSUBSCRIBE, NAMED_LOCAL))),
                new Dead(List.of()),
                new Dead(List.of(
                        new Certificate(RMI, DownReason.UNEXPORTED),
                        new Certificate(MBEAN_ON_NODE, new DownReason(DownReason.Kind.EXIT, DEEP_TERM)),
                        new Certificate(NAMED_LOCAL, DownReason.UNEXPORTED),
                        new Certificate(NAMED_ON_NODE, new DownReason(DownReason.Kind.NODEDOWN, Term.atom("noconnection"))),
                        new Certificate(MBEAN_LOCAL, new DownReason(DownReason.Kind.EXIT, DEEP_TERM)))),
                new WireMessage.Endpoints(List.of()),
                new WireMessage.Endpoints(List.of(new Endpoint("10.0.0.1", 0), new Endpoint("host.example.com", 65535))),
                new WireMessage.Bye(),
                new WireMessage.ByeAck(),
                new WireMessage.StatusQuery(-7L),
                new WireMessage.Status(42L, java.util.Map.of()),
                new WireMessage.Status(Long.MAX_VALUE, java.util.Map.of("monitors", 5L, "subscriptions", -1L, "ü", Long.MIN_VALUE)));
    }

    @Test
    void status_limits_tooManyFiguresOrLongNames_refusedBothWays() throws Exception {
        java.util.Map<String, Long> many = new java.util.LinkedHashMap<>();
        for (int i = 0; i <= WireMessage.Status.MAX_FIGURES; i++) {
            many.put("f" + i, (long) i);
        }
        assertThatThrownBy(() -> CODEC.encode(new WireMessage.Status(1, many))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CODEC.encode(new WireMessage.Status(1, java.util.Map.of("x".repeat(65), 1L))))
                .isInstanceOf(IllegalArgumentException.class);
        // a hand-made STATUS that claims 33 figures is dropped as malformed
        byte[] b = {0x5A, Codec.VERSION, (byte) MessageType.STATUS.id(), 0, 0, 0, 0, 0, 0, 0, 1, 33};
        assertThatThrownBy(() -> CODEC.decode(b)).isInstanceOf(MalformedMessageException.class);
    }

    // ------------------------------------------------------------------------------------------------
    // Round trips

    @ParameterizedTest
    @MethodSource("samples")
    void decode_encodedSample_equalsOriginal(WireMessage m) throws Exception {
        roundTrip(m);
    }

    @Test
    void encode_everyMessageType_isCoveredBySamples() {
        assertThat(samples().stream().map(WireMessage::type).distinct()).containsExactlyInAnyOrder(MessageType.values());
    }

    @Test
    void decode_pingAndPong_keepAllFields() throws Exception {
        roundTrip(new WireMessage.Ping(Integer.MIN_VALUE, Long.MAX_VALUE, -1L));
        roundTrip(new WireMessage.Pong(Integer.MAX_VALUE, Long.MIN_VALUE, 0L));
    }

    @Test
    void encode_header_isMagicVersionType() {
        byte[] b = CODEC.encode(new WireMessage.Bye());
        assertThat(b).containsExactly(0x5A, Codec.VERSION, MessageType.BYE.id());
        assertThat(CODEC.encode(new WireMessage.Ping(1, 2, 3))).hasSize(3 + 4 + 8 + 8);
    }

    @Test
    void decode_everyTargetKind_roundTrips() throws Exception {
        List<Target> targets = List.of(RMI, MBEAN_ON_NODE, MBEAN_LOCAL, NAMED_ON_NODE, NAMED_LOCAL,
                new RmiTarget(new Endpoint("h", 0), Long.MIN_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Short.MIN_VALUE),
                new RmiTarget(new Endpoint("h".repeat(Endpoint.MAX_HOST_LENGTH), 65535), -1, -1, -1, Short.MAX_VALUE),
                new RmiTarget(new Endpoint("ü".repeat(Endpoint.MAX_HOST_LENGTH), 1), 0, 0, 0, (short) 0),
                new NamedTarget("n", "€".repeat(NamedTarget.MAX_NAME_LENGTH)),
                new MBeanTarget("n", "s".repeat(MBeanTarget.MAX_NAME_LENGTH), "€".repeat(MBeanTarget.MAX_NAME_LENGTH)));
        for (Target t : targets) {
            WireMessage m = roundTrip(new Process(false, List.of(new Instruction(Op.SUBSCRIBE, t))));
            assertThat(((Process) m).instructions().get(0).target()).isEqualTo(t);
        }
    }

    @Test
    void decode_everyTermKind_roundTrips() throws Exception {
        List<Term> terms = List.of(
                Term.str(""), Term.str("plain"), Term.str("ünïcødé ✓ 🌍 \u0000"),
                Term.integer(0), Term.integer(1), Term.integer(-1), Term.integer(Long.MIN_VALUE), Term.integer(Long.MAX_VALUE),
                new Term.Real(0.0), new Term.Real(-0.0), new Term.Real(Double.NaN), new Term.Real(Double.NEGATIVE_INFINITY),
                new Term.Real(Double.MIN_VALUE), new Term.Real(Math.PI),
                new Term.Bool(true), new Term.Bool(false),
                Term.atom(""), Term.TRUNCATED, Term.NIL, Term.atom("a".repeat(Codec.MAX_ATOM_BYTES)),
                Term.seq(), Term.seq(Term.str("x"), Term.seq(Term.seq(Term.integer(3)))),
                new Term.Struct("", Map.of()), new Term.Struct("", fields("k", Term.str("v"))),
                DEEP_TERM);
        for (Term t : terms) {
            Dead dead = (Dead) roundTrip(new Dead(List.of(new Certificate(NAMED_LOCAL, new DownReason(DownReason.Kind.EXIT, t)))));
            assertThat(dead.certificates().get(0).reason().detail()).isEqualTo(t);
        }
    }

    @Test
    void decode_realNaNPayload_keepsRawBits() throws Exception {
        double nan = Double.longBitsToDouble(0x7FF0_0000_0000_0ABCL);
        Dead dead = (Dead) roundTrip(new Dead(List.of(new Certificate(NAMED_LOCAL, new DownReason(DownReason.Kind.EXIT, new Term.Real(nan))))));
        Term.Real r = (Term.Real) dead.certificates().get(0).reason().detail();
        assertThat(Double.doubleToRawLongBits(r.value())).isEqualTo(0x7FF0_0000_0000_0ABCL);
    }

    @Test
    void decode_structFields_keepOrder() throws Exception {
        Map<String, Term> f = new LinkedHashMap<>();
        for (int i = 20; i > 0; i--) {
            f.put("f" + i, Term.integer(i));
        }
        Dead dead = (Dead) roundTrip(new Dead(List.of(new Certificate(NAMED_LOCAL, new DownReason(DownReason.Kind.EXIT, new Term.Struct("T", f))))));
        assertThat(((Term.Struct) dead.certificates().get(0).reason().detail()).fields().keySet()).containsExactlyElementsOf(f.keySet());
    }

    @Test
    void decode_termAtEveryLimit_roundTrips() throws Exception {
        WireLimits l = WireLimits.DEFAULT;
        Term deep = Term.str("leaf");
        for (int i = 1; i < l.maxTermDepth(); i++) {
            deep = Term.seq(deep);
        }
        List<Term> wide = new ArrayList<>();
        for (int i = 0; i < l.maxSeq(); i++) {
            wide.add(Term.integer(i));
        }
        roundTrip(new Dead(List.of(
                new Certificate(NAMED_LOCAL, new DownReason(DownReason.Kind.EXIT, deep)),
                new Certificate(NAMED_ON_NODE, new DownReason(DownReason.Kind.EXIT, new Term.Seq(wide))),
                new Certificate(RMI, new DownReason(DownReason.Kind.EXIT, Term.str("x".repeat(l.maxString())))))));
    }

    @Test
    void encode_unpairedSurrogate_writesQuestionMark() throws Exception {
        Dead dead = (Dead) CODEC.decode(CODEC.encode(new Dead(List.of(new Certificate(NAMED_LOCAL,
                new DownReason(DownReason.Kind.EXIT, Term.str("a\uD800b\uDC00c")))))));
        assertThat(dead.certificates().get(0).reason().detail()).isEqualTo(Term.str("a?b?c"));
    }

    @Test
    void decode_process5000Instructions_roundTrips() throws Exception {
        List<Instruction> instructions = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            Target t = switch (i % 3) {
                case 0 -> rmi(i);
                case 1 -> new NamedTarget("node-" + (i % 7), "name-" + i);
                default -> new MBeanTarget(null, MBeanTarget.PLATFORM, "app:type=T,id=" + i);
            };
            instructions.add(new Instruction(i % 2 == 0 ? Op.SUBSCRIBE : Op.UNSUBSCRIBE, t));
        }
        Process p = (Process) roundTrip(new Process(true, instructions));
        assertThat(p.instructions()).hasSize(5000);
    }

    @Test
    void encode_5000RmiInstructions_takes39BytesEach() {
        List<Instruction> instructions = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            instructions.add(new Instruction(Op.SUBSCRIBE, rmi(i)));
        }
        int size = CODEC.encode(new Process(false, instructions)).length;
        System.out.printf("PROCESS of 5000 RMI instructions (12-char host): %d bytes, %.2f bytes per instruction%n", size, size / 5000.0);
        // op 1 + tag 1 + host length 1 + host 12 + port 2 + objNum 8 + uidUnique 4 + uidTime 8 + uidCount 2 = 39
        assertThat(size).isEqualTo(3 + 1 + 2 + 5000 * 39);
    }

    @Test
    void encode_deadWithOneSharedReason_writesReasonOnce() throws Exception {
        List<Certificate> shared = new ArrayList<>();
        List<Certificate> equalCopies = new ArrayList<>();
        List<Certificate> distinct = new ArrayList<>();
        DownReason reason = new DownReason(DownReason.Kind.EXIT, DEEP_TERM);
        for (int i = 0; i < 5000; i++) {
            shared.add(new Certificate(rmi(i), reason));
            equalCopies.add(new Certificate(rmi(i), new DownReason(DownReason.Kind.EXIT, DEEP_TERM)));
            distinct.add(new Certificate(rmi(i), new DownReason(DownReason.Kind.EXIT,
                    new Term.Struct("java.lang.IllegalStateException", fields("message", Term.str("boom " + i))))));
        }
        byte[] sharedBytes = CODEC.encode(new Dead(shared));
        byte[] copiesBytes = CODEC.encode(new Dead(equalCopies));
        byte[] distinctBytes = CODEC.encode(new Dead(distinct));
        int reasonBytes = CODEC.encode(new Dead(List.of(new Certificate(RMI, reason)))).length;
        System.out.printf("DEAD of 5000 RMI certificates: shared reason %d bytes (%.2f per certificate), distinct reasons %d bytes%n",
                sharedBytes.length, sharedBytes.length / 5000.0, distinctBytes.length);

        // target 38 + reason index 1 per certificate, plus the one reason
        assertThat(sharedBytes.length).isLessThanOrEqualTo(reasonBytes + 5000 * 39 + 2);
        assertThat(copiesBytes).isEqualTo(sharedBytes);
        assertThat(distinctBytes.length).isGreaterThan(sharedBytes.length + 5000 * 40);

        Dead decoded = (Dead) CODEC.decode(sharedBytes);
        assertThat(decoded).isEqualTo(new Dead(shared));
        DownReason first = decoded.certificates().get(0).reason();
        assertThat(decoded.certificates()).allSatisfy(c -> assertThat(c.reason()).isSameAs(first));
        Dead decodedCopies = (Dead) CODEC.decode(copiesBytes);
        assertThat(decodedCopies.certificates().get(4999).reason()).isSameAs(decodedCopies.certificates().get(0).reason());
    }

    @Test
    void decode_deadWithInterleavedReasons_keepsEachCertificatesReason() throws Exception {
        List<Certificate> certs = new ArrayList<>();
        DownReason[] reasons = {DownReason.UNEXPORTED, DownReason.NODEDOWN, new DownReason(DownReason.Kind.EXIT, Term.str("x")), DownReason.SHUTDOWN};
        for (int i = 0; i < 200; i++) {
            certs.add(new Certificate(new NamedTarget("n", "t" + i), reasons[(i * 7) % reasons.length]));
        }
        roundTrip(new Dead(certs));
    }

    @Test
    void decode_everyDownReasonKind_roundTrips() throws Exception {
        List<Certificate> certs = new ArrayList<>();
        for (DownReason.Kind k : DownReason.Kind.values()) {
            certs.add(new Certificate(NAMED_LOCAL, DownReason.of(k)));
            certs.add(new Certificate(NAMED_ON_NODE, new DownReason(k, Term.atom(k.name()))));
        }
        roundTrip(new Dead(certs));
    }

    // ------------------------------------------------------------------------------------------------
    // Malformed input: one crafted input per reason, and more

    @Test
    void decode_emptyOrCutInput_failsTruncated() {
        assertMalformed(bytes(), Reason.TRUNCATED, "truncated magic at offset 0");
        assertMalformed(bytes(0x5A, 1, 3, 0), Reason.TRUNCATED, "truncated instructions count at offset 4");
        assertMalformed(bytes(0x5A, 1, 1, 0, 0, 0), Reason.TRUNCATED, "truncated PING version at offset 3: needs 4 bytes, 3 remain");
    }

    @Test
    void decode_messageOverMaxMessageBytes_failsOversized() {
        Codec small = new Codec(limits(64, 100, 100, 16, 100, 16, 16));
        assertMalformed(small, new byte[65], Reason.OVERSIZED, "message of 65 bytes exceeds maxMessageBytes 64");
    }

    @Test
    void decode_stringOverMaxString_failsOversized() {
        // DEAD, 1 reason, EXIT, detail present, Str of 70000 bytes (varint 0xF0 0xA2 0x04)
        byte[] b = bytes(0x5A, 1, 4, 1, 7, 1, 1, 0xF0, 0xA2, 0x04, 'x', 'y');
        assertMalformed(b, Reason.OVERSIZED, "string of 70000 bytes at offset 7 exceeds maxString 65536");
    }

    @Test
    void decode_hostOverHostLimit_failsOversized() {
        byte[] b = bytes(0x5A, 1, 5, 1, 0xFE, 0x05, 0, 0); // padded so that the count check passes
        assertMalformed(b, Reason.OVERSIZED, "host of 766 bytes at offset 4 exceeds host limit (3 x Endpoint.MAX_HOST_LENGTH) 765");
    }

    @Test
    void decode_countsOverLimits_failOversized() {
        Codec small = new Codec(limits(1 << 20, 3, 100, 3, 5, 2, 2));
        assertMalformed(small, bytes(0x5A, 1, 3, 0, 4), Reason.OVERSIZED, "count of 4 instructions at offset 4 exceeds maxEntries 3");
        assertMalformed(small, bytes(0x5A, 1, 4, 4), Reason.OVERSIZED, "count of 4 reasons at offset 3 exceeds maxEntries 3");
        assertMalformed(small, bytes(0x5A, 1, 4, 0, 4), Reason.OVERSIZED, "count of 4 certificates at offset 4 exceeds maxEntries 3");
        assertMalformed(small, bytes(0x5A, 1, 5, 3), Reason.OVERSIZED, "count of 3 endpoints at offset 3 exceeds maxEndpoints 2");
        // Seq of 3 elements over maxSeq 2
        assertMalformed(small, bytes(0x5A, 1, 4, 1, 7, 1, 6, 3, 4, 1, 4, 1, 4, 1, 0), Reason.OVERSIZED,
                "count of 3 Seq elements at offset 7 exceeds maxSeq 2");
        // depth: Seq(Seq(Seq(Seq(..)))) over maxTermDepth 3
        assertMalformed(small, bytes(0x5A, 1, 4, 1, 7, 1, 6, 1, 6, 1, 6, 1, 6, 0, 0), Reason.OVERSIZED,
                "term at offset 12 nests deeper than maxTermDepth 3");
        // nodes: Seq(Seq(true, true), Seq(true, ...)) over maxTermNodes 5
        assertMalformed(small, bytes(0x5A, 1, 4, 1, 7, 1, 6, 2, 6, 2, 4, 1, 4, 1, 6, 2, 4, 1, 4, 1, 0), Reason.OVERSIZED,
                "term at offset 16 has more than maxTermNodes 5 nodes");
    }

    @Test
    void decode_deeplyNestedTerm_failsOversizedWithoutStackOverflow() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes(0x5A, 1, 4, 1, 7, 1));
        for (int i = 0; i < 100_000; i++) {
            out.write(6);
            out.write(1);
        }
        assertMalformed(out.toByteArray(), Reason.OVERSIZED, "nests deeper than maxTermDepth 16");
    }

    @Test
    void decode_otherVersion_failsWrongVersion() {
        byte[] b = CODEC.encode(new Process(false, List.of(new Instruction(Op.SUBSCRIBE, NAMED_LOCAL))));
        b[1] = 2;
        assertMalformed(b, Reason.WRONG_VERSION, "wire version 2 at offset 1 (message type 3), expected 1");
        assertMalformed(bytes(0x5A, 0, 6), Reason.WRONG_VERSION, "wire version 0");
        // an unknown type of another version is a version problem first
        assertMalformed(bytes(0x5A, 9, 99), Reason.WRONG_VERSION, "wire version 9");
    }

    @Test
    void decode_pingOrPongWithHeaderVersion9_decodes() throws Exception {
        byte[] ping = CODEC.encode(new WireMessage.Ping(9, 0xFFL, 77L));
        ping[1] = 9;
        assertThat(CODEC.decode(ping)).isEqualTo(new WireMessage.Ping(9, 0xFFL, 77L));
        byte[] pong = CODEC.encode(new WireMessage.Pong(2, 1L, -77L));
        pong[1] = 9;
        assertThat(CODEC.decode(pong)).isEqualTo(new WireMessage.Pong(2, 1L, -77L));
        byte[] process = CODEC.encode(new Process(false, List.of()));
        process[1] = 9;
        assertMalformed(process, Reason.WRONG_VERSION, "wire version 9 at offset 1");
    }

    @Test
    void decode_pingWithExtraBytes_failsTrailingBytes() {
        byte[] ping = Arrays.copyOf(CODEC.encode(new WireMessage.Ping(1, 0, 0)), 24);
        ping[1] = 9;
        assertMalformed(ping, Reason.TRAILING_BYTES, "1 trailing bytes at offset 23 after a complete PING");
    }

    @Test
    void decode_badMagic_failsBadMagic() {
        assertMalformed(bytes(0x00, 1, 6), Reason.BAD_MAGIC, "bad magic 0x0 at offset 0, expected 0x5a");
        assertMalformed(bytes(0xAC, 0xED, 0, 5), Reason.BAD_MAGIC, "bad magic 0xac"); // a Java serialization stream
    }

    @Test
    void decode_unknownType_failsUnknownType() {
        assertMalformed(bytes(0x5A, 1, 0), Reason.UNKNOWN_TYPE, "unknown message type 0 at offset 2");
        assertMalformed(bytes(0x5A, 1, 10), Reason.UNKNOWN_TYPE, "unknown message type 10 at offset 2");
        assertMalformed(bytes(0x5A, 1, 255), Reason.UNKNOWN_TYPE, "unknown message type 255 at offset 2");
    }

    @Test
    void decode_impossibleValues_failBadValue() {
        assertMalformed(bytes(0x5A, 1, 3, 2, 0), Reason.BAD_VALUE, "PROCESS reset flag 2 at offset 3 is neither 0 nor 1");
        assertMalformed(bytes(0x5A, 1, 3, 0, 1, 3, 3, 0, 1, 'x'), Reason.BAD_VALUE, "unknown instruction op 3 at offset 5");
        assertMalformed(bytes(0x5A, 1, 3, 0, 1, 1, 9, 0, 1, 'x'), Reason.BAD_VALUE, "unknown target tag 9 at offset 6");
        assertMalformed(bytes(0x5A, 1, 3, 0, 1, 1, 3, 2, 1, 'x'), Reason.BAD_VALUE, "node presence 2 at offset 7 is neither 0 nor 1");
        assertMalformed(bytes(0x5A, 1, 4, 1, 8, 0, 0), Reason.BAD_VALUE, "unknown reason kind 8 at offset 4");
        assertMalformed(bytes(0x5A, 1, 4, 1, 7, 1, 8, 0), Reason.BAD_VALUE, "unknown term tag 8 at offset 6");
        assertMalformed(bytes(0x5A, 1, 4, 1, 7, 1, 4, 2, 0), Reason.BAD_VALUE, "Bool 2 at offset 7 is neither 0 nor 1");
    }

    @Test
    void decode_invalidUtf8_failsBadValue() {
        // a NamedTarget whose name is 0xC3 0x28 (a lead byte followed by ASCII)
        assertMalformed(bytes(0x5A, 1, 3, 0, 1, 1, 3, 0, 2, 0xC3, 0x28), Reason.BAD_VALUE, "name at offset 8 is not valid UTF-8");
        // an overlong encoding of '/' and an encoded surrogate
        assertMalformed(bytes(0x5A, 1, 3, 0, 1, 1, 3, 0, 2, 0xC0, 0xAF), Reason.BAD_VALUE, "is not valid UTF-8");
        assertMalformed(bytes(0x5A, 1, 3, 0, 1, 1, 3, 0, 3, 0xED, 0xA0, 0x80), Reason.BAD_VALUE, "is not valid UTF-8");
    }

    @Test
    void decode_valueTheRecordRefuses_failsBadValue() {
        assertMalformed(bytes(0x5A, 1, 3, 0, 1, 1, 3, 0, 0, 0), Reason.BAD_VALUE,
                "invalid named target at offset 6: target name must have 1 to 4096 characters, was 0");
        assertMalformed(bytes(0x5A, 1, 3, 0, 1, 1, 3, 1, 0, 1, 'x'), Reason.BAD_VALUE,
                "invalid named target at offset 6: target node must not be empty");
        assertMalformed(bytes(0x5A, 1, 5, 1, 0, 0, 80, 0), Reason.BAD_VALUE, "invalid endpoint at offset 4: endpoint host must have 1 to 255");
        // 256 two-byte characters: within the byte limit, over the record's 255 characters
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes(0x5A, 1, 5, 1, 0x80, 0x04));
        for (int i = 0; i < 256; i++) {
            out.writeBytes(bytes(0xC3, 0xBC));
        }
        out.writeBytes(bytes(0, 80));
        assertMalformed(out.toByteArray(), Reason.BAD_VALUE, "endpoint host must have 1 to 255 characters, was 256");
    }

    @Test
    void decode_duplicateStructField_failsBadValue() {
        // Struct "" { "a": true, "a": false }
        assertMalformed(bytes(0x5A, 1, 4, 1, 7, 1, 7, 0, 2, 1, 'a', 4, 1, 1, 'a', 4, 0, 0), Reason.BAD_VALUE,
                "duplicate field name \"a\" at offset 13");
    }

    @Test
    void decode_reasonIndexOutOfRange_failsBadValue() {
        // one reason, one certificate pointing at reason 1
        assertMalformed(bytes(0x5A, 1, 4, 1, 1, 0, 1, 3, 0, 1, 'x', 1), Reason.BAD_VALUE,
                "reason index 1 at offset 11 is out of range: the message has 1 reasons");
    }

    @Test
    void decode_varintLongerThan5Bytes_failsBadValue() {
        assertMalformed(bytes(0x5A, 1, 3, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), Reason.BAD_VALUE,
                "instructions count varint at offset 4 is longer than 5 bytes");
    }

    @Test
    void decode_zigzagOver64Bits_failsBadValue() {
        byte[] b = bytes(0x5A, 1, 4, 1, 7, 1, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0);
        assertMalformed(b, Reason.BAD_VALUE, "Int varint at offset 7 overflows 64 bits");
    }

    @Test
    void decode_bytesAfterMessage_failsTrailingBytes() {
        byte[] b = Arrays.copyOf(CODEC.encode(new WireMessage.ByeAck()), 5);
        assertMalformed(b, Reason.TRAILING_BYTES, "2 trailing bytes at offset 3 after a complete BYE_ACK");
    }

    @Test
    void decode_everyReason_isProducedByACraftedInput() {
        List<Reason> seen = new ArrayList<>();
        for (byte[] b : List.of(bytes(0x5A), new byte[(16 << 20) + 1], bytes(0x5A, 2, 3), bytes(1), bytes(0x5A, 1, 99),
                bytes(0x5A, 1, 3, 7), bytes(0x5A, 1, 6, 0))) {
            seen.add(catchMalformed(CODEC, b).reason());
        }
        assertThat(seen).containsExactly(Reason.values());
    }

    @Test
    void decode_malformed_isStackless() {
        MalformedMessageException e = catchMalformed(CODEC, bytes(0x5A, 1, 99));
        assertThat(e.getStackTrace()).isEmpty();
        e.addSuppressed(new RuntimeException());
        assertThat(e.getSuppressed()).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void decode_everyStrictPrefix_failsTruncated(WireMessage m) {
        byte[] b = CODEC.encode(m);
        for (int len = 0; len < b.length; len++) {
            MalformedMessageException e = catchMalformed(CODEC, Arrays.copyOf(b, len));
            assertThat(e.reason()).as("prefix of %d of %d bytes of %s: %s", len, b.length, m.type(), e.getMessage())
                    .isEqualTo(Reason.TRUNCATED);
        }
    }

    @Test
    void decode_hugeCountInTinyMessage_failsFast() {
        // PROCESS, reset 0, count 2^31 (5-byte varint), one more byte: 10 bytes in all
        byte[] huge = bytes(0x5A, 1, 3, 0, 0x80, 0x80, 0x80, 0x80, 0x08, 0);
        // a count within maxEntries that the remaining bytes cannot hold
        byte[] big = bytes(0x5A, 1, 4, 0x9F, 0x8D, 0x06, 0, 0, 0, 0);
        Codec roomy = new Codec(limits(1 << 30, 1 << 24, 1 << 24, 64, 1 << 20, 1 << 16, 1 << 20));
        byte[] roomyCount = bytes(0x5A, 1, 3, 0, 0x80, 0x80, 0x80, 0x08, 0, 0);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int i = 0; i < 10_000; i++) {
                assertThat(catchMalformed(CODEC, huge).getMessage()).isEqualTo("count of 2147483648 instructions at offset 4 exceeds maxEntries 100000");
                assertThat(catchMalformed(CODEC, big).getMessage()).isEqualTo("count of 99999 reasons at offset 3 needs at least 199998 bytes, 4 remain");
                assertThat(catchMalformed(roomy, roomyCount).reason()).isEqualTo(Reason.TRUNCATED);
            }
        });
    }

    @Test
    void decode_rangeInsideLargerArray_readsOnlyTheRange() throws Exception {
        byte[] b = CODEC.encode(new WireMessage.Bye());
        byte[] padded = new byte[b.length + 10];
        Arrays.fill(padded, (byte) 0x5A);
        System.arraycopy(b, 0, padded, 4, b.length);
        assertThat(CODEC.decode(padded, 4, b.length)).isEqualTo(new WireMessage.Bye());
        MalformedMessageException e = catchMalformed(() -> CODEC.decode(padded, 4, b.length + 1));
        assertThat(e.getMessage()).isEqualTo("1 trailing bytes at offset 3 after a complete BYE");
        assertThatThrownBy(() -> CODEC.decode(padded, 10, 10)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    // ------------------------------------------------------------------------------------------------
    // Encoder limits

    @Test
    void encode_processOverMaxEntries_throwsIllegalArgument() {
        Codec small = new Codec(limits(1 << 20, 10, 100, 16, 100, 16, 16));
        List<Instruction> eleven = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            eleven.add(new Instruction(Op.SUBSCRIBE, rmi(i)));
        }
        assertThatThrownBy(() -> small.encode(new Process(false, eleven)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("11 PROCESS instructions exceed maxEntries 10");
        assertThat(small.encode(new Process(false, eleven.subList(0, 10)))).isNotEmpty();
    }

    @Test
    void encode_otherCountsOverLimits_throwIllegalArgument() {
        Codec small = new Codec(limits(1 << 20, 2, 100, 16, 100, 16, 1));
        List<Certificate> three = List.of(new Certificate(RMI, DownReason.NOPROC), new Certificate(RMI, DownReason.NOPROC),
                new Certificate(RMI, DownReason.NOPROC));
        assertThatThrownBy(() -> small.encode(new Dead(three))).hasMessage("3 DEAD certificates exceed maxEntries 2");
        assertThatThrownBy(() -> small.encode(new WireMessage.Endpoints(List.of(new Endpoint("a", 1), new Endpoint("b", 2)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("2 ENDPOINTS endpoints exceed maxEndpoints 1");
    }

    @Test
    void encode_messageOverMaxMessageBytes_throwsIllegalArgument() {
        Codec small = new Codec(limits(64, 100, 100, 16, 100, 16, 16));
        assertThatThrownBy(() -> small.encode(new Process(false, List.of(new Instruction(Op.SUBSCRIBE, RMI), new Instruction(Op.SUBSCRIBE, RMI)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("encoded message needs more than maxMessageBytes 64");
        assertThat(small.encode(new Process(false, List.of(new Instruction(Op.SUBSCRIBE, RMI))))).hasSize(3 + 1 + 1 + 39);
    }

    @Test
    void encode_stringsOverLimits_throwIllegalArgument() {
        assertThatThrownBy(() -> CODEC.encode(dead(Term.str("x".repeat(65_537)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("string of 65537 bytes exceeds maxString 65536");
        assertThatThrownBy(() -> CODEC.encode(dead(Term.str("é".repeat(40_000)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("string of 80000 bytes exceeds maxString 65536");
        assertThatThrownBy(() -> CODEC.encode(dead(Term.atom("a".repeat(256)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("atom of 256 bytes exceeds atom limit 255");
        assertThatThrownBy(() -> CODEC.encode(dead(new Term.Struct("T".repeat(1025), Map.of()))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("struct type of 1025 bytes exceeds struct name limit 1024");
        Codec small = new Codec(limits(1 << 20, 10, 8, 16, 100, 16, 16));
        assertThatThrownBy(() -> small.encode(new Process(false, List.of(new Instruction(Op.SUBSCRIBE, new NamedTarget("n", "123456789"))))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("name of 9 bytes exceeds maxString 8");
    }

    @Test
    void encode_termOverLimits_throwsIllegalArgument() {
        Term deep = Term.str("leaf");
        for (int i = 0; i < 16; i++) {
            deep = Term.seq(deep);
        }
        Term tooDeep = deep;
        assertThatThrownBy(() -> CODEC.encode(dead(tooDeep))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("term nests deeper than maxTermDepth 16");
        assertThatThrownBy(() -> CODEC.encode(dead(new Term.Seq(java.util.Collections.nCopies(65, Term.NIL)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("65 Seq elements exceed maxSeq 64");
        List<Term> wide = java.util.Collections.nCopies(64, Term.seq(java.util.Collections.nCopies(64, Term.NIL).toArray(new Term[0])));
        assertThatThrownBy(() -> CODEC.encode(dead(new Term.Seq(wide)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("term has more than maxTermNodes 4096 nodes");
    }

    @Test
    void encode_termNested100000Deep_throwsIllegalArgumentWithoutStackOverflow() {
        Term t = Term.NIL;
        for (int i = 0; i < 100_000; i++) {
            t = Term.seq(t);
        }
        Dead dead = dead(t);
        Throwable thrown = catchThrowable(() -> CODEC.encode(dead));
        assertThat(thrown).isInstanceOf(IllegalArgumentException.class);
        assertThat(thrown.getMessage()).isEqualTo("term nests deeper than maxTermDepth 16");
    }

    // ------------------------------------------------------------------------------------------------
    // WireLimits

    @Test
    void wireLimits_default_hasDocumentedValues() {
        assertThat(WireLimits.DEFAULT).isEqualTo(new WireLimits(16 * 1024 * 1024, 100_000, 65_536, 16, 4096, 64, 4096));
        assertThat(Codec.DEFAULT.limits()).isSameAs(WireLimits.DEFAULT);
    }

    @Test
    void wireLimits_outOfRange_throwsIllegalArgumentNamingTheLimit() {
        assertThatThrownBy(() -> limits(63, 1, 1, 1, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxMessageBytes must be from 64 to 1073741824, was 63");
        assertThatThrownBy(() -> limits(64, 0, 1, 1, 1, 1, 1)).hasMessage("maxEntries must be from 1 to 16777216, was 0");
        assertThatThrownBy(() -> limits(64, 1, -1, 1, 1, 1, 1)).hasMessage("maxString must be from 1 to 16777216, was -1");
        assertThatThrownBy(() -> limits(64, 1, 1, 65, 1, 1, 1)).hasMessage("maxTermDepth must be from 1 to 64, was 65");
        assertThatThrownBy(() -> limits(64, 1, 1, 1, 0, 1, 1)).hasMessage("maxTermNodes must be from 1 to 1048576, was 0");
        assertThatThrownBy(() -> limits(64, 1, 1, 1, 1, 0, 1)).hasMessage("maxSeq must be from 1 to 65536, was 0");
        assertThatThrownBy(() -> limits(64, 1, 1, 1, 1, 1, Integer.MAX_VALUE))
                .hasMessage("maxEndpoints must be from 1 to 1048576, was 2147483647");
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers

    /** Encodes, decodes from offset 0 and from inside a larger array, and checks both equal {@code m}. */
    static WireMessage roundTrip(WireMessage m) throws MalformedMessageException {
        byte[] b = CODEC.encode(m);
        WireMessage decoded = CODEC.decode(b);
        assertThat(decoded).isEqualTo(m);
        byte[] padded = new byte[b.length + 11];
        Arrays.fill(padded, (byte) 0xEE);
        System.arraycopy(b, 0, padded, 7, b.length);
        assertThat(CODEC.decode(padded, 7, b.length)).isEqualTo(m);
        assertThat(CODEC.encode(decoded)).isEqualTo(b);
        return decoded;
    }

    static RmiTarget rmi(int i) {
        return new RmiTarget(new Endpoint("192.168.1.20", 1099), 1000L + i, 0x1234_5678, 1_700_000_000_000L, (short) 7);
    }

    static Dead dead(Term detail) {
        return new Dead(List.of(new Certificate(NAMED_LOCAL, new DownReason(DownReason.Kind.EXIT, detail))));
    }

    static Map<String, Term> fields(Object... kv) {
        Map<String, Term> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Term) kv[i + 1]);
        }
        return m;
    }

    static WireLimits limits(int maxMessageBytes, int maxEntries, int maxString, int maxTermDepth, int maxTermNodes, int maxSeq,
            int maxEndpoints) {
        return new WireLimits(maxMessageBytes, maxEntries, maxString, maxTermDepth, maxTermNodes, maxSeq, maxEndpoints);
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static void assertMalformed(byte[] b, Reason reason, String fragment) {
        assertMalformed(CODEC, b, reason, fragment);
    }

    private static void assertMalformed(Codec codec, byte[] b, Reason reason, String fragment) {
        MalformedMessageException e = catchMalformed(codec, b);
        assertThat(e.reason()).as("reason of %s", e.getMessage()).isEqualTo(reason);
        assertThat(e.getMessage()).contains(fragment);
    }

    static MalformedMessageException catchMalformed(Codec codec, byte[] b) {
        return catchMalformed(() -> codec.decode(b));
    }

    private interface Decode {
        WireMessage run() throws MalformedMessageException;
    }

    private static MalformedMessageException catchMalformed(Decode d) {
        WireMessage m;
        try {
            m = d.run();
        } catch (MalformedMessageException e) {
            return e;
        }
        return fail("expected MalformedMessageException, decoded " + m);
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
