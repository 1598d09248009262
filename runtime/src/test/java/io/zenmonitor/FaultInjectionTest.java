package io.zenmonitor;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.zenmonitor.DownReason.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.core.ConditionTimeoutException;
import org.jgroups.Address;
import org.jgroups.protocols.DISCARD;
import org.junit.jupiter.api.Test;

/**
 * Fault injection over a cluster of {@value #NODES} nodes in one JVM on the {@code memory} stack: thousands
 * of monitors from several owners per node, then, round after round, a storm (targets dying with every
 * kind, demonitors racing those deaths, an owner closed mid-storm, slow and throwing listeners) followed by
 * one node fault: a crash (no leave) and a restart under the same name, a clean stop and a restart, or a
 * partition (JGroups DISCARD) and its heal.
 *
 * <p>After every phase it checks the invariants the README promises:
 * <ul>
 *   <li>every monitor ended in exactly one down or one demonitor, never both, never two downs;</li>
 *   <li>no callback started after {@code demonitor} or {@code owner.close()} returned, and none was still
 *       running after {@code demonitor(ref, true)} returned;</li>
 *   <li>each down has the right kind: the kind the target died with, {@code NOPROC} for a target already
 *       dead, {@code NODEDOWN} for a crash or a partition, {@code SHUTDOWN} for a clean stop;</li>
 *   <li>once quiet, the tables of every live node hold exactly the live monitors: the References count,
 *       the Proxy's subscription rows (one per target and subscribing node), no queued dispatches, no
 *       unsent instructions, no PROCESS held for a non-member, no Batcher or Connector beyond the nodes
 *       there are;</li>
 *   <li>pacing: in every window of 10 demand intervals a node started at most
 *       {@code demand.amount × (10 + 6)} callbacks (slack for callback threads the machine held back), with
 *       pacing set to 2 per 10 ms so that every fan-out is paced.</li>
 * </ul>
 *
 * <p>The schedule is drawn from a seed, printed at the start and named in every failure. Replay with
 * {@code -Dzen.faults.seed=<seed>}; run more with {@code -Dzen.faults.schedules=<n>} (default 1, a new
 * seed each) and {@code -Dzen.faults.rounds=<n>} (default 6). The schedule (which faults, targets, monitors
 * and races) is fully determined by the seed; thread interleavings are not, which is what the races are
 * for.
 */
class FaultInjectionTest {

    static final int NODES = 4;
    static final int TARGETS_PER_NODE = 200;
    static final int MONITORS_PER_NODE = Integer.getInteger("zen.faults.monitors", 250);
    static final int ROUNDS = Integer.getInteger("zen.faults.rounds", 6);
    static final int SCHEDULES = Integer.getInteger("zen.faults.schedules", 1);
    static final int DEMAND_AMOUNT = 2;
    static final Duration DEMAND_INTERVAL = Duration.ofMillis(10);
    /**
     * Pacing is checked over windows of this many demand intervals, allowing {@link #PACING_SLACK} more
     * intervals' worth of starts: callbacks start on their own threads, and a loaded machine may hold those
     * back for a few ticks and then start them together, which is not the Dispatcher's doing. With pacing at
     * 2 per 10 ms the bound is 32 starts per 100 ms, while an unpaced fan-out (a node losing a peer fires 50
     * to 200 monitors at once) breaks it: checked by running with {@code demand.amount} 1000, which fails.
     */
    static final int PACING_WINDOW = 10;
    static final int PACING_SLACK = 6;
    /** Generous: failure detection plus merges on a loaded 2-core machine. */
    static final Duration QUIET = Duration.ofSeconds(40);

    enum Fault { CRASH_RESTART, STOP_RESTART, PARTITION_HEAL }

    /** What a schedule did, summed for the report. */
    static final class Tally {
        int schedules;
        int rounds;
        int faults;
        int monitors;
        int downs;
        int demonitors;
        /** Most callback starts one node made in one pacing window, over every schedule. */
        int busiestWindow;
        final Map<String, Integer> byFault = new HashMap<>();
    }

