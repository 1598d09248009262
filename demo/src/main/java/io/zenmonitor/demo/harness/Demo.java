package io.zenmonitor.demo.harness;

import io.zenmonitor.demo.harness.Options.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The demo's harness, run by {@code ./demo/run.sh}: runs each chosen {@link Scenario} of the chat cluster
 * ({@link ScenarioRun}), writes its timeline, then the report page over every scenario's timeline found in the
 * report directory (so {@code --no-agent} alone adds to the page an earlier run made), and prints a five-line
 * summary ending with the page's path.
 *
 * <p>The harness itself runs without the agent and links to no zen class: it reads the guild over JMX.
 */
public final class Demo {

    /** What a run produced: the timelines shown on the page, the page, and the printed summary. */
    public record Result(List<Timeline> timelines, Path page, List<String> summary) {
    }

    private Demo() {
    }

    public static void main(String[] args) {
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help")) {
                System.out.println(Options.USAGE);
                return;
            }
        }
        Options options;
        try {
            options = Options.parse(args, Path.of(System.getProperty("zen.demo.repo", ".")));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("demo: see ./demo/run.sh --help");
            System.exit(2);
            return;
        }
        try {
            Result r = run(options, options.quiet() ? line -> { } : System.out::println);
            r.summary().forEach(System.out::println);
        } catch (Exception e) {
            System.err.println("demo: failed: " + e.getMessage());
            System.exit(1);
        } finally {
            Child.killAll();
        }
        System.exit(0);
    }

    /** Runs the scenarios of {@code options}; every process started is gone when this returns or throws. */
    public static Result run(Options options, Consumer<String> progress) throws Exception {
        if (options.scenarios().stream().anyMatch(s -> s.agent) && !Files.isRegularFile(options.agentJar())) {
            throw new IllegalStateException("the agent jar is missing: " + options.agentJar() + " (build it: mvn -B -DskipTests package)");
        }
        Files.createDirectories(options.out());
        for (Scenario s : options.scenarios()) {
            Files.deleteIfExists(Timeline.csv(options.out(), s.label));
            Files.deleteIfExists(Timeline.properties(options.out(), s.label));
        }
        for (Scenario s : options.scenarios()) {
            long t = System.nanoTime();
            Timeline timeline;
            try {
                timeline = new ScenarioRun(options, s, progress).run();
            } finally {
                Child.killAll();
            }
            timeline.write(options.out());
            progress.accept("[" + s.label + "] done in " + (System.nanoTime() - t) / 1_000_000_000 + " s; every process stopped");
        }
        List<Timeline> shown = new ArrayList<>();
        for (Scenario s : Scenario.values()) {
            Timeline t = Timeline.read(options.out(), s.label);
            if (t != null) {
                shown.add(t);
            }
        }
        Path page = Report.write(options.out(), shown);
        return new Result(shown, page, summary(options, shown, page));
    }

    static List<String> summary(Options o, List<Timeline> shown, Path page) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("zen-agent demo: %d session nodes x %d sessions, %d post()/s; kill -9 node-1 at %.1f s, SIGTERM node-2 at %.1f s",
                o.nodes(), o.sessions(), o.rate(), o.killAtMillis() / 1000.0, o.termAtMillis() / 1000.0));
        for (Scenario s : Scenario.values()) {
            Timeline t = shown.stream().filter(x -> x.scenario.equals(s.label)).findFirst().orElse(null);
            lines.add(t == null ? String.format("%-13s not run (./demo/run.sh --scenarios %s)", s.label, s.label) : Summary.of(t).line());
        }
        lines.add("report: " + page);
        return lines;
    }
}
