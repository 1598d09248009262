package io.zenmonitor.demo;

import io.zenmonitor.Down;
import io.zenmonitor.DownReason;
import io.zenmonitor.Target;
import io.zenmonitor.ZenConfig;
import io.zenmonitor.ZenNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The runtime's two-node example (run by {@code demo/two-nodes.sh}): an <em>owner</em> JVM holds
 * {@code n} named objects; a <em>watcher</em> JVM monitors all of them. The owner ends a quarter of them
 * itself (EXIT with a Throwable, truncated once on the owner), then the script kills the owner with
 * kill -9, and the watcher reports how the remaining NODEDOWN downs arrived: paced at
 * {@code demand.amount} per {@code demand.interval}, not as a storm.
 *
 * <pre>
 * TwoNodes owner   CLUSTER NODE N
 * TwoNodes watcher CLUSTER NODE N OWNER-NODE MARKER-FILE
 * </pre>
 */
public final class TwoNodes {

    private TwoNodes() {
    }

    public static void main(String[] args) throws Exception {
        String role = args[0];
        ZenConfig config = ZenConfig.fromEnvironment().cluster(args[1]).node(args[2]);
        int n = Integer.parseInt(args[3]);
        if (role.equals("owner")) {
            owner(config, n);
        } else {
            watcher(config, n, args[4], Path.of(args[5]));
        }
    }

    private static void owner(ZenConfig config, int n) throws InterruptedException {
        ZenNode node = ZenNode.start(config);
        for (int i = 0; i < n; i++) {
            node.alive(Target.named(node.name(), "session-" + i));
        }
        say(node.name(), "holds " + n + " sessions; waiting for a watcher to subscribe to all of them");
        while (node.metrics().get("zen.proxy.subscribers.size") < n) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        int ended = n / 4;
        say(node.name(), "all " + n + " subscribed; ending " + ended + " sessions with an exception");
        for (int i = 0; i < ended; i++) {
            node.died(Target.named(node.name(), "session-" + i), DownReason.Kind.EXIT,
                    new IllegalStateException("session " + i + " timed out", new java.io.IOException("socket closed")));
        }
        TimeUnit.MINUTES.sleep(5); // until the script kills this JVM
        node.close();
    }

    private static void watcher(ZenConfig config, int n, String owner, Path marker) throws InterruptedException {
        long t0 = System.nanoTime();
        ConcurrentLinkedQueue<long[]> arrivals = new ConcurrentLinkedQueue<>();
        Map<DownReason.Kind, Integer> byKind = new EnumMap<>(DownReason.Kind.class);
        Down[] sample = new Down[1];
        try (ZenNode node = ZenNode.start(config)) {
            while (!node.members().contains(owner)) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            for (int i = 0; i < n; i++) {
                node.monitor(Target.named(owner, "session-" + i), d -> {
                    arrivals.add(new long[] {System.nanoTime(), d.reason().kind().ordinal()});
                    if (sample[0] == null && d.reason().kind() == DownReason.Kind.EXIT) {
                        sample[0] = d;
                    }
                });
            }
            say(node.name(), "monitoring " + n + " sessions on " + owner + " (" + (System.nanoTime() - t0) / 1_000_000 + " ms)");
            int exits = n / 4;
            long killAt = 0;
            long firstNodedown = 0;
            long lastNodedown = 0;
            int seen = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (seen < n && System.nanoTime() < deadline) {
                long[] a = arrivals.poll();
                if (a == null) {
                    if (killAt == 0 && byKind.getOrDefault(DownReason.Kind.EXIT, 0) >= exits) {
                        say(node.name(), exits + " EXIT downs received, e.g. " + sample[0].reason() + "; now kill -9 " + owner);
                        Files.writeString(marker, "kill");
                        killAt = System.nanoTime();
                    }
                    TimeUnit.MILLISECONDS.sleep(5);
                    continue;
                }
                seen++;
                DownReason.Kind kind = DownReason.Kind.values()[(int) a[1]];
                byKind.merge(kind, 1, Integer::sum);
                if (kind == DownReason.Kind.NODEDOWN) {
                    if (firstNodedown == 0) {
                        firstNodedown = a[0];
                        say(node.name(), owner + " left the view; NODEDOWN downs start arriving");
                    }
                    lastNodedown = a[0];
                }
            }
            say(node.name(), "downs by reason: " + byKind);
            if (killAt != 0 && firstNodedown != 0) {
                int nodedowns = byKind.getOrDefault(DownReason.Kind.NODEDOWN, 0);
                long ticks = (nodedowns + config.demandAmount() - 1) / config.demandAmount();
                say(node.name(), String.format("kill -9 -> first NODEDOWN after %d ms, last after %d ms: %d downs spread over %d ms"
                                + " (the pace of %d per %d ms needs at least %d ms; unpaced they would all land at once)",
                        (firstNodedown - killAt) / 1_000_000, (lastNodedown - killAt) / 1_000_000, nodedowns,
                        (lastNodedown - firstNodedown) / 1_000_000, config.demandAmount(), config.demandInterval().toMillis(),
                        (ticks - 1) * config.demandInterval().toMillis()));
            }
            if (seen < n) {
                say(node.name(), "only " + seen + " of " + n + " downs arrived");
                System.exit(1);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void say(String node, String what) {
        System.out.println("[" + node + "] " + what);
        System.out.flush();
    }
}