    @Test
    void randomFaultSchedules_exactlyOnceRightKindNoLeakPaced() throws Exception {
        Tally tally = new Tally();
        String fixed = System.getProperty("zen.faults.seed");
        int schedules = fixed != null ? 1 : SCHEDULES;
        for (int s = 0; s < schedules; s++) {
            long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime() ^ (s * 0x9E3779B97F4A7C15L);
            System.out.println("FaultInjectionTest seed=" + seed + " (replay with -Dzen.faults.seed=" + seed + ")");
            try (Schedule schedule = new Schedule(seed, tally)) {
                schedule.run();
            } catch (Throwable t) {
                throw new AssertionError("fault schedule failed; replay with -Dzen.faults.seed=" + seed + ": " + t.getMessage(), t);
            }
        }
        System.out.printf("[measured] FaultInjectionTest: %d schedules, %d rounds, %d node faults %s, %d monitors checked "
                + "(%d downs, %d demonitors); busiest pacing window %d callback starts (bound %d)%n", tally.schedules, tally.rounds,
                tally.faults, tally.byFault, tally.monitors, tally.downs, tally.demonitors, tally.busiestWindow, DEMAND_AMOUNT * (PACING_WINDOW + PACING_SLACK));
        assertThat(tally.monitors).isGreaterThan(1000);
    }

    // ------------------------------------------------------------------ one monitor

    /** One monitor and everything that happened to it; it is its own listener. */
    static final class Entry implements DownListener {
        final int slot;
        final ZenNode monitoring;
        final Target target;
        final int targetSlot;
        final MonitorOwner owner;
        final Schedule schedule;
        MonitorRef ref;
        final Queue<Down> downs = new ConcurrentLinkedQueue<>();
        /** Allowed kinds of the one down, or null while nothing has ended it yet. */
        volatile Set<Kind> allowed;
        /** Set after demonitor or owner close returned: no callback may start from then on. */
        volatile boolean stopped;
        volatile Boolean demonitorResult;
        volatile boolean ownerClosed;
        /** The monitoring node crashed: a dead process's monitors are out of the game. */
        volatile boolean excluded;
        /** The monitoring node closed cleanly: its monitors end as demonitored. */
        volatile boolean nodeClosed;
        volatile boolean running;
        /** 0 normal, 1 slow, 2 throws. */
        final int behaviour;

        Entry(Schedule schedule, int slot, ZenNode monitoring, Target target, int targetSlot, MonitorOwner owner, int behaviour) {
            this.schedule = schedule;
            this.slot = slot;
            this.monitoring = monitoring;
            this.target = target;
            this.targetSlot = targetSlot;
            this.owner = owner;
            this.behaviour = behaviour;
        }

        @Override
        public void onDown(Down down) {
            running = true;
            try {
                if (stopped) {
                    schedule.violation(this, "callback started after demonitor/owner close/node close returned: " + down);
                }
                downs.add(down);
                schedule.starts.computeIfAbsent(monitoring, n -> new ConcurrentLinkedQueue<>()).add(System.nanoTime());
                if (behaviour == 1) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // a slow application listener
                } else if (behaviour == 2) {
                    throw new IllegalStateException("listener fails on purpose");
                }
            } finally {
                running = false;
            }
        }

        /** Whether this monitor must still be live (nothing ended it). */
        boolean expectLive() {
            return !excluded && !nodeClosed && !ownerClosed && allowed == null && !Boolean.TRUE.equals(demonitorResult);
        }

        /** Whether a down must still arrive (it is owed and nothing else may end it). */
        boolean owesDown() {
            return !excluded && !nodeClosed && !ownerClosed && allowed != null && !Boolean.TRUE.equals(demonitorResult) && downs.isEmpty();
        }

