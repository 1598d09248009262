package io.zenmonitor.agent.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;

/**
 * What the tests know about the agent, as strings only (no zen class is imported anywhere in the tests): its
 * option syntax, and the node MBean {@value #MBEAN} the runtime registers in the platform MBean server, which
 * the tests read through the legacy mains' generic {@code attr} command. Plus unique names, free ports and the
 * one way the tests wait ({@link #waiting}).
 */
public final class Zen {

    /** The runtime's node MBean ({@code io.zenmonitor:type=ZenMonitor,node=<name>}). */
    public static final String MBEAN = "io.zenmonitor:type=ZenMonitor,*";

    /** How long a child may take to start (JVM, agent, RMI exports). */
    public static final Duration START = Duration.ofSeconds(60);

    /** How long a cluster may take to form (JGroups join, discovery through files). */
    public static final Duration JOIN = Duration.ofSeconds(60);

    private static final AtomicInteger SEQ = new AtomicInteger();

    private Zen() {
    }

    /** A cluster name no other test, build or user on this machine uses. */
    public static String uniqueCluster(String test) {
        return "zen-it-" + test + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + "-" + SEQ.incrementAndGet();
    }

    /** Agent arguments {@code cluster=<c>,node=<n>,<extra>...}. */
    public static String args(String cluster, String node, String... extra) {
        return Stream.concat(Stream.of("cluster=" + cluster, "node=" + node), Arrays.stream(extra)).collect(Collectors.joining(","));
    }

    /**
     * Adds the agent with {@code args} to {@code b}, and keeps the loopback stack's discovery files in
     * {@code stackDir} (a per-test temporary directory) instead of java.io.tmpdir.
     */
    public static Jvm.Builder withAgent(Jvm.Builder b, String args, Path stackDir) {
        return b.agent(AgentJar.path(), args).sysProp("zen.stack.dir", stackDir.toString());
    }

    /** A TCP port free on 127.0.0.1 right now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError("no free port on 127.0.0.1", e);
        }
    }

    /**
     * Awaitility as every test uses it: conditions are evaluated in the test thread (one command at a time per
     * child, no abandoned evaluations), first at once, then every 100 ms.
     */
    public static ConditionFactory waiting(String alias) {
        return await(alias).pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100));
    }

    /** The node names in the child's zen MBean {@code Members}, or empty when the MBean is not (yet) there. */
    public static Optional<List<String>> members(Jvm jvm) {
        return jvm.attr(MBEAN, "Members").map(v -> {
            String s = v.trim();
            if (s.startsWith("[") && s.endsWith("]")) {
                s = s.substring(1, s.length() - 1);
            }
            return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).collect(Collectors.toList());
        });
    }

    /** A numeric attribute of the child's zen MBean, or -1 when the MBean is not (yet) there. */
    public static long number(Jvm jvm, String attribute) {
        return jvm.attr(MBEAN, attribute).map(v -> Long.parseLong(v.trim())).orElse(-1L);
    }

    /** Waits until every JVM's agent node sees every name in {@code nodes} in its view. */
    public static void awaitMembers(List<Jvm> jvms, String... nodes) {
        for (Jvm jvm : jvms) {
            String what = jvm.name() + " sees " + Arrays.toString(nodes) + " in its view (zen MBean " + MBEAN + " Members)";
            try {
                waiting(what)
                        .atMost(JOIN)
                        .failFast(jvm.name() + " died", () -> !jvm.isAlive())
                        .until(() -> members(jvm).map(m -> m.containsAll(Arrays.asList(nodes))).orElse(false));
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(what + ": not within " + JOIN + "; Members now: "
                        + (jvm.isAlive() ? members(jvm).map(Object::toString).orElse("no zen MBean: did the agent start?") : "-")
                        + jvm.tail(), e);
            }
        }
    }

    /** Waits until the numeric attribute of {@code jvm}'s zen MBean is at least {@code min}. */
    public static void awaitAtLeast(Jvm jvm, String attribute, long min, Duration atMost) {
        String what = jvm.name() + ": zen MBean " + MBEAN + " " + attribute + " >= " + min;
        try {
            waiting(what)
                    .atMost(atMost)
                    .failFast(jvm.name() + " died", () -> !jvm.isAlive())
                    .until(() -> number(jvm, attribute) >= min);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(what + ": not within " + atMost + "; now "
                    + (jvm.isAlive() ? number(jvm, attribute) : "-") + jvm.tail(), e);
        }
    }

    /**
     * Waits until an in-test node sees {@code nodes} in its own view. Views install on each member at
     * slightly different moments: a monitor created before this node's view has the target's node fires
     * {@code NODEDOWN :unavailable} at once.
     */
    public static void awaitView(io.zenmonitor.ZenNode node, String... nodes) {
        waiting(node.name() + " sees " + Arrays.toString(nodes) + " in its view").atMost(JOIN)
                .until(() -> node.members().containsAll(Arrays.asList(nodes)));
    }
}
