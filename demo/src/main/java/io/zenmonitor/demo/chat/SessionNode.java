package io.zenmonitor.demo.chat;

import java.rmi.registry.LocateRegistry;
import java.rmi.server.UnicastRemoteObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A session node: looks up the guild, then for each of its sessions exports a {@link SessionListener},
 * registers it with {@code addMemberListener} and opens a {@link GuildSession} whose stub it keeps. Prints
 * {@code REGISTERED <k>} as it goes and {@code READY <n>} at the end. It never unregisters anything, not even
 * when it is stopped (a legacy client rarely does), and exits when its stdin ends.
 *
 * <pre>
 * SessionNode &lt;registryPort&gt; &lt;nodeName&gt; &lt;sessions&gt;
 * </pre>
 */
public final class SessionNode {

    static final AtomicLong RECEIVED = new AtomicLong();

    private static final int REGISTER_THREADS = 4;

    /** Strong references: exported listeners and session stubs live as long as this JVM. */
    private static final List<Object> HELD = new ArrayList<>();

    private SessionNode() {
    }

    static final class Listener implements SessionListener {
        @Override
        public void onMessages(List<String> messages) {
            RECEIVED.addAndGet(messages.size());
        }
    }

    public static void main(String[] args) {
        Mains.run(args, 3, "SessionNode <registryPort> <nodeName> <sessions>", SessionNode::serve);
    }

    private static void serve(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String node = args[1];
        int n = Integer.parseInt(args[2]);

        Guild guild = (Guild) LocateRegistry.getRegistry("127.0.0.1", port).lookup(GuildServer.BINDING);
        // a few threads: each session costs several round trips (two calls and the DGC's dirty calls)
        int threads = Math.min(REGISTER_THREADS, n);
        AtomicLong done = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t;
            parts.add(pool.submit(() -> {
                for (int i = first + 1; i <= n; i += threads) {
                    Listener l = new Listener();
                    SessionListener stub = (SessionListener) UnicastRemoteObject.exportObject(l, 0, null, Loopback.SOCKETS);
                    guild.addMemberListener(stub);
                    GuildSession session = guild.join(node + "/user-" + i);
                    synchronized (HELD) {
                        HELD.add(l);
                        HELD.add(session);
                    }
                    long k = done.incrementAndGet();
                    if (k % 1000 == 0 && k < n) {
                        Stdin.say("REGISTERED " + k);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : parts) {
            f.get();
        }
        pool.shutdown();
        Stdin.say("READY " + n);
        new CountDownLatch(1).await();
    }
}
