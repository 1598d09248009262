package io.zenmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.rmi.NoSuchObjectException;
import java.rmi.Remote;
import java.rmi.RemoteException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.ObjID;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.RMISocketFactory;
import java.rmi.server.RemoteObject;
import java.rmi.server.RemoteObjectInvocationHandler;
import java.rmi.server.RemoteRef;
import java.rmi.server.UnicastRemoteObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.management.remote.rmi.RMIJRMPServerImpl;
import javax.management.remote.rmi.RMIServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Decoding RMI stubs into {@link RmiTarget}s with public API only. Every listener is bound to 127.0.0.1: exports
 * without a server socket factory go through a JVM-wide loopback {@link RMISocketFactory}, the others through
 * {@link LoopbackServerSocketFactory}. Everything exported is unexported after each test.
 */
class RmiTargetTest {

    private static final String LOOPBACK = "127.0.0.1";

    /** The JVM-wide factory used by exports without their own server socket factory. */
    private static final LoopbackRmiSocketFactory GLOBAL = new LoopbackRmiSocketFactory();

    private final List<Remote> exported = new ArrayList<>();
    private final List<RMIConnectorServer> connectorServers = new ArrayList<>();

    @BeforeAll
    static void loopbackOnly() throws IOException {
        // Read once, when sun.rmi.transport.tcp.TCPEndpoint is initialized: set before any export.
        System.setProperty("java.rmi.server.hostname", LOOPBACK);
        if (RMISocketFactory.getSocketFactory() == null) {
            RMISocketFactory.setSocketFactory(GLOBAL);
        }
        assertThat(RMISocketFactory.getSocketFactory())
                .as("exports without a server socket factory must listen on 127.0.0.1 only")
                .isSameAs(GLOBAL);
    }

