package io.zenmonitor.agent.it.legacy;

import java.rmi.RemoteException;
import java.rmi.server.UnicastRemoteObject;
import java.rmi.server.Unreferenced;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A session exported by extending {@link UnicastRemoteObject}; it cleans up when RMI's distributed GC says no
 * client references it any more, which with the default lease (10 min) happens 5 to 15 minutes after its client
 * died.
 */
public final class SessionImpl extends UnicastRemoteObject implements Session, Unreferenced {

    /** {@link #unreferenced()} calls in this JVM so far. */
    public static final AtomicInteger UNREFERENCED = new AtomicInteger();

    private final String client;
    private final transient BiConsumer<String, SessionImpl> onEnd;

    SessionImpl(String client, BiConsumer<String, SessionImpl> onEnd) throws RemoteException {
        super(0, null, LoopbackServerSocketFactory.INSTANCE);
        this.client = client;
        this.onEnd = onEnd;
    }

    @Override
    public String client() {
        return client;
    }

    @Override
    public void unreferenced() {
        UNREFERENCED.incrementAndGet();
        onEnd.accept(client, this);
    }
}
