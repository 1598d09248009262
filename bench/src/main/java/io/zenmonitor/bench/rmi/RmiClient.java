package io.zenmonitor.bench.rmi;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.rmi.registry.LocateRegistry;
import java.rmi.server.UnicastRemoteObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The plain RMI peer's client: exports N callback listeners, registers each with the board, opens one session
 * and keeps everything referenced until it is killed.
 *
 * <pre>RmiClient REGISTRY_PORT NAME N</pre>
 *
 * Commands: {@code subs} → {@code SUBS <zen MBean Subscriptions or ->} (how many of the server agent's monitors
 * reached this JVM's zen Proxy).
 */
public final class RmiClient {

    private static final List<Object> KEEP = new ArrayList<>();

    private RmiClient() {
    }

    static final class Listener implements BoardListener {
        @Override
        public void onEvent(String event) {
            // received
        }
    }

    public static void main(String[] args) throws Exception {
        Loopback.hostname();
        int port = Integer.parseInt(args[0]);
        String name = args[1];
        int n = Integer.parseInt(args[2]);
        Board board = (Board) LocateRegistry.getRegistry("127.0.0.1", port).lookup("board");
        for (int i = 0; i < n; i++) {
            Listener l = new Listener();
            BoardListener stub = (BoardListener) UnicastRemoteObject.exportObject(l, 0, null, Loopback.INSTANCE);
            KEEP.add(l);
            board.addBoardListener(stub);
        }
        KEEP.add(board.openSession(name));
        Loopback.say("REGISTERED " + n);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("subs")) {
                Loopback.say("SUBS " + RmiServer.zenAttribute("Subscriptions"));
            }
        }
        System.exit(0);
    }
}
