package io.zenmonitor.stacks;

import static io.zenmonitor.stacks.StacksTest.awaitSameView;
import static io.zenmonitor.stacks.StacksTest.measured;
import static io.zenmonitor.stacks.StacksTest.uniqueCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.View;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.TP;
import org.jgroups.protocols.UDP;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.dns.DNS_PING;
import org.jgroups.stack.Protocol;
import org.jgroups.util.Util;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The network stacks {@code tcp}, {@code udp} and {@code kube} on 127.0.0.1, three members each in this JVM: they
 * form one view, and a member whose sockets close without a LEAVE ({@link Util#shutdown}, what a kill -9 does to a
 * process) leaves the view within 5 s. Kill -9, SIGSTOP and SIGCONT of member JVMs are in {@link LoopbackKillIT}
 * (loopback) and the runtime's {@code TcpStackIT} (tcp, with monitoring); they stand for every stack because all
 * five share one failure-detection section, which {@link #failureDetection_isTheSameInEveryNetworkStack} checks.
 * {@code secure} is in {@link SecureStackTest}.
 */
class NetworkStacksTest {
  static final String TCP_XML = "zen/stacks/tcp.xml";
  static final String UDP_XML = "zen/stacks/udp.xml";
  static final String KUBE_XML = "zen/stacks/kube.xml";
  static final String SECURE_XML = "zen/stacks/secure.xml";
  static final long CRASH_LIMIT_MS = 5_000;

  private final List<JChannel> channels = new ArrayList<>();

  @AfterEach
  void closeChannels() {
    List<JChannel> reversed = new ArrayList<>(channels);
    Collections.reverse(reversed);
    reversed.forEach(Util::close);
  }

  @Nested
  @DisplayName("tcp.xml")
  class Tcp {
    @Test
    void threeMembers_formOneView_crashedMemberLeavesWithin5Seconds() throws Exception {
      int base = LocalPorts.freeBlock(3);
      String hosts = LocalPorts.initialHosts(base, 3);
      JChannel[] chs = new JChannel[3];
      String cluster = uniqueCluster("tcp3");
      long start = System.nanoTime();
      for (int i = 0; i < 3; i++) {
        chs[i] = connect(TCP_XML, cluster, "t" + i, Map.of("zen.stack.bind-addr", "127.0.0.1",
            "zen.stack.port", Integer.toString(base + i), "zen.stack.initial-hosts", hosts));
      }
      awaitSameView(3, chs);
      measured("tcp.xml: 3 members (one JVM) formed one view", start);
      TCP tcp = (TCP) chs[1].getProtocolStack().getTransport();
      assertThat(tcp.getBindAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
      assertThat(tcp.getBindPort()).isEqualTo(base + 1);
      assertThat(tcp.getDiagnosticsHandler().isEnabled()).as("diagnostics").isFalse();
      TCPPING ping = chs[1].getProtocolStack().findProtocol(TCPPING.class);
      assertThat(ping.getInitialHosts()).hasSize(3);
      assertCrashedMemberLeaves("tcp.xml", chs);
    }
  }

  @Nested
  @DisplayName("udp.xml")
  class Udp {
    @Test
    void threeMembers_formOneView_overMulticastOnLoopback_crashedMemberLeavesWithin5Seconds() throws Exception {
      // An admin-scoped group and port of our own, TTL 0 and the loopback interface: nothing leaves this host.
      InetAddress group = InetAddress.getByName("239.255." + ThreadLocalRandom.current().nextInt(1, 255) + "."
          + ThreadLocalRandom.current().nextInt(1, 255));
      int mcastPort = 40_000 + ThreadLocalRandom.current().nextInt(20_000);
      String unavailable = multicastOnLoopbackUnavailable(group, mcastPort);
      assumeTrue(unavailable == null, () -> "udp.xml not tested: " + unavailable);

      Map<String, String> props = Map.of("zen.stack.bind-addr", "127.0.0.1", "zen.stack.mcast-addr",
          group.getHostAddress(), "zen.stack.mcast-port", Integer.toString(mcastPort), "zen.stack.ttl", "0");
      String cluster = uniqueCluster("udp3");
      JChannel[] chs = new JChannel[3];
      long start = System.nanoTime();
      for (int i = 0; i < 3; i++) {
        chs[i] = connect(UDP_XML, cluster, "u" + i, props);
      }
      awaitSameView(3, chs);
      measured("udp.xml: 3 members (one JVM) formed one view over multicast on lo", start);
      UDP udp = (UDP) chs[0].getProtocolStack().getTransport();
      assertThat(udp.getBindAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
      assertThat(udp.getMulticastAddress()).isEqualTo(group);
      assertThat(udp.getMulticastTTL()).isZero();
      assertThat(udp.getDiagnosticsHandler().isEnabled()).as("diagnostics").isFalse();
      assertCrashedMemberLeaves("udp.xml", chs);
    }

    @Test
    void defaults_areOneSubnetAndAGroupOfOurOwn() throws Exception {
      try (JChannel ch = StacksTest.withPropertiesReturning(Map.of("zen.stack.bind-addr", "127.0.0.1"),
          () -> new JChannel(UDP_XML))) {
        UDP udp = (UDP) ch.getProtocolStack().getTransport();
        assertThat(udp.getMulticastTTL()).isEqualTo(1);
        assertThat(udp.getMulticastAddress()).isEqualTo(InetAddress.getByName("239.9.9.9"));
        assertThat(udp.getMulticastPort()).isEqualTo(45688);
      }
    }
  }

  @Nested
  @DisplayName("kube.xml")
  class Kube {
    /**
     * DNS_PING against a local fake DNS server ({@code dns_address}) that resolves the "headless Service" name to
     * 127.0.0.1, as Kubernetes resolves it to the pods' IPs; the three members share the address and differ by
     * port (port-range 2), where pods would differ by IP on one port. What this does NOT test: Kubernetes itself,
     * the pod resolver (empty dns_address), SRV records.
     */
    @Test
    void threeMembers_discoveredThroughDns_formOneView_crashedMemberLeavesWithin5Seconds() throws Exception {
      String service = "zen-peers.test-" + ProcessHandle.current().pid() + ".svc.cluster.local";
      try (FakeDns dns = new FakeDns(service, List.of(InetAddress.getByName("127.0.0.1")))) {
        int base = LocalPorts.freeBlock(3);
        Map<String, String> props = Map.of("zen.stack.bind-addr", "127.0.0.1", "zen.stack.port",
            Integer.toString(base), "zen.stack.port-range", "2", "zen.stack.dns-query", service,
            "zen.stack.dns-address", dns.address());
        String cluster = uniqueCluster("kube3");
        JChannel[] chs = new JChannel[3];
        long start = System.nanoTime();
        for (int i = 0; i < 3; i++) {
          chs[i] = connect(KUBE_XML, cluster, "k" + i, props);
        }
        awaitSameView(3, chs);
        measured("kube.xml: 3 members (one JVM) found through the fake DNS formed one view", start);
        assertThat(dns.answered()).as("A queries answered by the fake DNS").isGreaterThanOrEqualTo(2);
        DNS_PING ping = chs[0].getProtocolStack().findProtocol(DNS_PING.class);
        assertThat(ping.dnsQuery()).isEqualTo(service);
        assertThat(ping.dnsRecordType()).isEqualTo("A");
        assertThat(((TP) chs[2].getProtocolStack().getTransport()).getBindPort()).isEqualTo(base);
        assertCrashedMemberLeaves("kube.xml", chs);
      }
    }

    /**
     * With no dns_address (the default), DNS_PING resolves A records through the JVM's own resolver, as in a pod
     * ({@code /etc/resolv.conf}); here the name is {@code localhost}, which resolves to 127.0.0.1 everywhere.
     */
    @Test
    void defaultResolver_twoMembersFindEachOther() throws Exception {
      int base = LocalPorts.freeBlock(2);
      Map<String, String> props = Map.of("zen.stack.bind-addr", "127.0.0.1", "zen.stack.port", Integer.toString(base),
          "zen.stack.port-range", "1", "zen.stack.dns-query", "localhost");
      String cluster = uniqueCluster("kube2");
      JChannel[] chs = {connect(KUBE_XML, cluster, "k0", props), connect(KUBE_XML, cluster, "k1", props)};
      awaitSameView(2, chs);
      assertThat(((DNS_PING) chs[0].getProtocolStack().findProtocol(DNS_PING.class)).dnsAddress()).isEmpty();
    }
  }

  /**
   * Every stack meant for real use detects failures with the same protocols and values (the numbers measured on
   * loopback hold for all of them); only {@code memory.xml}, which has no sockets, differs.
   */
  @Test
  void failureDetection_isTheSameInEveryNetworkStack() throws Exception {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("zen.stack.bind-addr", "127.0.0.1");
    props.put("zen.stack.initial-hosts", "127.0.0.1[7800]");
    props.put("zen.stack.dns-query", "zen-peers.example.svc.cluster.local");
    props.put("zen.stack.keystore", "/nonexistent/keystore.p12"); // read only at connect
    props.put("zen.stack.keystore-password", "unused");
    Map<String, List<String>> sections = new LinkedHashMap<>();
    for (String stack : List.of(StacksTest.LOOPBACK, TCP_XML, UDP_XML, KUBE_XML, SECURE_XML)) {
      try (JChannel ch = StacksTest.withPropertiesReturning(props, () -> new JChannel(stack))) {
        sections.put(stack, failureDetection(ch));
      }
    }
    List<String> loopback = sections.get(StacksTest.LOOPBACK);
    assertThat(loopback).containsExactly("MERGE3 1000-3000", "FD_SOCK2 offset=100 range=3 bind=127.0.0.1",
        "FD_ALL3 8000/1000", "VERIFY_SUSPECT2 1000");
    sections.forEach((stack, section) -> assertThat(section).as(stack).isEqualTo(loopback));
  }

  // ---------------------------------------------------------------------------------------------------------

  static List<String> failureDetection(JChannel ch) {
    List<String> out = new ArrayList<>();
    for (Protocol p : ch.getProtocolStack().getProtocols()) {
      if (p instanceof MERGE3 m) {
        out.add(0, "MERGE3 " + m.getMinInterval() + "-" + m.getMaxInterval());
      } else if (p instanceof FD_SOCK2 f) {
        out.add("FD_SOCK2 offset=" + f.getOffset() + " range=" + f.getPortRange() + " bind="
            + f.getBindAddress().getHostAddress());
      } else if (p instanceof FD_ALL3 f) {
        out.add("FD_ALL3 " + f.getTimeout() + "/" + f.getInterval());
      } else if (p instanceof VERIFY_SUSPECT2 v) {
        out.add("VERIFY_SUSPECT2 " + v.getTimeout());
      }
    }
    // protocols are listed top-down; order FD_SOCK2, FD_ALL3, VERIFY_SUSPECT2 as in the XML
    List<String> ordered = new ArrayList<>(out.subList(0, 1));
    for (String prefix : List.of("FD_SOCK2", "FD_ALL3", "VERIFY_SUSPECT2")) {
      out.stream().filter(s -> s.startsWith(prefix + " ")).forEach(ordered::add);
    }
    return ordered;
  }

  JChannel connect(String stack, String cluster, String name, Map<String, String> props) throws Exception {
    JChannel ch = StacksTest.withPropertiesReturning(props, () -> new JChannel(stack)).name(name);
    channels.add(ch);
    ch.connect(cluster);
    return ch;
  }

  static void assertCrashedMemberLeaves(String stack, JChannel... chs) throws Exception {
    ViewLog log = ViewLog.on(chs[0]);
    Address crashed = chs[2].getAddress();
    long start = System.nanoTime();
    Util.shutdown(chs[2]); // closes its sockets without LEAVE, like a killed process
    View after = log.awaitView(v -> !v.containsMember(crashed), Duration.ofMillis(CRASH_LIMIT_MS * 2));
    long ms = measured(stack + ": Util.shutdown (one JVM) -> view without the member", start, log.arrivalNanos(after));
    assertThat(ms).isLessThan(CRASH_LIMIT_MS);
    assertThat(after.getMembers()).containsExactlyInAnyOrder(chs[0].getAddress(), chs[1].getAddress());
  }

  /**
   * Null if a datagram multicast to {@code group} on the loopback interface with TTL 0 comes back within 2 s (the
   * kernel loops multicast back on {@code lo} although {@code lo} has no MULTICAST flag on Linux), else the reason.
   */
  static String multicastOnLoopbackUnavailable(InetAddress group, int port) {
    try {
      NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getByName("127.0.0.1"));
      if (lo == null) {
        return "no network interface holds 127.0.0.1";
      }
      try (MulticastSocket receiver = new MulticastSocket(new InetSocketAddress(group, port)); // group, not wildcard
           MulticastSocket sender = new MulticastSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
        receiver.joinGroup(new InetSocketAddress(group, 0), lo);
        receiver.setSoTimeout(2_000);
        sender.setNetworkInterface(lo);
        sender.setTimeToLive(0);
        byte[] probe = "zen-mcast-probe".getBytes(StandardCharsets.US_ASCII);
        sender.send(new DatagramPacket(probe, probe.length, group, port));
        DatagramPacket p = new DatagramPacket(new byte[64], 64);
        receiver.receive(p);
        return null;
      }
    } catch (SocketTimeoutException e) {
      return "the kernel does not loop multicast back on the loopback interface (probe to " + group.getHostAddress()
          + ":" + port + " with TTL 0 not received within 2 s)";
    } catch (IOException e) {
      return "multicast on the loopback interface is not allowed here: " + e;
    }
  }
}
