package io.zenmonitor.agent.it.legacy;

import java.rmi.Remote;
import java.rmi.RemoteException;

/** A callback a client exports and registers on the {@link Board}. */
public interface BoardListener extends Remote {

    void onMessage(String msg) throws RemoteException;
}
