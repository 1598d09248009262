package io.zenmonitor.demo.chat;

import java.lang.management.ManagementFactory;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.UnicastRemoteObject;
import java.util.concurrent.CountDownLatch;
import javax.management.ObjectName;

/**
 * The guild node: exports a {@link GuildImpl}, binds it as {@value #BINDING} in an RMI registry it creates on
 * 127.0.0.1, publishes its counters as {@value GuildStats#NAME}, broadcasts to its members every interval, and
 * prints {@code READY <registryPort>}. It exits when its stdin ends.
 *
 * <pre>
 * GuildServer &lt;registryPort&gt; [broadcastMillis (1000)] [fanOutThreads (4)]
 * </pre>
 */
public final class GuildServer {

    public static final String BINDING = "guild";

    private GuildServer() {
    }

    public static void main(String[] args) {
        Mains.run(args, 1, "GuildServer <registryPort> [broadcastMillis] [fanOutThreads]", GuildServer::serve);
    }

    private static void serve(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long broadcastMillis = args.length > 1 ? Long.parseLong(args[1]) : 1000;
        int fanOut = args.length > 2 ? Integer.parseInt(args[2]) : 4;

        GuildImpl guild = new GuildImpl(fanOut);
        Guild stub = (Guild) UnicastRemoteObject.exportObject(guild, 0, null, Loopback.SOCKETS);
        Registry registry = LocateRegistry.createRegistry(port, null, Loopback.SOCKETS);
        registry.rebind(BINDING, stub);
        ManagementFactory.getPlatformMBeanServer().registerMBean(new GuildStats(guild), new ObjectName(GuildStats.NAME));

        Thread broadcaster = new Thread(() -> {
            try {
                for (;;) {
                    long took = guild.broadcastOnce();
                    Thread.sleep(Math.max(10, broadcastMillis - took));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "broadcaster");
        broadcaster.setDaemon(true);
        broadcaster.start();

        Stdin.say("READY " + port);
        new CountDownLatch(1).await(); // served by RMI's threads until stdin ends
    }
}
