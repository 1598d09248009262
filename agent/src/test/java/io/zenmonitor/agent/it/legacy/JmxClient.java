package io.zenmonitor.agent.it.legacy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerDelegate;
import javax.management.NotificationListener;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A legacy JMX console: connects to a JMX service URL, listens to the MBeanServerDelegate (so a notification
 * fetch is always in flight on the server, as with any JMX console), prints {@code CONNECTED} and waits to be
 * killed.
 *
 * <pre>
 * JmxClient &lt;service URL&gt;
 *
 * commands     notifs -&gt; NOTIFS &lt;notifications received&gt;
 *              attr &lt;ObjectName pattern&gt; &lt;attribute&gt; -&gt; ATTR &lt;value&gt; | ATTR -
 *              quit   exits 0 (without closing the connection)
 * </pre>
 */
public final class JmxClient {

    private static final AtomicLong NOTIFICATIONS = new AtomicLong();
    private static JMXConnector connector;

    private JmxClient() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: JmxClient <service URL>");
            System.exit(2);
        }
        LoopbackServerSocketFactory.useLoopbackHostname();
        connector = JMXConnectorFactory.connect(new JMXServiceURL(args[0]));
        MBeanServerConnection mbsc = connector.getMBeanServerConnection();
        NotificationListener listener = (n, handback) -> NOTIFICATIONS.incrementAndGet();
        mbsc.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, listener, null, null);
        Console.say("CONNECTED " + connector.getConnectionId());

        Map<String, Callable<String>> commands = new LinkedHashMap<>();
        commands.put("notifs", () -> "NOTIFS " + NOTIFICATIONS.get());
        Console.serve(commands);
    }
}
