package io.zenmonitor.cluster;

import io.zenmonitor.DownReason;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Tells a crash from unreachability when a node leaves the view (partition safety).
 *
 * <p>JGroups says who left, not why. A TCP connect to one of the departed node's ports (its JGroups
 * transport, else an RMI endpoint it advertised) tells: a host that refuses the connection has no
 * process there any more ({@link DownReason#NODEDOWN_CRASHED}); a port that accepts (the kernel still
 * answers for a hung or stopped process) or does not answer at all (cut off, or its host is down) means
 * the node may come back ({@link DownReason#NODEDOWN_UNREACHABLE}). One probe per departed node, not per
 * object; nothing is sent on the connection. With {@code partition.quorum} N, a node that sees fewer than
 * N members reports every departure as unreachable without probing. Without a port to probe (the
 * in-memory stack) the reason stays {@link DownReason#NODEDOWN}.
 *
 * <p>Probes run on at most {@value #THREADS} daemon threads of this node, each bounded by
 * {@link #PROBE_TIMEOUT_MILLIS}; the verdict is handed back through the caller's callback (the node's
 * loop).
 */
final class Departures {

    static final int THREADS = 2;
    /** Longest a probe waits for an answer: a refusal on a reachable host takes about a round trip. */
    static final int PROBE_TIMEOUT_MILLIS = 1_000;

    private final ThreadPoolExecutor probes;
    private volatile int quorum;

    Departures(String nodeName) {
        AtomicInteger n = new AtomicInteger();
        this.probes = new ThreadPoolExecutor(THREADS, THREADS, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "zen-" + nodeName + "-probe-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        probes.allowCoreThreadTimeOut(true);
    }

    void quorum(int quorum) {
        this.quorum = quorum;
    }

    /**
     * Classifies one departure and passes the reason to {@code verdict}: at once without a probe, or
     * later from a probe thread.
     *
     * @param viewSize members of the view the node left (this node included)
     * @param ports the departed node's ports, best first; may be empty
     */
    void classify(int viewSize, List<InetSocketAddress> ports, Consumer<DownReason> verdict) {
        int q = quorum;
        if (q > 0 && viewSize < q) {
            verdict.accept(DownReason.NODEDOWN_UNREACHABLE);
            return;
        }
        if (ports.isEmpty()) {
            verdict.accept(DownReason.NODEDOWN);
            return;
        }
        try {
            probes.execute(() -> verdict.accept(probe(ports.get(0), PROBE_TIMEOUT_MILLIS)));
        } catch (RuntimeException rejected) {
            verdict.accept(DownReason.NODEDOWN); // shutting down
        }
    }

    /** One TCP connect: refused means crashed; accepted, timed out or unroutable means unreachable. */
    static DownReason probe(InetSocketAddress port, int timeoutMillis) {
        try (Socket s = new Socket()) {
            s.connect(port.isUnresolved() ? new InetSocketAddress(port.getHostString(), port.getPort()) : port, timeoutMillis);
            return DownReason.NODEDOWN_UNREACHABLE; // something still listens: hung or stopped, not gone
        } catch (ConnectException refused) {
            // "Connection refused" is a RST from a reachable host; "timed out" is a ConnectException subclass on
            // some JDKs (SocketTimeoutException is not), so only a refusal counts as a crash
            String m = String.valueOf(refused.getMessage());
            return m.contains("refused") ? DownReason.NODEDOWN_CRASHED : DownReason.NODEDOWN_UNREACHABLE;
        } catch (IOException | RuntimeException other) {
            return DownReason.NODEDOWN_UNREACHABLE;
        }
    }

    void close() {
        probes.shutdownNow();
    }
}
