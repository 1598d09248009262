package io.zenmonitor.stacks;

import static io.zenmonitor.stacks.NetworkStacksTest.SECURE_XML;
import static io.zenmonitor.stacks.NetworkStacksTest.TCP_XML;
import static io.zenmonitor.stacks.StacksTest.awaitSameView;
import static io.zenmonitor.stacks.StacksTest.measured;
import static io.zenmonitor.stacks.StacksTest.uniqueCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Event;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.PhysicalAddress;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.protocols.TCP;
import org.jgroups.util.Util;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code secure.xml} (TCP with mutual TLS 1.3) on 127.0.0.1: members holding the cluster's keystore form a
 * cluster; a member with another key, or with no TLS at all, can neither join nor get a message accepted; and the
 * bytes on the wire are not readable. Keystores are generated here with {@code keytool} (EC P-256, valid 2 days),
 * in a temporary directory; no key is committed.
 */
class SecureStackTest {
  static final String PASSWORD = "zen-test-only";
  /** How long an injected message gets to show up if it were accepted (UNICAST3 retransmits every 500 ms). */
  static final Duration DROP_WINDOW = Duration.ofSeconds(3);

  @TempDir static Path keys;
  static Path clusterKeystore;
  static Path otherKeystore;

  private final List<JChannel> channels = new ArrayList<>();

  @BeforeAll
  static void generateKeystores() throws Exception {
    clusterKeystore = keytool(keys.resolve("cluster.p12"), "CN=zen-cluster");
    otherKeystore = keytool(keys.resolve("other.p12"), "CN=zen-cluster"); // same name, different key
  }

  @AfterEach
  void closeChannels() {
    List<JChannel> reversed = new ArrayList<>(channels);
    Collections.reverse(reversed);
    reversed.forEach(Util::close);
  }

  /**
   * Three members with the cluster's keystore form one view. Then intruders try to join: one with another key
   * (secure.xml), one without a key (secure.xml, no keystore) and one without TLS (tcp.xml); each then sends a
   * message straight to a member's transport (its physical address put into the intruder's cache, bypassing
   * discovery). None joins, and nothing they send is delivered; a legitimate member's message, sent the same
   * way, is. The same injection into a plain tcp.xml member IS delivered, which shows that the injection works
   * and that TLS is what stops it. Finally a member crashes and leaves the view within 5 s.
   */
  @Test
  void rightKeystore_formsCluster_wrongOrMissingKey_cannotJoin_andItsInjectedMessagesAreDropped() throws Exception {
    int base = LocalPorts.freeBlock(7);
    String hosts = LocalPorts.initialHosts(base, 3);
    String cluster = uniqueCluster("secinj");
    JChannel[] members = new JChannel[3];
    long start = System.nanoTime();
    for (int i = 0; i < 3; i++) {
      members[i] = connect(SECURE_XML, cluster, "s" + i, secureProps(base + i, hosts, clusterKeystore));
    }
    awaitSameView(3, members);
    measured("secure.xml: 3 members (one JVM) formed one view over TLS", start);
    TCP tcp = (TCP) members[0].getProtocolStack().getTransport();
    assertThat(tcp.tls().enabled()).isTrue();
    assertThat(tcp.tls().getClientAuth().name()).isEqualTo("NEED");
    assertThat(tcp.tls().getProtocols()).containsExactly("TLSv1.3");
    JChannel a = members[0];
    JChannel b = members[1];
    Recorder atA = Recorder.on(a);

    JChannel wrongKey = connect(SECURE_XML, cluster, "wrong-key", secureProps(base + 3, hosts, otherKeystore));
    JChannel noTls = connect(TCP_XML, cluster, "no-tls", Map.of("zen.stack.bind-addr", "127.0.0.1",
        "zen.stack.port", Integer.toString(base + 4), "zen.stack.initial-hosts", hosts));
    // secure.xml with no keystore at all: the runtime refuses to build it (Stacks names zen.stack.keystore), but
    // JGroups alone starts it with an empty key manager; it must not get in either.
    Map<String, String> noKeyProps = new HashMap<>(secureProps(base + 5, hosts, clusterKeystore));
    noKeyProps.remove("zen.stack.keystore");
    noKeyProps.remove("zen.stack.truststore");
    JChannel noKey = connect(SECURE_XML, cluster, "no-key", noKeyProps);
    assertThat(wrongKey.getView().getMembers()).extracting(Address::toString).containsExactly("wrong-key");
    assertThat(noTls.getView().getMembers()).extracting(Address::toString).containsExactly("no-tls");
    assertThat(noKey.getView().getMembers()).extracting(Address::toString).containsExactly("no-key");

    PhysicalAddress physicalA = physicalAddress(a);
    inject(wrongKey, a.getAddress(), physicalA, "injected-by-wrong-key");
    inject(noTls, a.getAddress(), physicalA, "injected-without-tls");
    inject(noKey, a.getAddress(), physicalA, "injected-without-key");
    b.send(new BytesMessage(a.getAddress(), "from-member-b".getBytes(StandardCharsets.UTF_8)));

    await().atMost(Duration.ofSeconds(10)).until(() -> atA.payloads().contains("from-member-b"));
    await().during(DROP_WINDOW).atMost(DROP_WINDOW.plusSeconds(2)).pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> {
          assertThat(atA.payloads()).containsExactly("from-member-b");
          assertThat(a.getView().getMembers()).extracting(Address::toString).containsExactlyInAnyOrder("s0", "s1", "s2");
        });
    assertThat(atA.views()).allSatisfy(v -> assertThat(v.getMembers()).extracting(Address::toString)
        .doesNotContain("wrong-key", "no-tls", "no-key"));

