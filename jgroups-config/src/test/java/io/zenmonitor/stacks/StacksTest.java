package io.zenmonitor.stacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.JChannel;
import org.jgroups.View;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FILE_PING;
import org.jgroups.protocols.MPING;
import org.jgroups.protocols.PING;
import org.jgroups.protocols.SHARED_LOOPBACK;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TP;
import org.jgroups.protocols.TransferQueueBundler;
import org.jgroups.protocols.UDP;
import org.jgroups.stack.IpAddress;
import org.jgroups.stack.Protocol;
import org.jgroups.util.Util;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In-JVM checks of the two embedded stacks: {@code memory.xml} (SHARED_LOOPBACK, for tests) and
 * {@code loopback.xml} (TCP on 127.0.0.1 with FILE_PING, the default). Timings are printed as
 * {@code [measured] ...} lines; the numbers quoted in the stack headers come from these lines and from
 * {@link LoopbackKillIT}.
 */
class StacksTest {
  static final String MEMORY = "zen/stacks/memory.xml";
  static final String LOOPBACK = "zen/stacks/loopback.xml";
  static final String STACK_DIR_PROPERTY = "zen.stack.dir";
  static final Duration FORM_TIMEOUT = Duration.ofSeconds(20);

  private final List<JChannel> channels = new ArrayList<>();
  @TempDir Path stackDir;
  private String savedStackDir;

  @BeforeEach
  void useOwnStackDir() {
    savedStackDir = System.getProperty(STACK_DIR_PROPERTY);
    System.setProperty(STACK_DIR_PROPERTY, stackDir.toString());
  }

  @AfterEach
  void closeChannelsAndRestoreStackDir() {
    List<JChannel> reversed = new ArrayList<>(channels);
    Collections.reverse(reversed);
    reversed.forEach(Util::close);
    channels.clear();
    restoreProperty(STACK_DIR_PROPERTY, savedStackDir);
  }

  @Nested
  @DisplayName("memory.xml")
  class Memory {
    @Test
    void threeChannels_formOneView() throws Exception {
      String cluster = uniqueCluster("mem3");
      long start = System.nanoTime();
      JChannel[] chs = connectAll(MEMORY, cluster, "a", "b", "c");
      awaitSameView(3, chs);
      measured("memory.xml: 3 channels formed one view", start);
      assertThat(chs[0].getView().getMembers()).extracting(Address::toString).containsExactly("a", "b", "c");
    }

    @Test
    void crashedChannel_leavesViewWithin5Seconds() throws Exception {
      String cluster = uniqueCluster("memcrash");
      JChannel[] chs = connectAll(MEMORY, cluster, "a", "b", "c");
      awaitSameView(3, chs);
      ViewLog log = ViewLog.on(chs[0]);
      Address crashed = chs[2].getAddress();

      long start = System.nanoTime();
      Util.shutdown(chs[2]); // no LEAVE: only failure detection can remove it
      View after = log.awaitView(v -> !v.containsMember(crashed), Duration.ofSeconds(5));

      long ms = measured("memory.xml: Util.shutdown -> view without the member", start, log.arrivalNanos(after));
      assertThat(ms).isLessThan(5000);
      assertThat(after.getMembers()).containsExactly(chs[0].getAddress(), chs[1].getAddress());
    }

    @Test
    void twoClusters_coexistInOneJvm() throws Exception {
      JChannel[] x = connectAll(MEMORY, uniqueCluster("memx"), "x1", "x2");
      JChannel[] y = connectAll(MEMORY, uniqueCluster("memy"), "y1", "y2");
      awaitSameView(2, x);
      awaitSameView(2, y);
      assertThat(x[0].getView().getMembers()).extracting(Address::toString).containsExactly("x1", "x2");
      assertThat(y[0].getView().getMembers()).extracting(Address::toString).containsExactly("y1", "y2");
    }

    @Test
    void stack_hasNoNetworkTransportNoDiscoveryMulticastAndNoDiagnostics() throws Exception {
      JChannel ch = connectAll(MEMORY, uniqueCluster("memprops"), "a")[0];
      TP tp = ch.getProtocolStack().getTransport();
      assertThat(tp).isInstanceOf(SHARED_LOOPBACK.class);
      assertThat(tp.getDiagnosticsHandler().isEnabled()).as("diagnostics").isFalse();
      assertNoMulticastProtocols(ch);
      FD_ALL3 fd = ch.getProtocolStack().findProtocol(FD_ALL3.class);
      assertThat(fd.getTimeout()).isEqualTo(1500);
      assertThat(fd.getInterval()).isEqualTo(250);
    }
  }

