package io.zenmonitor.agent.tooling;

import io.zenmonitor.Down;
import io.zenmonitor.DownReason;
import io.zenmonitor.ZenNode;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fast DGC: when a node dies, the RMI leases its JVM held on this JVM's exported objects end at once, so
 * {@code Unreferenced.unreferenced()} runs in seconds instead of after {@code java.rmi.dgc.leaseValue}
 * (10 minutes), and a dead JMX client's {@code RMIConnectionImpl} (which closes itself when unreferenced)
 * goes with it.
 *
 * <h2>How</h2>
 * Every agent node advertises its RMI DGC {@code VMID} as the node attribute {@value #VMID_ATTRIBUTE}.
 * This node monitors every member that has one ({@link ZenNode#monitorNode}); when such a member leaves
 * the view or shuts down, the callback takes that VMID's lease out of
 * {@code sun.rmi.transport.DGCImpl}'s lease table, as RMI's own lease check does when a lease expires,
 * and the drainer then calls {@code Target.vmidDead} for each object the VMID referenced, paced at
 * {@code demand.amount} per {@code demand.interval}; RMI runs {@code unreferenced()} for objects no other
 * client holds. Only JDK-internal state already meant to expire is touched, through
 * {@code redefineModule}-granted reflection; if that fails on some JDK the feature logs one WARN and
 * stays off.
 *
 * <h2>Partitions</h2>
 * Leases cannot be given back once ended, so a node that is only unreachable ({@code NODEDOWN
 * :unreachable}) keeps them for {@code partition.grace}: if a member of that name with the same VMID (the
 * same JVM) is in the view again by then, nothing happens; otherwise they end then ("expired after grace").
 *
 * <h2>Threading</h2>
 * {@link #watchNew} runs on the hook drainer; expiries on the node's callback threads.
 */
final class FastDgc {

    private static final Logger LOG = LoggerFactory.getLogger("zen.agent");
    static final String VMID_ATTRIBUTE = "dgc.vmid";

    private final ZenNode node;
    private final Method getDgcImpl;
    private final Field leaseTable;
    private final Field expiration;
    private final Map<String, Object> watched = new HashMap<>();
    final LongAdder expired = new LongAdder();

    private final long graceNanos;
    /** Unreachable members whose leases end when the grace period does: member -> [vmid, deadline]. */
    private final Map<String, Object[]> graced = new java.util.concurrent.ConcurrentHashMap<>();
    final LongAdder keptAfterMerge = new LongAdder();
    final LongAdder expiredAfterGrace = new LongAdder();

    private final Field notifySet;
    private final Method vmidDead;

    private FastDgc(ZenNode node, long graceNanos, Method getDgcImpl, Field leaseTable, Field expiration, Field notifySet,
            Method vmidDead) {
        this.notifySet = notifySet;
        this.vmidDead = vmidDead;
        this.node = node;
        this.graceNanos = graceNanos;
        this.getDgcImpl = getDgcImpl;
        this.leaseTable = leaseTable;
        this.expiration = expiration;
    }

    /** This JVM's DGC VMID as text (the one its DGC client sends in every dirty call), or null. */
    static String ownVmid() {
        try {
            Class<?> client = Class.forName("sun.rmi.transport.DGCClient", true, null);
            Field f = client.getDeclaredField("vmid");
            f.setAccessible(true);
            Object vmid = f.get(null);
            return vmid == null ? null : vmid.toString();
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("fast DGC is off: cannot read this JVM's DGC VMID: {}", e.toString());
            return null;
        }
    }

    /** The feature, or null (one WARN) when this JDK's DGC internals are not as expected. */
    static FastDgc create(ZenNode node, java.time.Duration grace) {
        try {
            Class<?> dgc = Class.forName("sun.rmi.transport.DGCImpl", false, null);
            Class<?> info = Class.forName("sun.rmi.transport.DGCImpl$LeaseInfo", false, null);
            Method get = dgc.getDeclaredMethod("getDGCImpl");
            Field table = dgc.getDeclaredField("leaseTable");
            Field exp = info.getDeclaredField("expiration");
            Field notify = info.getDeclaredField("notifySet");
            Class<?> target = Class.forName("sun.rmi.transport.Target", false, null);
            Method dead = target.getDeclaredMethod("vmidDead", java.rmi.dgc.VMID.class);
            for (var m : List.of(get, dead)) {
                m.setAccessible(true);
            }
            for (var f : List.of(table, exp, notify)) {
                f.setAccessible(true);
            }
            return new FastDgc(node, grace.toNanos(), get, table, exp, notify, dead);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("fast DGC is off: this JDK's RMI DGC internals are not as expected: {}", e.toString());
            return null;
        }
    }

    /** Monitors members with a VMID that are not watched yet. Drainer thread. */
    void watchNew() {
        for (String m : node.members()) {
            if (m.equals(node.name()) || watched.containsKey(m)) {
                continue;
            }
            String vmid = node.attributesOf(m).get(VMID_ATTRIBUTE);
            if (vmid == null) {
                continue; // not an agent node: nothing to do for it
            }
            watched.put(m, node.monitorNode(m, down -> onDown(m, vmid, down)));
        }
    }

    private void onDown(String member, String vmid, Down down) {
        DownReason r = down.reason();
        if (r.isUnreachable()) {
            graced.put(member, new Object[] {vmid, System.nanoTime() + graceNanos});
            LOG.info("node {} is unreachable ({}): the RMI leases it holds here stay for partition.grace", member, r);
        } else if (r.isNodeGone() || r.kind() == DownReason.Kind.SHUTDOWN) {
            int n = expire(vmid);
            if (n > 0) {
                LOG.info("node {} is gone ({}): ended the RMI leases it held on {} object(s) here", member, r, n);
            }
        }
        synchronized (this) {
            watchedGone.add(member); // the drainer forgets it, so a new incarnation is watched again
        }
    }

    private final List<String> watchedGone = new ArrayList<>();

    /** Drainer thread: forget members whose monitor ended. */
    void forgetEnded() {
        synchronized (this) {
            for (String m : watchedGone) {
                watched.remove(m);
            }
            watchedGone.clear();
        }
    }

    /** Ends the leases of unreachable members whose grace period is over, unless they came back. Drainer thread. */
    void runGrace(long now) {
        if (graced.isEmpty()) {
            return;
        }
        List<String> members = node.members();
        for (var it = graced.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            String member = e.getKey();
            String vmid = (String) e.getValue()[0];
            long deadline = (Long) e.getValue()[1];
            if (members.contains(member) && vmid.equals(node.attributesOf(member).get(VMID_ATTRIBUTE))) {
                it.remove();
                keptAfterMerge.increment();
                LOG.info("node {} is back (same JVM): the RMI leases it holds here were kept", member);
            } else if (now - deadline >= 0) {
                it.remove();
                int n = expire(vmid);
                expiredAfterGrace.increment();
                LOG.info("node {} did not come back within partition.grace: ended the RMI leases it held on {} object(s) here",
                        member, n);
            }
        }
    }

    /** Unreachable members whose leases wait for the grace period, for the MBean and status. */
    int gracedCount() {
        return graced.size();
    }

    /**
     * Ends the lease of {@code vmid} now: takes it out of RMI's lease table and queues each object it
     * referenced for {@code Target.vmidDead}, which {@link #runPaced} calls at the node's pace (so a
     * client that held 10,000 sessions does not start 10,000 {@code unreferenced()} threads at once).
     * Returns how many objects it referenced.
     */
    int expire(String vmid) {
        try {
            Object dgc = getDgcImpl.invoke(null);
            @SuppressWarnings("unchecked")
            Map<Object, Object> table = (Map<Object, Object>) leaseTable.get(dgc);
            List<Object[]> ended = new ArrayList<>();
            synchronized (table) {
                for (var it = table.entrySet().iterator(); it.hasNext();) {
                    var e = it.next();
                    if (e.getKey().toString().equals(vmid)) {
                        Object info = e.getValue();
                        java.util.Set<?> targets;
                        synchronized (info) {
                            expiration.setLong(info, 0L);
                            targets = new java.util.HashSet<>((java.util.Set<?>) notifySet.get(info));
                        }
                        it.remove(); // as DGCImpl.checkLeases does for an expired lease
                        for (Object t : targets) {
                            ended.add(new Object[] {t, e.getKey()});
                        }
                    }
                }
            }
            pending.addAll(ended);
            if (!ended.isEmpty()) {
                expired.increment();
            }
            return ended.size();
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("could not end the RMI leases of {}: {}", vmid, e.toString());
            return 0;
        }
    }

    /** Objects whose lease ended, waiting for {@code vmidDead}: [sun.rmi.transport.Target, VMID]. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Object[]> pending = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private long windowStart;
    private int usedInWindow;
    final LongAdder objectsReleased = new LongAdder();

    /**
     * Calls {@code Target.vmidDead} for queued objects, at most {@code demand.amount} per
     * {@code demand.interval} (read live from the node's settings; a budget of its own, next to the
     * Dispatcher's). RMI then runs {@code unreferenced()} for objects no other client references. Drainer
     * thread.
     */
    void runPaced(long now) {
        if (pending.isEmpty()) {
            return;
        }
        long interval = node.settings().demandIntervalNanos();
        if (now - windowStart >= interval) {
            windowStart = now;
            usedInWindow = 0;
        }
        int amount = node.settings().demandAmount();
        Object[] p;
        while (usedInWindow < amount && (p = pending.poll()) != null) {
            usedInWindow++;
            try {
                vmidDead.invoke(p[0], p[1]);
                objectsReleased.increment();
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.debug("vmidDead failed: {}", e.toString());
            }
        }
    }

    /** Objects whose lease ended and whose release waits for the pace. */
    int pendingReleases() {
        return pending.size();
    }
}