    // Control: the same injection into a plain tcp.xml member (same cluster name: TP drops messages of other
    // clusters) is delivered.
    JChannel plain = connect(TCP_XML, cluster, "plain", Map.of("zen.stack.bind-addr", "127.0.0.1",
        "zen.stack.port", Integer.toString(base + 6), "zen.stack.initial-hosts", LocalPorts.initialHosts(base + 6, 1)));
    Recorder atPlain = Recorder.on(plain);
    inject(noTls, plain.getAddress(), physicalAddress(plain), "injected-into-plain");
    await().atMost(Duration.ofSeconds(10)).until(() -> atPlain.payloads().contains("injected-into-plain"));

    // b observes (a's receiver stays the Recorder); s2 crashes.
    NetworkStacksTest.assertCrashedMemberLeaves("secure.xml", b, a, members[2]);
  }

  /**
   * Every byte between two members passes a recording relay (member a advertises the relay's port as its
   * transport address): with secure.xml the capture starts with a TLS handshake record and contains neither the
   * message nor the cluster name; the same set-up with tcp.xml shows both in clear text, so the capture does see
   * the traffic.
   */
  @Test
  void wireBytes_areTlsRecords_notReadable() throws Exception {
    byte[] secure = captureMemberTraffic(SECURE_XML, "secwire");
    byte[] plain = captureMemberTraffic(TCP_XML, "plainwire");

    assertThat(Byte.toUnsignedInt(secure[0])).as("first byte: TLS handshake record").isEqualTo(0x16);
    assertThat(Byte.toUnsignedInt(secure[1])).as("TLS record version major").isEqualTo(0x03);
    assertThat(contains(secure, "zen-wire-secret")).as("message payload in the TLS capture").isFalse();
    assertThat(contains(secure, "secwire")).as("cluster name in the TLS capture").isFalse();
    assertThat(contains(plain, "zen-wire-secret")).as("message payload in the plain tcp capture").isTrue();
    assertThat(contains(plain, "plainwire")).as("cluster name in the plain tcp capture").isTrue();
    System.out.printf("[measured] wire capture: %d bytes over TLS, %d bytes over plain TCP%n", secure.length,
        plain.length);
  }

  // ---------------------------------------------------------------------------------------------------------

  byte[] captureMemberTraffic(String stack, String clusterTag) throws Exception {
    int base = LocalPorts.freeBlock(3); // a: base, b: base + 1, relay: base + 2 (FD_SOCK2 relay: base + 102)
    int relayPort = base + 2;
    String cluster = uniqueCluster(clusterTag);
    String secret = "zen-wire-secret-" + UUID.randomUUID();
    try (TcpTap tap = new TcpTap(relayPort, base);
         TcpTap fdTap = new TcpTap(relayPort + LocalPorts.FD_SOCK2_OFFSET, base + LocalPorts.FD_SOCK2_OFFSET)) {
      String hosts = "127.0.0.1[" + relayPort + "]";
      JChannel a = StacksTest.withPropertiesReturning(props(stack, base, hosts), () -> new JChannel(stack)).name("a");
      channels.add(a);
      a.getProtocolStack().getTransport().setExternalAddr(InetAddress.getByName("127.0.0.1")).setExternalPort(relayPort);
      a.connect(cluster);
      Recorder atA = Recorder.on(a);
      JChannel b = connect(stack, cluster, "b", props(stack, base + 1, hosts));
      awaitSameView(2, a, b);
      b.send(new BytesMessage(a.getAddress(), secret.getBytes(StandardCharsets.UTF_8)));
      await().atMost(Duration.ofSeconds(10)).until(() -> atA.payloads().contains(secret));
      assertThat(tap.captured()).as("bytes through the relay").isNotEmpty();
      return tap.captured();
    }
  }

  static Map<String, String> props(String stack, int port, String hosts) {
    return stack.equals(SECURE_XML) ? secureProps(port, hosts, clusterKeystore)
        : Map.of("zen.stack.bind-addr", "127.0.0.1", "zen.stack.port", Integer.toString(port),
            "zen.stack.initial-hosts", hosts);
  }

  static Map<String, String> secureProps(int port, String hosts, Path keystore) {
    return Map.of("zen.stack.bind-addr", "127.0.0.1", "zen.stack.port", Integer.toString(port),
        "zen.stack.initial-hosts", hosts, "zen.stack.keystore", keystore.toString(),
        "zen.stack.keystore-password", PASSWORD);
  }

  JChannel connect(String stack, String cluster, String name, Map<String, String> props) throws Exception {
    JChannel ch = StacksTest.withPropertiesReturning(props, () -> new JChannel(stack)).name(name);
    channels.add(ch);
    ch.connect(cluster);
    return ch;
  }

  static PhysicalAddress physicalAddress(JChannel ch) {
    return (PhysicalAddress) ch.down(new Event(Event.GET_PHYSICAL_ADDRESS, ch.getAddress()));
  }

  /** Sends {@code payload} to {@code target} at {@code physical}, known to the sender without discovery. */
  static void inject(JChannel from, Address target, PhysicalAddress physical, String payload) throws Exception {
    from.getProtocolStack().getTransport().addPhysicalAddressToCache(target, physical);
    from.send(new BytesMessage(target, payload.getBytes(StandardCharsets.UTF_8)));
  }

  static boolean contains(byte[] haystack, String needle) {
    return new String(haystack, StandardCharsets.ISO_8859_1).contains(needle);
  }

  static Path keytool(Path keystore, String dname) throws Exception {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "zen", "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", dname, "-validity", "2", "-storetype", "PKCS12",
        "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
    assertThat(p.exitValue()).as("keytool: %s", out).isZero();
    assertThat(Files.size(keystore)).isPositive();
    return keystore;
  }

  /** Records the payloads (UTF-8) and views a channel receives. */
  static final class Recorder implements Receiver {
    private final List<String> payloads = new CopyOnWriteArrayList<>();
    private final List<View> views = new CopyOnWriteArrayList<>();

    static Recorder on(JChannel ch) {
      Recorder r = new Recorder();
      if (ch.getView() != null) {
        r.views.add(ch.getView());
      }
      ch.setReceiver(r);
      return r;
    }

    @Override
    public void receive(Message msg) {
      payloads.add(new String(msg.getArray(), msg.getOffset(), msg.getLength(), StandardCharsets.UTF_8));
    }

    @Override
    public void viewAccepted(View view) {
      views.add(view);
    }

    List<String> payloads() {
      return List.copyOf(payloads);
    }

    List<View> views() {
      return List.copyOf(views);
    }
  }
}
