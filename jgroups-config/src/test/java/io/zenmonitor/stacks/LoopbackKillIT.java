package io.zenmonitor.stacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.MergeView;
import org.jgroups.View;
import org.jgroups.util.Util;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code loopback.xml} across processes: member JVMs ({@link StackMember}) are killed with {@code kill -9}
 * ({@link Process#destroyForcibly()}), hung with {@code SIGSTOP} and resumed with {@code SIGCONT}, while this JVM's
 * own channel (the coordinator) measures when its view changes. Runs once per installed JDK (17 and 25): the child
 * JVMs use that JDK, the observing channel runs on the build's JDK.
 *
 * <p>Every child is destroyed forcibly in {@link #reapChildren()}; a child also exits by itself when its standard
 * input closes or after {@link StackMember#MAX_LIFETIME_SECONDS}.
 */
@Tag("multi-jvm")
@Tag("time-sensitive")
class LoopbackKillIT {
  static final Duration FORM_TIMEOUT = Duration.ofSeconds(60);
  static final Duration STABLE_VIEW = Duration.ofMillis(2500);
  static final long KILL_LIMIT_MS = 5_000;
  static final long STOP_LIMIT_MS = 20_000;
  static final long MERGE_LIMIT_MS = 60_000;

  @TempDir Path runDir;
  private Path stackDir;
  private String savedStackDir;
  private final List<Process> children = new ArrayList<>();
  private final Map<Process, Path> logs = new LinkedHashMap<>();
  private JChannel observer;

  @BeforeEach
  void useOwnStackDir() throws IOException {
    stackDir = Files.createDirectories(runDir.resolve("stacks"));
    savedStackDir = System.getProperty(StacksTest.STACK_DIR_PROPERTY);
    System.setProperty(StacksTest.STACK_DIR_PROPERTY, stackDir.toString());
  }

  @AfterEach
  void reapChildren() throws Exception {
    try {
      for (Process p : children) {
        p.destroyForcibly(); // SIGKILL also ends a SIGSTOPped process
      }
      for (Process p : children) {
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("child %d reaped", p.pid()).isTrue();
      }
      for (Map.Entry<Process, Path> e : logs.entrySet()) {
        System.out.println("---- child " + e.getKey().pid() + " output (" + e.getValue().getFileName() + ")");
        System.out.println(Files.readString(e.getValue(), StandardCharsets.UTF_8).strip());
      }
    } finally {
      Util.close(observer);
      StacksTest.restoreProperty(StacksTest.STACK_DIR_PROPERTY, savedStackDir);
    }
  }

  static Stream<Arguments> jdks() {
    return Stream.of(17, 25).map(major -> Arguments.of(Named.of("JDK " + major, new Jdk(major, javaFor(major)))));
  }

  record Jdk(int major, Optional<Path> java) {}

  @ParameterizedTest(name = "{0}")
  @MethodSource("jdks")
  void killedMember_leavesFast_hungMember_leavesAndMergesBack(Jdk jdk) throws Exception {
    assumeTrue(jdk.java().isPresent(), "JDK " + jdk.major() + " is not installed next to " + javaHome());
    Path java = jdk.java().get();
    String cluster = StacksTest.uniqueCluster("kill" + jdk.major());
    String tag = "[JDK " + jdk.major() + " children]";

    observer = new JChannel(StacksTest.LOOPBACK).name("observer");
    observer.connect(cluster); // first, so the observer is the coordinator
    ViewLog views = ViewLog.on(observer);

    // One child after the other: members joining at the same moment can hit the join race described in
    // loopback.xml, which this test does not measure.
    long startNanos = System.nanoTime();
    Process killed = startMember(java, cluster, "killed");
    awaitOutput(killed, " CONNECTED ");
    Process stopped = startMember(java, cluster, "stopped");
    View full = views.awaitView(v -> v.size() == 3, FORM_TIMEOUT);
    StacksTest.measured(tag + " 2 child JVMs started and joined one after the other (incl. JVM start-up)",
        startNanos, views.arrivalNanos(full));
    // Both children have installed the full view, too, the observer knows their names, and the view holds.
    awaitOutput(killed, " VIEW .*\\(3\\)");
    awaitOutput(stopped, " VIEW .*\\(3\\)");
    await().atMost(FORM_TIMEOUT).during(STABLE_VIEW).pollInterval(Duration.ofMillis(50))
        .untilAsserted(() -> assertThat(names(views.latest())).containsExactlyInAnyOrder("observer", "killed", "stopped"));

    // kill -9: the OS closes the sockets, FD_SOCK2 notices at once, VERIFY_SUSPECT2 confirms.
    long killNanos = System.nanoTime();
    killed.destroyForcibly();
    View afterKill = views.awaitView(v -> !names(v).contains("killed"), Duration.ofMillis(KILL_LIMIT_MS * 2));
    long killMs = StacksTest.measured(tag + " kill -9 -> view without the member", killNanos,
        views.arrivalNanos(afterKill));
    assertThat(killMs).isLessThan(KILL_LIMIT_MS);
    assertThat(names(afterKill)).containsExactlyInAnyOrder("observer", "stopped");
    Path clusterDir = stackDir.resolve("zen-jgroups-" + System.getProperty("user.name")).resolve(cluster);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(discoveryEntries(clusterDir))
        .as("the coordinator's file lists the members of its view").containsExactlyInAnyOrder("observer", "stopped"));

    // SIGSTOP: the sockets stay open, only FD_ALL3 (heartbeats) can notice.
    long stopNanos = System.nanoTime();
    signal("STOP", stopped);
    View afterStop = views.awaitView(v -> !names(v).contains("stopped"), Duration.ofMillis(STOP_LIMIT_MS * 2));
    long stopMs = StacksTest.measured(tag + " SIGSTOP -> view without the member", stopNanos,
        views.arrivalNanos(afterStop));
    assertThat(stopMs).isLessThan(STOP_LIMIT_MS);
    assertThat(names(afterStop)).containsExactly("observer");

    // SIGCONT: the member comes back with the same address; MERGE3 heals the partition.
    long contNanos = System.nanoTime();
    signal("CONT", stopped);
    View merged = views.awaitView(v -> v.size() == 2 && names(v).contains("stopped"),
        Duration.ofMillis(MERGE_LIMIT_MS));
    long mergeMs = StacksTest.measured(tag + " SIGCONT -> merged view of 2", contNanos, views.arrivalNanos(merged));
    assertThat(mergeMs).isLessThan(MERGE_LIMIT_MS);
    assertThat((Object) merged).as("the view after SIGCONT").isInstanceOf(MergeView.class);
    System.out.println(tag + " observer views: " + views.entries().stream().map(e -> e.view().toString()).toList());
  }

  /**
   * A killed coordinator leaves its file behind. A newcomer reads it and sends JOINs to the dead address until
   * GMS gives up (about ({@code max_join_attempts} - 1) x {@code join_timeout}), then becomes coordinator and, being a new
   * coordinator, deletes every file but its own ({@code remove_all_data_on_view_change}).
   */
  @Test
  void staleFileOfKilledCoordinator_delaysNextJoinerBriefly_andIsRemoved() throws Exception {
    Path java = javaFor(Runtime.version().feature()).orElse(Path.of(javaHome(), "bin", "java"));
    String cluster = StacksTest.uniqueCluster("stale");
    Path clusterDir = stackDir.resolve("zen-jgroups-" + System.getProperty("user.name")).resolve(cluster);

    Process ghost = startMember(java, cluster, "ghost");
    awaitOutput(ghost, " CONNECTED ");
    assertThat(listFiles(clusterDir)).singleElement().asString().endsWith(".ghost.list");
    ghost.destroyForcibly();
    assertThat(ghost.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(listFiles(clusterDir)).as("stale file of the killed coordinator").singleElement().asString()
        .endsWith(".ghost.list");

    long start = System.nanoTime();
    observer = new JChannel(StacksTest.LOOPBACK).name("newcomer");
    observer.connect(cluster);
    long joinMs = StacksTest.measured("join with a stale coordinator file -> singleton coordinator", start);
    assertThat(observer.getView().getMembers()).extracting(Address::toString).containsExactly("newcomer");
    assertThat(joinMs).isLessThan(8_000);
    assertThat(listFiles(clusterDir)).as("only the new coordinator's file remains").singleElement().asString()
        .endsWith(".newcomer.list");
  }

  // ---------------------------------------------------------------------------------------------------------

  Process startMember(Path java, String cluster, String name) throws IOException {
    Path log = Files.createDirectories(runDir.resolve("logs")).resolve(name + ".log");
    List<String> command = new ArrayList<>(List.of(java.toString(),
        "-Djava.net.preferIPv4Stack=true", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    String logging = System.getProperty("java.util.logging.config.file");
    if (logging != null) {
      command.add("-Djava.util.logging.config.file=" + logging);
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        StackMember.class.getName(), cluster, name, stackDir.toString()));
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Process p = pb.start(); // stdin stays a pipe: the child exits when it closes
    children.add(p);
    logs.put(p, log);
    return p;
  }

  void awaitOutput(Process child, String regex) {
    Pattern pattern = Pattern.compile(regex);
    Path log = logs.get(child);
    await().atMost(FORM_TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> {
      assertThat(child.isAlive()).as("child %s alive", log.getFileName()).isTrue();
      return Files.readAllLines(log, StandardCharsets.UTF_8).stream().anyMatch(l -> pattern.matcher(l).find());
    });
  }

  static void signal(String signal, Process p) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill -%s %d", signal, p.pid()).isZero();
  }

  static List<String> names(View v) {
    return v.getMembers().stream().map(Address::toString).toList();
  }

  static List<String> listFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  /** Logical names in all discovery files of a cluster; a line is {@code name uuid ip:port T|F}. */
  static List<String> discoveryEntries(Path clusterDir) throws IOException {
    List<String> names = new ArrayList<>();
    for (String file : listFiles(clusterDir)) {
      for (String line : Files.readAllLines(clusterDir.resolve(file), StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          names.add(line.trim().split("\\s+")[0]);
        }
      }
    }
    return names;
  }

  static String javaHome() {
    return System.getProperty("java.home");
  }

  /**
   * The {@code java} launcher of an installed JDK with the given feature version: this JVM's own home, or a
   * sibling of it (e.g. {@code /usr/lib/jvm/*}), recognised by {@code JAVA_VERSION="<major>..."} in its
   * {@code release} file.
   */
  static Optional<Path> javaFor(int major) {
    Path home = Path.of(javaHome());
    List<Path> candidates = new ArrayList<>();
    candidates.add(home);
    Path parent = home.getParent();
    if (parent != null && Files.isDirectory(parent)) {
      try (Stream<Path> siblings = Files.list(parent)) {
        siblings.sorted().forEach(candidates::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (Path jdk : candidates) {
      Path java = jdk.resolve("bin").resolve("java");
      if (Files.isExecutable(java) && releaseMajor(jdk.resolve("release")) == major) {
        return Optional.of(java);
      }
    }
    return Optional.empty();
  }

  static int releaseMajor(Path release) {
    if (!Files.isReadable(release)) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
        if (line.startsWith("JAVA_VERSION=")) {
          String v = line.substring("JAVA_VERSION=".length()).replace("\"", "").trim();
          String first = v.split("[.+\\-]")[0];
          return Integer.parseInt(first);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