    @AfterEach
    void unexportEverything() throws IOException {
        for (RMIConnectorServer server : connectorServers) {
            server.stop();
        }
        for (Remote obj : exported) {
            try {
                UnicastRemoteObject.unexportObject(obj, true);
            } catch (NoSuchObjectException alreadyGone) {
                // fine
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // dynamic proxy stubs, UnicastRef

    @Test
    void of_dynamicProxyStub_decodesLoopbackAndListenPort() throws Exception {
        Pinger stub = export(new PingerImpl("a"));

        RmiTarget target = RmiTarget.of(stub);

        assertThat(Proxy.isProxyClass(stub.getClass())).isTrue();
        assertThat(RmiTarget.refOf(stub).getRefClass(null)).isEqualTo("UnicastRef");
        assertThat(target.endpoint()).isEqualTo(new Endpoint(LOOPBACK, GLOBAL.onlyOpenPort()));
        assertThat(target.endpoint().port()).isPositive();
        assertThat(target.node()).isNull();
        assertThat(stub.ping()).isEqualTo("a"); // the decoded endpoint really is where the stub connects
    }

    @Test
    void of_dynamicProxyStub_objIdMatchesTheWrittenObjId() throws Exception {
        Pinger stub = export(new PingerImpl("a"));

        RmiTarget target = RmiTarget.of(stub);

        // The reference's own serialized form, read back with the documented layout (test-only streams).
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            RmiTarget.refOf(stub).writeExternal(out);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readUTF()).isEqualTo(LOOPBACK);
            assertThat(in.readInt()).isEqualTo(target.endpoint().port());
            assertThat(in.readLong()).isEqualTo(target.objNum());
            assertThat(in.readInt()).isEqualTo(target.uidUnique());
            assertThat(in.readLong()).isEqualTo(target.uidTime());
            assertThat(in.readShort()).isEqualTo(target.uidCount());
            assertThat(in.readBoolean()).isFalse();
        }
    }

    @Test
    void of_twoStubsOfTheSameObject_decodeEqual() throws Exception {
        PingerImpl impl = new PingerImpl("a");
        Pinger stub = export(impl);
        Remote again = RemoteObject.toStub(impl);

        Remote copy = roundTrip(stub);

        assertThat(again).isEqualTo(stub);
        assertThat(copy).isNotSameAs(stub).isEqualTo(stub);
        assertThat(RmiTarget.of(again)).isEqualTo(RmiTarget.of(stub));
        assertThat(RmiTarget.of(again).hashCode()).isEqualTo(RmiTarget.of(stub).hashCode());
        assertThat(RmiTarget.of(copy)).isEqualTo(RmiTarget.of(stub));
    }

    @Test
    void of_stubsOfTwoObjectsOnOnePort_sameEndpointDifferentTargets() throws Exception {
        Pinger a = export(new PingerImpl("a"));
        Pinger b = export(new PingerImpl("b"));

        RmiTarget ta = RmiTarget.of(a);
        RmiTarget tb = RmiTarget.of(b);

        assertThat(tb.endpoint()).isEqualTo(ta.endpoint());
        assertThat(tb).isNotEqualTo(ta);
        assertThat(new ObjIdKey(tb)).isNotEqualTo(new ObjIdKey(ta));
    }

    @Test
    void of_stubSerializedAndDeserialized_decodesEqualToOriginal() throws Exception {
        Pinger stub = export(new PingerImpl("a"));

        Remote copy = roundTrip(stub);

        assertThat(copy).isNotSameAs(stub).isEqualTo(stub);
        assertThat(Proxy.isProxyClass(copy.getClass())).isTrue();
        assertThat(RmiTarget.of(copy)).isEqualTo(RmiTarget.of(stub));
        assertThat(((Pinger) copy).ping()).isEqualTo("a");
    }

    // ---------------------------------------------------------------------------------------------
    // custom client socket factory, UnicastRef2

    @Test
    void of_stubWithClientSocketFactory_decodesUnicastRef2() throws Exception {
        LoopbackServerSocketFactory ssf = new LoopbackServerSocketFactory();
        Pinger stub = export(new PingerImpl("a"), new LoopbackClientSocketFactory(), ssf);

        RmiTarget target = RmiTarget.of(stub);

        assertThat(RmiTarget.refOf(stub).getRefClass(null)).isEqualTo("UnicastRef2");
        assertThat(target.endpoint()).isEqualTo(new Endpoint(LOOPBACK, ssf.onlyOpenPort()));
        assertThat(stub.ping()).isEqualTo("a");
        assertThat(RmiTarget.of(roundTrip(stub))).isEqualTo(target);
    }

    @Test
    void of_stubWithServerSocketFactoryOnly_decodesUnicastRef2Format0() throws Exception {
        LoopbackServerSocketFactory ssf = new LoopbackServerSocketFactory();
        Pinger stub = export(new PingerImpl("a"), null, ssf);

        RmiTarget target = RmiTarget.of(stub);

        assertThat(RmiTarget.refOf(stub).getRefClass(null)).isEqualTo("UnicastRef2");
        assertThat(target.endpoint()).isEqualTo(new Endpoint(LOOPBACK, ssf.onlyOpenPort()));
        assertThat(stub.ping()).isEqualTo("a");
    }

    @Test
    void of_twoObjectsWithClientSocketFactoryOnOnePort_sameEndpointDifferentTargets() throws Exception {
        LoopbackServerSocketFactory ssf = new LoopbackServerSocketFactory();
        Pinger a = export(new PingerImpl("a"), new LoopbackClientSocketFactory(), ssf);
        Pinger b = export(new PingerImpl("b"), new LoopbackClientSocketFactory(), ssf);

        assertThat(RmiTarget.of(b).endpoint()).isEqualTo(RmiTarget.of(a).endpoint());
        assertThat(RmiTarget.of(b)).isNotEqualTo(RmiTarget.of(a));
    }

    // ---------------------------------------------------------------------------------------------
    // legacy _Stub classes

    @Test
    void of_registryStubFromGetRegistry_decodesWellKnownRegistryId() throws Exception {
        LoopbackServerSocketFactory ssf = new LoopbackServerSocketFactory();
        Registry impl = LocateRegistry.createRegistry(0, new LoopbackClientSocketFactory(), ssf);
        exported.add(impl);
        int port = ssf.onlyOpenPort();

        Registry stub = LocateRegistry.getRegistry(LOOPBACK, port);
        RmiTarget target = RmiTarget.of(stub);

        assertThat(stub.getClass().getSimpleName()).isEqualTo("RegistryImpl_Stub");
        assertThat(stub).isInstanceOf(RemoteObject.class);
        assertThat(RmiTarget.refOf(stub).getRefClass(null)).isEqualTo("UnicastRef");
        assertThat(target.endpoint()).isEqualTo(new Endpoint(LOOPBACK, port));
        assertThat(target.objNum()).isEqualTo(0L).isEqualTo(ObjID.REGISTRY_ID);
        ObjIdKey registryId = ObjIdKey.of(new ObjID(ObjID.REGISTRY_ID));
        assertThat(registryId).isEqualTo(new ObjIdKey(0L, 0, 0L, (short) 0));
        assertThat(new ObjIdKey(target)).isEqualTo(registryId);
        assertThat(stub.list()).isEmpty(); // the stub really reaches the registry
    }

    @Test
    void of_registryStubFromTheExportedRegistry_decodesUnicastRef2EqualToGetRegistry() throws Exception {
        LoopbackServerSocketFactory ssf = new LoopbackServerSocketFactory();
        Registry impl = LocateRegistry.createRegistry(0, new LoopbackClientSocketFactory(), ssf);
        exported.add(impl);
        int port = ssf.onlyOpenPort();

        Remote stub = RemoteObject.toStub(impl);
        RmiTarget target = RmiTarget.of(stub);

        assertThat(stub.getClass().getSimpleName()).isEqualTo("RegistryImpl_Stub");
        assertThat(RmiTarget.refOf(stub).getRefClass(null)).isEqualTo("UnicastRef2");
        assertThat(target.endpoint()).isEqualTo(new Endpoint(LOOPBACK, port));
        assertThat(target).isEqualTo(RmiTarget.of(LocateRegistry.getRegistry(LOOPBACK, port)));
    }

    @Test
    void of_jmxConnectorServerStub_decodesRmiServerImplStub() throws Exception {
        LoopbackServerSocketFactory ssf = new LoopbackServerSocketFactory();
        Map<String, Object> env = new HashMap<>();
        env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, ssf);
        env.put("jmx.remote.x.daemon", "true");
        MBeanServer mbs = MBeanServerFactory.newMBeanServer();
        RMIJRMPServerImpl serverImpl = new RMIJRMPServerImpl(0, null, ssf, env);
        RMIConnectorServer server = new RMIConnectorServer(new JMXServiceURL("service:jmx:rmi://127.0.0.1/"), env, serverImpl, mbs);
        connectorServers.add(server);
        server.start();
        int port = ssf.onlyOpenPort();

        Remote stub = serverImpl.toStub();
        RmiTarget target = RmiTarget.of(stub);

        assertThat(stub.getClass().getName()).isEqualTo("javax.management.remote.rmi.RMIServerImpl_Stub");
        assertThat(RmiTarget.refOf(stub).getRefClass(null)).isEqualTo("UnicastRef2");
        assertThat(target.endpoint()).isEqualTo(new Endpoint(LOOPBACK, port));
        assertThat(((RMIServer) stub).getVersion()).isNotBlank();

        // The same stub, as a client gets it from the connector address (service:jmx:rmi://127.0.0.1/stub/<base64>).
        String path = server.getAddress().getURLPath();
        assertThat(path).startsWith("/stub/");
        Remote fromAddress = (Remote) deserialize(Base64.getDecoder().decode(path.substring("/stub/".length())));
        assertThat(fromAddress.getClass().getName()).isEqualTo("javax.management.remote.rmi.RMIServerImpl_Stub");
        assertThat(RmiTarget.of(fromAddress)).isEqualTo(target);
    }

