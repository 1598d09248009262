package io.zenmonitor.demo.harness;

import io.zenmonitor.demo.harness.Options.Scenario;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs one scenario of the chat cluster and records its {@link Timeline}:
 *
 * <ol>
 * <li>the guild JVM (registry and JMX on 127.0.0.1, free ports), then, once its agent node founded the cluster,
 *     the session node JVMs, which register their sessions;
 * <li>with the agent, waits until the guild monitors every registration; then starts the load client, and the
 *     recording (t = 0): the guild's counters every 100 ms over JMX, the load client's latency per 100 ms;
 * <li>{@code kill -9} of node-1 at {@link Options#killAtMillis()}, SIGTERM of node-2 at
 *     {@link Options#termAtMillis()}, end at {@link Options#durationMillis()};
 * <li>kills and reaps every process it started, on every path out.
 * </ol>
 *
 * Every JVM gets the same agent jar, cluster name (unique per run) and discovery directory, except in the
 * no-agent scenario, which runs the same command lines without {@code -javaagent}.
 */
final class ScenarioRun {

    private static final long START_TIMEOUT_MILLIS = 90_000;

    private final Options options;
    private final Scenario scenario;
    private final Consumer<String> progress;
    private final Timeline timeline;
    private final String cluster;
    private final Path stackDir;
    private final Path logs;
    private final List<Child> children = new ArrayList<>();
    private final Set<String> ready = ConcurrentHashMap.newKeySet();
    private volatile long t0Epoch;
    private final long started = System.nanoTime();

    ScenarioRun(Options options, Scenario scenario, Consumer<String> progress) throws IOException {
        this.options = options;
        this.scenario = scenario;
        this.progress = progress;
        this.timeline = new Timeline(scenario.label);
        this.cluster = "zen-demo-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        this.logs = options.out().resolve("logs");
        Files.createDirectories(logs);
        this.stackDir = Files.createTempDirectory("zen-demo-stack");
    }

    Timeline run() throws Exception {
        try {
            return record();
        } finally {
            for (Child c : children) {
                c.close();
            }
            deleteTree(stackDir);
        }
    }

    private Timeline record() throws Exception {
        int[] ports = freePorts(2);
        int registryPort = ports[0];
        int jmxPort = ports[1];
        int total = options.nodes() * options.sessions();
        timeline.settings.put("scenario", scenario.label);
        timeline.settings.put("agent", String.valueOf(scenario.agent));
        timeline.settings.put("demand.amount", scenario.agent ? String.valueOf(options.demandAmount(scenario)) : "-");
        timeline.settings.put("demand.interval.ms", "100");
        timeline.settings.put("nodes", String.valueOf(options.nodes()));
        timeline.settings.put("sessions.per.node", String.valueOf(options.sessions()));
        timeline.settings.put("rate", String.valueOf(options.rate()));
        timeline.settings.put("broadcast.ms", String.valueOf(options.broadcastMillis()));
        timeline.settings.put("kill.at.ms", String.valueOf(options.killAtMillis()));
        timeline.settings.put("term.at.ms", String.valueOf(options.termAtMillis()));
        timeline.settings.put("duration.ms", String.valueOf(options.durationMillis()));
        timeline.settings.put("java", Runtime.version().toString());
        timeline.settings.put("cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
        timeline.settings.put("recorded", java.time.Instant.now().toString());

        // 1. the guild, with the JDK's JMX agent on 127.0.0.1 for the harness
        List<String> guildJvm = new ArrayList<>(jvm("guild", "-Xmx512m"));
        guildJvm.add("-Xlog:gc:file=" + logs.resolve(scenario.label + "-guild-gc.log"));
        guildJvm.addAll(List.of(
                "-Dcom.sun.management.jmxremote.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.host=127.0.0.1",
                "-Dcom.sun.management.jmxremote.authenticate=false",
                "-Dcom.sun.management.jmxremote.ssl=false",
                "io.zenmonitor.demo.chat.GuildServer", String.valueOf(registryPort), String.valueOf(options.broadcastMillis())));
        Child guild = start("guild", guildJvm, line -> { });
        await("the guild to print READY", () -> ready.contains("guild"), guild);
        GuildProbe probe = connect(jmxPort, guild);
        try {
            if (scenario.agent) {
                await("the guild's agent node to found cluster " + cluster, () -> members(probe).contains("guild"), guild);
            }
            say("guild up (pid " + guild.pid() + ", registry 127.0.0.1:" + registryPort + ")");

            // 2. the session nodes
            List<Child> nodes = new ArrayList<>();
            AtomicLong nodesReady = new AtomicLong();
            for (int i = 1; i <= options.nodes(); i++) {
                String name = "node-" + i;
                List<String> cmd = new ArrayList<>(jvm(name, "-Xmx256m"));
                cmd.addAll(List.of("io.zenmonitor.demo.chat.SessionNode", String.valueOf(registryPort), name, String.valueOf(options.sessions())));
                nodes.add(start(name, cmd, line -> {
                    if (line.startsWith("REGISTERED ")) {
                        say(name + ": " + line.substring(11) + " of " + options.sessions() + " sessions registered");
                    } else if (line.startsWith("READY ")) {
                        nodesReady.incrementAndGet();
                        say(name + ": all " + options.sessions() + " sessions registered (pid " + nodesPid(name) + ")");
                    }
                }));
            }
            await("every session node to register its sessions", () -> nodesReady.get() == options.nodes(), nodes.toArray(Child[]::new));
            if (scenario.agent) {
                List<String> all = new ArrayList<>(List.of("guild"));
                for (int i = 1; i <= options.nodes(); i++) {
                    all.add("node-" + i);
                }
                await("every node in the guild's view", () -> members(probe).containsAll(all), guild);
                await("the guild's agent to monitor all " + total + " registrations",
                        () -> probe.zenNumber("LiveMonitors") >= total, guild);
                say("the guild's agent monitors " + probe.zenNumber("LiveMonitors") + " registrations; view " + members(probe));
            }

            // 3. the load client, then t = 0
            List<String> load = new ArrayList<>(jvm("load", "-Xmx128m"));
            load.addAll(List.of("io.zenmonitor.demo.chat.LoadClient", String.valueOf(registryPort), String.valueOf(options.rate())));
            Child client = start("load", load, this::latency);
            await("the load client to start", () -> ready.contains("load"), client);
            t0Epoch = System.currentTimeMillis();
            long t0 = System.nanoTime();
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sampler");
                t.setDaemon(true);
                return t;
            });
            sampler.scheduleAtFixedRate(() -> sample(probe, t0), 0, Timeline.STEP_MILLIS, TimeUnit.MILLISECONDS);
            try {
                say("recording: " + total + " sessions on " + options.nodes() + " nodes, " + options.rate() + " post() calls/s");
                sleepUntil(t0, options.killAtMillis(), probe);
                Child victim = nodes.get(0);
                long killedAt = millisSince(t0);
                victim.kill();
                timeline.event(killedAt, "kill -9 node-1");
                say("kill -9 node-1 (pid " + victim.pid() + ", " + options.sessions() + " sessions)");
                sleepUntil(t0, options.termAtMillis(), probe);
                Child stopped = nodes.get(1);
                long termAt = millisSince(t0);
                timeline.event(termAt, "SIGTERM node-2");
                say("SIGTERM node-2 (pid " + stopped.pid() + ", " + options.sessions() + " sessions)");
                stopped.terminate();
                sleepUntil(t0, options.durationMillis(), probe);
            } finally {
                sampler.shutdownNow();
                sampler.awaitTermination(5, TimeUnit.SECONDS);
            }
        } finally {
            probe.close();
        }
        return timeline;
    }

    // ------------------------------------------------------------------------------------------------ recording

    private void sample(GuildProbe probe, long t0) {
        long t = millisSince(t0);
        try {
            long[] g = probe.guild();
            long queued = scenario.agent ? probe.zenNumber("BatchLength") : -1;
            synchronized (timeline) {
                Timeline.Row r = timeline.row(t);
                r.values[Timeline.REGISTRATIONS] = g[0];
                r.values[Timeline.CLEANUPS] = g[1];
                r.values[Timeline.UNREFERENCED] = g[2];
                r.values[Timeline.SESSIONS] = g[3];
                r.values[Timeline.FAILED] = g[4];
                r.values[Timeline.BROADCAST_MS] = g[5];
                r.values[Timeline.ZEN_QUEUED] = queued;
            }
        } catch (Exception e) {
            // a sample lost to a busy guild shows as a gap
        }
    }

    /** {@code LAT <epochMillis> <calls> <p50> <p99> <max> <errors>} from the load client. */
    private void latency(String line) {
        if (!line.startsWith("LAT ")) {
            return;
        }
        long t0 = t0Epoch;
        if (t0 == 0) {
            return;
        }
        String[] f = line.split(" ");
        try {
            long epoch = Long.parseLong(f[1]);
            if (epoch < t0) {
                return;
            }
            synchronized (timeline) {
                Timeline.Row r = timeline.row(epoch - t0 - 1);
                r.values[Timeline.CALLS] = Long.parseLong(f[2]);
                if (!f[3].equals("-")) {
                    r.values[Timeline.P50] = Long.parseLong(f[3]);
                    r.values[Timeline.P99] = Long.parseLong(f[4]);
                    r.values[Timeline.MAX] = Long.parseLong(f[5]);
                }
            }
        } catch (RuntimeException e) {
            // not a latency line after all
        }
    }

    private void sleepUntil(long t0, long atMillis, GuildProbe probe) throws InterruptedException {
        long nextSay = millisSince(t0) + 2000;
        for (;;) {
            long now = millisSince(t0);
            if (now >= atMillis) {
                return;
            }
            if (now >= nextSay) {
                nextSay += 2000;
                say(status(now));
            }
            Thread.sleep(Math.min(100, atMillis - now));
        }
    }

    private String status(long t) {
        return String.format("t=%4.1fs  registrations %s, cleanups %s, unreferenced %s, post() p99 %s",
                t / 1000.0, value(timeline.at(t, Timeline.REGISTRATIONS)), value(timeline.at(t, Timeline.CLEANUPS)),
                value(timeline.at(t, Timeline.UNREFERENCED)), ms(timeline.max(Math.max(0, t - 1000), t, Timeline.P99)));
    }

    private static String value(long v) {
        return v < 0 ? "-" : String.valueOf(v);
    }

    static String ms(long micros) {
        return micros < 0 ? "-" : micros < 10_000 ? String.format("%.1f ms", micros / 1000.0) : (micros / 1000) + " ms";
    }

    // ------------------------------------------------------------------------------------------------ processes

    /** The java command and options every JVM of this scenario shares. */
    private List<String> jvm(String node, String heap) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                heap,
                "-XX:+UseSerialGC",
                // the agent and RMI's proxies load classes for a while: without this a Full GC for the metadata
                // threshold lands in the middle of the recording (measured: 0.5 s pauses on a loaded machine)
                "-XX:MetaspaceSize=128m",
                "-Djava.net.preferIPv4Stack=true",
                "-Djava.rmi.server.hostname=127.0.0.1"));
        if (scenario.agent) {
            cmd.add("-javaagent:" + options.agentJar() + "=cluster=" + cluster + ",node=" + node
                    + ",demand.amount=" + options.demandAmount(scenario));
            cmd.add("-Dzen.stack.dir=" + stackDir);
        }
        cmd.add("-cp");
        cmd.add(options.classPath().toString());
        return cmd;
    }

    private Child start(String name, List<String> command, Consumer<String> handler) throws IOException {
        Path log = logs.resolve(scenario.label + "-" + name + ".log");
        Child c = Child.start(name, command, log, line -> {
            if (line.startsWith("READY ")) {
                ready.add(name);
            }
            handler.accept(line);
        });
        children.add(c);
        return c;
    }

    private long nodesPid(String name) {
        return children.stream().filter(c -> c.name.equals(name)).mapToLong(Child::pid).findFirst().orElse(-1);
    }

    private GuildProbe connect(int jmxPort, Child guild) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        for (;;) {
            try {
                return GuildProbe.connect(jmxPort);
            } catch (IOException e) {
                if (!guild.isAlive() || System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("cannot reach the guild's JMX agent on 127.0.0.1:" + jmxPort + ": " + e
                            + logHint("guild"), e);
                }
                Thread.sleep(200);
            }
        }
    }

    private static List<String> members(GuildProbe probe) {
        try {
            return probe.zenMembers();
        } catch (Exception e) {
            return List.of();
        }
    }

    private void await(String what, Check check, Child... watched) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        for (;;) {
            boolean ok;
            try {
                ok = check.holds();
            } catch (Exception e) {
                ok = false;
            }
            if (ok) {
                return;
            }
            for (Child c : watched) {
                if (!c.isAlive()) {
                    throw new IllegalStateException(c.name + " exited while waiting for " + what + logHint(c.name));
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new TimeoutException("no " + what + " within " + START_TIMEOUT_MILLIS / 1000 + " s" + logHint(watched.length > 0 ? watched[0].name : "guild"));
            }
            Thread.sleep(100);
        }
    }

    private String logHint(String name) {
        return " (see " + logs.resolve(scenario.label + "-" + name + ".log") + ")";
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    private void say(String text) {
        progress.accept(String.format("[%s %5.1fs] %s", scenario.label, (System.nanoTime() - started) / 1e9, text));
    }

    private static long millisSince(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    /** Distinct TCP ports free on 127.0.0.1 now (held open together, so the OS cannot hand out one twice). */
    static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; the OS cleans it eventually
        }
    }

}
