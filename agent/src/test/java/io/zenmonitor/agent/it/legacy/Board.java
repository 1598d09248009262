package io.zenmonitor.agent.it.legacy;

import java.rmi.Remote;
import java.rmi.RemoteException;

/** A message board: remote clients register callback listeners and open sessions. */
public interface Board extends Remote {

    /** Adds {@code l} to the board's listener list (duplicates are kept, as in many legacy apps). */
    void addBoardListener(BoardListener l) throws RemoteException;

    /** Removes one registration of {@code l} (by stub equality); does nothing if it is not registered. */
    void removeBoardListener(BoardListener l) throws RemoteException;

    /** The number of registered listeners. */
    int listenerCount() throws RemoteException;

    /**
     * Calls every registered listener once with {@code msg}, one after the other, and returns how many calls
     * succeeded. A failing listener is NOT removed: this application only drops a listener when someone calls
     * {@link #removeBoardListener}.
     */
    int broadcast(String msg) throws RemoteException;

    /**
     * Subscribes {@code l} to the {@link Ticker} MBean's notifications through a local forwarding adapter
     * registered with {@code MBeanServer.addNotificationListener} (the name matches no registration pattern:
     * only the MBean server hook sees it).
     */
    void followTicker(BoardListener l) throws RemoteException;

    /** Opens a session for {@code client}; the session notices it is no longer referenced through DGC only. */
    Session openSession(String client) throws RemoteException;
}