    // ---------------------------------------------------------------------------------------------
    // not stubs

    @Test
    void of_exportedImplementation_throwsWithHint() throws Exception {
        PingerImpl impl = new PingerImpl("a");
        export(impl);

        assertThatThrownBy(() -> RmiTarget.of(impl))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(PingerImpl.class.getName())
                .hasMessageContaining("not an RMI stub")
                .hasMessageContaining("RemoteObject.toStub");
    }

    @Test
    void of_exportedUnicastRemoteObjectSubclass_throwsWithHint() throws Exception {
        UroPinger impl = new UroPinger(); // exported by its constructor
        exported.add(impl);
        assertThat(RmiTarget.of(RemoteObject.toStub(impl)).endpoint().host()).isEqualTo(LOOPBACK);

        assertThatThrownBy(() -> RmiTarget.of(impl))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(UroPinger.class.getName())
                .hasMessageContaining("not an RMI stub")
                .hasMessageContaining("RemoteObject.toStub");
    }

    @Test
    void of_remoteLambda_throws() {
        Pinger lambda = () -> "x";

        assertThatThrownBy(() -> RmiTarget.of(lambda))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an RMI stub");
    }

    @Test
    void of_nonRmiProxy_throws() {
        Pinger proxy = (Pinger) Proxy.newProxyInstance(Pinger.class.getClassLoader(), new Class<?>[] {Pinger.class},
                (p, m, args) -> "x");

        assertThatThrownBy(() -> RmiTarget.of(proxy))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an RMI stub")
                .hasMessageContaining(proxy.getClass().getName());
    }

    @Test
    void of_proxyStubWithUnknownRemoteRef_throwsUnsupported() {
        RemoteRef customRef = (RemoteRef) Proxy.newProxyInstance(RemoteRef.class.getClassLoader(),
                new Class<?>[] {RemoteRef.class}, (p, m, args) -> switch (m.getName()) {
                    case "getRefClass" -> "MulticastRef";
                    case "hashCode" -> 1;
                    case "equals" -> p == args[0];
                    default -> null;
                });
        Pinger stub = (Pinger) Proxy.newProxyInstance(Pinger.class.getClassLoader(), new Class<?>[] {Pinger.class},
                new RemoteObjectInvocationHandler(customRef));

        assertThatThrownBy(() -> RmiTarget.of(stub))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsupported remote reference MulticastRef");
    }

