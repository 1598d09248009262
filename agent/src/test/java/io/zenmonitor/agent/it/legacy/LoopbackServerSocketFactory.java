package io.zenmonitor.agent.it.legacy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.server.RMIServerSocketFactory;

/**
 * Binds RMI server sockets to 127.0.0.1 only. One shared instance with value equality, so that every object
 * exported on port 0 with it shares one listening socket (RMI keys its endpoints by port and factories).
 */
public final class LoopbackServerSocketFactory implements RMIServerSocketFactory {

    public static final LoopbackServerSocketFactory INSTANCE = new LoopbackServerSocketFactory();

    /** Connections accepted by sockets of this factory (server-only mode's probes show up here). */
    public static final java.util.concurrent.atomic.AtomicLong ACCEPTS = new java.util.concurrent.atomic.AtomicLong();

    private static final InetAddress LOOPBACK;

    static {
        try {
            LOOPBACK = InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private LoopbackServerSocketFactory() {
    }

    /** Makes stubs exported by this JVM say 127.0.0.1 (unless the command line chose a host already). */
    public static void useLoopbackHostname() {
        if (System.getProperty("java.rmi.server.hostname") == null) {
            System.setProperty("java.rmi.server.hostname", "127.0.0.1");
        }
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return new ServerSocket(port, 128, LOOPBACK) {
            @Override
            public java.net.Socket accept() throws IOException {
                java.net.Socket s = super.accept();
                ACCEPTS.incrementAndGet();
                return s;
            }
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LoopbackServerSocketFactory;
    }

    @Override
    public int hashCode() {
        return LoopbackServerSocketFactory.class.hashCode();
    }

    @Override
    public String toString() {
        return "LoopbackServerSocketFactory[127.0.0.1]";
    }
}
