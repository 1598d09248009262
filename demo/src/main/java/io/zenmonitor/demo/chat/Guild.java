package io.zenmonitor.demo.chat;

import java.rmi.Remote;
import java.rmi.RemoteException;

/**
 * A chat guild as a legacy RMI server exports it: sessions register a callback listener to receive the
 * guild's messages, open a per-session object, and post messages.
 */
public interface Guild extends Remote {

    /** Registers a member's callback; every broadcast calls it until it is removed. */
    void addMemberListener(SessionListener listener) throws RemoteException;

    /** Removes a member's callback (the application itself never calls this for a dead member). */
    void removeMemberListener(SessionListener listener) throws RemoteException;

    /** Opens the per-session object for {@code user}; the guild ends it when RMI says it is unreferenced. */
    GuildSession join(String user) throws RemoteException;

    /** Posts a message: the ordinary work whose latency the demo measures. Returns its sequence number. */
    long post(String author, String text) throws RemoteException;
}
