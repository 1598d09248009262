package io.zenmonitor.bench.rmi;

import java.rmi.Remote;
import java.rmi.RemoteException;

/** A client's callback, exported by the client. */
public interface BoardListener extends Remote {

    void onEvent(String event) throws RemoteException;
}
