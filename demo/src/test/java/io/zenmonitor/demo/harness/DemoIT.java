package io.zenmonitor.demo.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A small run of the demo (3 session nodes of 250 sessions, 10 s recorded per scenario) with and without the
 * agent, through the same harness {@code ./demo/run.sh} uses: the report's numbers must show the effect (the
 * killed and the stopped node's registrations and sessions removed with the agent, at the configured pace;
 * all kept without it), the page and CSVs must be written, and no process may be left behind.
 */
@Tag("multi-jvm")
class DemoIT {

    static final int SESSIONS = 250;
    static final int PACE = 50;

    @AfterEach
    void noProcessLeft() {
        Child.killAll();
    }

    @Test
    void smallDemo_agentRemovesDeadNodesRegistrationsPaced_plainRmiKeepsThem() throws Exception {
        Path out = Path.of("target", "demo-it-report").toAbsolutePath();
        String[] args = {
            "--nodes", "3", "--sessions", String.valueOf(SESSIONS), "--rate", "100", "--duration", "10",
            "--pace", String.valueOf(PACE), "--scenarios", "agent-paced,no-agent", "--out", out.toString(),
            "--agent-jar", System.getProperty("zen.agent.jar", "../agent/target/zen-agent.jar"),
            "--classpath", System.getProperty("zen.demo.classpath", "target/classes")};
        List<String> progress = new ArrayList<>();
        Demo.Result result = Demo.run(Options.parse(args, Path.of("..")), line -> {
            synchronized (progress) {
                progress.add(line);
            }
        });

        // nothing left: every child reaped, no descendant of this JVM alive
        assertThat(Child.ALL).as("children not reaped").isEmpty();
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::info).toList())
                .as("processes left behind").isEmpty();

        Map<String, Summary> s = new java.util.HashMap<>();
        for (Timeline t : result.timelines()) {
            s.put(t.scenario, Summary.of(t));
        }
        assertThat(s).as("scenarios on the page; progress:\n" + String.join("\n", progress)).containsKeys("agent-paced", "no-agent");

        Summary agent = s.get("agent-paced");
        assertThat(agent.registrationsBefore()).as("registrations before the kill").isEqualTo(3 * SESSIONS);
        assertThat(agent.killRemoved()).as("node-1's registrations removed after kill -9 (agent)").isEqualTo(SESSIONS);
        assertThat(agent.killUnreferenced()).as("node-1's sessions ended by Unreferenced (agent, fast DGC)").isEqualTo(SESSIONS);
        assertThat(agent.termRemoved()).as("node-2's registrations removed after SIGTERM (agent)").isEqualTo(SESSIONS);
        assertThat(agent.registrationsEnd()).as("registrations left: node-3's").isEqualTo(SESSIONS);
        assertThat(agent.unreferencedEnd()).isEqualTo(2 * SESSIONS);

        Summary plain = s.get("no-agent");
        assertThat(plain.registrationsBefore()).isEqualTo(3 * SESSIONS);
        assertThat(plain.killRemoved()).as("registrations removed without the agent").isZero();
        assertThat(plain.termRemoved()).isZero();
        assertThat(plain.registrationsEnd()).as("registrations kept without the agent").isEqualTo(3 * SESSIONS);
        assertThat(plain.unreferencedEnd()).as("sessions ended within the run without the agent (10 min lease)").isZero();
        assertThat(plain.failedDeliveries()).as("broadcasts keep calling the dead members").isPositive();

        // paced: no span of the timeline saw more removals than the pace allows (+ 3 ticks of sampling slack)
        Timeline paced = result.timelines().stream().filter(t -> t.scenario.equals("agent-paced")).findFirst().orElseThrow();
        List<long[]> points = new ArrayList<>();
        paced.rows.forEach((k, r) -> {
            if (r.values[Timeline.CLEANUPS] >= 0) {
                points.add(new long[] {k * Timeline.STEP_MILLIS, r.values[Timeline.CLEANUPS]});
            }
        });
        for (int i = 0; i < points.size(); i++) {
            for (int j = i + 1; j < points.size(); j++) {
                long span = points.get(j)[0] - points.get(i)[0];
                long removed = points.get(j)[1] - points.get(i)[1];
                assertThat(removed).as("removals between t=%d ms and t=%d ms", points.get(i)[0], points.get(j)[0])
                        .isLessThanOrEqualTo(PACE * (span / Timeline.STEP_MILLIS + 3));
            }
        }

        // the report: CSVs with every column, the page with both scenarios and its charts
        for (String scenario : List.of("agent-paced", "no-agent")) {
            List<String> csv = Files.readAllLines(Timeline.csv(out, scenario), StandardCharsets.UTF_8);
            assertThat(csv.get(0)).isEqualTo(String.join(",", Timeline.COLUMNS));
            assertThat(csv.size()).as("rows of 100 ms in 10 s").isGreaterThan(50);
        }
        String page = Files.readString(result.page(), StandardCharsets.UTF_8);
        assertThat(page).contains("agent-paced", "no-agent", "<svg", "kill -9 node-1", "SIGTERM node-2").doesNotContain("http://", "https://", "<script");
        assertThat(result.summary()).hasSize(5);
        assertThat(result.summary().get(4)).isEqualTo("report: " + result.page());
    }
}
