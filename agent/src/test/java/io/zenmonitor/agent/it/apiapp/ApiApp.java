package io.zenmonitor.agent.it.apiapp;

import io.zenmonitor.DownReason;
import io.zenmonitor.Target;
import io.zenmonitor.ZenConfig;
import io.zenmonitor.ZenMonitor;
import io.zenmonitor.ZenNode;
import io.zenmonitor.agent.it.legacy.Console;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * An application that uses zen's API directly and ships no zen jar: its class path holds only its own
 * classes, so every {@code io.zenmonitor} type must come from {@code -javaagent:zen-agent.jar}. Prints
 * {@code READY <node>} once the agent's node is there, then answers stdin commands:
 *
 * <pre>
 *   attr P A            -&gt; ATTR &lt;value&gt; (a generic JMX read, as in the legacy mains)
 *   loader              -&gt; LOADER &lt;ZenNode's class loader name&gt; jgroups=&lt;visible|hidden&gt;
 *   monitor-node N      -&gt; MONITOR &lt;ref id&gt;; later, once: DOWN &lt;kind&gt; &lt;detail&gt;
 *   alive NAME          -&gt; ALIVE ok        (NAME, a bare name, is alive on this node)
 *   died NAME           -&gt; DIED ok         (NAME died: EXIT with an IllegalStateException "bye")
 *   start-node C N DIR  -&gt; NODE2 &lt;members&gt; (starts and closes a second node through ZenNode.start)
 * </pre>
 */
public final class ApiApp {

    private ApiApp() {
    }

    public static void main(String[] args) throws Exception {
        ZenNode node = ZenMonitor.awaitNode(Duration.ofSeconds(60));
        say("READY " + node.name());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] w = line.trim().split("\\s+");
                try {
                    switch (w[0]) {
                        case "loader" -> say("LOADER " + (ZenNode.class.getClassLoader() == null ? "bootstrap" : ZenNode.class.getClassLoader().getName()) + " jgroups=" + visible("org.jgroups.JChannel"));
                        case "monitor-node" -> say("MONITOR " + ZenMonitor.node().monitorNode(w[1],
                                d -> say("DOWN " + d.reason().kind() + " " + d.reason().detail())).id());
                        case "alive" -> {
                            ZenMonitor.node().alive(Target.named(w[1]));
                            say("ALIVE ok");
                        }
                        case "died" -> {
                            ZenMonitor.node().died(Target.named(w[1]), DownReason.Kind.EXIT, new IllegalStateException("bye"));
                            say("DIED ok");
                        }
                        case "start-node" -> {
                            try (ZenNode second = ZenNode.start(ZenConfig.defaults().cluster(w[1]).node(w[2]).stackValue("stack.dir", w[3]))) {
                                say("NODE2 " + second.members());
                            }
                        }
                        case "attr" -> say(Console.attr(line.trim().substring(5).trim()));
                        case "quit" -> System.exit(0);
                        default -> say("ERR " + line + " unknown command");
                    }
                } catch (Exception e) {
                    say("ERR " + line + " " + e);
                }
            }
        }
        System.exit(0);
    }

    private static String visible(String cls) {
        try {
            Class.forName(cls, false, ApiApp.class.getClassLoader());
            return "visible";
        } catch (ClassNotFoundException e) {
            return "hidden";
        }
    }

    static synchronized void say(String s) {
        System.out.println(s);
        System.out.flush();
    }
}
