package io.zenmonitor.bench.rmi;

import java.rmi.Remote;
import java.rmi.RemoteException;

/** Server-side state of one client, cleaned up in {@code unreferenced()}. */
public interface Session extends Remote {

    String client() throws RemoteException;
}
