package io.zenmonitor.agent.it.legacy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The stdin/stdout protocol of the legacy mains: one command per line, one answer line per command
 * ({@code <KEY> <value>}), {@code ERR <command> <problem>} on failure. {@code quit} and the end of stdin (the
 * test JVM went away) exit the JVM with status 0.
 *
 * <p>{@code mbean-register <name>} / {@code mbean-unregister <name>} register and unregister a trivial MBean
 * ({@code MBEAN ...}).
 *
 * <p>Every main also answers {@code attr <ObjectName pattern> <attribute>} with {@code ATTR <value>} (the
 * attribute of the first platform MBean matching the pattern, in name order) or {@code ATTR -} when no MBean
 * matches: a generic JMX read, which lets tests watch whatever a {@code -javaagent} publishes without this
 * application knowing about it.
 */
public final class Console {

    private Console() {
    }

    /** A trivial MBean for the {@code mbean-register} command. */
    public interface ProbeMBean {
        int getValue();
    }

    static final class Probe implements ProbeMBean {
        @Override
        public int getValue() {
            return 42;
        }
    }

    /** Answers commands from stdin until {@code quit} or end of input, then exits the JVM. Never returns. */
    static void serve(Map<String, Callable<String>> commands) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String cmd = line.trim();
                if (cmd.isEmpty()) {
                    continue;
                }
                if (cmd.equals("quit")) {
                    break;
                }
                String answer;
                try {
                    if (cmd.startsWith("attr ")) {
                        answer = attr(cmd.substring(5).trim());
                    } else if (cmd.startsWith("mbean-register ")) {
                        ObjectName n = new ObjectName(cmd.substring(15).trim());
                        ManagementFactory.getPlatformMBeanServer().registerMBean(new javax.management.StandardMBean(new Probe(), ProbeMBean.class), n);
                        answer = "MBEAN registered " + n;
                    } else if (cmd.startsWith("mbean-unregister ")) {
                        ObjectName n = new ObjectName(cmd.substring(17).trim());
                        ManagementFactory.getPlatformMBeanServer().unregisterMBean(n);
                        answer = "MBEAN unregistered " + n;
                    } else {
                        Callable<String> c = commands.get(cmd);
                        answer = c == null ? "ERR " + cmd + " unknown command, known: " + commands.keySet() + " attr quit" : c.call();
                    }
                } catch (Exception e) {
                    answer = "ERR " + cmd + " " + e;
                }
                System.out.println(answer);
                System.out.flush();
            }
        } catch (Exception e) {
            System.err.println("console: " + e);
        }
        System.out.flush();
        System.exit(0);
    }

    public static String attr(String args) throws Exception {
        int space = args.lastIndexOf(' ');
        if (space < 0) {
            return "ERR attr usage: attr <ObjectName pattern> <attribute>";
        }
        ObjectName pattern = new ObjectName(args.substring(0, space).trim());
        String attribute = args.substring(space + 1).trim();
        MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> names = mbs.queryNames(pattern, null);
        if (names.isEmpty()) {
            return "ATTR -";
        }
        ObjectName first = names.stream().sorted().findFirst().orElseThrow();
        Object value = mbs.getAttribute(first, attribute);
        String text = value instanceof Object[] array ? java.util.Arrays.toString(array) : String.valueOf(value);
        return "ATTR " + text.replace('\n', ' ');
    }

    /** Prints one protocol line. */
    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
