package io.zenmonitor.agent.it.legacy;

import java.rmi.Remote;
import java.rmi.RemoteException;

/** A per-client server object; its implementation relies on {@link java.rmi.server.Unreferenced}. */
public interface Session extends Remote {

    String client() throws RemoteException;
}
