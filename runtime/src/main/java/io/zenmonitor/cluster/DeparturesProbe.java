package io.zenmonitor.cluster;

import io.zenmonitor.DownReason;
import java.net.InetSocketAddress;

/** The departure probe, for tests and tools: see {@link Departures}. */
public final class DeparturesProbe {

    private DeparturesProbe() {
    }

    /** {@link DownReason#NODEDOWN_CRASHED} if {@code port} refuses a connect, else {@link DownReason#NODEDOWN_UNREACHABLE}. */
    public static DownReason probe(InetSocketAddress port, int timeoutMillis) {
        return Departures.probe(port, timeoutMillis);
    }
}
