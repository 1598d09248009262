package io.zenmonitor.bench;

import io.zenmonitor.bench.jmh.CodecBenchmark;
import io.zenmonitor.bench.rmi.Board;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The side-by-side harness behind {@code ./bench/run.sh}: JMH micro-benchmarks, memory per monitor and per
 * subscription, and the cluster scenario (node A monitors N objects on node B in another JVM, B is killed with
 * kill -9) for zen-runtime, Apache Pekko remote DeathWatch and plain RMI with and without zen-agent, all in one
 * run on one machine. Prints one markdown table and writes it to {@code --out}.
 *
 * <pre>
 * Runner [--full] [--smoke] [--only jmh,memory,zen,pekko,rmi] [--out FILE]
 *
 *   (default)  quick: N = 10,000 and 100,000 for zen, 10,000 for Pekko, 2,000 for RMI, memory at 100,000;
 *              under 5 minutes on 2 cores
 *   --full     N = 10,000 / 100,000 / 1,000,000 (Pekko and RMI 10,000 / 100,000 and 10,000), memory at
 *              100,000 and 1,000,000, JMH with longer iterations
 *   --smoke    tiny N, no JMH: checks that the harness works (the bench module's test)
 * </pre>
 *
 * Scenario settings are the products' defaults except where a row says otherwise ("pacing off" =
 * {@code demand.amount=1000000} per {@code 1ms}; "chunk raised" = {@code connector.chunk=100000}).
 */
public final class Runner {

    enum Mode { SMOKE, QUICK, FULL }

    private final Mode mode;
    private final Set<String> only;
    private final String classPath = System.getProperty("java.class.path");
    private final Path stackDir;
    private final List<String[]> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Double> values = new HashMap<>();

    Runner(Mode mode, Set<String> only) throws IOException {
        this.mode = mode;
        this.only = only;
        this.stackDir = Files.createTempDirectory("zen-bench-stack-");
    }

