package io.zenmonitor.demo.harness;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The demo's settings, from {@code ./demo/run.sh} options. {@link #parse} reports every problem together and
 * names the option, the value given and what is allowed.
 */
public record Options(
        int nodes,
        int sessions,
        int rate,
        int paceAmount,
        int unpacedAmount,
        long durationMillis,
        long broadcastMillis,
        List<Scenario> scenarios,
        Path out,
        Path agentJar,
        Path classPath,
        boolean quiet) {

    public static final String USAGE = String.join("\n",
            "usage: ./demo/run.sh [options]",
            "",
            "Runs a chat cluster on plain RMI (a guild node, session nodes, a load client; all on 127.0.0.1), kills one",
            "session node with kill -9, later stops another with SIGTERM, and writes demo/target/report/ (CSV + HTML).",
            "By default it runs three scenarios one after the other: agent-paced, agent-unpaced and no-agent.",
            "",
            "  --nodes N          session node JVMs (default 3, at least 2: one is killed, one is stopped)",
            "  --sessions N       sessions per session node (default 1000)",
            "  --rate N           guild post() calls per second from the load client (default 200)",
            "  --pacing on|off|both   with the agent: paced (zen.demand.amount=--pace per 100 ms), unpaced",
            "                     (zen.demand.amount=--unpaced-amount), or both (default both)",
            "  --pace N           demand.amount of the paced run (default 20: one removal here holds the guild's lock",
            "                     for about 1.5 ms; the agent's own default is 1000)",
            "  --unpaced-amount N demand.amount of the unpaced run (default 1000000)",
            "  --no-agent         run only the scenario without the agent (the report keeps earlier scenarios' CSVs)",
            "  --scenarios LIST   comma-separated, from agent-paced,agent-unpaced,no-agent (default: all three)",
            "  --duration S       recorded seconds per scenario (default 30): kill -9 at 15%, SIGTERM at 60%",
            "  --broadcast-ms N   the guild's broadcast interval (default 2000)",
            "  --out DIR          report directory (default demo/target/report)",
            "  --quiet            print only the summary",
            "  -h, --help         this text",
            "",
            "Every process the demo starts is stopped at its end, on Ctrl-C too.");

    /** The three runs the page compares. */
    public enum Scenario {
        AGENT_PACED("agent-paced", true),
        AGENT_UNPACED("agent-unpaced", true),
        NO_AGENT("no-agent", false);

        public final String label;
        public final boolean agent;

        Scenario(String label, boolean agent) {
            this.label = label;
            this.agent = agent;
        }

        static Scenario of(String label) {
            for (Scenario s : values()) {
                if (s.label.equals(label)) {
                    return s;
                }
            }
            return null;
        }
    }

    /** When the session node is killed, relative to the start of recording. */
    public long killAtMillis() {
        return Math.max(1000, Math.min(5000, durationMillis * 15 / 100));
    }

    /** When the second session node gets SIGTERM. */
    public long termAtMillis() {
        return durationMillis * 60 / 100;
    }

    /** The agent's demand.amount for a scenario. */
    public int demandAmount(Scenario s) {
        return s == Scenario.AGENT_UNPACED ? unpacedAmount : paceAmount;
    }

    /** Parses {@code args}; throws {@link IllegalArgumentException} listing every problem. */
    public static Options parse(String[] args, Path repo) {
        int nodes = 3;
        int sessions = 1000;
        int rate = 200;
        int pace = 20;
        int unpaced = 1_000_000;
        long duration = 30_000;
        long broadcast = 2000;
        String pacing = "both";
        boolean noAgent = false;
        String scenarios = null;
        Path out = repo.resolve("demo/target/report");
        Path agentJar = repo.resolve("agent/target/zen-agent.jar");
        Path classPath = null;
        boolean quiet = false;
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--nodes" -> { nodes = integer(problems, a, v, 2, 16); i++; }
                case "--sessions" -> { sessions = integer(problems, a, v, 1, 100_000); i++; }
                case "--rate" -> { rate = integer(problems, a, v, 1, 5000); i++; }
                case "--pace" -> { pace = integer(problems, a, v, 1, 1_000_000); i++; }
                case "--unpaced-amount" -> { unpaced = integer(problems, a, v, 1, 1_000_000); i++; }
                case "--duration" -> { duration = 1000L * integer(problems, a, v, 6, 600); i++; }
                case "--broadcast-ms" -> { broadcast = integer(problems, a, v, 50, 60_000); i++; }
                case "--pacing" -> {
                    if (v == null || !Set.of("on", "off", "both").contains(v)) {
                        problems.add("--pacing was " + quote(v) + "; must be on, off or both");
                    } else {
                        pacing = v;
                    }
                    i++;
                }
                case "--no-agent" -> noAgent = true;
                case "--scenarios" -> { scenarios = v; i++; }
                case "--out" -> { if (v == null) { problems.add("--out needs a directory"); } else { out = Path.of(v); } i++; }
                case "--agent-jar" -> { if (v == null) { problems.add("--agent-jar needs a path"); } else { agentJar = Path.of(v); } i++; }
                case "--classpath" -> { if (v == null) { problems.add("--classpath needs a path"); } else { classPath = Path.of(v); } i++; }
                case "--quiet" -> quiet = true;
                default -> problems.add("unknown option " + quote(a) + " (see --help)");
            }
        }
        Set<Scenario> chosen = new LinkedHashSet<>();
        if (scenarios != null) {
            for (String s : scenarios.split(",")) {
                Scenario sc = Scenario.of(s.trim());
                if (sc == null) {
                    problems.add("--scenarios had " + quote(s.trim()) + "; must be agent-paced, agent-unpaced or no-agent");
                } else {
                    chosen.add(sc);
                }
            }
        } else if (noAgent) {
            chosen.add(Scenario.NO_AGENT);
        } else {
            if (!pacing.equals("off")) {
                chosen.add(Scenario.AGENT_PACED);
            }
            if (!pacing.equals("on")) {
                chosen.add(Scenario.AGENT_UNPACED);
            }
            chosen.add(Scenario.NO_AGENT);
        }
        if (chosen.isEmpty() && problems.isEmpty()) {
            problems.add("no scenario to run");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("demo: " + String.join("\ndemo: ", problems));
        }
        if (classPath == null) {
            classPath = Path.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator)[0]);
        }
        return new Options(nodes, sessions, rate, pace, unpaced, duration, broadcast, List.copyOf(chosen),
                out.toAbsolutePath().normalize(), agentJar.toAbsolutePath().normalize(), classPath.toAbsolutePath(), quiet);
    }

    private static int integer(List<String> problems, String option, String v, int min, int max) {
        try {
            int n = Integer.parseInt(v == null ? "" : v.replace("_", ""));
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(option + " was " + quote(v) + "; must be an integer from " + min + " to " + max);
        return min;
    }

    private static String quote(String v) {
        return v == null ? "missing" : "\"" + v + "\"";
    }
}
