package io.zenmonitor.agent.it.legacy;

import java.rmi.registry.LocateRegistry;
import java.rmi.server.UnicastRemoteObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The legacy client: looks up the {@link Board}, exports N listeners and registers each of them, opens one
 * {@link Session} and keeps its stub, prints {@code REGISTERED <N>} and answers stdin commands.
 *
 * <pre>
 * BoardClient &lt;registryHost&gt; &lt;registryPort&gt; &lt;clientName&gt; &lt;N&gt; [ticker]
 *
 *   ticker     each listener also follows the server's Ticker MBean (Board.followTicker)
 *
 * commands     unexport-half -&gt; UNEXPORTED &lt;k&gt;   unexports the first N/2 listeners (force=true) WITHOUT
 *                                                 calling removeBoardListener
 *              received      -&gt; RECEIVED &lt;messages received by all listeners&gt;
 *              accepts       -&gt; ACCEPTS &lt;connections accepted on this client's listener port&gt;
 *              attr &lt;ObjectName pattern&gt; &lt;attribute&gt; -&gt; ATTR &lt;value&gt; | ATTR -
 *              quit          exits 0 (without unregistering anything)
 * </pre>
 */
public final class BoardClient {

    static final AtomicLong RECEIVED = new AtomicLong();

    /** Strong references: exported listeners and the session stub stay alive as long as this JVM. */
    private static final List<BoardListener> LISTENERS = new ArrayList<>();
    private static Session session;

    private BoardClient() {
    }

    static final class CountingListener implements BoardListener {
        @Override
        public void onMessage(String msg) {
            RECEIVED.incrementAndGet();
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: BoardClient <registryHost> <registryPort> <clientName> <N>");
            System.exit(2);
        }
        LoopbackServerSocketFactory.useLoopbackHostname();
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String name = args[2];
        int n = Integer.parseInt(args[3]);
        boolean ticker = args.length > 4 && args[4].equals("ticker");

        Board board = (Board) LocateRegistry.getRegistry(host, port).lookup(BoardServer.BINDING);
        for (int i = 0; i < n; i++) {
            CountingListener l = new CountingListener();
            BoardListener stub = (BoardListener) UnicastRemoteObject.exportObject(l, 0, null, LoopbackServerSocketFactory.INSTANCE);
            LISTENERS.add(l);
            board.addBoardListener(stub);
            if (ticker) {
                board.followTicker(stub);
            }
        }
        session = board.openSession(name);
        Console.say("REGISTERED " + n);

        Map<String, Callable<String>> commands = new LinkedHashMap<>();
        commands.put("unexport-half", () -> {
            int k = 0;
            for (BoardListener l : LISTENERS.subList(0, LISTENERS.size() / 2)) {
                if (UnicastRemoteObject.unexportObject(l, true)) {
                    k++;
                }
            }
            return "UNEXPORTED " + k;
        });
        // a restarted server knows nobody: register every listener again with the board now bound there
        commands.put("reregister", () -> {
            Board again = (Board) LocateRegistry.getRegistry(host, port).lookup(BoardServer.BINDING);
            for (BoardListener l : LISTENERS) {
                again.addBoardListener((BoardListener) UnicastRemoteObject.toStub(l));
            }
            session = again.openSession(name);
            return "REREGISTERED " + LISTENERS.size();
        });
        commands.put("received", () -> "RECEIVED " + RECEIVED.get());
        commands.put("session", () -> "SESSION " + session.client());
        commands.put("accepts", () -> "ACCEPTS " + LoopbackServerSocketFactory.ACCEPTS.get());
        Console.serve(commands);
    }
}
