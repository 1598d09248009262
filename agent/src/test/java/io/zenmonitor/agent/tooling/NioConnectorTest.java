package io.zenmonitor.agent.tooling;

import static org.assertj.core.api.Assertions.assertThat;

import io.zenmonitor.Endpoint;
import io.zenmonitor.agent.tooling.EndpointProber.Outcome;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The real probe on 127.0.0.1: what each outcome is made of, and that the listener never gets a byte. */
class NioConnectorTest {

    static final long TIMEOUT = TimeUnit.MILLISECONDS.toNanos(300);
    final List<AutoCloseable> closeables = new ArrayList<>();
    NioConnector connector;

    @AfterEach
    void close() throws Exception {
        if (connector != null) {
            connector.close();
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    Outcome probe(int port) throws Exception {
        CompletableFuture<Outcome> f = new CompletableFuture<>();
        connector.probe(new Endpoint("127.0.0.1", port), TIMEOUT, f::complete);
        return f.get(10, TimeUnit.SECONDS);
    }

    ServerSocket listen(int backlog) throws Exception {
        ServerSocket s = new ServerSocket(0, backlog, InetAddress.getLoopbackAddress());
        closeables.add(s);
        return s;
    }

    @Test
    void listening_open_nothingSent() throws Exception {
        connector = new NioConnector();
        ServerSocket s = listen(50);

        assertThat(probe(s.getLocalPort())).isEqualTo(Outcome.OPEN);

        s.setSoTimeout(5_000);
        try (Socket accepted = s.accept()) {
            accepted.setSoTimeout(5_000);
            int read;
            try {
                read = accepted.getInputStream().read();
            } catch (java.net.SocketException reset) {
                read = -1; // the probe closed with a reset
            }
            assertThat(read).as("the probe sends nothing").isEqualTo(-1);
        }
    }

    @Test
    void nothingListening_refused() throws Exception {
        connector = new NioConnector();
        int port;
        try (ServerSocket s = listen(1)) {
            port = s.getLocalPort();
        }

        assertThat(probe(port)).isEqualTo(Outcome.REFUSED);
    }

    @Test
    void listenerThatNeverAccepts_backlogFull_noAnswer() throws Exception {
        connector = new NioConnector();
        ServerSocket s = listen(1);
        // fill the accept queue of a socket that never accepts: further SYNs are dropped (Linux)
        for (int i = 0; i < 8; i++) {
            Socket c = new Socket();
            closeables.add(c);
            try {
                c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort()), 200);
            } catch (java.io.IOException full) {
                break;
            }
        }

        assertThat(probe(s.getLocalPort())).isEqualTo(Outcome.NO_ANSWER);
    }
}
