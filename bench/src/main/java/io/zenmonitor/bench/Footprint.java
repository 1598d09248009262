package io.zenmonitor.bench;

import io.zenmonitor.DownListener;
import io.zenmonitor.MonitorRef;
import io.zenmonitor.Target;
import io.zenmonitor.ZenConfig;
import io.zenmonitor.ZenNode;
import io.zenmonitor.wire.Codec;
import io.zenmonitor.wire.WireMessage;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Heap per live monitor (monitoring side) and per subscription (Proxy side), in a JVM of its own.
 *
 * <pre>
 * java -XX:+UseSerialGC -Xms2g -Xmx2g -cp CP io.zenmonitor.bench.Footprint owner   CLUSTER N   (node b)
 * java -XX:+UseSerialGC -Xms2g -Xmx2g -cp CP io.zenmonitor.bench.Footprint watcher CLUSTER N   (node a)
 * </pre>
 * driven by {@link Runner}: {@code base} on both, {@code monitor} on a, {@code measure} on b then a.
 *
 * <p>How the numbers are made trustworthy:
 * <ul>
 *   <li>A fresh JVM per size, with the serial collector: a full GC compacts the whole heap, so "used after a
 *       full GC" is the live set, not an estimate (no regions, no floating garbage). The heap is fixed
 *       ({@code -Xms = -Xmx}) so it is never resized between readings.
 *   <li>Each reading repeats {@code System.gc()} until the heap left after it stops falling (at least 4 times),
 *       read from the pools' collection usage (what the GC left, untouched by allocations after it).
 *   <li>Everything that is not the monitor is created and held <em>before</em> the baseline and kept
 *       reachable until after the last reading ({@link Reference#reachabilityFence}): the targets, the
 *       listener, the objects' entries on the Proxy, both nodes and their threads.
 *   <li>The node's loop is drained (no pending work, every monitor applied) before each reading, and the
 *       counts are checked (live monitors and subscriptions equal N) so that nothing is half done.
 *   <li>The runner measures two sizes and also reports the slope between them, which cancels fixed costs and
 *       the step of a hash table that just doubled.
 * </ul>
 *
 * <p>Each side is its own JVM (loopback stack), so each heap holds one side only, both measured in the steady
 * state: every subscription sent by a, applied by b. The Proxy's figure includes the {@link Target} it decoded
 * from the wire; {@code decodedTargetBytes} measures what N such decoded targets alone take, so the table can
 * show both. The monitoring side's figure includes the caller's {@link MonitorRef} (it is the monitor) but not
 * the caller's targets or its list of refs (allocated before the baseline).
 *
 * <p>Prints {@code MONITORS n= monitorBytes=} (a) and {@code PROXY n= proxyBytes= decodedTargetBytes= objectBytes=}
 * (b), totals; divide by n. {@code objectBytes} is what making the N objects alive cost the Proxy (its live-object
 * table), before any subscription: it is paid whether or not anyone monitors them.
 */
public final class Footprint {

    private Footprint() {
    }

    /**
     * The heap the last full GC left, summed over the heap's pools from {@link MemoryPoolMXBean#getCollectionUsage()}
     * (the usage right after that GC), not the current usage: threads that allocate between the GC and the
     * reading (JGroups heartbeats, the loop's ticks) would otherwise add whole TLABs (megabytes) of noise.
     */
    static long usedAfterGc() throws InterruptedException {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 12; i++) {
            System.gc();
            long used = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                    used += pool.getCollectionUsage().getUsed();
                }
            }
            if (i >= 3 && used >= best) {
                return best;
            }
            best = Math.min(best, used);
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return best;
    }

    static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within 120 s: " + what);
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    public static void main(String[] args) throws Exception {
        try {
            if (args[0].equals("owner")) {
                owner(args[1], Integer.parseInt(args[2]));
            } else {
                watcher(args[1], Integer.parseInt(args[2]));
            }
        } catch (Throwable t) {
            ZenSide.say("FAILED " + t);
            t.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
        System.exit(0);
    }

    private static java.io.BufferedReader stdin() {
        return new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Node b: N objects alive; measures what the subscriptions add to its heap. */
    private static void owner(String cluster, int n) throws Exception {
        try (ZenNode b = ZenNode.start(ZenConfig.defaults().cluster(cluster).node("b").stack("loopback")
                .proxyMaxSubscriptions(Math.max(1_000_000, 2 * n)))) {
            List<Target> targets = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                targets.add(Target.named("b", "object-" + i));
            }
            await("drained", () -> b.metrics().get("zen.loop.pending") == 0);
            long beforeObjects = usedAfterGc();
            for (Target t : targets) {
                b.alive(t);
            }
            await("objects alive", () -> b.metrics().get("zen.proxy.objects.size") >= n);
            await("drained", () -> b.metrics().get("zen.loop.pending") == 0);
            long objectsBytes = usedAfterGc() - beforeObjects;
            ZenSide.say("READY");
            var in = stdin();
            long before = 0;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("base")) {
                    await("drained", () -> b.metrics().get("zen.loop.pending") == 0);
                    before = usedAfterGc();
                    ZenSide.say("BASE " + before);
                } else if (line.equals("measure")) {
                    await("subscriptions on the Proxy", () -> b.metrics().get("zen.proxy.subscribers.size") == n);
                    await("drained", () -> b.metrics().get("zen.loop.pending") == 0);
                    long proxy = usedAfterGc() - before;
                    // what decoded copies of the targets take on their own: decode the same PROCESS chunks
                    Codec codec = Codec.DEFAULT;
                    long beforeDecoded = usedAfterGc();
                    List<Target> decoded = new ArrayList<>(n);
                    for (int from = 0; from < n; from += 10_000) {
                        List<WireMessage.Instruction> chunk = new ArrayList<>();
                        for (int i = from; i < Math.min(n, from + 10_000); i++) {
                            chunk.add(new WireMessage.Instruction(WireMessage.Op.SUBSCRIBE, targets.get(i)));
                        }
                        WireMessage.Process p = (WireMessage.Process) codec.decode(codec.encode(new WireMessage.Process(false, chunk)));
                        for (WireMessage.Instruction i : p.instructions()) {
                            decoded.add(i.target());
                        }
                    }
                    long decodedBytes = Math.max(0, usedAfterGc() - beforeDecoded - listBytes(n));
                    ZenSide.say("PROXY n=" + n + " proxyBytes=" + proxy + " decodedTargetBytes=" + decodedBytes + " objectBytes=" + objectsBytes
                            + " subscriptions=" + b.metrics().get("zen.proxy.subscribers.size"));
                    Reference.reachabilityFence(decoded);
                } else if (line.equals("quit")) {
                    break;
                }
            }
            Reference.reachabilityFence(targets);
        }
    }

    /** Node a: monitors b's N objects; measures its heap in the steady state (all subscriptions sent). */
    private static void watcher(String cluster, int n) throws Exception {
        try (ZenNode a = ZenNode.start(ZenConfig.defaults().cluster(cluster).node("a").stack("loopback"))) {
            await("b in the view", () -> a.members().contains("b"));
            List<Target> targets = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                targets.add(Target.named("b", "object-" + i));
            }
            DownListener listener = d -> { };
            List<MonitorRef> refs = new ArrayList<>(n);
            // warm the code paths and let the Connector to b exist before the baseline
            MonitorRef warm = a.monitor(Target.named("b", "warm-up"), listener);
            long warmSent = a.metrics().get("zen.local.connector.sweep");
            await("warm-up sent", () -> a.metrics().get("zen.local.connector.sweep") >= 1);
            a.demonitor(warm);
            await("warm-up unsubscribed", () -> a.metrics().get("zen.local.connector.sweep") >= warmSent + 2);
            ZenSide.say("READY");
            var in = stdin();
            long before = 0;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("base")) {
                    await("drained", () -> a.metrics().get("zen.loop.pending") == 0);
                    before = usedAfterGc();
                    ZenSide.say("BASE " + before);
                } else if (line.equals("monitor")) {
                    long sent = a.metrics().get("zen.local.connector.sweep");
                    for (Target t : targets) {
                        refs.add(a.monitor(t, listener));
                    }
                    await("subscriptions sent", () -> a.metrics().get("zen.local.connector.sweep") >= sent + n);
                    ZenSide.say("MONITORED");
                } else if (line.equals("measure")) {
                    await("monitors applied", () -> a.metrics().get("zen.loop.pending") == 0 && a.metrics().get("zen.local.references.size") == n);
                    long monitoring = usedAfterGc() - before;
                    ZenSide.say("MONITORS n=" + n + " monitorBytes=" + monitoring + " liveMonitors=" + a.metrics().get("zen.local.references.size"));
                } else if (line.equals("quit")) {
                    break;
                }
            }
            Reference.reachabilityFence(targets);
            Reference.reachabilityFence(refs);
            Reference.reachabilityFence(listener);
        }
    }

    /** The ArrayList that holds the decoded targets: its array of n compressed references. */
    private static long listBytes(int n) {
        return 16L + 4L * n;
    }
}
