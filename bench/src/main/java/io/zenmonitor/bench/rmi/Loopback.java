package io.zenmonitor.bench.rmi;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.server.RMIServerSocketFactory;

/** RMI server sockets on 127.0.0.1 only; one value-equal instance so that all exports share one port. */
final class Loopback implements RMIServerSocketFactory {

    static final Loopback INSTANCE = new Loopback();

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return new ServerSocket(port, 128, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Loopback;
    }

    @Override
    public int hashCode() {
        return Loopback.class.hashCode();
    }

    static void hostname() {
        if (System.getProperty("java.rmi.server.hostname") == null) {
            System.setProperty("java.rmi.server.hostname", "127.0.0.1");
        }
    }

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
