package io.zenmonitor.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zenmonitor.DownReason;
import io.zenmonitor.Downs;
import io.zenmonitor.MonitorRef;
import io.zenmonitor.Target;
import io.zenmonitor.TestNodes;
import io.zenmonitor.ZenNode;
import io.zenmonitor.cluster.Cluster;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.junit.jupiter.api.Test;

/**
 * Hostile bytes at a live node's receiver rather than at the bare codec: the mutations of
 * {@link CodecFuzzTest} (random, truncated, spliced, bit-flipped and wrong-version encodings of valid
 * messages), plus oversized messages, are handed to {@link Cluster#receive} as JGroups would, from a
 * member of the view that runs no zen, and a sample also travels the real channel. A seeded mutation
 * fuzzer, not Jazzer: see the README's Guarantees section for why.
 *
 * <p>Proves: no exception leaves the receiver; every message the codec refuses is dropped and counted in
 * {@code zen.wire.dropped}, exactly; no loop task fails; nobody leaves the view; the heap after GC grows
 * by less than 64 MB; and a monitor between two honest nodes still works afterwards. Replay with
 * {@code -Dzen.fuzz.seed=<seed>} (printed).
 */
class ReceiverFuzzTest {

    static final int ITERATIONS = Integer.getInteger("zen.fuzz.receiver.iterations", 50_000);
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(15);

    @Test
    void receive_hostileBytes_droppedAndCounted_nodeStaysUpAndBounded() throws Exception {
        String s = System.getProperty("zen.fuzz.seed");
        long seed = s == null || s.isBlank() || s.equals("random") ? System.nanoTime() : Long.decode(s.trim());
        System.out.println("ReceiverFuzzTest seed=" + seed + " (replay with -Dzen.fuzz.seed=" + seed + ")");
        Random rnd = new Random(seed);
        List<byte[]> corpus = CodecFuzzTest.corpus(rnd);
        try (TestNodes nodes = new TestNodes()) {
            ZenNode a = nodes.start("a");
            ZenNode b = nodes.start("b");
            JChannel evil = nodes.startIncompatible("evil");
            await().atMost(Duration.ofSeconds(10)).until(() -> a.members().size() == 3 && b.members().size() == 3);
            Address to = TestNodes.address(a);
            Address from = evil.getAddress();
            Cluster receiver = TestNodes.cluster(a);
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            long heapBefore = usedAfterGc(memory);

            long expectedDrops = 0;
            int sent = 0;
            long t0 = System.nanoTime();
            int i = 0;
            for (; i < ITERATIONS && System.nanoTime() - t0 < MAX_NANOS; i++) {
                byte[] input = i % 5_000 == 4_999 ? oversized(rnd) : CodecFuzzTest.input(rnd, corpus, i);
                boolean refused;
                try {
                    Codec.DEFAULT.decode(input);
                    refused = false;
                } catch (MalformedMessageException e) {
                    refused = true;
                }
                expectedDrops += refused ? 1 : 0;
                BytesMessage msg = new BytesMessage(to, input);
                msg.setSrc(from);
                if (i % 25 == 0) {
                    evil.send(msg); // the real path: JGroups' transport, UNICAST3, flow control
                    sent++;
                } else {
                    try {
                        receiver.receive(msg);
                    } catch (Throwable t) {
                        throw new AssertionError("seed " + seed + ", iteration " + i + ": the receiver threw " + t, t);
                    }
                }
            }
            int iterations = i;
            long expected = expectedDrops;
            await().atMost(Duration.ofSeconds(30)).until(() -> a.metrics().get("zen.wire.dropped") >= expected
                    && TestNodes.loop(a).pending() == 0);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            long heapAfter = usedAfterGc(memory);
            System.out.printf("[measured] ReceiverFuzzTest: seed=%d, %d inputs (%d over the channel) in %d ms, %d dropped, "
                    + "heap after GC %+d KB%n", seed, iterations, sent, millis, a.metrics().get("zen.wire.dropped"),
                    (heapAfter - heapBefore) / 1024);

            assertThat(a.metrics().get("zen.wire.dropped")).as("seed %d", seed).isEqualTo(expected);
            assertThat(a.metrics().get("zen.loop.failures")).as("seed %d", seed).isZero();
            assertThat(a.members()).as("seed %d", seed).hasSize(3);
            assertThat(b.members()).as("seed %d", seed).hasSize(3);
            assertThat(heapAfter - heapBefore).as("seed %d: heap growth", seed).isLessThan(64L << 20);

            Target t = Target.named("b", "svc");
            b.alive(t);
            Downs downs = new Downs();
            MonitorRef ref = a.monitor(t, downs);
            TestNodes.awaitEstablished(a, ref, b);
            b.died(t, DownReason.Kind.EXIT, "still fine");
            downs.awaitDown(ref);
            downs.assertOne(ref, DownReason.Kind.EXIT);
        }
    }

    /** A valid header followed by more bytes than {@link WireLimits#DEFAULT} allows in one message. */
    static byte[] oversized(Random rnd) {
        byte[] b = new byte[WireLimits.DEFAULT.maxMessageBytes() + 1 + rnd.nextInt(16)];
        b[0] = (byte) Codec.MAGIC;
        b[1] = (byte) Codec.VERSION;
        b[2] = (byte) (1 + rnd.nextInt(8));
        return b;
    }

    static long usedAfterGc(MemoryMXBean memory) {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
