package io.zenmonitor.wire;

import io.zenmonitor.DownReason;
import io.zenmonitor.Endpoint;
import io.zenmonitor.MBeanTarget;
import io.zenmonitor.NamedTarget;
import io.zenmonitor.RmiTarget;
import io.zenmonitor.Target;
import io.zenmonitor.Term;
import io.zenmonitor.wire.MalformedMessageException.Reason;
import io.zenmonitor.wire.WireMessage.Certificate;
import io.zenmonitor.wire.WireMessage.Instruction;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The binary codec of {@link WireMessage}s: explicit, hand-written, bounded, and never Java
 * serialization. One codec serves every message type; each record has its own payload layout below.
 *
 * <h2>Layout</h2>
 *
 * <p>Every message is a three-byte header, the payload of its type, and nothing after it:
 *
 * <table>
 * <caption>Header</caption>
 * <tr><th>Offset</th><th>Size</th><th>Field</th></tr>
 * <tr><td>0</td><td>1</td><td>magic {@code 0x5A} ({@link #MAGIC})</td></tr>
 * <tr><td>1</td><td>1</td><td>wire version ({@link #VERSION})</td></tr>
 * <tr><td>2</td><td>1</td><td>{@link MessageType#id()}</td></tr>
 * <tr><td>3</td><td>...</td><td>payload; trailing bytes are malformed</td></tr>
 * </table>
 *
 * <table>
 * <caption>Primitives</caption>
 * <tr><th>Name</th><th>Encoding</th></tr>
 * <tr><td>u8, bool</td><td>one byte; a bool or presence flag is 0 or 1, anything else is malformed</td></tr>
 * <tr><td>u16, i16, i32, i64</td><td>2, 2, 4, 8 bytes, big-endian (network order)</td></tr>
 * <tr><td>f64</td><td>8 bytes: the IEEE 754 raw bits as an i64 (NaN payloads kept)</td></tr>
 * <tr><td>varint</td><td>unsigned LEB128, at most 5 bytes; used for counts, lengths and indexes</td></tr>
 * <tr><td>zigzag</td><td>zigzag-mapped signed LEB128, at most 10 bytes</td></tr>
 * <tr><td>string</td><td>varint byte length, then that many bytes of well-formed UTF-8</td></tr>
 * <tr><td>string?</td><td>bool presence, then a string if present (a {@code null} node)</td></tr>
 * </table>
 *
 * <table>
 * <caption>Payloads</caption>
 * <tr><th>Type (id)</th><th>Payload</th></tr>
 * <tr><td>PING (1), PONG (2)</td><td>i32 version, i64 features, i64 nonce. <b>Frozen</b>: decoded whatever
 *     the header version, so that a node of another version can be answered "incompatible".</td></tr>
 * <tr><td>PROCESS (3)</td><td>bool reset, varint count &le; maxEntries, then count &times;
 *     (u8 {@link WireMessage.Op#id()}, Target)</td></tr>
 * <tr><td>DEAD (4)</td><td>varint reasonCount &le; maxEntries, reasonCount &times; DownReason (each distinct
 *     reason once), varint certCount &le; maxEntries, certCount &times; (Target, varint reason index &lt;
 *     reasonCount)</td></tr>
 * <tr><td>ENDPOINTS (5)</td><td>varint count &le; maxEndpoints, then count &times; (string host, u16 port)</td></tr>
 * <tr><td>BYE (6), BYE_ACK (7)</td><td>empty</td></tr>
 * <tr><td>STATUS_QUERY (8)</td><td>i64 nonce</td></tr>
 * <tr><td>STATUS (9)</td><td>i64 nonce, varint count &le; 32, count &times; (string name of at most 64
 *     bytes, i64 value)</td></tr>
 * </table>
 *
 * <table>
 * <caption>Targets: a u8 tag, then</caption>
 * <tr><th>Tag</th><th>Fields</th></tr>
 * <tr><td>1 {@link RmiTarget}</td><td>string host, u16 port, i64 objNum, i32 uidUnique, i64 uidTime,
 *     i16 uidCount</td></tr>
 * <tr><td>2 {@link MBeanTarget}</td><td>string? node, string server, string objectName</td></tr>
 * <tr><td>3 {@link NamedTarget}</td><td>string? node, string name</td></tr>
 * </table>
 *
 * <p>A DownReason is u8 {@link DownReason.Kind#id()}, bool presence, then a Term if present.
 *
 * <table>
 * <caption>Terms: a u8 tag, then</caption>
 * <tr><th>Tag</th><th>Fields</th></tr>
 * <tr><td>1 Str</td><td>string</td></tr>
 * <tr><td>2 Int</td><td>zigzag</td></tr>
 * <tr><td>3 Real</td><td>f64</td></tr>
 * <tr><td>4 Bool</td><td>bool</td></tr>
 * <tr><td>5 Atom</td><td>string of at most 255 bytes</td></tr>
 * <tr><td>6 Seq</td><td>varint count &le; maxSeq, then count &times; Term</td></tr>
 * <tr><td>7 Struct</td><td>string type (&le; 1024 bytes), varint count &le; maxSeq, then count &times;
 *     (string field name (&le; 1024 bytes, unique), Term)</td></tr>
 * </table>
 *
 * <h2>Limits</h2>
 *
 * <p>Every count and length is checked before anything is allocated for it, against the
 * {@link WireLimits} given at construction and against the bytes that remain (a count whose elements
 * cannot fit in the rest of the message fails at once as TRUNCATED):
 *
 * <ul>
 *   <li>the whole message: {@code maxMessageBytes};
 *   <li>instructions per PROCESS, distinct reasons and certificates per DEAD: {@code maxEntries};
 *   <li>endpoints per ENDPOINTS: {@code maxEndpoints};
 *   <li>every string: {@code maxString} UTF-8 bytes, and less for some: a host at most
 *       3 &times; {@link Endpoint#MAX_HOST_LENGTH} (= 765) bytes, an MBean server, object name or target
 *       name at most 3 &times; {@value NamedTarget#MAX_NAME_LENGTH} bytes (the most UTF-8 that many
 *       UTF-16 chars can take; the record then checks its own limit in chars), an atom 255 bytes, a struct
 *       type or field name 1024 bytes;
 *   <li>each reason's term: depth {@code maxTermDepth} (the top term is depth 1), nodes
 *       {@code maxTermNodes}, elements or fields per Seq or Struct {@code maxSeq}.
 * </ul>
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li>{@code decode(encode(m)).equals(m)} for every message {@code encode} accepts, except that an
 *       unpaired surrogate in a string is encoded as {@code '?'} (as {@link String#getBytes} does).
 *   <li>{@link #decode} returns a message or throws {@link MalformedMessageException}, whatever the bytes:
 *       never another exception, never a stack overflow (recursion is bounded by {@code maxTermDepth}),
 *       and never an allocation larger than a small multiple of the input's size.
 *   <li>Decoded DEAD certificates that share a reason share one {@link DownReason} instance.
 *   <li>{@link #encode} throws {@link IllegalArgumentException} for a message that breaks a limit, so that
 *       the peer never has to drop one of ours. It writes equal reasons of a DEAD once per message.
 * </ul>
 *
 * <p><b>Threading.</b> A codec is immutable and thread-safe; each call uses only its own buffers.
 *
 * <p><b>Costs.</b> Encoding writes into one growable array and copies it once to the exact size; strings
 * are UTF-8-encoded in place. Decoding reads a cursor over the caller's array, allocating only the
 * decoded objects (ASCII strings take a fast path; others go through a reporting {@link CharsetDecoder}).
 */
public final class Codec {

    /** The first byte of every zen message. */
    public static final int MAGIC = 0x5A;
    /** The wire version this codec writes and (except for PING and PONG) the only one it reads. */
    public static final int VERSION = 1;
    static final int TARGET_RMI = 1;
    static final int TARGET_MBEAN = 2;
    static final int TARGET_NAMED = 3;

    static final int TERM_STR = 1;
    static final int TERM_INT = 2;
    static final int TERM_REAL = 3;
    static final int TERM_BOOL = 4;
    static final int TERM_ATOM = 5;
    static final int TERM_SEQ = 6;
    static final int TERM_STRUCT = 7;

    /** Longest atom in UTF-8 bytes. */
    static final int MAX_ATOM_BYTES = 255;
    /** Longest struct type or field name in UTF-8 bytes. */
    static final int MAX_STRUCT_NAME_BYTES = 1024;
    /** Most UTF-8 bytes a valid {@link Endpoint} host can take (3 per UTF-16 char). */
    static final int MAX_HOST_BYTES = 3 * Endpoint.MAX_HOST_LENGTH;
    /** Most UTF-8 bytes a valid MBean server, object name or target name can take. */
    static final int MAX_NAME_BYTES = 3 * (NamedTarget.MAX_NAME_LENGTH > MBeanTarget.MAX_NAME_LENGTH
            ? NamedTarget.MAX_NAME_LENGTH : MBeanTarget.MAX_NAME_LENGTH);

    // Smallest encodings, to reject a count whose elements cannot fit in the remaining bytes.
    /** A NamedTarget: tag, absent node, length, one byte of name. */
    static final int MIN_TARGET_BYTES = 4;
    static final int MIN_INSTRUCTION_BYTES = 1 + MIN_TARGET_BYTES;
    static final int MIN_REASON_BYTES = 2;
    static final int MIN_CERTIFICATE_BYTES = MIN_TARGET_BYTES + 1;
    /** Length, one byte of host, port. */
    static final int MIN_ENDPOINT_BYTES = 4;
    static final int MIN_TERM_BYTES = 2;
    static final int MIN_FIELD_BYTES = 1 + MIN_TERM_BYTES;

    private static final int PING_PAYLOAD_BYTES = 4 + 8 + 8;
    private static final WireMessage.Bye BYE = new WireMessage.Bye();
    private static final WireMessage.ByeAck BYE_ACK = new WireMessage.ByeAck();

    /** A codec with {@link WireLimits#DEFAULT}. Declared after the constants its constructor reads. */
    public static final Codec DEFAULT = new Codec(WireLimits.DEFAULT);

    private final WireLimits limits;
    private final StringLimit anyString;
    private final StringLimit hostString;
    private final StringLimit nameString;
    private final StringLimit atomString;
    private final StringLimit structNameString;
    private final StringLimit figureName;

    /** A codec that enforces {@code limits} both ways. */
    public Codec(WireLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        int max = limits.maxString();
        this.anyString = new StringLimit(max, "maxString");
        this.hostString = StringLimit.min(max, MAX_HOST_BYTES, "host limit (3 x Endpoint.MAX_HOST_LENGTH)");
        this.nameString = StringLimit.min(max, MAX_NAME_BYTES, "name limit (3 x NamedTarget.MAX_NAME_LENGTH)");
        this.atomString = StringLimit.min(max, MAX_ATOM_BYTES, "atom limit");
        this.structNameString = StringLimit.min(max, MAX_STRUCT_NAME_BYTES, "struct name limit");
        this.figureName = StringLimit.min(max, WireMessage.Status.MAX_NAME_BYTES, "figure name limit");
    }

    /** The limits this codec enforces. */
    public WireLimits limits() {
        return limits;
    }

    // ------------------------------------------------------------------------------------------------
    // Encoding

    /**
     * Encodes {@code m} into a new array of exactly its size.
     *
     * @throws IllegalArgumentException if {@code m} breaks a limit (message size, a count, a string, a
     *     term's depth, nodes or sequence size); the message names the limit
     */
    public byte[] encode(WireMessage m) {
        Objects.requireNonNull(m, "message");
        Writer w = new Writer(initialCapacity(m), limits.maxMessageBytes());
        w.u8(MAGIC);
        w.u8(VERSION);
        w.u8(m.type().id());
        if (m instanceof WireMessage.Ping p) {
            w.i32(p.version());
            w.i64(p.features());
            w.i64(p.nonce());
        } else if (m instanceof WireMessage.Pong p) {
            w.i32(p.version());
            w.i64(p.features());
            w.i64(p.nonce());
        } else if (m instanceof WireMessage.Process p) {
            writeProcess(w, p);
        } else if (m instanceof WireMessage.Dead d) {
            writeDead(w, d);
        } else if (m instanceof WireMessage.Endpoints e) {
            writeEndpoints(w, e);
        } else if (m instanceof WireMessage.StatusQuery q) {
            w.i64(q.nonce());
        } else if (m instanceof WireMessage.Status st) {
            checkCount("STATUS figures", st.figures().size(), WireMessage.Status.MAX_FIGURES, "Status.MAX_FIGURES");
            w.i64(st.nonce());
            w.varint(st.figures().size());
            for (var e : st.figures().entrySet()) {
                w.string(e.getKey(), "figure name", figureName);
                w.i64(e.getValue());
            }
        } else if (!(m instanceof WireMessage.Bye) && !(m instanceof WireMessage.ByeAck)) {
            throw new IllegalArgumentException("no codec for " + m.getClass().getName());
        }
        return w.toByteArray();
    }

    private int initialCapacity(WireMessage m) {
        long estimate;
        if (m instanceof WireMessage.Process p) {
            estimate = 8 + 36L * p.instructions().size();
        } else if (m instanceof WireMessage.Dead d) {
            estimate = 16 + 36L * d.certificates().size();
        } else if (m instanceof WireMessage.Endpoints e) {
            estimate = 8 + 20L * e.endpoints().size();
        } else {
            estimate = 3 + PING_PAYLOAD_BYTES;
        }
        return (int) Math.min(limits.maxMessageBytes(), Math.max(32, estimate));
    }

    private void writeProcess(Writer w, WireMessage.Process p) {
        List<Instruction> instructions = p.instructions();
        int n = instructions.size();
        checkCount("PROCESS instructions", n, limits.maxEntries(), "maxEntries");
        w.u8(p.reset() ? 1 : 0);
        w.varint(n);
        for (int i = 0; i < n; i++) {
            Instruction in = instructions.get(i);
            w.u8(in.op().id());
            writeTarget(w, in.target());
        }
    }

    private void writeDead(Writer w, WireMessage.Dead d) {
        List<Certificate> certificates = d.certificates();
        int n = certificates.size();
        checkCount("DEAD certificates", n, limits.maxEntries(), "maxEntries");
        // Pass 1: number the distinct reasons. A new instance is checked (bounded recursion) before it is
        // hashed, since a term's hashCode recurses through all of it; runs of one instance skip the map.
        int[] reasonIndex = new int[n];
        Map<DownReason, Integer> ids = new HashMap<>();
        List<DownReason> distinct = new ArrayList<>();
        DownReason last = null;
        int lastId = -1;
        for (int i = 0; i < n; i++) {
            DownReason r = certificates.get(i).reason();
            if (r != last) {
                if (r.detail() != null) {
                    checkTerm(r.detail(), 1, 0);
                }
                Integer id = ids.get(r);
                if (id == null) {
                    id = distinct.size();
                    ids.put(r, id);
                    distinct.add(r);
                }
                last = r;
                lastId = id;
            }
            reasonIndex[i] = lastId;
        }
        // Pass 2: the reasons once, then the certificates by reason index.
        w.varint(distinct.size());
        for (DownReason r : distinct) {
            w.u8(r.kind().id());
            if (r.detail() == null) {
                w.u8(0);
            } else {
                w.u8(1);
                writeTerm(w, r.detail());
            }
        }
        w.varint(n);
        for (int i = 0; i < n; i++) {
            writeTarget(w, certificates.get(i).target());
            w.varint(reasonIndex[i]);
        }
    }

    private void writeEndpoints(Writer w, WireMessage.Endpoints e) {
        List<Endpoint> endpoints = e.endpoints();
        int n = endpoints.size();
        checkCount("ENDPOINTS endpoints", n, limits.maxEndpoints(), "maxEndpoints");
        w.varint(n);
        for (int i = 0; i < n; i++) {
            Endpoint ep = endpoints.get(i);
            w.string(ep.host(), "host", hostString);
            w.u16(ep.port());
        }
    }

    private void writeTarget(Writer w, Target t) {
        if (t instanceof RmiTarget r) {
            w.u8(TARGET_RMI);
            w.string(r.endpoint().host(), "host", hostString);
            w.u16(r.endpoint().port());
            w.i64(r.objNum());
            w.i32(r.uidUnique());
            w.i64(r.uidTime());
            w.u16(r.uidCount());
        } else if (t instanceof MBeanTarget m) {
            w.u8(TARGET_MBEAN);
            w.nullableString(m.node(), "node", anyString);
            w.string(m.server(), "MBean server", nameString);
            w.string(m.objectName(), "object name", nameString);
        } else if (t instanceof NamedTarget n) {
            w.u8(TARGET_NAMED);
            w.nullableString(n.node(), "node", anyString);
            w.string(n.name(), "name", nameString);
        } else {
            throw new IllegalArgumentException("no codec for target " + t.getClass().getName());
        }
    }

    /** Checks depth, node count and sequence sizes of a term; returns {@code nodes} plus its nodes. */
    private int checkTerm(Term t, int depth, int nodes) {
        if (depth > limits.maxTermDepth()) {
            throw new IllegalArgumentException("term nests deeper than maxTermDepth " + limits.maxTermDepth());
        }
        if (++nodes > limits.maxTermNodes()) {
            throw new IllegalArgumentException("term has more than maxTermNodes " + limits.maxTermNodes() + " nodes");
        }
        if (t instanceof Term.Seq s) {
            List<Term> elements = s.elements();
            checkCount("Seq elements", elements.size(), limits.maxSeq(), "maxSeq");
            for (int i = 0, n = elements.size(); i < n; i++) {
                nodes = checkTerm(elements.get(i), depth + 1, nodes);
            }
        } else if (t instanceof Term.Struct s) {
            checkCount("Struct fields", s.fields().size(), limits.maxSeq(), "maxSeq");
            for (Term v : s.fields().values()) {
                nodes = checkTerm(v, depth + 1, nodes);
            }
        }
        return nodes;
    }

    /** Writes a term already accepted by {@link #checkTerm}, so the recursion is bounded. */
    private void writeTerm(Writer w, Term t) {
        if (t instanceof Term.Str s) {
            w.u8(TERM_STR);
            w.string(s.value(), "string", anyString);
        } else if (t instanceof Term.Int i) {
            w.u8(TERM_INT);
            w.varlong((i.value() << 1) ^ (i.value() >> 63));
        } else if (t instanceof Term.Real r) {
            w.u8(TERM_REAL);
            w.i64(Double.doubleToRawLongBits(r.value()));
        } else if (t instanceof Term.Bool b) {
            w.u8(TERM_BOOL);
            w.u8(b.value() ? 1 : 0);
        } else if (t instanceof Term.Atom a) {
            w.u8(TERM_ATOM);
            w.string(a.name(), "atom", atomString);
        } else if (t instanceof Term.Seq s) {
            w.u8(TERM_SEQ);
            List<Term> elements = s.elements();
            w.varint(elements.size());
            for (int i = 0, n = elements.size(); i < n; i++) {
                writeTerm(w, elements.get(i));
            }
        } else if (t instanceof Term.Struct s) {
            w.u8(TERM_STRUCT);
            w.string(s.type(), "struct type", structNameString);
            w.varint(s.fields().size());
            for (Map.Entry<String, Term> f : s.fields().entrySet()) {
                w.string(f.getKey(), "field name", structNameString);
                writeTerm(w, f.getValue());
            }
        } else {
            throw new IllegalArgumentException("no codec for term " + t.getClass().getName());
        }
    }

    private static void checkCount(String what, int n, int max, String limitName) {
        if (n > max) {
            throw new IllegalArgumentException(n + " " + what + " exceed " + limitName + " " + max);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Decoding

    /** Decodes a whole array; see {@link #decode(byte[], int, int)}. */
    public WireMessage decode(byte[] buf) throws MalformedMessageException {
        return decode(buf, 0, buf.length);
    }

    /**
     * Decodes the message in {@code buf[offset, offset + length)}, which must hold exactly one message.
     * Offsets in error messages count from {@code offset}.
     *
     * @throws MalformedMessageException for any bytes that are not exactly one valid message within the
     *     limits; never any other exception for any content of the range
     * @throws IndexOutOfBoundsException if the range is not within {@code buf} (a caller bug)
     * @throws NullPointerException if {@code buf} is {@code null} (a caller bug)
     */
    public WireMessage decode(byte[] buf, int offset, int length) throws MalformedMessageException {
        Objects.checkFromIndexSize(offset, length, buf.length);
        if (length > limits.maxMessageBytes()) {
            throw new MalformedMessageException(Reason.OVERSIZED,
                    "message of " + length + " bytes exceeds maxMessageBytes " + limits.maxMessageBytes());
        }
        Reader r = new Reader(buf, offset, length);
        try {
            WireMessage m = readMessage(r);
            if (r.pos != r.end) {
                throw new MalformedMessageException(Reason.TRAILING_BYTES, (r.end - r.pos) + " trailing bytes at offset "
                        + r.offset() + " after a complete " + m.type());
            }
            return m;
        } catch (RuntimeException e) {
            // Not expected: every check above is explicit. Kept so that hostile input can never escape.
            throw new MalformedMessageException(Reason.BAD_VALUE, "unexpected " + e + " at offset " + r.offset(), e);
        }
    }

    private WireMessage readMessage(Reader r) throws MalformedMessageException {
        int magic = r.u8("magic");
        if (magic != MAGIC) {
            throw new MalformedMessageException(Reason.BAD_MAGIC,
                    "bad magic 0x" + Integer.toHexString(magic) + " at offset 0, expected 0x5a");
        }
        int version = r.u8("wire version");
        int typeId = r.u8("message type");
        MessageType type = MessageType.ofId(typeId);
        if (type == MessageType.PING || type == MessageType.PONG) {
            // Frozen layout: read whatever the header version, so that the caller can answer "incompatible".
            int v = r.i32("PING version");
            long features = r.i64("PING features");
            long nonce = r.i64("PING nonce");
            return type == MessageType.PING ? new WireMessage.Ping(v, features, nonce) : new WireMessage.Pong(v, features, nonce);
        }
        if (version != VERSION) {
            throw new MalformedMessageException(Reason.WRONG_VERSION,
                    "wire version " + version + " at offset 1 (message type " + typeId + "), expected " + VERSION);
        }
        if (type == null) {
            throw new MalformedMessageException(Reason.UNKNOWN_TYPE, "unknown message type " + typeId + " at offset 2");
        }
        switch (type) {
            case PROCESS:
                return readProcess(r);
            case DEAD:
                return readDead(r);
            case ENDPOINTS:
                return readEndpoints(r);
            case BYE:
                return BYE;
            case BYE_ACK:
                return BYE_ACK;
            case STATUS_QUERY:
                return new WireMessage.StatusQuery(r.i64("STATUS_QUERY nonce"));
            case STATUS:
                return readStatus(r);
            default:
                throw new MalformedMessageException(Reason.UNKNOWN_TYPE, "no decoder for message type " + type + " at offset 2");
        }
    }

    private WireMessage.Process readProcess(Reader r) throws MalformedMessageException {
        boolean reset = r.bool("PROCESS reset flag");
        int n = r.count("instructions", limits.maxEntries(), "maxEntries", MIN_INSTRUCTION_BYTES);
        Instruction[] instructions = new Instruction[n];
        for (int i = 0; i < n; i++) {
            int at = r.offset();
            int opId = r.u8("instruction op");
            WireMessage.Op op = WireMessage.Op.ofId(opId);
            if (op == null) {
                throw new MalformedMessageException(Reason.BAD_VALUE, "unknown instruction op " + opId + " at offset " + at);
            }
            instructions[i] = new Instruction(op, readTarget(r));
        }
        return new WireMessage.Process(reset, List.of(instructions));
    }

    private WireMessage.Dead readDead(Reader r) throws MalformedMessageException {
        int reasonCount = r.count("reasons", limits.maxEntries(), "maxEntries", MIN_REASON_BYTES);
        DownReason[] reasons = new DownReason[reasonCount];
        for (int i = 0; i < reasonCount; i++) {
            reasons[i] = readReason(r);
        }
        int n = r.count("certificates", limits.maxEntries(), "maxEntries", MIN_CERTIFICATE_BYTES);
        Certificate[] certificates = new Certificate[n];
        for (int i = 0; i < n; i++) {
            Target t = readTarget(r);
            int at = r.offset();
            long index = r.varint("reason index");
            if (index >= reasonCount) {
                throw new MalformedMessageException(Reason.BAD_VALUE, "reason index " + index + " at offset " + at
                        + " is out of range: the message has " + reasonCount + " reasons");
            }
            certificates[i] = new Certificate(t, reasons[(int) index]);
        }
        return new WireMessage.Dead(List.of(certificates));
    }

    private WireMessage.Status readStatus(Reader r) throws MalformedMessageException {
        long nonce = r.i64("STATUS nonce");
        int n = r.count("figures", WireMessage.Status.MAX_FIGURES, "Status.MAX_FIGURES", 2);
        java.util.LinkedHashMap<String, Long> figures = new java.util.LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String name = r.string("figure name", figureName);
            figures.put(name, r.i64("figure value"));
        }
        return new WireMessage.Status(nonce, figures);
    }

    private WireMessage.Endpoints readEndpoints(Reader r) throws MalformedMessageException {
        int n = r.count("endpoints", limits.maxEndpoints(), "maxEndpoints", MIN_ENDPOINT_BYTES);
        Endpoint[] endpoints = new Endpoint[n];
        for (int i = 0; i < n; i++) {
            int at = r.offset();
            String host = r.string("host", hostString);
            int port = r.u16("port");
            try {
                endpoints[i] = new Endpoint(host, port);
            } catch (IllegalArgumentException e) {
                throw badRecord("endpoint", at, e);
            }
        }
        return new WireMessage.Endpoints(List.of(endpoints));
    }

    private Target readTarget(Reader r) throws MalformedMessageException {
        int at = r.offset();
        int tag = r.u8("target tag");
        switch (tag) {
            case TARGET_RMI: {
                String host = r.string("host", hostString);
                int port = r.u16("port");
                long objNum = r.i64("objNum");
                int uidUnique = r.i32("uidUnique");
                long uidTime = r.i64("uidTime");
                short uidCount = (short) r.u16("uidCount");
                try {
                    return new RmiTarget(new Endpoint(host, port), objNum, uidUnique, uidTime, uidCount);
                } catch (IllegalArgumentException e) {
                    throw badRecord("RMI target", at, e);
                }
            }
            case TARGET_MBEAN: {
                String node = r.nullableString("node", anyString);
                String server = r.string("MBean server", nameString);
                String objectName = r.string("object name", nameString);
                try {
                    return new MBeanTarget(node, server, objectName);
                } catch (IllegalArgumentException e) {
                    throw badRecord("MBean target", at, e);
                }
            }
            case TARGET_NAMED: {
                String node = r.nullableString("node", anyString);
                String name = r.string("name", nameString);
                try {
                    return new NamedTarget(node, name);
                } catch (IllegalArgumentException e) {
                    throw badRecord("named target", at, e);
                }
            }
            default:
                throw new MalformedMessageException(Reason.BAD_VALUE, "unknown target tag " + tag + " at offset " + at);
        }
    }

    private DownReason readReason(Reader r) throws MalformedMessageException {
        int at = r.offset();
        int kindId = r.u8("reason kind");
        DownReason.Kind kind = DownReason.Kind.ofId(kindId);
        if (kind == null) {
            throw new MalformedMessageException(Reason.BAD_VALUE, "unknown reason kind " + kindId + " at offset " + at);
        }
        if (!r.bool("reason detail presence")) {
            return DownReason.of(kind);
        }
        r.termNodes = 0;
        return new DownReason(kind, readTerm(r, 1));
    }

    private Term readTerm(Reader r, int depth) throws MalformedMessageException {
        int at = r.offset();
        if (depth > limits.maxTermDepth()) {
            throw new MalformedMessageException(Reason.OVERSIZED,
                    "term at offset " + at + " nests deeper than maxTermDepth " + limits.maxTermDepth());
        }
        if (++r.termNodes > limits.maxTermNodes()) {
            throw new MalformedMessageException(Reason.OVERSIZED,
                    "term at offset " + at + " has more than maxTermNodes " + limits.maxTermNodes() + " nodes");
        }
        int tag = r.u8("term tag");
        switch (tag) {
            case TERM_STR:
                return new Term.Str(r.string("string", anyString));
            case TERM_INT:
                long z = r.varlong("Int");
                return new Term.Int((z >>> 1) ^ -(z & 1));
            case TERM_REAL:
                return new Term.Real(Double.longBitsToDouble(r.i64("Real")));
            case TERM_BOOL:
                return new Term.Bool(r.bool("Bool"));
            case TERM_ATOM:
                return new Term.Atom(r.string("atom", atomString));
            case TERM_SEQ: {
                int n = r.count("Seq elements", limits.maxSeq(), "maxSeq", MIN_TERM_BYTES);
                Term[] elements = new Term[n];
                for (int i = 0; i < n; i++) {
                    elements[i] = readTerm(r, depth + 1);
                }
                return new Term.Seq(List.of(elements));
            }
            case TERM_STRUCT: {
                String type = r.string("struct type", structNameString);
                int n = r.count("Struct fields", limits.maxSeq(), "maxSeq", MIN_FIELD_BYTES);
                Map<String, Term> fields = new LinkedHashMap<>((int) (n / 0.75f) + 1);
                for (int i = 0; i < n; i++) {
                    int nameAt = r.offset();
                    String name = r.string("field name", structNameString);
                    if (fields.containsKey(name)) {
                        throw new MalformedMessageException(Reason.BAD_VALUE,
                                "duplicate field name \"" + name + "\" at offset " + nameAt);
                    }
                    fields.put(name, readTerm(r, depth + 1));
                }
                return new Term.Struct(type, fields);
            }
            default:
                throw new MalformedMessageException(Reason.BAD_VALUE, "unknown term tag " + tag + " at offset " + at);
        }
    }

    private static MalformedMessageException badRecord(String what, int at, IllegalArgumentException e) {
        return new MalformedMessageException(Reason.BAD_VALUE, "invalid " + what + " at offset " + at + ": " + e.getMessage());
    }

    // ------------------------------------------------------------------------------------------------
    // Primitives

    /** A string bound: at most {@code bytes} UTF-8 bytes, named in error messages. */
    private record StringLimit(int bytes, String name) {
        static StringLimit min(int maxString, int own, String ownName) {
            return maxString <= own ? new StringLimit(maxString, "maxString") : new StringLimit(own, ownName);
        }
    }

    /** A growable array, bounded by maxMessageBytes. Not thread-safe: one per encode call. */
    private static final class Writer {
        private final int max;
        private byte[] buf;
        private int pos;

        Writer(int initialCapacity, int max) {
            this.buf = new byte[initialCapacity];
            this.max = max;
        }

        private void ensure(int n) {
            if (n > buf.length - pos) {
                grow((long) pos + n);
            }
        }

        private void grow(long needed) {
            if (needed > max) {
                throw new IllegalArgumentException("encoded message needs more than maxMessageBytes " + max);
            }
            long capacity = Math.min(max, Math.max(needed, 2L * buf.length));
            buf = Arrays.copyOf(buf, (int) capacity);
        }

        void u8(int v) {
            ensure(1);
            buf[pos++] = (byte) v;
        }

        void u16(int v) {
            ensure(2);
            buf[pos++] = (byte) (v >>> 8);
            buf[pos++] = (byte) v;
        }

        void i32(int v) {
            ensure(4);
            buf[pos++] = (byte) (v >>> 24);
            buf[pos++] = (byte) (v >>> 16);
            buf[pos++] = (byte) (v >>> 8);
            buf[pos++] = (byte) v;
        }

        void i64(long v) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[pos++] = (byte) (v >>> shift);
            }
        }

        /** An unsigned varint of a non-negative int (at most 5 bytes). */
        void varint(int v) {
            ensure(5);
            while ((v & ~0x7F) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        /** An unsigned varint of 64 bits (at most 10 bytes). */
        void varlong(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        void nullableString(String s, String what, StringLimit limit) {
            if (s == null) {
                u8(0);
            } else {
                u8(1);
                string(s, what, limit);
            }
        }

        /** Length-prefixed UTF-8, encoded in place; an unpaired surrogate becomes '?'. */
        void string(String s, String what, StringLimit limit) {
            long length = utf8Length(s);
            if (length > limit.bytes()) {
                throw new IllegalArgumentException(what + " of " + length + " bytes exceeds " + limit.name() + " " + limit.bytes());
            }
            int n = (int) length;
            varint(n);
            ensure(n);
            byte[] b = buf;
            int p = pos;
            for (int i = 0, len = s.length(); i < len; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    b[p++] = (byte) c;
                } else if (c < 0x800) {
                    b[p++] = (byte) (0xC0 | (c >> 6));
                    b[p++] = (byte) (0x80 | (c & 0x3F));
                } else if (!Character.isSurrogate(c)) {
                    b[p++] = (byte) (0xE0 | (c >> 12));
                    b[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    b[p++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    b[p++] = (byte) (0xF0 | (cp >> 18));
                    b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    b[p++] = (byte) (0x80 | (cp & 0x3F));
                } else {
                    b[p++] = '?';
                }
            }
            pos = p;
        }

        private static long utf8Length(String s) {
            long bytes = 0;
            for (int i = 0, len = s.length(); i < len; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    bytes += 1;
                } else if (c < 0x800) {
                    bytes += 2;
                } else if (!Character.isSurrogate(c)) {
                    bytes += 3;
                } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                    bytes += 4;
                    i++;
                } else {
                    bytes += 1;
                }
            }
            return bytes;
        }

        byte[] toByteArray() {
            return pos == buf.length ? buf : Arrays.copyOf(buf, pos);
        }
    }

    /** A cursor over the caller's array. Not thread-safe: one per decode call. */
    private static final class Reader {
        final byte[] buf;
        final int start;
        final int end;
        int pos;
        /** Nodes of the term being read, against maxTermNodes. */
        int termNodes;
        private CharsetDecoder utf8;

        Reader(byte[] buf, int offset, int length) {
            this.buf = buf;
            this.start = offset;
            this.end = offset + length;
            this.pos = offset;
        }

        /** The position as an offset from the first byte of the message. */
        int offset() {
            return pos - start;
        }

        private void need(int n, String what) throws MalformedMessageException {
            if (end - pos < n) {
                throw new MalformedMessageException(Reason.TRUNCATED, "truncated " + what + " at offset " + offset()
                        + ": needs " + n + " bytes, " + (end - pos) + " remain");
            }
        }

        int u8(String what) throws MalformedMessageException {
            need(1, what);
            return buf[pos++] & 0xFF;
        }

        boolean bool(String what) throws MalformedMessageException {
            int at = offset();
            int b = u8(what);
            if (b > 1) {
                throw new MalformedMessageException(Reason.BAD_VALUE, what + " " + b + " at offset " + at + " is neither 0 nor 1");
            }
            return b == 1;
        }

        int u16(String what) throws MalformedMessageException {
            need(2, what);
            int v = (buf[pos] & 0xFF) << 8 | (buf[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        int i32(String what) throws MalformedMessageException {
            need(4, what);
            int v = (buf[pos] & 0xFF) << 24 | (buf[pos + 1] & 0xFF) << 16 | (buf[pos + 2] & 0xFF) << 8 | (buf[pos + 3] & 0xFF);
            pos += 4;
            return v;
        }

        long i64(String what) throws MalformedMessageException {
            need(8, what);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | (buf[pos++] & 0xFF);
            }
            return v;
        }

        /** An unsigned varint of at most 5 bytes (so at most 2^35 - 1). */
        long varint(String what) throws MalformedMessageException {
            int at = offset();
            long v = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                int b = u8(what);
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new MalformedMessageException(Reason.BAD_VALUE, what + " varint at offset " + at + " is longer than 5 bytes");
        }

        /** An unsigned varint of 64 bits, at most 10 bytes. */
        long varlong(String what) throws MalformedMessageException {
            int at = offset();
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = u8(what);
                if (shift == 63 && b > 1) {
                    throw new MalformedMessageException(Reason.BAD_VALUE, what + " varint at offset " + at + " overflows 64 bits");
                }
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new MalformedMessageException(Reason.BAD_VALUE, what + " varint at offset " + at + " is longer than 10 bytes");
        }

        /**
         * A count of at most {@code max} elements that each take at least {@code minBytes}: one that the
         * rest of the message cannot hold fails here, before anything is allocated for it.
         */
        int count(String what, int max, String limitName, int minBytes) throws MalformedMessageException {
            int at = offset();
            long n = varint(what + " count");
            if (n > max) {
                throw new MalformedMessageException(Reason.OVERSIZED,
                        "count of " + n + " " + what + " at offset " + at + " exceeds " + limitName + " " + max);
            }
            long needed = n * minBytes;
            if (needed > end - pos) {
                throw new MalformedMessageException(Reason.TRUNCATED, "count of " + n + " " + what + " at offset " + at
                        + " needs at least " + needed + " bytes, " + (end - pos) + " remain");
            }
            return (int) n;
        }

        String nullableString(String what, StringLimit limit) throws MalformedMessageException {
            return bool(what + " presence") ? string(what, limit) : null;
        }

        /** A length-prefixed UTF-8 string, bounded before anything is allocated; invalid UTF-8 is refused. */
        String string(String what, StringLimit limit) throws MalformedMessageException {
            int at = offset();
            long length = varint(what + " length");
            if (length > limit.bytes()) {
                throw new MalformedMessageException(Reason.OVERSIZED, what + " of " + length + " bytes at offset " + at
                        + " exceeds " + limit.name() + " " + limit.bytes());
            }
            int n = (int) length;
            need(n, what);
            int p = pos;
            int stop = p + n;
            boolean ascii = true;
            for (int i = p; i < stop; i++) {
                if (buf[i] < 0) {
                    ascii = false;
                    break;
                }
            }
            String s;
            if (ascii) {
                s = new String(buf, p, n, StandardCharsets.ISO_8859_1);
            } else {
                if (utf8 == null) {
                    utf8 = StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT);
                }
                try {
                    s = utf8.decode(ByteBuffer.wrap(buf, p, n)).toString();
                } catch (CharacterCodingException e) {
                    throw new MalformedMessageException(Reason.BAD_VALUE, what + " at offset " + at + " is not valid UTF-8");
                }
            }
            pos = stop;
            return s;
        }
    }
}
