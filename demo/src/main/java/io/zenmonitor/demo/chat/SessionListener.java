package io.zenmonitor.demo.chat;

import java.rmi.Remote;
import java.rmi.RemoteException;
import java.util.List;

/** The callback a session exports and registers on the {@link Guild}. */
public interface SessionListener extends Remote {

    /** The messages posted since the previous broadcast. */
    void onMessages(List<String> messages) throws RemoteException;
}
