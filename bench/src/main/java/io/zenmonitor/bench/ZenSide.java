package io.zenmonitor.bench;

import io.zenmonitor.DownReason;
import io.zenmonitor.Target;
import io.zenmonitor.ZenConfig;
import io.zenmonitor.ZenNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jgroups.protocols.MsgStats;

/**
 * The zen side of the cluster benchmark, one JVM per role, driven by {@link Runner} through stdin/stdout.
 *
 * <pre>
 * ZenSide owner   CLUSTER NODE OBJECTS                      node B: OBJECTS named objects session-0.. alive
 * ZenSide watcher CLUSTER NODE OWNER OBJECTS AMOUNT INTERVAL_MS CHUNK   node A
 * </pre>
 *
 * Owner commands: {@code stats} → {@code STATS bytesSent bytesReceived}; {@code die M} ends session-0..session-(M-1) with one
 * shared EXIT reason and answers {@code DIED transportBytes zenPayloadBytes} once the certificates are sent. It
 * prints {@code REACHED <nanoTime>} when all OBJECTS subscriptions are on its Proxy.
 *
 * <p>Watcher commands: {@code monitor} (monitors all OBJECTS, answers {@code MONITORED t0 callNanos}),
 * {@code stats}, {@code exits M} (waits for M EXIT downs), {@code storm PID} (2 s quiet work, kill -9 of PID,
 * then measures until every remaining monitor fired NODEDOWN; answers {@code RESULT k=v ...} and
 * {@code SHAPE ...}, then exits). {@link System#nanoTime()} is CLOCK_MONOTONIC on Linux, shared by the
 * processes of one machine, so the runner can subtract the two JVMs' times.
 */
public final class ZenSide {

    private ZenSide() {
    }