        @Override
        public String toString() {
            return "monitor of " + target + " from " + monitoring.name() + (owner != null ? " owner " + owner.name() : "")
                    + " allowed=" + allowed + " downs=" + downs + " demonitor=" + demonitorResult + " ownerClosed=" + ownerClosed
                    + " nodeClosed=" + nodeClosed + " excluded=" + excluded;
        }
    }

    // ------------------------------------------------------------------ one schedule

    static final class Schedule implements AutoCloseable {
        final long seed;
        final Random rnd;
        final Tally tally;
        final TestNodes nodes = new TestNodes();
        final ZenNode[] slots = new ZenNode[NODES];
        final List<List<MonitorOwner>> owners = new ArrayList<>();
        /** Per slot: targets dead in the current incarnation, with their kind. */
        final List<Map<Target, Kind>> dead = new ArrayList<>();
        final List<Entry> entries = new ArrayList<>();
        final Map<ZenNode, Queue<Long>> starts = new java.util.concurrent.ConcurrentHashMap<>();
        final Queue<String> violations = new ConcurrentLinkedQueue<>();
        final ExecutorService racers = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "fault-racer");
            t.setDaemon(true);
            return t;
        });
        int ownerSerial;

        Schedule(long seed, Tally tally) {
            this.seed = seed;
            this.rnd = new Random(seed);
            this.tally = tally;
        }

        void violation(Entry e, String what) {
            violations.add(what + " [" + e + "]");
        }

        ZenNode startSlot(int i) {
            ZenNode n = nodes.start("n" + i, c -> c.demandAmount(DEMAND_AMOUNT).demandInterval(DEMAND_INTERVAL));
            slots[i] = n;
            for (int k = 0; k < TARGETS_PER_NODE; k++) {
                n.alive(Target.named(n.name(), "t" + k));
            }
            dead.set(i, new HashMap<>());
            owners.set(i, new ArrayList<>(List.of(n.owner("o" + (++ownerSerial)), n.owner("o" + (++ownerSerial)))));
            return n;
        }

        void run() throws Exception {
            tally.schedules++;
            for (int i = 0; i < NODES; i++) {
                dead.add(null);
                owners.add(null);
            }
            for (int i = 0; i < NODES; i++) {
                startSlot(i);
            }
            nodes.awaitView(NODES);
            for (int round = 0; round < ROUNDS; round++) {
                tally.rounds++;
                createMonitors();
                awaitQuiet("round " + round + " monitors established");
                check("round " + round + " after monitoring");
                storm();
                awaitQuiet("round " + round + " storm");
                check("round " + round + " after the storm");
                Fault f = Fault.values()[rnd.nextInt(Fault.values().length)];
                int victim = rnd.nextInt(NODES);
                nodeFault(f, victim);
                tally.faults++;
                tally.byFault.merge(f.name(), 1, Integer::sum);
                awaitQuiet("round " + round + " " + f + " of n" + victim);
                check("round " + round + " after " + f + " of n" + victim);
            }
            checkPacing();
            for (Entry e : entries) {
                if (!e.excluded) {
                    tally.monitors++;
                    tally.downs += e.downs.size();
                    tally.demonitors += Boolean.TRUE.equals(e.demonitorResult) ? 1 : 0;
                }
            }
        }

        // -------------------------------------------------------------- phases

        void createMonitors() {
            for (int i = 0; i < NODES; i++) {
                ZenNode n = slots[i];
                for (int m = 0; m < MONITORS_PER_NODE; m++) {
                    int ts = rnd.nextInt(NODES);
                    Target t = Target.named("n" + ts, "t" + rnd.nextInt(TARGETS_PER_NODE));
                    int pick = rnd.nextInt(3);
                    MonitorOwner owner = pick == 2 ? null : owners.get(i).get(pick);
                    int r = rnd.nextInt(10);
                    Entry e = new Entry(this, i, n, t, ts, owner, r == 0 ? 1 : r == 1 ? 2 : 0);
                    Kind deadKind = dead.get(ts).get(t);
                    if (deadKind != null) {
                        e.allowed = EnumSet.of(Kind.NOPROC); // subscribing to a dead target resolves at once
                    }
                    e.ref = owner != null ? owner.monitor(t, e) : n.monitor(t, e);
                    entries.add(e);
                }
            }
        }

        /**
         * Targets die with random kinds while demonitors race those deaths (half with flush) and one owner
         * per node is closed mid-storm.
         */
        void storm() throws Exception {
            List<Entry> live = new ArrayList<>();
            for (Entry e : entries) {
                if (e.expectLive()) {
                    live.add(e);
                }
            }
            // pick the deaths first so that the demonitors can aim at them
            Map<Integer, List<Target>> deaths = new HashMap<>();
            Map<Target, Kind> kinds = new HashMap<>();
            Kind[] storm = {Kind.UNEXPORTED, Kind.UNREGISTERED, Kind.COLLECTED, Kind.EXIT};
            for (int i = 0; i < NODES; i++) {
                List<Target> ts = new ArrayList<>();
                for (int k = 0; k < TARGETS_PER_NODE / 10; k++) {
                    Target t = Target.named("n" + i, "t" + rnd.nextInt(TARGETS_PER_NODE));
                    if (!dead.get(i).containsKey(t) && !kinds.containsKey(t)) {
                        ts.add(t);
                        kinds.put(t, storm[rnd.nextInt(storm.length)]);
                    }
                }
                deaths.put(i, ts);
            }
            List<Entry> demonitor = new ArrayList<>();
            for (Entry e : live) {
                boolean aimed = kinds.containsKey(e.target);
                if (rnd.nextInt(aimed ? 3 : 12) == 0) {
                    demonitor.add(e);
                }
            }
            boolean[] flush = new boolean[demonitor.size()];
            for (int i = 0; i < flush.length; i++) {
                flush[i] = rnd.nextBoolean();
            }
            int[] closing = new int[NODES];
            for (int i = 0; i < NODES; i++) {
                closing[i] = rnd.nextInt(2);
            }
            // expectations before the race starts: a death owes its kind
            for (Entry e : live) {
                Kind k = kinds.get(e.target);
                if (k != null) {
                    e.allowed = EnumSet.of(k);
                }
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> work = new ArrayList<>();
            work.add(racers.submit(() -> {
                go.await();
                deaths.forEach((slot, ts) -> {
                    for (Target t : ts) {
                        Kind k = kinds.get(t);
                        dead.get(slot).put(t, k);
                        if (k == Kind.EXIT) {
                            slots[slot].died(t, k, new IllegalStateException("storm"));
                        } else {
                            slots[slot].died(t, DownReason.of(k));
                        }
                    }
                });
                return null;
            }));
            int half = demonitor.size() / 2;
            for (int part = 0; part < 2; part++) {
                int from = part == 0 ? 0 : half;
                int to = part == 0 ? half : demonitor.size();
                work.add(racers.submit(() -> {
                    go.await();
                    for (int i = from; i < to; i++) {
                        Entry e = demonitor.get(i);
                        boolean ended = e.owner != null ? e.owner.demonitor(e.ref, flush[i]) : e.monitoring.demonitor(e.ref, flush[i]);
                        e.demonitorResult = ended;
                        e.stopped = true;
                        if (flush[i] && e.running) {
                            violation(e, "callback still running after demonitor(flush) returned");
                        }
                    }
                    return null;
                }));
            }
            work.add(racers.submit(() -> {
                go.await();
                for (int i = 0; i < NODES; i++) {
                    MonitorOwner o = owners.get(i).get(closing[i]);
                    o.close();
                    for (Entry e : entries) {
                        if (e.owner == o) {
                            e.ownerClosed = true;
                            e.stopped = true;
                        }
                    }
                }
                return null;
            }));
            go.countDown();
            for (Future<?> f : work) {
                f.get(30, TimeUnit.SECONDS);
            }
            for (int i = 0; i < NODES; i++) {
                MonitorOwner closed = owners.get(i).get(closing[i]);
                owners.get(i).set(closing[i], slots[i].owner("o" + (++ownerSerial)));
                assertThat(closed.size()).as("seed %d: closed owner %s still holds monitors", seed, closed.name()).isZero();
            }
        }

        void nodeFault(Fault f, int v) throws Exception {
            ZenNode victim = slots[v];
            // demonitors racing the node's death: some monitors of its targets, from other nodes
            List<Entry> racing = new ArrayList<>();
            for (Entry e : entries) {
                if (e.expectLive() && e.targetSlot == v && e.slot != v && rnd.nextInt(8) == 0) {
                    racing.add(e);
                }
            }
            Kind kind = f == Fault.STOP_RESTART ? Kind.SHUTDOWN : Kind.NODEDOWN;
            for (Entry e : entries) {
                if (!e.expectLive()) {
                    continue;
                }
                if (e.slot == v) {
                    if (f == Fault.CRASH_RESTART) {
                        e.excluded = true;
                    } else if (f == Fault.STOP_RESTART) {
                        e.nodeClosed = true; // its own monitors end as demonitored
                    } else if (e.targetSlot != v) {
                        e.allowed = EnumSet.of(Kind.NODEDOWN); // the partitioned node loses everyone else
                    }
                } else if (e.targetSlot == v) {
                    e.allowed = EnumSet.of(kind);
                }
            }
            Future<?> race = racers.submit(() -> {
                for (Entry e : racing) {
                    boolean ended = e.owner != null ? e.owner.demonitor(e.ref, true) : e.monitoring.demonitor(e.ref, true);
                    e.demonitorResult = ended;
                    e.stopped = true;
                    if (e.running) {
                        violation(e, "callback still running after demonitor(flush) returned");
                    }
                }
                return null;
            });
            switch (f) {
                case CRASH_RESTART -> {
                    TestNodes.crash(victim);
                    awaitMembers(NODES - 1, victim);
                    startSlot(v);
                    awaitMembers(NODES, null);
                }
                case STOP_RESTART -> {
                    victim.close();
                    for (Entry e : entries) {
                        if (e.monitoring == victim) {
                            e.stopped = true;
                            if (e.ref.isActive()) {
                                violation(e, "a closed node's monitor is still active");
                            }
                        }
                    }
                    awaitMembers(NODES - 1, victim);
                    startSlot(v);
                    awaitMembers(NODES, null);
                }
                case PARTITION_HEAL -> {
                    Address cut = TestNodes.address(victim);
                    List<DISCARD> discards = new ArrayList<>();
                    DISCARD dv = discard(victim);
                    discards.add(dv);
                    for (int i = 0; i < NODES; i++) {
                        if (i != v) {
                            DISCARD d = discard(slots[i]);
                            d.addIgnoreMember(cut);
                            dv.addIgnoreMember(TestNodes.address(slots[i]));
                            discards.add(d);
                        }
                    }
                    await().atMost(QUIET).until(() -> victim.members().size() == 1
                            && java.util.Arrays.stream(slots).filter(n -> n != victim).allMatch(n -> n.members().size() == NODES - 1));
                    for (DISCARD d : discards) {
                        d.resetIgnoredMembers();
                    }
                    await().atMost(QUIET).until(() -> java.util.Arrays.stream(slots).allMatch(n -> n.members().size() == NODES));
                }
            }
            race.get(30, TimeUnit.SECONDS);
        }

        void awaitMembers(int size, ZenNode gone) {
            await().atMost(QUIET).until(() -> java.util.Arrays.stream(slots).filter(n -> n != gone).allMatch(n -> n.members().size() == size));
        }

        static DISCARD discard(ZenNode n) throws Exception {
            return SemanticsTest.discard(n);
        }

        // -------------------------------------------------------------- invariants

        /** Waits until every owed down arrived and every live node's tables hold exactly the live monitors. */
        void awaitQuiet(String phase) {
            try {
                await().atMost(QUIET).pollInterval(Duration.ofMillis(50)).until(() -> entries.stream().noneMatch(Entry::owesDown));
            } catch (ConditionTimeoutException e) {
                List<Entry> owed = entries.stream().filter(Entry::owesDown).limit(5).toList();
                throw new AssertionError("seed " + seed + ", " + phase + ": "
                        + entries.stream().filter(Entry::owesDown).count() + " downs never came, e.g. " + owed, e);
            }
            try {
                await().atMost(QUIET).pollInterval(Duration.ofMillis(100)).until(() -> tableProblems().isEmpty());
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("seed " + seed + ", " + phase + ": tables never settled: " + tableProblems(), e);
            }
        }

        /** What differs between the live nodes' tables and the monitors the ledger says are live. */
        List<String> tableProblems() {
            List<String> problems = new ArrayList<>();
            Map<ZenNode, Integer> liveBy = new HashMap<>();
            Map<ZenNode, Set<String>> rowsOn = new HashMap<>();
            for (Entry e : entries) {
                if (e.excluded || e.nodeClosed) {
                    continue;
                }
                if (e.expectLive()) {
                    liveBy.merge(e.monitoring, 1, Integer::sum);
                    rowsOn.computeIfAbsent(slots[e.targetSlot], n -> new HashSet<>()).add(e.target + "<-" + e.monitoring.name());
                }
            }
            for (ZenNode n : slots) {
                long live = TestNodes.local(n).liveMonitors();
                int expected = liveBy.getOrDefault(n, 0);
                if (live != expected) {
                    problems.add(n.name() + " holds " + live + " live monitors, the ledger " + expected);
                }
                int rows = TestNodes.onLoop(n, x -> TestNodes.proxy(x).subscriptionsInLoop());
                int expectedRows = rowsOn.getOrDefault(n, Set.of()).size();
                if (rows != expectedRows) {
                    problems.add(n.name() + "'s Proxy holds " + rows + " subscription rows, the ledger " + expectedRows);
                }
                int queued = TestNodes.onLoop(n, x -> TestNodes.local(x).batchLength());
                if (queued != 0) {
                    problems.add(n.name() + " has " + queued + " dispatches queued");
                }
                int batchers = TestNodes.onLoop(n, x -> TestNodes.proxy(x).batcherCount());
                if (batchers > NODES) {
                    problems.add(n.name() + " has " + batchers + " Batchers for " + NODES + " nodes");
                }
                int connectors = TestNodes.onLoop(n, x -> TestNodes.local(x).connectorCount());
                if (connectors > NODES) {
                    problems.add(n.name() + " has " + connectors + " Connectors for " + NODES + " node names");
                }
                int pending = TestNodes.onLoop(n, x -> {
                    int p = 0;
                    for (int i = 0; i < NODES; i++) {
                        p += TestNodes.local(x).connectorBatch("n" + i).size();
                    }
                    return p;
                });
                if (pending != 0) {
                    problems.add(n.name() + " has " + pending + " instructions not yet sent");
                }
                int early = TestNodes.onLoop(n, x -> TestNodes.cluster(x).earlyHeld());
                if (early != 0) {
                    problems.add(n.name() + " holds " + early + " PROCESS messages from non-members");
                }
            }
            return problems;
        }

        /** Every monitor's story is consistent: exactly one end, the right kind, nothing after stop. */
        void check(String phase) {
            List<String> problems = new ArrayList<>(violations);
            for (Entry e : entries) {
                if (e.excluded) {
                    continue;
                }
                int n = e.downs.size();
                if (n > 1) {
                    problems.add("two downs: " + e);
                    continue;
                }
                Down d = e.downs.peek();
                if (Boolean.TRUE.equals(e.demonitorResult) && n != 0) {
                    problems.add("demonitor returned true and a down arrived: " + e);
                }
                if (Boolean.FALSE.equals(e.demonitorResult) && n == 0 && !e.ownerClosed && !e.nodeClosed) {
                    problems.add("demonitor returned false but no down arrived: " + e);
                }
                if (d != null) {
                    if (d.ref() != e.ref) {
                        problems.add("down of another ref: " + e);
                    }
                    if (e.allowed == null) {
                        problems.add("a down nobody caused: " + e);
                    } else if (!e.allowed.contains(d.reason().kind())) {
                        problems.add("wrong kind " + d.reason() + ": " + e);
                    }
                    if (e.ref.isActive()) {
                        problems.add("fired but still active: " + e);
                    }
                } else if (e.expectLive() && !e.ref.isActive()) {
                    problems.add("ended without a down or demonitor: " + e);
                }
            }
            if (!problems.isEmpty()) {
                throw new AssertionError("seed " + seed + ", " + phase + ": " + problems.size() + " violations, first: "
                        + problems.subList(0, Math.min(10, problems.size())));
            }
        }

        /**
         * At most {@code demand.amount × (PACING_WINDOW + PACING_SLACK)} callback starts in any window of
         * {@code PACING_WINDOW} demand intervals, per node incarnation.
         */
        void checkPacing() {
            long window = DEMAND_INTERVAL.toNanos() * PACING_WINDOW;
            long bound = (long) DEMAND_AMOUNT * (PACING_WINDOW + PACING_SLACK);
            starts.forEach((node, q) -> {
                long[] ts = q.stream().mapToLong(Long::longValue).sorted().toArray();
                int lo = 0;
                int busiest = 0;
                for (int hi = 0; hi < ts.length; hi++) {
                    while (ts[hi] - ts[lo] >= window) {
                        lo++;
                    }
                    busiest = Math.max(busiest, hi - lo + 1);
                    if (hi - lo + 1 > bound) {
                        throw new AssertionError("seed " + seed + ": " + node.name() + " started " + (hi - lo + 1)
                                + " callbacks within " + window / 1_000_000 + " ms; the bound is " + bound);
                    }
                }
                tally.busiestWindow = Math.max(tally.busiestWindow, busiest);
            });
        }

        @Override
        public void close() {
            racers.shutdownNow();
            nodes.close();
        }
    }
}
