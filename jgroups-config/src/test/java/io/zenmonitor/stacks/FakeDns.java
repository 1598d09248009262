package io.zenmonitor.stacks;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal DNS server on 127.0.0.1 (UDP, ephemeral port) for testing {@code kube.xml}'s DNS_PING without a
 * Kubernetes cluster: it answers A queries for one name with fixed IPv4 addresses, as a headless Service's
 * name resolves to its pods' IPs, and NXDOMAIN for everything else. One question per query, no recursion, no
 * compression in questions; malformed packets are ignored. Only what the JDK's JNDI DNS client sends is needed.
 */
final class FakeDns implements AutoCloseable {
  private static final int TYPE_A = 1;
  private static final int CLASS_IN = 1;

  private final DatagramSocket socket;
  private final String name;
  private final List<InetAddress> addresses;
  private final AtomicInteger answered = new AtomicInteger();
  private final Thread thread;

  FakeDns(String name, List<InetAddress> addresses) throws SocketException {
    this.name = name.toLowerCase(Locale.ROOT);
    this.addresses = List.copyOf(addresses);
    this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.thread = new Thread(this::serve, "fake-dns");
    thread.setDaemon(true);
    thread.start();
  }

  /** {@code 127.0.0.1:port}, the form DNS_PING's {@code dns_address} takes. */
  String address() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  /** A queries answered with addresses so far. */
  int answered() {
    return answered.get();
  }

  private void serve() {
    byte[] buf = new byte[512];
    while (!socket.isClosed()) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(p);
        byte[] reply = answer(ByteBuffer.wrap(p.getData(), 0, p.getLength()));
        if (reply != null) {
          socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
        }
      } catch (IOException | RuntimeException e) {
        // closed, or a malformed query: ignore
      }
    }
  }

  private byte[] answer(ByteBuffer q) {
    if (q.remaining() < 12) {
      return null;
    }
    short id = q.getShort();
    short flags = q.getShort();
    int qdCount = Short.toUnsignedInt(q.getShort());
    q.position(12);
    if (qdCount != 1) {
      return null;
    }
    int questionStart = q.position();
    StringBuilder qname = new StringBuilder();
    for (int len = Byte.toUnsignedInt(q.get()); len != 0; len = Byte.toUnsignedInt(q.get())) {
      if (len > 63 || qname.length() > 255) {
        return null;
      }
      byte[] label = new byte[len];
      q.get(label);
      qname.append(qname.length() == 0 ? "" : ".").append(new String(label, StandardCharsets.US_ASCII));
    }
    int qtype = Short.toUnsignedInt(q.getShort());
    int qclass = Short.toUnsignedInt(q.getShort());
    int questionEnd = q.position();
    boolean match = qname.toString().toLowerCase(Locale.ROOT).equals(name) && qclass == CLASS_IN;
    int count = match && qtype == TYPE_A ? addresses.size() : 0;

    ByteBuffer r = ByteBuffer.allocate(12 + (questionEnd - questionStart) + count * 16);
    r.putShort(id);
    int rd = flags & 0x0100;
    r.putShort((short) (0x8400 | rd | (match ? 0 : 3))); // QR, AA, RD as asked; NXDOMAIN when the name is unknown
    r.putShort((short) 1).putShort((short) count).putShort((short) 0).putShort((short) 0);
    r.put(q.array(), q.arrayOffset() + questionStart, questionEnd - questionStart);
    for (int i = 0; i < count; i++) {
      r.putShort((short) 0xC00C); // pointer to the question's name
      r.putShort((short) TYPE_A).putShort((short) CLASS_IN).putInt(5).putShort((short) 4);
      r.put(addresses.get(i).getAddress());
    }
    if (count > 0) {
      answered.incrementAndGet();
    }
    return r.array();
  }

  @Override
  public void close() throws InterruptedException {
    socket.close();
    thread.join(5_000);
  }
}
