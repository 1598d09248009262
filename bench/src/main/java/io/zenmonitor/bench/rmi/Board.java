package io.zenmonitor.bench.rmi;

import java.rmi.Remote;
import java.rmi.RemoteException;

/** A legacy RMI server interface: callback listeners and per-client sessions. */
public interface Board extends Remote {

    void addBoardListener(BoardListener listener) throws RemoteException;

    void removeBoardListener(BoardListener listener) throws RemoteException;

    Session openSession(String client) throws RemoteException;
}
