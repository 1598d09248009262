package io.zenmonitor;

import java.io.ObjectOutput;
import java.lang.reflect.Proxy;
import java.rmi.Remote;
import java.rmi.server.RemoteObject;
import java.rmi.server.RemoteRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An RMI remote object: the endpoint its stub points at and its {@code ObjID} (object number plus the
 * {@code UID} of its space).
 *
 * <p>{@link #of(Remote)} decodes a stub with public API only (jvm_anchors.md §2.5): it asks the stub's
 * {@link RemoteRef} to {@link RemoteRef#writeExternal write itself} into a recording {@link ObjectOutput}
 * and reads the host, port and ObjID off the recorded primitives. Nothing is deserialized and no module
 * flag is needed. Legacy {@code _Stub} classes ({@code RegistryImpl_Stub}, {@code RMIServerImpl_Stub}),
 * dynamic proxy stubs, {@code UnicastRef} and {@code UnicastRef2} (custom client socket factories) are
 * understood.
 *
 * @param endpoint where the stub connects; the node that advertises it owns the object
 * @param objNum the ObjID's object number
 * @param uidUnique the ObjID space UID's {@code unique} field
 * @param uidTime the ObjID space UID's {@code time} field
 * @param uidCount the ObjID space UID's {@code count} field
 */
public record RmiTarget(Endpoint endpoint, long objNum, int uidUnique, long uidTime, short uidCount) implements Target {

    /** Appended to the rejection of anything that is not a stub. */
    private static final String IMPL_HINT =
            " pass the stub returned by UnicastRemoteObject.exportObject or RemoteObject.toStub(impl), not the implementation";

    public RmiTarget {
        Objects.requireNonNull(endpoint, "endpoint");
    }

    /** RMI targets are found by {@link #endpoint()}: this is always {@code null}. */
    @Override
    public String node() {
        return null;
    }

    /**
     * Decodes a stub.
     *
     * @throws IllegalArgumentException if {@code stub} is not an RMI stub with a unicast reference (for
     *     example the exported implementation itself rather than its stub)
     */
    public static RmiTarget of(Remote stub) {
        Objects.requireNonNull(stub, "stub");
        RemoteRef ref = refOf(stub);
        if (ref == null) {
            throw new IllegalArgumentException("not an RMI stub: " + stub.getClass().getName()
                    + " (neither a RemoteObject nor a proxy with a RemoteObjectInvocationHandler;" + IMPL_HINT + ")");
        }
        String refClass = ref.getRefClass(null);
        if (refClass != null && refClass.startsWith("UnicastServerRef")) {
            // The exported implementation (a UnicastRemoteObject, RegistryImpl, RMIServerImpl...) holds the
            // server-side reference, which writes nothing; its stub holds the client-side UnicastRef(2).
            throw new IllegalArgumentException("not an RMI stub: " + stub.getClass().getName()
                    + " is an exported implementation (its reference is a " + refClass + ");" + IMPL_HINT);
        }
        Recorder rec = new Recorder();
        try {
            ref.writeExternal(rec);
        } catch (Exception | LinkageError e) {
            throw new IllegalArgumentException("cannot read the reference of " + stub.getClass().getName() + ": " + e, e);
        }
        return decode(refClass, rec.values);
    }

    /**
     * Whether {@code o} is a client-side RMI stub (a dynamic proxy or {@code _Stub} with a
     * {@code UnicastRef}/{@code UnicastRef2}), not an exported implementation or a local object.
     */
    public static boolean isStub(Object o) {
        if (!(o instanceof Remote)) {
            return false;
        }
        RemoteRef ref = refOf(o);
        if (ref == null) {
            return false;
        }
        try {
            String c = ref.getRefClass(null);
            return "UnicastRef".equals(c) || "UnicastRef2".equals(c);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The stub's reference, or null if it has none. */
    static RemoteRef refOf(Object stub) {
        if (stub instanceof RemoteObject ro) {
            return ro.getRef();
        }
        if (Proxy.isProxyClass(stub.getClass())) {
            Object handler = Proxy.getInvocationHandler(stub);
            if (handler instanceof RemoteObject ro) {
                return ro.getRef();
            }
        }
        return null;
    }

    // The recorded layout (the serialized form of UnicastRef / UnicastRef2, LiveRef.write, ObjID.write):
    // UnicastRef:  UTF host, int port, long objNum, int unique, long time, short count, boolean
    // UnicastRef2: byte format (0 host/port, 1 host/port/csf), UTF host, int port, [Object csf], then as above
    static RmiTarget decode(String refClass, List<Object> v) {
        int i = 0;
        try {
            if ("UnicastRef2".equals(refClass)) {
                Object format = v.get(i++);
                if (!(format instanceof Byte)) {
                    throw new IllegalArgumentException("unexpected UnicastRef2 layout: " + v);
                }
            } else if (!"UnicastRef".equals(refClass)) {
                throw new IllegalArgumentException("unsupported remote reference " + refClass + " (only UnicastRef and UnicastRef2)");
            }
            String host = (String) v.get(i++);
            int port = (Integer) v.get(i++);
            if (!(v.get(i) instanceof Long)) {
                i++; // the client socket factory object of format 1
            }
            long objNum = (Long) v.get(i++);
            int unique = (Integer) v.get(i++);
            long time = (Long) v.get(i++);
            short count = (Short) v.get(i);
            return new RmiTarget(new Endpoint(host, port), objNum, unique, time, count);
        } catch (IndexOutOfBoundsException | ClassCastException e) {
            throw new IllegalArgumentException("unexpected " + refClass + " layout: " + v, e);
        }
    }

    @Override
    public String toString() {
        return "rmi:" + endpoint + "/" + Integer.toHexString(uidUnique) + ':' + Long.toHexString(uidTime) + ':'
                + Integer.toHexString(uidCount & 0xFFFF) + '#' + objNum;
    }

    /** Records the primitives a reference writes; never reads anything back through serialization. */
    static final class Recorder implements ObjectOutput {
        final List<Object> values = new ArrayList<>(10);

        @Override public void writeObject(Object obj) { values.add(obj == null ? "null-object" : obj); }
        @Override public void write(int b) { values.add((byte) b); }
        @Override public void write(byte[] b) { values.add(b.clone()); }
        @Override public void write(byte[] b, int off, int len) { values.add(java.util.Arrays.copyOfRange(b, off, off + len)); }
        @Override public void flush() { }
        @Override public void close() { }
        @Override public void writeBoolean(boolean v) { values.add(v); }
        @Override public void writeByte(int v) { values.add((byte) v); }
        @Override public void writeShort(int v) { values.add((short) v); }
        @Override public void writeChar(int v) { values.add((char) v); }
        @Override public void writeInt(int v) { values.add(v); }
        @Override public void writeLong(long v) { values.add(v); }
        @Override public void writeFloat(float v) { values.add(v); }
        @Override public void writeDouble(double v) { values.add(v); }
        @Override public void writeBytes(String s) { values.add(s); }
        @Override public void writeChars(String s) { values.add(s); }
        @Override public void writeUTF(String s) { values.add(s); }
    }
}
