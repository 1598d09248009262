package io.zenmonitor.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.Terminated;

/**
 * The Apache Pekko peer of the cluster benchmark: classic remote DeathWatch, {@code provider = remote}, Artery
 * TCP on 127.0.0.1, {@code use-unsafe-remote-features-outside-cluster = on} (jvm_anchors §1.5), every other
 * setting at Pekko 1.7.0's defaults (watch failure detector: heartbeat 1 s, threshold 10, acceptable pause
 * 10 s).
 *
 * <pre>
 * PekkoSide owner   PORT OBJECTS            system B: OBJECTS idle actors /user/t0..
 * PekkoSide watcher PORT OWNER_PORT OBJECTS system A: one watcher actor that watches all of them
 * </pre>
 *
 * Watcher commands: {@code monitor} (resolves each remote path locally, without a round trip, and
 * {@code context.watch}es it; answers {@code MONITORED t0 callNanos}), {@code storm PID} (as {@link ZenSide}).
 * Pekko has no pacing: {@code Terminated} for every watchee on the dead node is sent at once.
 */
public final class PekkoSide {

    private PekkoSide() {
    }

    static Config config(int port) {
        return ConfigFactory.parseString(String.join("\n",
                "pekko.actor.provider = remote",
                "pekko.remote.artery.transport = tcp",
                "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"",
                "pekko.remote.artery.canonical.port = " + port,
                "pekko.remote.artery.bind.hostname = \"127.0.0.1\"",
                "pekko.remote.use-unsafe-remote-features-outside-cluster = on",
                "pekko.remote.warn-unsafe-watch-outside-cluster = off",
                "pekko.loglevel = WARNING",
                "pekko.log-dead-letters = off",
                "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off"))
                .withFallback(ConfigFactory.load());
    }

    public static void main(String[] args) throws Exception {
        try {
            if (args[0].equals("owner")) {
                owner(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            } else {
                watcher(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            }
        } catch (Throwable t) {
            ZenSide.say("FAILED " + t);
            t.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
        System.exit(0);
    }

    /** A watchee: does nothing. */
    public static final class Idle extends AbstractActor {
        @Override
        public Receive createReceive() {
            return receiveBuilder().build();
        }
    }

    private static void owner(int port, int objects) throws Exception {
        ActorSystem system = ActorSystem.create("B", config(port));
        for (int i = 0; i < objects; i++) {
            system.actorOf(Props.create(Idle.class), "t" + i);
        }
        ZenSide.say("READY " + objects);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (in.readLine() != null) {
            // until killed or stdin ends
        }
        system.terminate();
    }

    /** Watches every path it is told to; records every Terminated. */
    public static final class Watcher extends AbstractActor {
        private final Arrivals arrivals;

        public Watcher(Arrivals arrivals) {
            this.arrivals = arrivals;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .match(WatchAll.class, w -> {
                        var provider = ((ExtendedActorSystem) getContext().getSystem()).provider();
                        for (int i = 0; i < w.count; i++) {
                            getContext().watch(provider.resolveActorRef(w.base + i));
                        }
                        w.done.countDown();
                    })
                    .match(Terminated.class, t -> arrivals.record())
                    .build();
        }
    }

    /** Watch {@code base + i} for i in [0, count). */
    record WatchAll(String base, int count, CountDownLatch done) {
    }

    private static void watcher(int port, int ownerPort, int objects) throws Exception {
        ActorSystem system = ActorSystem.create("A", config(port));
        Arrivals arrivals = new Arrivals(objects);
        ActorRef watcher = system.actorOf(Props.create(Watcher.class, () -> new Watcher(arrivals)), "watcher");
        ZenSide.say("READY");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("monitor")) {
                long t0 = System.nanoTime();
                CountDownLatch done = new CountDownLatch(1);
                watcher.tell(new WatchAll("pekko://B@127.0.0.1:" + ownerPort + "/user/t", objects, done), ActorRef.noSender());
                done.await(120, TimeUnit.SECONDS);
                ZenSide.say("MONITORED " + t0 + " " + (System.nanoTime() - t0));
            } else if (line.startsWith("storm ")) {
                long pid = Long.parseLong(line.substring(6).trim());
                int early = arrivals.count(); // Terminated before the kill: a quarantine (system-message buffer overflow)
                WorkProbe probe = new WorkProbe(400_000).start();
                TimeUnit.SECONDS.sleep(3); // the quiet period (its last 2 s are measured)
                long killAt = System.nanoTime();
                ProcessHandle.of(pid).orElseThrow().destroyForcibly();
                long end = killAt + TimeUnit.SECONDS.toNanos(90);
                while (arrivals.count() < objects && System.nanoTime() < end) {
                    TimeUnit.MILLISECONDS.sleep(5);
                }
                TimeUnit.NANOSECONDS.sleep(StormReport.AFTER_NANOS + TimeUnit.MILLISECONDS.toNanos(300)); // the "after" control period
                probe.stop();
                ZenSide.say(StormReport.report(killAt, 0, objects, arrivals, probe, -1).append(" earlyTerminated=").append(early).toString());
                break;
            }
        }
        system.terminate();
    }
}
