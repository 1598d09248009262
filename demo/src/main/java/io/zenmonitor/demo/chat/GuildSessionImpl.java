package io.zenmonitor.demo.chat;

import java.rmi.RemoteException;
import java.rmi.server.UnicastRemoteObject;
import java.rmi.server.Unreferenced;

/**
 * A session on the guild, exported on the loopback socket factory. It ends itself when RMI's distributed GC
 * says that no client holds its stub any more.
 */
final class GuildSessionImpl extends UnicastRemoteObject implements GuildSession, Unreferenced {

    private final String user;
    private final transient GuildImpl guild;

    GuildSessionImpl(String user, GuildImpl guild) throws RemoteException {
        super(0, null, Loopback.SOCKETS);
        this.user = user;
        this.guild = guild;
    }

    @Override
    public String user() {
        return user;
    }

    String userName() {
        return user;
    }

    @Override
    public void unreferenced() {
        guild.ended(this);
        try {
            unexportObject(this, true);
        } catch (java.rmi.NoSuchObjectException e) {
            // already gone
        }
    }
}
