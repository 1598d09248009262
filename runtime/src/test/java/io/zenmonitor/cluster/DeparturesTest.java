package io.zenmonitor.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.zenmonitor.DownReason;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** The departure probe on 127.0.0.1: refused is crashed, accepted is unreachable. */
class DeparturesTest {

    @Test
    void probe_refusedIsCrashed_acceptedIsUnreachable() throws IOException {
        InetAddress lo = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, lo)) {
            closedPort = s.getLocalPort();
            assertThat(Departures.probe(new InetSocketAddress(lo, closedPort), 1000)).isEqualTo(DownReason.NODEDOWN_UNREACHABLE);
        }
        assertThat(Departures.probe(new InetSocketAddress(lo, closedPort), 1000)).isEqualTo(DownReason.NODEDOWN_CRASHED);
        assertThat(Departures.probe(InetSocketAddress.createUnresolved("127.0.0.1", closedPort), 1000))
                .isEqualTo(DownReason.NODEDOWN_CRASHED);
    }
}
