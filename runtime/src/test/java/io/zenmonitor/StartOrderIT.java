package io.zenmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * No false deaths, whatever the start order: real JVMs on the loopback stack, an owner exporting an RMI
 * object (advertised endpoint, alive on its Proxy) and watchers monitoring it as soon as they can. For each
 * order the test proves the monitor established end to end (the owner's Proxy holds the subscription) and
 * only then checks that no down arrived, so a down that comes late is still seen; then kill -9 of the owner
 * must give exactly one NODEDOWN per monitor.
 */
@Tag("multi-jvm")
class StartOrderIT {

    static final Duration START = Duration.ofSeconds(60);
    static final Duration DETECT = Duration.ofSeconds(30);

    private final Path jdk = Path.of(System.getProperty("java.home"));
    private final List<ChildJvm> children = new ArrayList<>();
    private String cluster;

    @BeforeEach
    void cluster() {
        cluster = "zen-order-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 1_000_000;
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (ChildJvm c : children) {
            c.close();
        }
    }

    @Test
    void ownerFirst_watcherJoinsLater_monitorsAtOnce() throws Exception {
        ChildJvm owner = ready(start("owner"));
        String target = export(owner);
        ChildJvm watcher = ready(start("watcher"));
        watch(watcher, target);
        established(owner, 1);
        noDowns(watcher);
        assertThat(ask(watcher, "watch " + target, "WATCHING")).isEqualTo("WATCHING owner");
        killAndExpectNodedown(owner, watcher, 2);
    }

    @Test
    void ownerLast_exportsAfterWatcherJoined() throws Exception {
        ChildJvm watcher = ready(start("watcher"));
        ChildJvm owner = ready(start("owner"));
        String target = export(owner);
        watch(watcher, target);
        established(owner, 1);
        noDowns(watcher);
        killAndExpectNodedown(owner, watcher, 1);
    }

    @Test
    void twoWatchersJoiningTogether_bothMonitorAtOnce() throws Exception {
        ChildJvm owner = ready(start("owner"));
        String target = export(owner);
        ChildJvm w1 = start("w1");
        ChildJvm w2 = start("w2");
        ready(w1);
        ready(w2);
        watch(w1, target);
        watch(w2, target);
        established(owner, 2);
        noDowns(w1);
        noDowns(w2);
        owner.kill();
        expectDowns(w1, "DOWNS 1 NODEDOWN=1");
        expectDowns(w2, "DOWNS 1 NODEDOWN=1");
    }

    @Test
    void ownerRestartedUnderTheSameName_newObjectMonitoredWhileTheOldIncarnationIsStillInTheView() throws Exception {
        ChildJvm watcher = ready(start("watcher"));
        ChildJvm first = ready(start("owner"));
        String old = export(first);
        watch(watcher, old);
        established(first, 1);
        first.kill();
        // restart at once: the new incarnation joins before failure detection removes the old one
        ChildJvm second = ready(start("owner"));
        String fresh = export(second);
        watch(watcher, fresh);
        expectDowns(watcher, "DOWNS 1 NODEDOWN=1"); // the old object, and only it
        await().atMost(DETECT).until(() -> ask(watcher, "members", "MEMBERS").equals("MEMBERS [watcher, owner]"));
        established(second, 1);
        expectDowns(watcher, "DOWNS 1 NODEDOWN=1");
        killAndExpectNodedown(second, watcher, 2);
    }

    @Test
    void watcherRestartedUnderTheSameName_monitorsAgain() throws Exception {
        ChildJvm owner = ready(start("owner"));
        String target = export(owner);
        ChildJvm first = ready(start("watcher"));
        watch(first, target);
        established(owner, 1);
        first.kill();
        ChildJvm second = ready(start("watcher"));
        watch(second, target);
        await().atMost(DETECT).until(() -> ask(owner, "members", "MEMBERS").equals("MEMBERS [owner, watcher]"));
        established(owner, 1); // the killed incarnation's subscription went with it
        noDowns(second);
        killAndExpectNodedown(owner, second, 1);
    }

    @Test
    void coordinatorKilledWhileAWatcherJoins() throws Exception {
        ChildJvm coordinator = ready(start("coordinator"));
        ChildJvm owner = ready(start("owner"));
        String target = export(owner);
        ChildJvm watcher = start("watcher");
        coordinator.kill();
        ready(watcher);
        watch(watcher, target);
        await().atMost(DETECT).until(() -> ask(watcher, "members", "MEMBERS").equals("MEMBERS [owner, watcher]"));
        established(owner, 1);
        noDowns(watcher);
        killAndExpectNodedown(owner, watcher, 1);
    }

    @Test
    void mergeAfterAPartition_newMonitorsHold() throws Exception {
        ChildJvm owner = ready(start("owner"));
        String before = export(owner);
        ChildJvm watcher = ready(start("watcher"));
        watch(watcher, before);
        established(owner, 1);
        // a partition on one machine: the owner stops answering (SIGSTOP) until FD_ALL3 excludes it
        signal("STOP", owner.pid());
        try {
            expectDowns(watcher, "DOWNS 1 NODEDOWN=1"); // a verdict holds for the incarnation (documented)
        } finally {
            signal("CONT", owner.pid());
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> ask(watcher, "members", "MEMBERS").equals("MEMBERS [owner, watcher]")
                || ask(watcher, "members", "MEMBERS").equals("MEMBERS [watcher, owner]"));
        String after = export(owner);
        watch(watcher, after);
        established(owner, 1);
        expectDowns(watcher, "DOWNS 1 NODEDOWN=1");
        killAndExpectNodedown(owner, watcher, 2);
    }

    // ------------------------------------------------------------------ helpers

    private ChildJvm start(String name) throws IOException {
        ChildJvm c = ChildJvm.start(jdk, cluster, name, "loopback", 0, List.of("-Djava.rmi.server.hostname=127.0.0.1"));
        children.add(c);
        return c;
    }

    private static ChildJvm ready(ChildJvm c) throws InterruptedException {
        c.expect("READY", START);
        return c;
    }

    /** Exports an object on {@code owner}; returns the six fields that name it. */
    private static String export(ChildJvm owner) throws Exception {
        return ask(owner, "export", "EXPORTED").substring("EXPORTED ".length());
    }

    private static void watch(ChildJvm watcher, String target) throws Exception {
        ask(watcher, "watch " + target, "WATCHING");
    }

    /** The owner's Proxy holds at least {@code n} subscriptions: the monitors reached it. */
    private void established(ChildJvm owner, int n) {
        try {
            await().atMost(DETECT).pollInterval(Duration.ofMillis(250)).alias("subscriptions reach the owner").until(() -> {
                String s = ask(owner, "subs", "SUBS");
                return Integer.parseInt(s.substring(5)) >= n;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // the children's own lines (warnings, exports), without the answers to the polls that flood them
            StringBuilder out = new StringBuilder();
            for (ChildJvm c : children) {
                List<String> lines = c.output().stream().filter(l -> !l.matches("(SUBS|MEMBERS|DOWNS) .*")).toList();
                out.append("\n--- child pid ").append(c.pid()).append(", last 40 lines\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            }
            throw new AssertionError(e.getMessage() + out, e);
        }
    }

    private static void noDowns(ChildJvm watcher) throws Exception {
        assertThat(ask(watcher, "downs", "DOWNS")).as("downs of %s; %s", watcher.pid(), ask(watcher, "reasons", "REASONS"))
                .isEqualTo("DOWNS 0");
    }

    private static void expectDowns(ChildJvm watcher, String expected) {
        await().atMost(DETECT).pollInterval(Duration.ofMillis(250)).until(() -> ask(watcher, "downs", "DOWNS").equals(expected));
    }

    private void killAndExpectNodedown(ChildJvm owner, ChildJvm watcher, int monitors) throws Exception {
        long t0 = System.nanoTime();
        owner.kill();
        expectDowns(watcher, "DOWNS " + monitors + " NODEDOWN=" + monitors);
        System.out.printf("[measured] %s: kill -9 of the owner -> NODEDOWN in %d ms%n", cluster,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    private static String ask(ChildJvm c, String command, String prefix) throws Exception {
        synchronized (c) {
            c.send(command);
            return c.expect(prefix, Duration.ofSeconds(20));
        }
    }

    private static void signal(String sig, long pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
}
