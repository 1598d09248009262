package io.zenmonitor.agent.it.legacy;

import java.lang.management.ManagementFactory;
import javax.management.InstanceNotFoundException;

import java.rmi.RemoteException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** The board: a plain list of callback stubs, as legacy applications keep them. */
public final class BoardImpl implements Board {

    private final List<BoardListener> listeners = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<String, SessionImpl> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger failedCalls = new AtomicInteger();

    @Override
    public void addBoardListener(BoardListener l) {
        listeners.add(l);
    }

    @Override
    public void removeBoardListener(BoardListener l) {
        listeners.remove(l);
    }

    @Override
    public int listenerCount() {
        return listeners.size();
    }

    @Override
    public int broadcast(String msg) {
        int ok = 0;
        for (BoardListener l : listeners) {
            try {
                l.onMessage(msg);
                ok++;
            } catch (RemoteException | RuntimeException e) {
                failedCalls.incrementAndGet(); // kept in the list: this app never removes on failure
            }
        }
        return ok;
    }

    @Override
    public void followTicker(BoardListener l) throws RemoteException {
        try {
            ManagementFactory.getPlatformMBeanServer().addNotificationListener(Ticker.NAME, new TickerForward(l), null, null);
        } catch (InstanceNotFoundException e) {
            throw new RemoteException("no ticker", e);
        }
    }

    @Override
    public Session openSession(String client) throws RemoteException {
        SessionImpl s = new SessionImpl(client, sessions::remove);
        sessions.put(client, s);
        return s;
    }

    /** Calls to listeners that failed so far. */
    public int failedCalls() {
        return failedCalls.get();
    }
}
