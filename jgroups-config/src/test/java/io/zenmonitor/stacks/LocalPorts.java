package io.zenmonitor.stacks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Fixed TCP ports on 127.0.0.1 for stacks that need them ({@code tcp}, {@code kube}, {@code secure}): a block of
 * {@code count} consecutive ports that are free now, together with the FD_SOCK2 ports above them
 * (transport port + 100 .. + 100 + count + 3). Other builds on the machine may take a port between this check and
 * the bind; the random base keeps that rare, and a test that loses the race fails to form its view, it never
 * talks to a foreign process (TCPPING probes only the ports listed).
 */
final class LocalPorts {
  static final int FD_SOCK2_OFFSET = 100;

  private LocalPorts() {}

  /** The first port of a free block of {@code count} transport ports (and their FD_SOCK2 ports). */
  static int freeBlock(int count) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = 20_000 + random.nextInt(30_000);
      if (allFree(base, count) && allFree(base + FD_SOCK2_OFFSET, count + 3)) {
        return base;
      }
    }
    throw new IllegalStateException("no free block of " + count + " ports on 127.0.0.1 after 200 attempts");
  }

  private static boolean allFree(int from, int count) {
    for (int p = from; p < from + count; p++) {
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  /** {@code 127.0.0.1[p],...} for TCPPING. */
  static String initialHosts(int base, int count) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      sb.append(i == 0 ? "" : ",").append("127.0.0.1[").append(base + i).append(']');
    }
    return sb.toString();
  }
}