    public static void main(String[] args) throws Exception {
        Mode mode = Mode.QUICK;
        Set<String> only = Set.of("jmh", "memory", "zen", "pekko", "rmi");
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--full" -> mode = Mode.FULL;
                case "--smoke" -> mode = Mode.SMOKE;
                case "--only" -> only = Set.of(args[++i].split(","));
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: Runner [--full|--smoke] [--only jmh,memory,zen,pekko,rmi] [--out FILE]");
                    System.exit(2);
                }
            }
        }
        String report = new Runner(mode, only).run(String.join(" ", args));
        System.out.println();
        System.out.println(report);
        if (out != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, report);
            System.out.println("(written to " + out + ")");
        }
        System.exit(0);
    }

    String run(String argLine) throws Exception {
        long t0 = System.nanoTime();
        try {
            if (only.contains("jmh") && mode != Mode.SMOKE) {
                jmh();
            }
            if (only.contains("memory")) {
                for (int n : mode == Mode.FULL ? new int[] {100_000, 1_000_000} : mode == Mode.QUICK ? new int[] {100_000} : new int[] {2_000}) {
                    guarded("memory N=" + fmt(n), () -> memory(n));
                }
                if (mode == Mode.FULL) {
                    slope();
                }
            }
            if (only.contains("zen")) {
                for (ZenScenario s : zenScenarios()) {
                    guarded(s.label(), () -> zen(s));
                }
            }
            if (only.contains("pekko")) {
                for (int n : mode == Mode.FULL ? new int[] {10_000, 100_000} : mode == Mode.QUICK ? new int[] {10_000} : new int[0]) {
                    guarded("Pekko N=" + fmt(n), () -> pekko(n));
                }
            }
            if (only.contains("rmi")) {
                int n = mode == Mode.FULL ? 10_000 : mode == Mode.QUICK ? 2_000 : 50;
                guarded("plain RMI", () -> rmi(n, false));
                guarded("RMI + zen-agent", () -> rmi(n, true));
            }
            compare();
        } finally {
            deleteTree(stackDir);
        }
        return report(argLine, (System.nanoTime() - t0) / 1_000_000_000);
    }

    interface Step {
        void run() throws Exception;
    }

    /** Runs one scenario; a failure becomes a note in the report (with the child's last lines) instead of ending the run. */
    private void guarded(String what, Step step) {
        try {
            try {
                step.run();
            } catch (IllegalStateException e) {
                if (!String.valueOf(e.getMessage()).contains("failed to find an available port")) {
                    throw e;
                }
                // the loopback stack's FD_SOCK2 listens on the transport's ephemeral port + 100..103, which another
                // process on a busy machine may hold; a new start picks another ephemeral port
                notes.add(what + ": retried once: a JVM could not start its JGroups channel ("
                        + e.getMessage().lines().findFirst().orElse("") + ")");
                System.out.println("!! " + what + ": FD_SOCK2 port taken, retrying once");
                step.run();
            }
        } catch (Exception | AssertionError e) {
            String msg = String.valueOf(e.getMessage());
            System.out.println("!! " + what + " failed: " + msg);
            notes.add(what + ": FAILED: " + msg.lines().findFirst().orElse(msg));
            if (mode == Mode.SMOKE) {
                throw new IllegalStateException(what + " failed", e);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ JMH

    private void jmh() throws Exception {
        progress("JMH micro-benchmarks");
        boolean full = mode == Mode.FULL;
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include("io\\.zenmonitor\\.bench\\.jmh\\..*")
                .forks(1)
                .warmupIterations(full ? 3 : 1).warmupTime(TimeValue.seconds(full ? 2 : 1))
                .measurementIterations(full ? 5 : 2).measurementTime(TimeValue.seconds(full ? 2 : 1))
                .jvmArgs("-Xmx1g", "-Djava.net.preferIPv4Stack=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                        "-Dzen.stack.dir=" + stackDir)
                .shouldFailOnError(true);
        Collection<RunResult> results = new org.openjdk.jmh.runner.Runner(o.build()).run();
        for (RunResult r : results) {
            String bench = r.getParams().getBenchmark().replaceAll(".*\\.jmh\\.", "");
            String param = r.getParams().getParamsKeys().stream().map(k -> r.getParams().getParam(k)).collect(Collectors.joining(","));
            double score = r.getPrimaryResult().getScore();
            double err = r.getPrimaryResult().getScoreError();
            String unit = r.getPrimaryResult().getScoreUnit();
            String key = bench + (param.isEmpty() ? "" : "[" + param + "]");
            values.put("jmh." + key, score);
            row("micro", key, num(score) + (Double.isNaN(err) ? "" : " ± " + num(err)) + " " + unit.replace("us/op", "µs/op"), "", "", target(key, score));
        }
        String[] sizes = CodecBenchmark.sizes().split(" ");
        for (String s : sizes) {
            String[] kv = s.split("=");
            double per = Double.parseDouble(kv[1]) / CodecBenchmark.ENTRIES;
            values.put("codec.bytes." + kv[0], per);
            row("micro", "encoded " + kv[0] + " chunk of 5,000", kv[1] + " B (" + num(per) + " B per entry)", "", "",
                    kv[0].startsWith("process") ? verdict(per < 32, "< 32 B per subscription") : verdict(per < 32, "< 32 B per death"));
        }
    }

    private static String target(String key, double score) {
        if (key.startsWith("MonitorBenchmark")) {
            return verdict(score < 1000, "monitor() < 1 µs (this is monitor()+demonitor())");
        }
        return "";
    }

    // ------------------------------------------------------------------------------------------ memory

    private void memory(int n) throws Exception {
        progress("memory at N=" + n);
        String heap = n >= 1_000_000 ? "3g" : n >= 100_000 ? "768m" : "256m";
        List<String> jvm = List.of("-XX:+UseSerialGC", "-Xms" + heap, "-Xmx" + heap, "-Dzen.stack.dir=" + stackDir,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        String cluster = cluster("mem");
        try (Child b = Child.start("footprint-b", jvm, classPath, Footprint.class.getName(), List.of("owner", cluster, "" + n))) {
            b.expect("READY", Duration.ofSeconds(120));
            try (Child a = Child.start("footprint-a", jvm, classPath, Footprint.class.getName(), List.of("watcher", cluster, "" + n))) {
                a.expect("READY", Duration.ofSeconds(120));
                b.send("base");
                b.expect("BASE", Duration.ofSeconds(120));
                a.send("base");
                a.expect("BASE", Duration.ofSeconds(120));
                a.send("monitor");
                a.expect("MONITORED", Duration.ofSeconds(300));
                b.send("measure");
                Map<String, String> p = kv(b.expect("PROXY", Duration.ofSeconds(300)));
                a.send("measure");
                Map<String, String> m = kv(a.expect("MONITORS", Duration.ofSeconds(300)));
                double perMonitor = Double.parseDouble(m.get("monitorBytes")) / n;
                double perSub = Double.parseDouble(p.get("proxyBytes")) / n;
                double perTarget = Double.parseDouble(p.get("decodedTargetBytes")) / n;
                double perObject = Double.parseDouble(p.get("objectBytes")) / n;
                values.put("mem.monitor." + n, Double.parseDouble(m.get("monitorBytes")));
                values.put("mem.proxy." + n, Double.parseDouble(p.get("proxyBytes")));
                values.put("mem.target." + n, Double.parseDouble(p.get("decodedTargetBytes")));
                row("memory", "heap per live monitor, monitoring side (N=" + fmt(n) + ")", num(perMonitor) + " B",
                        "ZenMonitor on BEAM: 304 B", ratio(304, perMonitor), verdict(perMonitor <= 120, "<= 120 B"));
                row("memory", "heap per subscription, Proxy side (N=" + fmt(n) + ")", num(perSub) + " B (a decoded target, if it were kept: "
                                + num(perTarget) + " B; the live object's own entry, paid before any subscription: " + num(perObject) + " B)",
                        "ZenMonitor on BEAM: 192 B", ratio(192, perSub), verdict(perSub <= 64, "<= 64 B"));
                a.send("quit");
                b.send("quit");
            }
        }
    }

    private void slope() {
        Double m1 = values.get("mem.monitor.100000");
        Double m2 = values.get("mem.monitor.1000000");
        Double p1 = values.get("mem.proxy.100000");
        Double p2 = values.get("mem.proxy.1000000");
        if (m1 != null && m2 != null && p1 != null && p2 != null) {
            row("memory", "slope 100,000 → 1,000,000: per monitor / per subscription",
                    num((m2 - m1) / 900_000) + " B / " + num((p2 - p1) / 900_000) + " B", "", "", "fixed costs cancelled");
        }
    }

    // ------------------------------------------------------------------------------------------ zen

    record ZenScenario(int n, boolean paced, int chunk) {
        String label() {
            return "zen N=" + fmt(n) + (paced ? ", paced 1000/100ms" : ", pacing off") + (chunk != 5000 ? ", chunk " + fmt(chunk) : "");
        }
    }

    private List<ZenScenario> zenScenarios() {
        return switch (mode) {
            case SMOKE -> List.of(new ZenScenario(300, true, 5000));
            case QUICK -> List.of(new ZenScenario(10_000, true, 5000), new ZenScenario(10_000, false, 5000),
                    new ZenScenario(100_000, true, 5000), new ZenScenario(100_000, false, 5000));
            case FULL -> List.of(new ZenScenario(10_000, true, 5000), new ZenScenario(10_000, false, 5000),
                    new ZenScenario(100_000, true, 5000), new ZenScenario(100_000, false, 5000),
                    new ZenScenario(1_000_000, false, 5000), new ZenScenario(1_000_000, false, 100_000),
                    new ZenScenario(1_000_000, true, 100_000));
        };
    }

    private void zen(ZenScenario s) throws Exception {
        progress(s.label());
        int deaths = Math.max(1, Math.min(1000, s.n / 10));
        int objects = s.n + deaths;
        String heap = s.n >= 1_000_000 ? "2g" : "512m";
        List<String> jvm = List.of("-Xmx" + heap, "-Dzen.stack.dir=" + stackDir, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        String cluster = cluster("zen");
        int amount = s.paced ? 1000 : 1_000_000;
        long interval = s.paced ? 100 : 1;
        try (Child b = Child.start("zen-b", jvm, classPath, ZenSide.class.getName(), List.of("owner", cluster, "node-b", "" + objects))) {
            b.expect("READY", Duration.ofSeconds(60)); // b founds the cluster first (loopback.xml: join race)
            try (Child a = Child.start("zen-a", jvm, classPath, ZenSide.class.getName(),
                    List.of("watcher", cluster, "node-a", "node-b", "" + objects, "" + amount, "" + interval, "" + s.chunk))) {
                a.expect("READY", Duration.ofSeconds(60));
                long[] aStats0 = stats(a);
                long[] bStats0 = stats(b);
                a.send("monitor");
                String[] mon = a.expect("MONITORED", Duration.ofSeconds(300)).split(" ");
                long t0 = Long.parseLong(mon[1]);
                long callNanos = Long.parseLong(mon[2]);
                long reached = Long.parseLong(b.expect("REACHED", Duration.ofSeconds(600)).split(" ")[1]);
                long establishMs = (reached - t0) / 1_000_000;
                long[] aStats1 = stats(a);
                long[] bStats1 = stats(b);
                // wire bytes of the subscriptions: what A sent plus what B answered while they were made
                double perSub = (double) (aStats1[0] - aStats0[0] + bStats1[0] - bStats0[0]) / objects;
                b.send("die " + deaths);
                String[] died = b.expect("DIED", Duration.ofSeconds(120)).split(" ");
                double perDeath = Double.parseDouble(died[1]) / deaths;
                a.send("exits " + deaths);
                a.expect("EXITS", Duration.ofSeconds(120));
                a.send("storm " + b.pid());
                String shape = a.expect("SHAPE", Duration.ofSeconds(600));
                Map<String, String> r = kv(a.expect("RESULT", Duration.ofSeconds(600)));
                a.awaitExit(Duration.ofSeconds(30));
                String k = "zen." + s.n + "." + (s.paced ? "paced" : "off") + "." + s.chunk;
                record(k, r);
                values.put(k + ".establishMs", (double) establishMs);
                values.put(k + ".perSub", perSub);
                values.put(k + ".perDeath", perDeath);
                String label = s.label();
                row(label, "monitor() calls on A / all subscriptions on B's Proxy", ms(callNanos / 1_000_000) + " / " + ms(establishMs),
                        "", "", s.n >= 1_000_000 && s.chunk > 5000 ? verdict(establishMs < 5000, "1M established < 5 s (chunk raised)") : "");
                row(label, "wire bytes per subscription / per death (JGroups transport, both directions / B's sends)",
                        num(perSub) + " B / " + num(perDeath) + " B", "", "",
                        verdict(perSub < 32 && perDeath < 32, "< 32 B each"));
                stormRows(label, r, shape, s.paced ? 10_000 : -1, s.n);
            }
        }
    }

    private void stormRows(String label, Map<String, String> r, String shape, double perSecond, int n) {
        long first = Long.parseLong(r.getOrDefault("firstMs", "-1"));
        long last = Long.parseLong(r.getOrDefault("lastMs", "-1"));
        long detect = Long.parseLong(r.getOrDefault("detectMs", "-1"));
        int downs = Integer.parseInt(r.get("downs"));
        int expected = Integer.parseInt(r.get("expected"));
        row(label, "kill -9 → view change / first down / last down (" + fmt(downs) + " of " + fmt(expected) + " downs)",
                (detect < 0 ? "-" : ms(detect)) + " / " + ms(first) + " / " + ms(last), "", "", verdict(first >= 0 && first < 2500, "first down < 2.5 s"));
        double devValue = Double.parseDouble(r.getOrDefault("worstSecondDev", "-1"));
        String dev = devValue < 0 ? "-1" : r.get("worstSecondDev");
        String paceVerdict = "";
        if (perSecond > 0 && !dev.equals("-1")) {
            paceVerdict = verdict(Double.parseDouble(dev) <= 0.10, "within 10 % per second of " + fmt((int) perSecond) + "/s");
        } else if (perSecond > 0) {
            paceVerdict = "burst < 1.1 s: see max per window (pace 1,000 per 100 ms)";
        } else if (n == 100_000 && detect >= 0 && last >= 0) {
            paceVerdict = verdict(last - detect < 1000, "100,000 downs < 1 s after detection (" + ms(last - detect) + ")");
        }
        String mean = "";
        double perTick = perSecond / 10; // the paced scenarios tick every 100 ms
        if (perSecond > 0 && last > first && downs > 2 * perTick) {
            // between the first and the last tick's downs: every tick but the last one's interval
            double rate = (downs - perTick) * 1000.0 / (last - first);
            mean = "; mean " + fmt((int) rate) + "/s (" + pct(rate / perSecond - 1) + " from pace)";
        }
        row(label, "delivered per 100 ms window; worst 1-s span's deviation from pace", shape.substring(6)
                + (dev.equals("-1") ? "" : "; worst 1-s span " + pct(Double.parseDouble(dev))) + mean, "", "", paceVerdict);
        long qp99 = Long.parseLong(r.get("quietP99us"));
        long sp99 = Long.parseLong(r.getOrDefault("stormP99us", "-1"));
        row(label, "A's unrelated work (1 task/ms) p50 / p99 / max: before → during → after the storm",
                r.get("quietP50us") + " / " + qp99 + " / " + r.get("quietMaxUs") + " µs → " + r.getOrDefault("stormP50us", "-") + " / " + sp99
                        + " / " + r.getOrDefault("stormMaxUs", "-") + " µs (" + r.getOrDefault("stormSamples", "0") + " tasks) → "
                        + r.getOrDefault("afterP50us", "-") + " / " + r.getOrDefault("afterP99us", "-") + " / " + r.getOrDefault("afterMaxUs", "-") + " µs",
                "", "", perSecond > 0 && n == 100_000 ? verdict(sp99 < 2 * qp99, "storm p99 < 2 × quiet p99 (before)") : "");
    }

    private void record(String k, Map<String, String> r) {
        r.forEach((key, v) -> {
            try {
                values.put(k + "." + key, Double.parseDouble(v));
            } catch (NumberFormatException e) {
                // not a number
            }
        });
    }

    private static long[] stats(Child c) {
        c.send("stats");
        String[] s = c.expect("STATS", Duration.ofSeconds(30)).split(" ");
        return new long[] {Long.parseLong(s[1]), Long.parseLong(s[2])};
    }

    // ------------------------------------------------------------------------------------------ Pekko

    private void pekko(int n) throws Exception {
        String label = "Pekko 1.7.0 N=" + fmt(n);
        progress(label);
        int bPort = freePort();
        int aPort = freePort();
        List<String> jvm = List.of("-Xmx" + (n >= 100_000 ? "1g" : "512m"));
        try (Child b = Child.start("pekko-b", jvm, classPath, PekkoSide.class.getName(), List.of("owner", "" + bPort, "" + n))) {
            b.expect("READY", Duration.ofSeconds(120));
            try (Child a = Child.start("pekko-a", jvm, classPath, PekkoSide.class.getName(), List.of("watcher", "" + aPort, "" + bPort, "" + n))) {
                a.expect("READY", Duration.ofSeconds(60));
                a.send("monitor");
                String[] mon = a.expect("MONITORED", Duration.ofSeconds(300)).split(" ");
                // Pekko shows no sign of a watch reaching the watchee's node; give the system messages and the
                // first heartbeats (1 s interval) time, as a user would
                TimeUnit.SECONDS.sleep(5);
                a.send("storm " + b.pid());
                String shape = a.expect("SHAPE", Duration.ofSeconds(180));
                Map<String, String> r = kv(a.expect("RESULT", Duration.ofSeconds(180)));
                record("pekko." + n, r);
                int early = Integer.parseInt(r.getOrDefault("earlyTerminated", "0"));
                if (early > 0) {
                    row(label, "Terminated BEFORE the kill (quarantine: too many watches at once)", fmt(early) + " of " + fmt(n), "", "", "");
                }
                row(label, "context.watch() calls on A", ms(Long.parseLong(mon[2]) / 1_000_000) + " (arrival at B not observable)", "", "", "");
                stormRows(label, r, shape, -1, n);
                a.awaitExit(Duration.ofSeconds(30));
            }
        }
    }

    // ------------------------------------------------------------------------------------------ RMI

    private void rmi(int n, boolean agent) throws Exception {
        String label = (agent ? "RMI + zen-agent" : "plain RMI") + " N=" + fmt(n);
        Path jar = agentJar();
        if (agent && jar == null) {
            notes.add(label + ": skipped, agent/target/zen-agent.jar is not built (mvn -B -pl agent -am package -DskipTests)");
            return;
        }
        progress(label);
        int port = freePort();
        String cp = rmiClassPath();
        String cluster = cluster("rmi");
        long timeoutS = mode == Mode.FULL ? 90 : mode == Mode.QUICK ? 25 : 10;
        List<String> serverJvm = new ArrayList<>(List.of("-Xmx512m", "-Djava.rmi.server.hostname=127.0.0.1"));
        List<String> clientJvm = new ArrayList<>(serverJvm);
        if (agent) {
            serverJvm.addAll(List.of("-javaagent:" + jar + "=cluster=" + cluster + ",node=server,log=warn", "-Dzen.stack.dir=" + stackDir));
            clientJvm.addAll(List.of("-javaagent:" + jar + "=cluster=" + cluster + ",node=client,log=warn", "-Dzen.stack.dir=" + stackDir));
        }
        // plain RMI learns only through traffic: one event to every listener per second, failed calls remove
        String fire = agent ? "0" : "1000";
        try (Child s = Child.start("rmi-server", serverJvm, cp, "io.zenmonitor.bench.rmi.RmiServer", List.of("" + port, fire))) {
            s.expect("READY", Duration.ofSeconds(60));
            if (agent) {
                awaitAnswer(s, "members", "MEMBERS", v -> v.contains("server"), Duration.ofSeconds(60));
            }
            try (Child c = Child.start("rmi-client", clientJvm, cp, "io.zenmonitor.bench.rmi.RmiClient", List.of("" + port, "client", "" + n))) {
                c.expect("REGISTERED", Duration.ofSeconds(300));
                if (agent) {
                    awaitAnswer(s, "members", "MEMBERS", v -> v.contains("client"), Duration.ofSeconds(60));
                    awaitAnswer(c, "subs", "SUBS", v -> !v.equals("-") && Long.parseLong(v.trim()) >= n, Duration.ofSeconds(120));
                }
                s.send("kill " + c.pid() + " " + n + " " + timeoutS);
                Map<String, String> r = kv(s.expect("RESULT", Duration.ofSeconds(timeoutS + 30)));
                String k = agent ? "rmi.agent" : "rmi.plain";
                record(k, r);
                long first = Long.parseLong(r.get("firstRemovalMs"));
                long last = Long.parseLong(r.get("lastRemovalMs"));
                long unref = Long.parseLong(r.get("unreferencedMs"));
                row(label, "kill -9 of the client → first / last of its " + fmt(n) + " listeners removed",
                        (first < 0 ? "not within " + timeoutS + " s" : ms(first)) + " / " + (last < 0 ? "not within " + timeoutS + " s" : ms(last))
                                + (agent ? " (agent: removeBoardListener, paced)" : " (failed callbacks: " + r.get("failedCalls") + ")"),
                        "", "", "");
                row(label, "kill -9 → Session.unreferenced()", unref < 0 ? "not within " + timeoutS + " s (default lease 600 s: 5 to 15 min)" : ms(unref),
                        "", "", "");
            }
        }
    }

    private static void awaitAnswer(Child c, String cmd, String key, java.util.function.Predicate<String> ok, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            c.send(cmd);
            last = c.expect(key, Duration.ofSeconds(30)).substring(key.length()).trim();
            if (ok.test(last)) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new IllegalStateException(cmd + ": last answer '" + last + "' after " + atMost + c.tail());
    }

    // ------------------------------------------------------------------------------------------ comparisons

    private void compare() {
        Double zenFirst = values.get("zen.10000.paced.5000.firstMs");
        Double pekkoFirst = values.get("pekko.10000.firstMs");
        if (zenFirst != null && pekkoFirst != null && zenFirst > 0) {
            row("side by side N=10,000", "kill -9 → first down: zen (paced) vs Pekko Terminated", ms(zenFirst.longValue()),
                    "Pekko: " + ms(pekkoFirst.longValue()), ratio(pekkoFirst, zenFirst) + " sooner", "");
            Double zenOffLast = values.get("zen.10000.off.5000.lastMs");
            Double pekkoLast = values.get("pekko.10000.lastMs");
            if (zenOffLast != null && pekkoLast != null) {
                row("side by side N=10,000", "kill -9 → last down: zen (pacing off) vs Pekko", ms(zenOffLast.longValue()),
                        "Pekko: " + ms(pekkoLast.longValue()), ratio(pekkoLast, zenOffLast) + " sooner", "");
            }
            Double zenMax = values.get("zen.10000.paced.5000.stormMaxUs");
            Double pekkoMax = values.get("pekko.10000.stormMaxUs");
            if (zenMax != null && pekkoMax != null) {
                row("side by side N=10,000", "A's worst work latency while the downs arrive: zen (paced) vs Pekko", num(zenMax / 1000) + " ms",
                        "Pekko: " + num(pekkoMax / 1000) + " ms", "", "");
            }
        }
        Double agentUnref = values.get("rmi.agent.unreferencedMs");
        Double plainUnref = values.get("rmi.plain.unreferencedMs");
        Double timeout = values.get("rmi.plain.timeoutS");
        if (agentUnref != null && plainUnref != null && agentUnref > 0) {
            row("side by side RMI", "kill -9 → unreferenced(): agent vs plain RMI", ms(agentUnref.longValue()),
                    plainUnref < 0 ? "plain: > " + timeout.longValue() + " s (lease 600 s)" : "plain: " + ms(plainUnref.longValue()),
                    plainUnref < 0 ? "> " + num(timeout * 1000 / agentUnref) + "× sooner (≥ " + num(300_000 / agentUnref) + "× against the 5 min minimum)"
                            : ratio(plainUnref, agentUnref) + " sooner", "");
        }
    }

    // ------------------------------------------------------------------------------------------ report

    private String report(String argLine, long seconds) {
        StringBuilder b = new StringBuilder();
        var os = ManagementFactory.getOperatingSystemMXBean();
        long memBytes = os instanceof com.sun.management.OperatingSystemMXBean s ? s.getTotalMemorySize() : -1;
        b.append("zen-agent benchmarks, ").append(mode.name().toLowerCase(Locale.ROOT)).append(" run: `./bench/run.sh").append(argLine.isEmpty() ? "" : " " + argLine).append("`\n\n");
        b.append("- date: ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append('\n');
        b.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version"))
                .append(" (").append(System.getProperty("java.vendor")).append(")\n");
        b.append("- machine: ").append(os.getAvailableProcessors()).append(" cores, ")
                .append(memBytes > 0 ? (memBytes >> 20) + " MiB" : "?").append(" memory, ").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.arch")).append("; load average at the end ").append(String.format(Locale.ROOT, "%.2f", os.getSystemLoadAverage()))
                .append(" (other builds share this machine)\n");
        b.append("- took ").append(seconds).append(" s\n\n");
        b.append("| scenario | figure | zen | peer | ratio | target |\n|---|---|---|---|---|---|\n");
        for (String[] r : rows) {
            b.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        for (String n : notes) {
            b.append("\n- ").append(n);
        }
        return b.toString();
    }

    private void row(String scenario, String figure, String zen, String peer, String ratio, String target) {
        rows.add(new String[] {scenario, figure, zen, peer, ratio, target});
        System.out.println("  -> " + scenario + " | " + figure + " | " + zen + " | " + peer + " | " + ratio + " | " + target);
    }

    private static String verdict(boolean ok, String target) {
        return (ok ? "reached: " : "missed: ") + target;
    }

    private static String ratio(double peer, double zen) {
        return zen <= 0 ? "-" : num(peer / zen) + "×";
    }

    private static String num(double v) {
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (Math.abs(v) >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String pct(double f) {
        return String.format(Locale.ROOT, "%.1f %%", f * 100);
    }

    static String fmt(int n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String ms(long ms) {
        return ms < 0 ? "-" : String.format(Locale.ROOT, "%,d ms", ms);
    }

    private static Map<String, String> kv(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String p : line.split(" ")) {
            int eq = p.indexOf('=');
            if (eq > 0) {
                m.put(p.substring(0, eq), p.substring(eq + 1));
            }
        }
        return m;
    }

    private static void progress(String what) {
        System.out.println("== " + what + " (" + java.time.LocalTime.now().withNano(0) + ")");
    }

    private static String cluster(String what) {
        return "zen-bench-" + what + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            return s.getLocalPort();
        }
    }

    /** The RMI peers run with the bench's own classes only (JDK types), so the agent cannot lean on our class path. */
    private static String rmiClassPath() {
        try {
            return Path.of(Board.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code -Dzen.agent.jar} or agent/target/zen-agent.jar under the working directory, or null. */
    private static Path agentJar() {
        String p = System.getProperty("zen.agent.jar");
        for (Path c : p != null ? List.of(Path.of(p)) : List.of(Path.of("agent/target/zen-agent.jar"), Path.of("../agent/target/zen-agent.jar"))) {
            if (Files.isRegularFile(c)) {
                return c.toAbsolutePath().normalize();
            }
        }
        return null;
    }

    private static void deleteTree(Path dir) {
        try (var s = Files.walk(dir)) {
            s.sorted((x, y) -> y.getNameCount() - x.getNameCount()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory
        }
    }
}
