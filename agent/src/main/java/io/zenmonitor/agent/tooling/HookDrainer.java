package io.zenmonitor.agent.tooling;

import io.zenmonitor.DownReason;
import io.zenmonitor.Endpoint;
import io.zenmonitor.RmiTarget;
import io.zenmonitor.Target;
import io.zenmonitor.ZenNode;
import io.zenmonitor.agent.bootstrap.Hooks;
import java.lang.reflect.Method;
import java.rmi.Remote;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import javax.management.ObjectInstance;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's one thread ({@code zen-agent-hooks}): it empties the bootstrap {@link Hooks} queue and
 * turns each event into runtime calls: exports and MBean registrations feed the node's Proxy (alive /
 * died), exported RMI endpoints are advertised, registration calls go to the {@link ListenerRegistry}.
 * It also runs the registry's retries and logs the cleanup summaries.
 */
final class HookDrainer implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger("zen.agent");
    /** Longest park when idle (retries and summaries are checked at least this often). */
    static final long IDLE_PARK_NANOS = 100_000_000L;

    private final ZenNode node;
    private final ListenerRegistry listeners;
    private final Summary summary;
    private final Method targetGetStub;
    private final Set<Endpoint> advertised = new HashSet<>();
    /** Endpoints of exports drained but not advertised yet: advertised once the queue is empty. */
    private final Set<Endpoint> toAdvertise = new java.util.LinkedHashSet<>();
    private volatile boolean running = true;
    private volatile Thread thread;
    long exports;
    long removals;
    long failures;

    private final FastDgc dgc;
    /** Server-only mode (issue 9), or null. */
    volatile ServerOnly serverOnly;
    private long lastMembersCheck;
    /** How often the member list is compared for new nodes to watch (fast DGC). */
    static final long MEMBERS_CHECK_NANOS = 250_000_000L;

    HookDrainer(ZenNode node, ListenerRegistry listeners, Summary summary, Method targetGetStub, FastDgc dgc) {
        this.dgc = dgc;
        this.node = node;
        this.listeners = listeners;
        this.summary = summary;
        this.targetGetStub = targetGetStub;
    }

    Thread start() {
        Thread t = new Thread(this, "zen-agent-hooks");
        t.setDaemon(true);
        thread = t;
        Hooks.wakeup = () -> LockSupport.unpark(t);
        t.start();
        return t;
    }

    /** Wakes the drainer early (probe results arrived). Any thread. */
    void wakeup() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    void stop() {
        running = false;
        Hooks.wakeup = null;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public void run() {
        while (running) {
            Object[] e = Hooks.poll();
            if (e == null) {
                advertisePending();
                long now = System.nanoTime();
                listeners.runRetries(now);
                listeners.runParked(now);
                if (dgc != null) {
                    dgc.runPaced(now);
                }
                if (serverOnly != null) {
                    serverOnly.run();
                }
                if (dgc != null && now - lastMembersCheck >= MEMBERS_CHECK_NANOS) {
                    lastMembersCheck = now;
                    dgc.forgetEnded();
                    dgc.watchNew();
                    dgc.runGrace(now);
                }
                checkPairs(now);
                summary.flush(now, false);
                LockSupport.parkNanos(IDLE_PARK_NANOS);
                continue;
            }
            try {
                handle(e);
            } catch (Throwable t) {
                failures++;
                if (failures <= 10 || failures % 1000 == 0) {
                    LOG.warn("could not handle a hook event ({} so far): {}", failures, t.toString());
                }
            }
        }
    }

    private void handle(Object[] e) throws Exception {
        switch ((Integer) e[0]) {
            case Hooks.EXPORTED -> exported(e[2]);
            case Hooks.REMOVED -> removed(e[1], (Boolean) e[2]);
            case Hooks.MBEAN_REGISTERED -> node.alive(Target.mbean(((ObjectInstance) e[1]).getObjectName()));
            case Hooks.MBEAN_UNREGISTERED -> {
                Target t = Target.mbean((ObjectName) e[1]);
                node.died(t, DownReason.UNREGISTERED);
                listeners.ownerGone(t);
            }
            case Hooks.LISTENER_CALL -> listeners.onCall(e[1], (String) e[2], (Object[]) e[3]);
            case Hooks.NOTIFICATION_LISTENER_CALL -> listeners.onNotificationListener(e[1], (String) e[2], (Object[]) e[3]);
            default -> { }
        }
    }

    /** How long after the first export a configured pair that matched nothing is reported. */
    static final long PAIRS_CHECK_NANOS = 10_000_000_000L;
    private long firstExportNanos;
    private boolean pairsChecked;

    /** A configured {@code listeners.pairs} entry that matched no class once the application exported its objects is a mistake. */
    private void checkPairs(long now) {
        if (pairsChecked || exports == 0 || now - firstExportNanos < PAIRS_CHECK_NANOS) {
            return;
        }
        pairsChecked = true;
        for (ListenerPairs.Pair p : listeners.pairs().unmatched()) {
            LOG.warn("listeners.pairs {}#{}/{} matched nothing: no loaded class is, extends or implements {} with public methods {} or {}",
                    p.className(), p.add(), p.remove(), p.className(), p.add(), p.remove());
        }
    }

    private void exported(Object stub) {
        if (!RmiTarget.isStub(stub)) {
            return;
        }
        RmiTarget t = RmiTarget.of((Remote) stub);
        node.alive(t);
        if (exports++ == 0) {
            firstExportNanos = System.nanoTime();
        }
        if (!advertised.contains(t.endpoint())) {
            toAdvertise.add(t.endpoint());
        }
    }

    /**
     * Advertises new endpoints only after every export drained so far was made alive: peers subscribe
     * as soon as they can map a stub to this node, and a subscription that overtook an export would be
     * answered NOPROC.
     */
    private void advertisePending() {
        if (toAdvertise.isEmpty()) {
            return;
        }
        for (Endpoint ep : toAdvertise) {
            if (advertised.add(ep)) {
                node.advertise(ep);
            }
        }
        toAdvertise.clear();
    }

    private void removed(Object target, boolean collected) throws Exception {
        Object stub = targetGetStub.invoke(target);
        if (!RmiTarget.isStub(stub)) {
            return;
        }
        RmiTarget t = RmiTarget.of((Remote) stub);
        node.died(t, collected ? DownReason.COLLECTED : DownReason.UNEXPORTED);
        removals++;
        listeners.ownerGone(t);
    }
}
