package io.zenmonitor.agent.it.legacy;

import java.lang.management.ManagementFactory;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.UnicastRemoteObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;

/**
 * The legacy server: exports a {@link Board}, binds it as {@value #BINDING} in an RMI registry it creates on
 * 127.0.0.1, optionally starts a JMX connector server, prints {@code READY <registryPort>} and answers stdin
 * commands (see {@link Console}).
 *
 * <pre>
 * BoardServer &lt;registryPort&gt; [jmx]
 *
 *   jmx        also start a JMX RMI connector server, bound as "jmxrmi" in the same registry:
 *              service:jmx:rmi:///jndi/rmi://127.0.0.1:&lt;registryPort&gt;/jmxrmi (prints "JMX &lt;url&gt;" first).
 *              jmx.remote.x.server.connection.timeout is left at its default (2 minutes).
 *
 * commands     count     -&gt; COUNT &lt;registered listeners&gt;
 *              unref     -&gt; UNREF &lt;Session.unreferenced() calls so far&gt;
 *              jmxconns  -&gt; JMXCONNS &lt;open JMX connections&gt;    (JMXConnectorServer.getConnectionIds())
 *              broadcast -&gt; BROADCAST &lt;successful listener calls&gt;
 *              tickers   -&gt; TICKERS &lt;notification listeners on the Ticker MBean&gt;
 *              tick      -&gt; TICK &lt;notifications forwarded successfully&gt;
 *              attr &lt;ObjectName pattern&gt; &lt;attribute&gt; -&gt; ATTR &lt;value&gt; | ATTR -
 *              quit      exits 0
 * </pre>
 *
 * The DGC lease is RMI's default (10 minutes) unless the command line sets {@code -Djava.rmi.dgc.leaseValue}.
 */
public final class BoardServer {

    public static final String BINDING = "board";

    private BoardServer() {
    }

    /** The JMX service URL of a BoardServer started with {@code jmx} on {@code registryPort}. */
    public static String jmxUrl(int registryPort) {
        return "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + registryPort + "/jmxrmi";
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: BoardServer <registryPort> [jmx]");
            System.exit(2);
        }
        LoopbackServerSocketFactory.useLoopbackHostname();
        int port = Integer.parseInt(args[0]);
        boolean jmx = args.length > 1 && args[1].equals("jmx");

        Ticker ticker = new Ticker();
        ManagementFactory.getPlatformMBeanServer().registerMBean(ticker, Ticker.NAME);
        BoardImpl board = new BoardImpl();
        Board stub = (Board) UnicastRemoteObject.exportObject(board, 0, null, LoopbackServerSocketFactory.INSTANCE);
        Registry registry = LocateRegistry.createRegistry(port, null, LoopbackServerSocketFactory.INSTANCE);
        registry.rebind(BINDING, stub);

        JMXConnectorServer connector = null;
        if (jmx) {
            Map<String, Object> env = new HashMap<>();
            env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, LoopbackServerSocketFactory.INSTANCE);
            connector = JMXConnectorServerFactory.newJMXConnectorServer(
                    new JMXServiceURL(jmxUrl(port)), env, ManagementFactory.getPlatformMBeanServer());
            connector.start();
            Console.say("JMX " + jmxUrl(port));
        }
        Console.say("READY " + port);

        JMXConnectorServer jmxServer = connector;
        AtomicInteger broadcasts = new AtomicInteger();
        Map<String, Callable<String>> commands = new LinkedHashMap<>();
        commands.put("count", () -> "COUNT " + board.listenerCount());
        commands.put("unref", () -> "UNREF " + SessionImpl.UNREFERENCED.get());
        commands.put("jmxconns", () -> jmxServer == null
                ? "ERR jmxconns no JMX connector (start with 'jmx')"
                : "JMXCONNS " + jmxServer.getConnectionIds().length);
        commands.put("tickers", () -> "TICKERS " + ticker.getListenerCount());
        commands.put("tick", () -> {
            long before = TickerForward.DELIVERED.get();
            ticker.tick();
            return "TICK " + (TickerForward.DELIVERED.get() - before);
        });
        commands.put("broadcast", () -> "BROADCAST " + board.broadcast("message-" + broadcasts.incrementAndGet()));
        Console.serve(commands);
    }
}
