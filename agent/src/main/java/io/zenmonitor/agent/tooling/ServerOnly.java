package io.zenmonitor.agent.tooling;

import io.zenmonitor.Compatibility;
import io.zenmonitor.DownReason;
import io.zenmonitor.Endpoint;
import io.zenmonitor.Target;
import io.zenmonitor.Term;
import io.zenmonitor.ZenNode;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-only mode: the agent on a server alone cleans up after listener stubs of clients that run without
 * the agent. It joins the {@link ListenerRegistry} (which hands over every registration whose monitor ended
 * with NODEDOWN {@code unknown-endpoint}) to an {@link EndpointProber} (which confirms endpoints dead).
 *
 * <h2>Removal, paced by the node</h2>
 * A confirmed endpoint's registrations are removed through the node's Dispatcher, like those of a dead
 * agent client: each gets a monitor on a fresh name of this node that is never alive
 * ({@code zen.agent.probe/<host:port>/<n>}); the node's own Proxy answers the one subscription with
 * NOPROC, its Connector fans it out to every monitor, and the Dispatcher starts the removals at most
 * {@code demand.amount} per {@code demand.interval}, sharing that budget with every other down of the
 * node, on its callback threads, cancelled if the owner (the exported object) goes. This reuses the
 * runtime's pacing, live settings and owner semantics instead of a second pacer on the drainer, at the
 * cost of one Connector sweep and one Batcher sweep (about 200 ms by default) before the first removal.
 *
 * <h2>What stops a watch</h2>
 * The application's own removal, the owner's unexport, or the endpoint becoming advertised by a
 * compatible zen node (the normal monitor path then owns the registration): the prober drops such items
 * before each probe, and an endpoint with none left is no longer probed.
 *
 * <h2>Threading</h2>
 * {@link #unknownEndpoint} from callback threads (enqueue only); everything else on the hook drainer.
 */
final class ServerOnly {

    private static final Logger LOG = LoggerFactory.getLogger("zen.agent");
    /** Prefix of the never-alive names whose NOPROC paces the removals. */
    static final String TRIGGER_PREFIX = "zen.agent.probe/";

    private final ZenNode node;
    private final ListenerRegistry registry;
    private final EndpointProber<ListenerRegistry.Registration> prober;
    private final ConcurrentLinkedQueue<ListenerRegistry.Registration> handed = new ConcurrentLinkedQueue<>();
    private long triggers;

    ServerOnly(ZenNode node, ListenerRegistry registry, EndpointProber.Connector connector, Runnable wakeup) {
        this.node = node;
        this.registry = registry;
        this.prober = new EndpointProber<>(EndpointProber.Rules.of(node.config()), node.config().nodePatterns(), connector,
                System::nanoTime, this::wanted, this::dead, wakeup);
    }

    /** The real connector, or null (server-only mode off, logged) if no selector can be opened. */
    static EndpointProber.Connector openConnector() {
        try {
            return new NioConnector();
        } catch (IOException e) {
            LOG.warn("server-only mode is off: cannot open a selector for endpoint probes: {}", e.toString());
            return null;
        }
    }

    /** A registration's monitor ended with NODEDOWN unknown-endpoint. Any thread; enqueue only. */
    void unknownEndpoint(ListenerRegistry.Registration r) {
        handed.add(r);
    }

    /** Takes over handed registrations and runs the prober. Drainer thread. */
    void run() {
        ListenerRegistry.Registration r;
        while ((r = handed.poll()) != null) {
            if (registry.isLive(r)) {
                prober.watch(r.key.stub().endpoint(), r); // false: host outside nodes.allow/deny, never probed
            }
        }
        prober.tick();
    }

    private boolean wanted(ListenerRegistry.Registration r) {
        return registry.isLive(r) && node.compatibility(r.key.stub()) != Compatibility.COMPATIBLE;
    }

    private void dead(Endpoint endpoint, EndpointProber.Verdict verdict, List<ListenerRegistry.Registration> items) {
        DownReason reason = new DownReason(DownReason.Kind.NODEDOWN, Term.atom(verdict.detail));
        LOG.info("server-only mode: {} confirmed dead ({}); removing its {} registration{} at the node's pace",
                endpoint, verdict.detail, items.size(), items.size() == 1 ? "" : "s");
        Target trigger = Target.named(node.name(), TRIGGER_PREFIX + endpoint + "/" + (++triggers));
        registry.removePaced(items, trigger, reason);
    }

    EndpointProber<ListenerRegistry.Registration> prober() {
        return prober;
    }

    void close() {
        prober.close();
    }
}
