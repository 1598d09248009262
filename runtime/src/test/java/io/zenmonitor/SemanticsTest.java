package io.zenmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.rmi.Remote;
import java.rmi.RemoteException;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.management.ObjectName;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What we promise beyond ZenMonitor (DESIGN.md §5): RMI and MBean targets end to end, endpoints nobody
 * owns, partitions and merges, restarts under the same name, and hostile wire input.
 */
class SemanticsTest {

    TestNodes nodes;
    final List<Remote> exported = new ArrayList<>();

    @BeforeEach
    void setUp() {
        nodes = new TestNodes();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Remote r : exported) {
            UnicastRemoteObject.unexportObject(r, true);
        }
        nodes.close();
    }

    interface Hello extends Remote {
        String hello() throws RemoteException;
    }

    static final class HelloImpl implements Hello {
        @Override
        public String hello() {
            return "hi";
        }
    }

    /** Binds RMI exports to 127.0.0.1 only. */
    static final class Loopback implements RMIServerSocketFactory, RMIClientSocketFactory, java.io.Serializable {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return new Socket(host, port);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Loopback;
        }

        @Override
        public int hashCode() {
            return 1;
        }
    }

    Remote export(Remote impl) throws RemoteException {
        System.setProperty("java.rmi.server.hostname", "127.0.0.1");
        Loopback f = new Loopback();
        Remote stub = UnicastRemoteObject.exportObject(impl, 0, f, f);
        exported.add(impl);
        return stub;
    }

    @Test
    @DisplayName("an RMI object owned by another node: its stub maps to that node through the advertised endpoint")
    void rmiTarget_unexportedOnOwner_monitorGetsUnexported() throws Exception {
        ZenNode a = nodes.start("a");
        ZenNode b = nodes.start("b");
        nodes.awaitView(2);
        Remote stub = export(new HelloImpl());
        RmiTarget t = Target.of(stub);
        b.advertise(t.endpoint());
        b.alive(t);
        await().atMost(Duration.ofSeconds(5)).until(() -> TestNodes.onLoop(a, n -> TestNodes.local(n).nodeOfTarget(t)).equals("b"));
        assertThat(a.compatibility(t)).isEqualTo(Compatibility.INCOMPATIBLE); // not connected yet
        Downs downs = new Downs();
        MonitorRef ref = a.monitor(t, downs);
        TestNodes.awaitEstablished(a, ref, b);
        assertThat(a.compatibility(t)).isEqualTo(Compatibility.COMPATIBLE);
        b.died(t, DownReason.UNEXPORTED);
        downs.awaitDown(ref);
        downs.assertOne(ref, DownReason.Kind.UNEXPORTED);
    }

    @Test
    @DisplayName("an RMI endpoint that no node advertises is an incompatible node: NODEDOWN at the next sweep")
    void rmiTarget_unadvertisedEndpoint_nodedown() throws Exception {
        ZenNode a = nodes.start("a");
        Remote stub = export(new HelloImpl());
        Downs downs = new Downs();
        MonitorRef ref = a.monitor(Target.of(stub), downs);
        downs.awaitDown(ref);
        downs.assertOne(ref, DownReason.Kind.NODEDOWN);
        assertThat(a.compatibility(Target.of(stub))).isEqualTo(Compatibility.INCOMPATIBLE);
        // the pseudo-Connector of the unowned endpoint does not stay behind
        await().atMost(Duration.ofSeconds(5)).until(() -> !TestNodes.onLoop(a,
                n -> TestNodes.local(n).hasConnector("?" + Target.of(stub).endpoint())));
    }

    @Test
    @DisplayName("an MBean unregistered on one node: a monitor on another node gets UNREGISTERED")
    void mbeanTarget_unregistered_monitorGetsUnregistered() throws Exception {
        ZenNode a = nodes.start("a");
        ZenNode b = nodes.start("b");
        nodes.awaitView(2);
        MBeanTarget t = Target.mbean("b", new ObjectName("zm:type=Demo,name=x"));
        b.alive(t);
        Downs downs = new Downs();
        MonitorRef ref = a.monitor(t, downs);
        TestNodes.awaitEstablished(a, ref, b);
        b.died(t, DownReason.UNREGISTERED);
        downs.awaitDown(ref);
        downs.assertOne(ref, DownReason.Kind.UNREGISTERED);
    }

    @Test
    @DisplayName("a local MBean given without node is the monitoring node's")
    void mbeanTarget_bareOnLocalNode_resolvesLocally() throws Exception {
        ZenNode a = nodes.start("a");
        MBeanTarget t = Target.mbean(new ObjectName("zm:type=Demo,name=local"));
        a.alive(t);
        Downs downs = new Downs();
        MonitorRef ref = a.monitor(t, downs);
        assertThat(ref.target()).isEqualTo(t.on("a"));
        TestNodes.awaitEstablished(a, ref, a);
        a.died(t, DownReason.UNREGISTERED);
        downs.awaitDown(ref);
        downs.assertOne(ref, DownReason.Kind.UNREGISTERED);
    }

    static DISCARD discard(ZenNode n) throws Exception {
        JChannel ch = TestNodes.cluster(n).channel();
        DISCARD d = ch.getProtocolStack().findProtocol(DISCARD.class);
        if (d == null) {
            d = new DISCARD();
            ch.getProtocolStack().insertProtocol(d, ProtocolStack.Position.ABOVE, TP.class);
        }
        return d;
    }

    @Test
    @DisplayName("a partition fires NODEDOWN on both sides; after the merge both sides start fresh and new monitors work")
    void partition_thenMerge_nodedownThenFreshSessions() throws Exception {
        ZenNode a = nodes.start("a");
        ZenNode b = nodes.start("b");
        nodes.awaitView(2);
        Target onB = Target.named("b", "svc");
        Target onA = Target.named("a", "svc");
        b.alive(onB);
        a.alive(onA);
        Downs downs = new Downs();
        MonitorRef aWatchesB = a.monitor(onB, downs);
        MonitorRef bWatchesA = b.monitor(onA, downs);
        TestNodes.awaitEstablished(a, aWatchesB, b);
        TestNodes.awaitEstablished(b, bWatchesA, a);

        DISCARD da = discard(a);
        DISCARD db = discard(b);
        da.addIgnoreMember(TestNodes.address(b));
        db.addIgnoreMember(TestNodes.address(a));
        downs.awaitDown(aWatchesB, Duration.ofSeconds(15));
        downs.awaitDown(bWatchesA, Duration.ofSeconds(15));
        downs.assertOne(aWatchesB, DownReason.Kind.NODEDOWN);
        downs.assertOne(bWatchesA, DownReason.Kind.NODEDOWN);
        // each Proxy dropped what the other side held
        assertThat(TestNodes.<List<org.jgroups.Address>>onLoop(b, n -> TestNodes.proxy(n).subscribersOf(onB))).isEmpty();
        assertThat(TestNodes.<List<org.jgroups.Address>>onLoop(a, n -> TestNodes.proxy(n).subscribersOf(onA))).isEmpty();

        da.resetIgnoredMembers();
        db.resetIgnoredMembers();
        await().atMost(Duration.ofSeconds(30)).until(() -> a.members().size() == 2 && b.members().size() == 2);

        MonitorRef again = a.monitor(onB, downs);
        try {
            TestNodes.awaitEstablished(a, again, b);
        } catch (Throwable e) {
            System.out.println("DEBUG a cache " + TestNodes.local(a).cachedCompatibility("b") + " members " + a.members() + " / " + b.members());
            System.out.println("DEBUG a batch " + TestNodes.onLoop(a, n -> TestNodes.local(n).connectorBatch("b")));
            System.out.println("DEBUG a monitors " + TestNodes.onLoop(a, n -> TestNodes.local(n).connectorMonitors("b", onB)));
            System.out.println("DEBUG b subs " + TestNodes.onLoop(b, n -> TestNodes.proxy(n).subscribersOf(onB)) + " alive " + TestNodes.onLoop(b, n -> TestNodes.proxy(n).isAlive(onB)));
            System.out.println("DEBUG a " + a.metrics().snapshot());
            System.out.println("DEBUG b " + b.metrics().snapshot());
            throw e;
        }
        b.died(onB, DownReason.Kind.EXIT, "after the merge");
        downs.awaitDown(again);
        downs.assertOne(again, DownReason.Kind.EXIT);
        assertThat(downs.of(aWatchesB)).hasSize(1); // never twice
    }

    @Test
    @DisplayName("a node that restarts under the same name is a new incarnation: old monitors got NODEDOWN, new ones work")
    void restartSameName_newIncarnation_newMonitorsWork() {
        ZenNode a = nodes.start("a");
        ZenNode b = nodes.start("b");
        nodes.awaitView(2);
        Target t = Target.named("b", "svc");
        b.alive(t);
        Downs downs = new Downs();
        MonitorRef before = a.monitor(t, downs);
        TestNodes.awaitEstablished(a, before, b);
        TestNodes.crash(b);
        downs.awaitDown(before, Duration.ofSeconds(15));
        downs.assertOne(before, DownReason.Kind.NODEDOWN);

        ZenNode b2 = nodes.start("b");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.members().size() == 2);
        b2.alive(t);
        MonitorRef after = a.monitor(t, downs);
        TestNodes.awaitEstablished(a, after, b2);
        b2.died(t, DownReason.Kind.EXIT, "bye");
        downs.awaitDown(after);
        downs.assertOne(after, DownReason.Kind.EXIT);
    }

    @Test
    @DisplayName("malformed, truncated and foreign messages are dropped and counted; the node keeps working")
    void malformedInput_droppedAndCounted_nodeKeepsWorking() throws Exception {
        ZenNode a = nodes.start("a");
        ZenNode b = nodes.start("b");
        JChannel evil = nodes.startIncompatible("evil");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.members().size() == 3);
        org.jgroups.Address target = TestNodes.address(a);
        byte[][] garbage = {
            {}, {0x5A}, {0x5A, 1}, {0x5A, 1, 99}, {0x5A, 9, 3, 0, 0}, {0x5A, 1, 3, 1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F},
            "hello, I am not zen".getBytes(), new byte[100_000]
        };
        for (byte[] g : garbage) {
            evil.send(new BytesMessage(target, g));
        }
        evil.send(new org.jgroups.ObjectMessage(target, "a Java object"));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.metrics().get("zen.wire.dropped") >= garbage.length);
        assertThat(a.metrics().get("zen.loop.failures")).isZero();

        Target t = Target.named("b", "svc");
        b.alive(t);
        Downs downs = new Downs();
        MonitorRef ref = a.monitor(t, downs);
        TestNodes.awaitEstablished(a, ref, b);
        b.died(t, DownReason.Kind.EXIT, "still fine");
        downs.awaitDown(ref);
        downs.assertOne(ref, DownReason.Kind.EXIT);
    }

    @Test
    @DisplayName("a PROCESS from a member that is not in the view creates no subscription")
    void processFromNonMember_ignored() {
        ZenNode a = nodes.start("a");
        Target t = Target.named("a", "svc");
        a.alive(t);
        org.jgroups.Address stranger = org.jgroups.util.UUID.randomUUID();
        TestNodes.onLoopDo(a, n -> TestNodes.cluster(n).send(TestNodes.address(n), new io.zenmonitor.wire.WireMessage.Ping(1, 0, 1)));
        // a PROCESS routed as if it came from a stranger: dropped by the membership check
        TestNodes.onLoopDo(a, n -> {
            var c = TestNodes.cluster(n);
            try {
                var m = io.zenmonitor.cluster.Cluster.class.getDeclaredMethod("route", org.jgroups.Address.class, String.class,
                        io.zenmonitor.wire.WireMessage.class);
                m.setAccessible(true);
                m.invoke(c, stranger, "stranger", new io.zenmonitor.wire.WireMessage.Process(false,
                        List.of(new io.zenmonitor.wire.WireMessage.Instruction(io.zenmonitor.wire.WireMessage.Op.SUBSCRIBE, t))));
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        });
        assertThat(TestNodes.<List<org.jgroups.Address>>onLoop(a, n -> TestNodes.proxy(n).subscribersOf(t))).isEmpty();
    }

    @Test
    @DisplayName("closing a node ends its own monitors as demonitored: no callback runs after close")
    void close_ownMonitorsEndDemonitored() {
        ZenNode a = nodes.start("a");
        ZenNode b = nodes.start("b");
        nodes.awaitView(2);
        Target t = Target.named("b", "svc");
        b.alive(t);
        Downs downs = new Downs();
        MonitorRef ref = a.monitor(t, downs);
        TestNodes.awaitEstablished(a, ref, b);
        a.close();
        assertThat(ref.isActive()).isFalse();
        assertThat(a.metrics().get("zen.local.references.size")).isZero();
        b.died(t, DownReason.Kind.EXIT, "after close");
        downs.refuteAny(Duration.ofMillis(300));
        // and the closed node's subscription is gone from b's Proxy
        await().atMost(Duration.ofSeconds(5)).until(() -> TestNodes.onLoop(b, n -> TestNodes.proxy(n).subscriptionsInLoop()) == 0);
    }
}
