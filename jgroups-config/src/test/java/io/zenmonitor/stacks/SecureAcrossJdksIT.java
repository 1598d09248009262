package io.zenmonitor.stacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.View;
import org.jgroups.util.Util;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code secure.xml} between JDKs: a member JVM on JDK 25 joins this JVM's member (the build JDK, 17) over mutual
 * TLS 1.3 with the same keystore, and a kill -9 of it leaves the view within 5 s. Skipped when no JDK 25 is
 * installed beside the build JDK.
 */
@Tag("multi-jvm")
class SecureAcrossJdksIT {
  @TempDir Path dir;

  @Test
  void jdk25Member_joinsOverTls_andLeavesFastWhenKilled() throws Exception {
    Optional<Path> java25 = LoopbackKillIT.javaFor(25);
    assumeTrue(java25.isPresent(), "JDK 25 is not installed next to " + LoopbackKillIT.javaHome());
    Path keystore = SecureStackTest.keytool(dir.resolve("cluster.p12"), "CN=zen-cluster");
    int base = LocalPorts.freeBlock(2);
    String hosts = LocalPorts.initialHosts(base, 2);
    String cluster = StacksTest.uniqueCluster("secjdk");

    JChannel self = StacksTest.withPropertiesReturning(SecureStackTest.secureProps(base, hosts, keystore),
        () -> new JChannel(NetworkStacksTest.SECURE_XML)).name("jdk17");
    Process child = null;
    Path log = dir.resolve("child.log");
    try {
      self.connect(cluster);
      ViewLog views = ViewLog.on(self);
      List<String> command = new ArrayList<>(List.of(java25.get().toString(), "-Djava.net.preferIPv4Stack=true",
          "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
      SecureStackTest.secureProps(base + 1, hosts, keystore).forEach((k, v) -> command.add("-D" + k + "=" + v));
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), StackMember.class.getName(), cluster,
          "jdk25", dir.toString(), NetworkStacksTest.SECURE_XML));
      child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();

      long start = System.nanoTime();
      View two = views.awaitView(v -> v.size() == 2, Duration.ofSeconds(60));
      StacksTest.measured("secure.xml: JDK 25 member JVM started and joined a JDK 17 member over TLS", start,
          views.arrivalNanos(two));
      assertThat(two.getMembers()).extracting(Address::toString).containsExactlyInAnyOrder("jdk17", "jdk25");

      long kill = System.nanoTime();
      child.destroyForcibly();
      View one = views.awaitView(v -> v.size() == 1, Duration.ofSeconds(10));
      long ms = StacksTest.measured("secure.xml: kill -9 of the JDK 25 member -> view without it", kill,
          views.arrivalNanos(one));
      assertThat(ms).isLessThan(5_000);
    } finally {
      if (child != null) {
        child.destroyForcibly();
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        System.out.println("---- JDK 25 member output\n" + Files.readString(log, StandardCharsets.UTF_8).strip());
      }
      Util.close(self);
    }
  }
}