    @Test
    void of_null_throwsNullPointer() {
        assertThatThrownBy(() -> RmiTarget.of(null)).isInstanceOf(NullPointerException.class);
    }

    // ---------------------------------------------------------------------------------------------
    // value behaviour

    @Test
    void toString_decodedTarget_containsEndpoint() throws Exception {
        Pinger stub = export(new PingerImpl("a"));

        RmiTarget target = RmiTarget.of(stub);

        assertThat(target.toString())
                .startsWith("rmi:")
                .contains(LOOPBACK + ":" + target.endpoint().port())
                .endsWith("#" + target.objNum());
    }

    @Test
    void targetOf_stub_equalsRmiTargetOf() throws Exception {
        Pinger stub = export(new PingerImpl("a"));

        Target viaTarget = Target.of(stub);

        assertThat(viaTarget).isEqualTo(RmiTarget.of(stub));
        assertThat(viaTarget.node()).isNull();
    }

    // ---------------------------------------------------------------------------------------------

    private Pinger export(Remote impl) throws RemoteException {
        exported.add(impl);
        return (Pinger) UnicastRemoteObject.exportObject(impl, 0);
    }

    private Pinger export(Remote impl, RMIClientSocketFactory csf, RMIServerSocketFactory ssf) throws RemoteException {
        exported.add(impl);
        return (Pinger) UnicastRemoteObject.exportObject(impl, 0, csf, ssf);
    }

    /** A client's copy of a stub: serialized and read back (our own bytes, test only). */
    private static Remote roundTrip(Remote stub) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(stub);
        }
        return (Remote) deserialize(bytes.toByteArray());
    }

    private static Object deserialize(byte[] bytes) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return in.readObject();
        }
    }

    /** ObjID fields as written by {@link ObjID#write}. */
    record ObjIdKey(long objNum, int unique, long time, short count) {
        ObjIdKey(RmiTarget t) {
            this(t.objNum(), t.uidUnique(), t.uidTime(), t.uidCount());
        }

        static ObjIdKey of(ObjID id) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                id.write(out);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                return new ObjIdKey(in.readLong(), in.readInt(), in.readLong(), in.readShort());
            }
        }
    }

    public interface Pinger extends Remote {
        String ping() throws RemoteException;
    }

    static final class PingerImpl implements Pinger {
        private final String answer;

        PingerImpl(String answer) {
            this.answer = answer;
        }

        @Override
        public String ping() {
            return answer;
        }
    }

    static final class UroPinger extends UnicastRemoteObject implements Pinger {
        private static final long serialVersionUID = 1L;

        UroPinger() throws RemoteException {
            super(0);
        }

        @Override
        public String ping() {
            return "uro";
        }
    }

    /** Binds every server socket to 127.0.0.1 and remembers them. */
    static final class LoopbackServerSocketFactory implements RMIServerSocketFactory {
        final List<ServerSocket> created = new CopyOnWriteArrayList<>();

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            ServerSocket socket = new ServerSocket(port, 50, InetAddress.getByName(LOOPBACK));
            created.add(socket);
            return socket;
        }

        /** The port of the one open server socket this factory made. */
        int onlyOpenPort() {
            List<ServerSocket> open = created.stream().filter(s -> !s.isClosed()).toList();
            assertThat(open).hasSize(1);
            assertThat(open.get(0).getInetAddress().getHostAddress()).isEqualTo(LOOPBACK);
            return open.get(0).getLocalPort();
        }
    }

    /** A serializable client socket factory with value equality, as RMI requires for endpoint sharing. */
    static final class LoopbackClientSocketFactory implements RMIClientSocketFactory, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return new Socket(host, port);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LoopbackClientSocketFactory;
        }

        @Override
        public int hashCode() {
            return LoopbackClientSocketFactory.class.hashCode();
        }
    }

    /** The JVM-wide RMI socket factory: listens on 127.0.0.1 only. */
    static final class LoopbackRmiSocketFactory extends RMISocketFactory {
        final List<ServerSocket> created = new CopyOnWriteArrayList<>();

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return new Socket(host, port);
        }

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            ServerSocket socket = new ServerSocket(port, 50, InetAddress.getByName(LOOPBACK));
            created.add(socket);
            return socket;
        }

        /** The port of the one open server socket this factory made. */
        int onlyOpenPort() {
            List<ServerSocket> open = created.stream().filter(s -> !s.isClosed()).toList();
            assertThat(open).hasSize(1);
            assertThat(open.get(0).getInetAddress().getHostAddress()).isEqualTo(LOOPBACK);
            return open.get(0).getLocalPort();
        }
    }
}