  @Nested
  @DisplayName("loopback.xml")
  class Loopback {
    @Test
    void threeChannels_formOneView() throws Exception {
      String cluster = uniqueCluster("lo3");
      long start = System.nanoTime();
      JChannel[] chs = connectAll(LOOPBACK, cluster, "a", "b", "c");
      awaitSameView(3, chs);
      measured("loopback.xml: 3 channels (one JVM) formed one view", start);
      // any order: should a join ever turn into a merge, the merge leader may reorder the members
      assertThat(chs[0].getView().getMembers()).extracting(Address::toString).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void crashedChannel_leavesViewWithin5Seconds() throws Exception {
      String cluster = uniqueCluster("locrash");
      JChannel[] chs = connectAll(LOOPBACK, cluster, "a", "b", "c");
      awaitSameView(3, chs);
      ViewLog log = ViewLog.on(chs[0]);
      Address crashed = chs[2].getAddress();

      long start = System.nanoTime();
      Util.shutdown(chs[2]); // closes its sockets without LEAVE, like a killed process
      View after = log.awaitView(v -> !v.containsMember(crashed), Duration.ofSeconds(5));

      long ms = measured("loopback.xml: Util.shutdown (one JVM) -> view without the member", start,
          log.arrivalNanos(after));
      assertThat(ms).isLessThan(5000);
    }

    @Test
    void sockets_bindLoopbackOnly_andDiagnosticsAreOff() throws Exception {
      JChannel ch = connectAll(LOOPBACK, uniqueCluster("loprops"), "a")[0];
      TP tp = ch.getProtocolStack().getTransport();
      assertThat(tp).isInstanceOf(TCP.class);
      assertThat(tp.getBindAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
      assertThat(tp.getDiagnosticsHandler().isEnabled()).as("diagnostics").isFalse();
      assertNoMulticastProtocols(ch);
      // FIFO across destinations: with the default per-destination bundler a joiner's JOIN can overtake its
      // discovery response, and the new member is falsely excluded 1-2 s later (see loopback.xml).
      assertThat(tp.getBundler()).isInstanceOf(TransferQueueBundler.class);

      IpAddress physical = (IpAddress) ch.down(new Event(Event.GET_PHYSICAL_ADDRESS, ch.getAddress()));
      assertThat(physical.getIpAddress().isLoopbackAddress()).as("physical address %s", physical).isTrue();

      FD_SOCK2 fdSock = ch.getProtocolStack().findProtocol(FD_SOCK2.class);
      assertThat(fdSock.getBindAddress()).as("FD_SOCK2 bind_addr").isEqualTo(InetAddress.getByName("127.0.0.1"));
      int transportPort = physical.getPort();
      assertThat(fdSock.getActualBindPort()).as("FD_SOCK2 listens on transport port + offset .. + port_range")
          .isBetween(transportPort + fdSock.getOffset(), transportPort + fdSock.getOffset() + fdSock.getPortRange());

      assertListeningOnLoopbackOnly(Set.of(transportPort, fdSock.getActualBindPort()));
    }

    @Test
    void discoveryFiles_livePerUserAndPerCluster_underStackDir() throws Exception {
      String cluster = uniqueCluster("lofiles");
      JChannel ch = connectAll(LOOPBACK, cluster, "a")[0];
      FILE_PING ping = ch.getProtocolStack().findProtocol(FILE_PING.class);
      Path expected = stackDir.resolve("zen-jgroups-" + System.getProperty("user.name"));
      assertThat(Path.of(ping.getLocation())).isEqualTo(expected);
      try (Stream<Path> files = Files.list(expected.resolve(cluster))) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .as("the coordinator's file").singleElement().asString().endsWith(".a.list");
      }
    }

    @Test
    void stackDir_defaultsToJavaIoTmpdir() throws Exception {
      String savedTmp = System.getProperty("java.io.tmpdir");
      System.clearProperty(STACK_DIR_PROPERTY);
      // Point java.io.tmpdir at the test's own directory so that the default location is resolved but the
      // machine's real temp directory is not touched.
      System.setProperty("java.io.tmpdir", stackDir.toString());
      try (JChannel ch = new JChannel(LOOPBACK)) {
        FILE_PING ping = ch.getProtocolStack().findProtocol(FILE_PING.class);
        assertThat(ping.getLocation())
            .isEqualTo(stackDir + "/zen-jgroups-" + System.getProperty("user.name"));
      } finally {
        System.setProperty("java.io.tmpdir", savedTmp);
      }
    }

    @Test
    void siteProperties_setBindAddressAndPort() throws Exception {
      withProperties(Map.of("zen.stack.bind-addr", "127.0.0.2", "zen.stack.port", "47999"), () -> {
        try (JChannel ch = new JChannel(LOOPBACK)) { // not connected: nothing is bound
          TP tp = ch.getProtocolStack().getTransport();
          FD_SOCK2 fdSock = ch.getProtocolStack().findProtocol(FD_SOCK2.class);
          assertThat(tp.getBindAddress()).isEqualTo(InetAddress.getByName("127.0.0.2"));
          assertThat(tp.getBindPort()).isEqualTo(47999);
          assertThat(fdSock.getBindAddress()).isEqualTo(InetAddress.getByName("127.0.0.2"));
        }
      });
    }

    /** JGroups applies -Djgroups.bind_addr to the transport over our value; FD_SOCK2 must follow it. */
    @Test
    void jgroupsBindAddr_movesTransportAndFdSock2Together() throws Exception {
      withProperties(Map.of("jgroups.bind_addr", "127.0.0.2", "zen.stack.bind-addr", "127.0.0.3"), () -> {
        try (JChannel ch = new JChannel(LOOPBACK)) {
          TP tp = ch.getProtocolStack().getTransport();
          FD_SOCK2 fdSock = ch.getProtocolStack().findProtocol(FD_SOCK2.class);
          assertThat(tp.getBindAddress()).isEqualTo(InetAddress.getByName("127.0.0.2"));
          assertThat(fdSock.getBindAddress()).isEqualTo(tp.getBindAddress());
        }
      });
    }

    @Test
    void twoUnrelatedClusters_stayApart() throws Exception {
      String clusterX = uniqueCluster("lox");
      String clusterY = uniqueCluster("loy");
      JChannel[] x = connectAll(LOOPBACK, clusterX, "x1", "x2");
      JChannel[] y = connectAll(LOOPBACK, clusterY, "y1", "y2");
      awaitSameView(2, x);
      awaitSameView(2, y);
      assertThat(x[0].getView().getMembers()).extracting(Address::toString).containsExactlyInAnyOrder("x1", "x2");
      assertThat(y[0].getView().getMembers()).extracting(Address::toString).containsExactlyInAnyOrder("y1", "y2");
      Path userDir = stackDir.resolve("zen-jgroups-" + System.getProperty("user.name"));
      try (Stream<Path> dirs = Files.list(userDir)) {
        assertThat(dirs.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(clusterX, clusterY);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------

  static String uniqueCluster(String what) {
    return "zst-" + what + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  JChannel[] connectAll(String stack, String cluster, String... names) throws Exception {
    JChannel[] result = new JChannel[names.length];
    for (int i = 0; i < names.length; i++) {
      JChannel ch = new JChannel(stack).name(names[i]);
      channels.add(ch);
      ch.connect(cluster);
      result[i] = ch;
    }
    return result;
  }

  static void awaitSameView(int size, JChannel... chs) {
    await().atMost(FORM_TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> {
      View first = chs[0].getView();
      if (first == null || first.size() != size) {
        return false;
      }
      for (JChannel ch : chs) {
        if (!first.equals(ch.getView())) {
          return false;
        }
      }
      return true;
    });
  }

  static void assertNoMulticastProtocols(JChannel ch) {
    List<Protocol> protocols = ch.getProtocolStack().getProtocols();
    assertThat(protocols).as("protocols").noneMatch(p -> p instanceof UDP || p instanceof MPING || p instanceof PING);
  }

  /** Asserts that every listening TCP socket on the given ports (as seen by the kernel) is bound to loopback. */
  static void assertListeningOnLoopbackOnly(Set<Integer> ports) throws IOException {
    Set<String> seen = new HashSet<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path path = Path.of(table);
      if (!Files.isReadable(path)) {
        continue;
      }
      List<String> lines = Files.readAllLines(path);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        String[] local = f[1].split(":");
        int port = Integer.parseInt(local[1], 16);
        if ("0A".equals(f[3]) && ports.contains(port)) { // 0A = LISTEN
          seen.add(port + "@" + local[0]);
          assertThat(isLoopbackHex(local[0])).as("listening socket %s:%d", local[0], port).isTrue();
        }
      }
    }
    if (Files.isReadable(Path.of("/proc/net/tcp"))) {
      assertThat(seen.stream().map(s -> Integer.parseInt(s.substring(0, s.indexOf('@')))).collect(Collectors.toSet()))
          .as("listening sockets found in /proc/net").isEqualTo(ports);
    }
  }

  /** 127.0.0.0/8 in /proc/net/tcp (little-endian, low byte 7F), ::ffff:127.x.y.z or ::1 in /proc/net/tcp6. */
  static boolean isLoopbackHex(String hex) {
    String h = hex.toUpperCase(Locale.ROOT);
    if (h.length() == 8) {
      return h.endsWith("7F");
    }
    return h.equals("00000000000000000000000001000000") || h.startsWith("0000000000000000FFFF0000") && h.endsWith("7F");
  }

  static long measured(String what, long startNanos) {
    return measured(what, startNanos, System.nanoTime());
  }

  static long measured(String what, long startNanos, long endNanos) {
    long ms = TimeUnit.NANOSECONDS.toMillis(endNanos - startNanos);
    System.out.printf("[measured] %s: %d ms (Java %s)%n", what, ms, Runtime.version());
    return ms;
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  interface ThrowingSupplier<T> {
    T get() throws Exception;
  }

  /** Runs {@code body} with the given system properties set (JGroups resolves placeholders when a channel is built). */
  static <T> T withPropertiesReturning(Map<String, String> properties, ThrowingSupplier<T> body) throws Exception {
    List<T> result = new ArrayList<>(1);
    withProperties(properties, () -> result.add(body.get()));
    return result.get(0);
  }

  static void withProperties(Map<String, String> properties, ThrowingRunnable body) throws Exception {
    Map<String, String> saved = new HashMap<>();
    properties.keySet().forEach(k -> saved.put(k, System.getProperty(k)));
    properties.forEach(System::setProperty);
    try {
      body.run();
    } finally {
      saved.forEach(StacksTest::restoreProperty);
    }
  }

  static void restoreProperty(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }
}
