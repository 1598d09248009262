package io.zenmonitor.bench.rmi;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.rmi.RemoteException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.UnicastRemoteObject;
import java.rmi.server.Unreferenced;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;

/**
 * The plain RMI peer's server (JDK classes only, so that it runs the same with and without the agent): a
 * board of callback listeners and one {@link Session} per client that ends in {@code unreferenced()}.
 *
 * <pre>RmiServer REGISTRY_PORT FIRE_EVERY_MS</pre>
 *
 * With {@code FIRE_EVERY_MS > 0} it fires one event to every listener that often and removes a listener whose
 * call fails: how a plain RMI server learns of a dead client (lazily, only through traffic). With 0 it never
 * calls them (the agent's case: its zero-code cleanup calls {@code removeBoardListener}).
 *
 * <p>Commands: {@code count} → {@code COUNT n}; {@code members} → {@code MEMBERS <zen MBean Members or ->};
 * {@code kill PID N TIMEOUT_S} kills the client holding N listeners and answers
 * {@code RESULT firstRemovalMs= lastRemovalMs= removed= unreferencedMs= failedCalls=} (-1: not within TIMEOUT_S).
 */
public final class RmiServer {

    static final Set<BoardListener> LISTENERS = ConcurrentHashMap.newKeySet();
    static volatile long unreferencedAt;
    static volatile long failedCalls;

    private RmiServer() {
    }

    static final class BoardImpl implements Board {
        @Override
        public void addBoardListener(BoardListener l) {
            LISTENERS.add(l);
        }

        @Override
        public void removeBoardListener(BoardListener l) {
            LISTENERS.remove(l);
        }

        @Override
        public Session openSession(String client) throws RemoteException {
            return new SessionImpl(client);
        }
    }

    static final class SessionImpl extends UnicastRemoteObject implements Session, Unreferenced {
        private final String client;

        SessionImpl(String client) throws RemoteException {
            super(0, null, Loopback.INSTANCE);
            this.client = client;
        }

        @Override
        public String client() {
            return client;
        }

        @Override
        public void unreferenced() {
            unreferencedAt = System.nanoTime();
        }
    }

    public static void main(String[] args) throws Exception {
        Loopback.hostname();
        int port = Integer.parseInt(args[0]);
        long fireEveryMs = Long.parseLong(args[1]);
        BoardImpl board = new BoardImpl();
        Board stub = (Board) UnicastRemoteObject.exportObject(board, 0, null, Loopback.INSTANCE);
        Registry registry = LocateRegistry.createRegistry(port, null, Loopback.INSTANCE);
        registry.rebind("board", stub);
        if (fireEveryMs > 0) {
            Thread fire = new Thread(() -> {
                long n = 0;
                while (true) {
                    String event = "event-" + n++;
                    for (BoardListener l : LISTENERS) {
                        try {
                            l.onEvent(event);
                        } catch (RemoteException e) {
                            failedCalls++;
                            LISTENERS.remove(l); // the usual legacy clean-up: drop a listener whose call failed
                        }
                    }
                    try {
                        TimeUnit.MILLISECONDS.sleep(fireEveryMs);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "fire");
            fire.setDaemon(true);
            fire.start();
        }
        Loopback.say("READY " + port);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("count")) {
                Loopback.say("COUNT " + LISTENERS.size());
            } else if (line.equals("members")) {
                Loopback.say("MEMBERS " + zenAttribute("Members"));
            } else if (line.startsWith("kill ")) {
                String[] a = line.split(" ");
                kill(Long.parseLong(a[1]), Integer.parseInt(a[2]), Long.parseLong(a[3]));
            } else if (line.equals("quit")) {
                break;
            }
        }
        System.exit(0);
    }

    private static void kill(long pid, int n, long timeoutSeconds) throws InterruptedException {
        int before = LISTENERS.size();
        long failedBefore = failedCalls;
        long killAt = System.nanoTime();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        long first = 0;
        long last = 0;
        long end = killAt + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < end) {
            int now = LISTENERS.size();
            long t = System.nanoTime();
            if (first == 0 && now < before) {
                first = t;
            }
            if (last == 0 && now <= before - n) {
                last = t;
            }
            if (last != 0 && unreferencedAt != 0) {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
        Loopback.say("RESULT firstRemovalMs=" + ms(first, killAt) + " lastRemovalMs=" + ms(last, killAt)
                + " removed=" + (before - LISTENERS.size()) + " unreferencedMs=" + ms(unreferencedAt, killAt)
                + " failedCalls=" + (failedCalls - failedBefore) + " timeoutS=" + timeoutSeconds);
    }

    private static long ms(long t, long from) {
        return t == 0 ? -1 : (t - from) / 1_000_000;
    }

    /** An attribute of the zen agent's node MBean, or "-" when there is none (no agent, not started yet). */
    static String zenAttribute(String attribute) {
        try {
            var server = ManagementFactory.getPlatformMBeanServer();
            var names = server.queryNames(new ObjectName("io.zenmonitor:type=ZenMonitor,*"), null);
            if (names.isEmpty()) {
                return "-";
            }
            Object v = server.getAttribute(names.iterator().next(), attribute);
            return v instanceof Object[] a ? java.util.Arrays.toString(a) : String.valueOf(v);
        } catch (Exception e) {
            return "-";
        }
    }
}
