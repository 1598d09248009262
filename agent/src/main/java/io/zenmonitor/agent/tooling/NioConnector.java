package io.zenmonitor.agent.tooling;

import io.zenmonitor.Endpoint;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real probe of server-only mode: a non-blocking TCP connect, closed at once with a reset
 * ({@code SO_LINGER 0}), on one daemon thread ({@code zen-agent-probe}) with one {@link Selector}.
 *
 * <p><b>What the client sees.</b> A connection that is reset before anything is sent: no RMI header, no
 * call, nothing to deserialize. RMI's accept loop reads end-of-stream or a reset and drops the
 * connection. The reset (rather than a normal close) leaves no {@code TIME_WAIT} socket behind on the
 * server: 10,000 endpoints probed every second would otherwise hold about 600,000 of them and exhaust
 * ephemeral ports.
 *
 * <p><b>Outcomes.</b> Connected: {@code OPEN}. {@link ConnectException} (a reset: nothing listens):
 * {@code REFUSED}. Timeout, any other I/O error (no route, host unreachable) or an unresolvable host:
 * {@code NO_ANSWER}.
 *
 * <p><b>Costs.</b> One thread, one selector, and at most {@link EndpointProber#MAX_IN_FLIGHT} sockets
 * open at once (the prober's bound). Host names are resolved on this thread through the JVM's
 * {@code InetAddress} cache; RMI stubs usually carry addresses, and a slow DNS answer delays other probes.
 */
final class NioConnector implements EndpointProber.Connector {

    private static final Logger LOG = LoggerFactory.getLogger("zen.agent");

    private record Request(Endpoint endpoint, long timeoutNanos, Consumer<EndpointProber.Outcome> done) {
    }

    private record Pending(SocketChannel channel, SelectionKey key, long deadlineNanos,
            Consumer<EndpointProber.Outcome> done) {
    }

    private final Selector selector;
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    /** Connects in progress, in start order; their timeouts are all equal-or-later, so deadlines are in order too. */
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Thread thread;
    private volatile boolean running = true;
    /** Connect attempts (for tests and the benchmark). */
    final AtomicLong connects = new AtomicLong();

    NioConnector() throws IOException {
        selector = Selector.open();
        thread = new Thread(this::run, "zen-agent-probe");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void probe(Endpoint endpoint, long timeoutNanos, Consumer<EndpointProber.Outcome> done) {
        requests.add(new Request(endpoint, timeoutNanos, done));
        selector.wakeup();
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
    }

    private void run() {
        try {
            while (running) {
                start();
                long timeoutMillis = 0;
                Pending first = pending.peekFirst();
                if (first != null) {
                    timeoutMillis = Math.max(1, (first.deadlineNanos - System.nanoTime() + 999_999) / 1_000_000);
                }
                selector.select(timeoutMillis);
                for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey k = it.next();
                    it.remove();
                    finish((Pending) k.attachment());
                }
                expire(System.nanoTime());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("server-only mode: the probe thread stopped: {}", e.toString());
        } finally {
            for (Pending p : pending) {
                closeQuietly(p.channel());
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private void start() {
        Request r;
        while ((r = requests.poll()) != null) {
            connects.incrementAndGet();
            SocketChannel ch = null;
            try {
                InetSocketAddress to = new InetSocketAddress(r.endpoint().host(), r.endpoint().port());
                if (to.isUnresolved()) {
                    r.done().accept(EndpointProber.Outcome.NO_ANSWER);
                    continue;
                }
                ch = SocketChannel.open();
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                if (ch.connect(to)) {
                    closeQuietly(ch);
                    r.done().accept(EndpointProber.Outcome.OPEN);
                    continue;
                }
                SelectionKey key = ch.register(selector, SelectionKey.OP_CONNECT);
                Pending p = new Pending(ch, key, System.nanoTime() + r.timeoutNanos(), r.done());
                key.attach(p);
                pending.addLast(p);
            } catch (IOException e) {
                closeQuietly(ch);
                r.done().accept(outcomeOf(e));
            }
        }
    }

    private void finish(Pending p) {
        if (!p.key().isValid()) {
            return;
        }
        EndpointProber.Outcome outcome;
        try {
            outcome = p.channel().finishConnect() ? EndpointProber.Outcome.OPEN : null;
        } catch (IOException e) {
            outcome = outcomeOf(e);
        }
        if (outcome == null) {
            return; // not yet: stays registered
        }
        p.key().cancel();
        closeQuietly(p.channel());
        pending.remove(p);
        p.done().accept(outcome);
    }

    private void expire(long now) {
        Pending p;
        while ((p = pending.peekFirst()) != null && (p.deadlineNanos() - now <= 0 || !p.key().isValid())) {
            pending.pollFirst();
            if (p.key().isValid()) {
                p.key().cancel();
                closeQuietly(p.channel());
                p.done().accept(EndpointProber.Outcome.NO_ANSWER);
            }
        }
    }

    private static EndpointProber.Outcome outcomeOf(IOException e) {
        return e instanceof ConnectException && !(e instanceof java.net.NoRouteToHostException)
                ? EndpointProber.Outcome.REFUSED : EndpointProber.Outcome.NO_ANSWER;
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // a probe socket: nothing to do
            }
        }
    }
}
