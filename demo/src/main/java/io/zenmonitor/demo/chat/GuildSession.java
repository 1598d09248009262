package io.zenmonitor.demo.chat;

import java.rmi.Remote;
import java.rmi.RemoteException;

/** A per-session object on the guild; its implementation cleans up in {@link java.rmi.server.Unreferenced}. */
public interface GuildSession extends Remote {

    String user() throws RemoteException;
}