    public static void main(String[] args) throws Exception {
        try {
            if (args[0].equals("owner")) {
                owner(args[1], args[2], Integer.parseInt(args[3]));
            } else {
                watcher(args[1], args[2], args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]),
                        Long.parseLong(args[6]), Integer.parseInt(args[7]));
            }
        } catch (Throwable t) {
            say("FAILED " + t);
            t.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
        System.exit(0);
    }

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static Target object(String owner, int i) {
        return Target.named(owner, "session-" + i); // names as an application would give them, not "o1"
    }

    // ------------------------------------------------------------------------------------ owner (B)

    private static void owner(String cluster, String name, int objects) throws Exception {
        // the 1,000,000 scenario holds 1,001,000 objects: above the default zen.proxy.max-subscriptions (1,000,000)
        ZenNode node = ZenNode.start(ZenConfig.defaults().cluster(cluster).node(name).stack("loopback")
                .proxyMaxSubscriptions(Math.max(1_000_000, 2 * objects)));
        for (int i = 0; i < objects; i++) {
            node.alive(object(name, i));
        }
        MsgStats stats = BenchAccess.transportStats(node);
        Thread reacher = new Thread(() -> {
            try {
                while (node.metrics().get("zen.proxy.subscribers.size") < objects) {
                    TimeUnit.MILLISECONDS.sleep(1);
                }
                say("REACHED " + System.nanoTime());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "reacher");
        reacher.setDaemon(true);
        reacher.start();
        say("READY " + node.members());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("stats")) {
                say("STATS " + stats.getNumBytesSent() + " " + stats.getNumBytesReceived());
            } else if (line.startsWith("die ")) {
                int m = Integer.parseInt(line.substring(4).trim());
                long before = stats.getNumBytesSent();
                long zenBefore = node.metrics().get("zen.wire.sent-bytes");
                long sweptBefore = node.metrics().get("zen.proxy.batcher.sweep");
                // one truncated reason for all of them (equal reasons are written once per DEAD message)
                DownReason reason = io.zenmonitor.truncate.Truncator.DEFAULT.reason(DownReason.Kind.EXIT,
                        new IllegalStateException("maintenance: sessions closed"));
                for (int i = 0; i < m; i++) {
                    node.died(object(name, i), reason);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (node.metrics().get("zen.proxy.batcher.sweep") - sweptBefore < m && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(2);
                }
                TimeUnit.MILLISECONDS.sleep(300); // the bundler's last send
                say("DIED " + (stats.getNumBytesSent() - before) + " " + (node.metrics().get("zen.wire.sent-bytes") - zenBefore));
            } else if (line.equals("quit")) {
                break;
            }
        }
        node.close();
    }

    // ------------------------------------------------------------------------------------ watcher (A)

    private static void watcher(String cluster, String name, String owner, int objects, int amount, long intervalMs, int chunk)
            throws Exception {
        ZenConfig config = ZenConfig.defaults().cluster(cluster).node(name).stack("loopback")
                .demandAmount(amount).demandInterval(Duration.ofMillis(intervalMs)).connectorChunk(chunk);
        ZenNode node = ZenNode.start(config);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!node.members().contains(owner)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(owner + " not in the view after 60 s: " + node.members());
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
        MsgStats stats = BenchAccess.transportStats(node);
        Arrivals nodedowns = new Arrivals(objects);
        AtomicInteger exits = new AtomicInteger();
        say("READY " + node.members());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("stats")) {
                say("STATS " + stats.getNumBytesSent() + " " + stats.getNumBytesReceived());
            } else if (line.equals("monitor")) {
                long t0 = System.nanoTime();
                for (int i = 0; i < objects; i++) {
                    node.monitor(object(owner, i), d -> {
                        if (d.reason().kind() == DownReason.Kind.NODEDOWN) {
                            nodedowns.record();
                        } else {
                            exits.incrementAndGet();
                        }
                    });
                }
                say("MONITORED " + t0 + " " + (System.nanoTime() - t0));
            } else if (line.startsWith("exits ")) {
                int m = Integer.parseInt(line.substring(6).trim());
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (exits.get() < m && System.nanoTime() < end) {
                    TimeUnit.MILLISECONDS.sleep(2);
                }
                say("EXITS " + exits.get());
            } else if (line.startsWith("storm ")) {
                long pid = Long.parseLong(line.substring(6).trim());
                storm(node, owner, objects - exits.get(), nodedowns, stats, pid, amount, intervalMs);
                break;
            }
        }
        node.close();
    }

    private static void storm(ZenNode node, String owner, int expected, Arrivals downs, MsgStats stats, long pid,
                              int amount, long intervalMs) throws Exception {
        WorkProbe probe = new WorkProbe(400_000).start();
        TimeUnit.SECONDS.sleep(3); // the quiet period (its last 2 s are measured)
        long receivedBefore = stats.getNumBytesReceived();
        ProcessHandle victim = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
        long killAt = System.nanoTime();
        victim.destroyForcibly();
        long[] detectedAt = {0};
        Thread detector = new Thread(() -> {
            while (node.members().contains(owner)) {
                LockSupportSleep.millis(1);
            }
            detectedAt[0] = System.nanoTime();
        }, "detector");
        detector.setDaemon(true);
        detector.start();
        long end = killAt + TimeUnit.SECONDS.toNanos(240);
        while (downs.count() < expected && System.nanoTime() < end) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
        TimeUnit.NANOSECONDS.sleep(StormReport.AFTER_NANOS + TimeUnit.MILLISECONDS.toNanos(300)); // the "after" control period
        probe.stop();
        detector.join(1000);
        StringBuilder r = StormReport.report(killAt, detectedAt[0], expected, downs, probe, amount * 1000.0 / intervalMs);
        r.append(" bytesReceivedAfterKill=").append(stats.getNumBytesReceived() - receivedBefore);
        say(r.toString());
    }

    static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    /** Sleeps without checked exceptions. */
    static final class LockSupportSleep {
        private LockSupportSleep() {
        }

        static void millis(long ms) {
            java.util.concurrent.locks.LockSupport.parkNanos(ms * 1_000_000);
        }
    }
}
