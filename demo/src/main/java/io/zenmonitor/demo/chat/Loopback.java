package io.zenmonitor.demo.chat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.server.RMIServerSocketFactory;

/**
 * Binds RMI server sockets to 127.0.0.1 only. One shared instance with value equality, so that all objects
 * exported on port 0 with it share one listening socket (RMI keys its endpoints by port and factory).
 */
public final class Loopback implements RMIServerSocketFactory {

    public static final Loopback SOCKETS = new Loopback();

    private static final InetAddress ADDRESS;

    static {
        try {
            ADDRESS = InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Loopback() {
    }

    /** Makes stubs exported by this JVM say 127.0.0.1 (unless the command line chose a host already). */
    public static void useLoopbackHostname() {
        if (System.getProperty("java.rmi.server.hostname") == null) {
            System.setProperty("java.rmi.server.hostname", "127.0.0.1");
        }
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return new ServerSocket(port, 256, ADDRESS);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Loopback;
    }

    @Override
    public int hashCode() {
        return Loopback.class.hashCode();
    }
}
