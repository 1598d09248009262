package io.zenmonitor.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.zenmonitor.Down;
import io.zenmonitor.DownListener;
import io.zenmonitor.DownReason;
import io.zenmonitor.Downs;
import io.zenmonitor.Endpoint;
import io.zenmonitor.MonitorOwner;
import io.zenmonitor.MonitorRef;
import io.zenmonitor.Target;
import io.zenmonitor.TestNodes;
import io.zenmonitor.ZenConfig;
import io.zenmonitor.ZenNode;
import io.zenmonitor.ZenSettings;
import io.zenmonitor.cluster.Transport;
import io.zenmonitor.core.Loop;
import io.zenmonitor.core.Ticker;
import io.zenmonitor.metrics.Metrics;
import io.zenmonitor.wire.WireMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jgroups.Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * What we promise beyond ZenMonitor about delivery (not in its test suite): pacing that holds its
 * throughput when demonitored dispatches are skipped, demonitor's guarantees against a running or racing
 * callback (the flush race of zen_monitor.md §11.4 is closed), callback failures that stay contained, and
 * {@link MonitorOwner}s, the Java stand-in for a subscribing process.
 */
@DisplayName("Pacing, demonitor and owners (beyond ZenMonitor)")
class PacingTest {

    /** A transport for a Local that never talks to anyone (the unit tests only drive its Dispatcher). */
    private static final Transport NO_NETWORK = new Transport() {
        @Override
        public Address localAddress() {
            return null;
        }

        @Override
        public Address addressOf(String node) {
            return null;
        }

        @Override
        public String nodeOfEndpoint(Endpoint endpoint) {
            return null;
        }

        @Override
        public void send(Address to, WireMessage message) {
        }
    };

    // ------------------------------------------------------------------ the Dispatcher alone

    /**
     * A Local that is never started (no loop ticks): the test calls {@link Local#tick()} by hand and the
     * callback executor only records what it is handed.
     */
    @Nested
    @DisplayName("Dispatcher, manual ticks")
    class DispatcherManualTicks {

        private Loop loop;
        private ZenSettings settings;
        private Metrics metrics;
        private Local local;
        private final List<Runnable> handed = new ArrayList<>();
        private final List<Long> ran = Collections.synchronizedList(new ArrayList<>());
        private final DownListener recorder = d -> ran.add(d.ref().id());

        @BeforeEach
        void createLocal() {
            loop = new Loop("pacing-unit");
            settings = new ZenSettings(ZenConfig.defaults().demandAmount(3));
            metrics = new Metrics();
            local = new Local("unit", NO_NETWORK, loop, settings, metrics, Ticker.SYSTEM, handed::add);
        }

        @AfterEach
        void closeLoop() {
            loop.close();
        }

        /** {@code n} monitors of one target elsewhere, their downs queued in creation order. */
        private List<Monitor> queued(int n) {
            Target t = Target.named("elsewhere", "t");
            List<Monitor> ms = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ms.add(local.monitor(t, recorder, null));
            }
            local.enqueueDowns(ms.stream().map(m -> new Dispatch(m, DownReason.NODEDOWN)).collect(Collectors.toList()));
            return ms;
        }

        private List<Long> handedIds() {
            return handed.stream().map(r -> ((Dispatch) r).monitor.id).collect(Collectors.toList());
        }

        private void runHanded() {
            handed.forEach(Runnable::run);
        }

        @Test
        @DisplayName("tick_startsAtMostDemandAmount_inFifoOrder")
        void tickStartsAtMostDemandAmount() {
            queued(10);

            assertThat(local.tick()).isEqualTo(3);
            assertThat(handedIds()).containsExactly(1L, 2L, 3L);
            assertThat(local.batchLength()).isEqualTo(7);

            assertThat(local.tick()).isEqualTo(3);
            assertThat(handedIds()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);

            settings.demandAmount(5); // read at each tick
            assertThat(local.tick()).isEqualTo(4);
            assertThat(handedIds()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
            assertThat(local.tick()).isZero();
            assertThat(local.batchLength()).isZero();

            assertThat(metrics.dispatcherDelivered.sum()).isEqualTo(10);
            assertThat(metrics.dispatcherProcessed.sum()).isEqualTo(10);
            runHanded();
            assertThat(ran).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
            assertThat(local.liveMonitors()).isZero();
        }

        @Test
        @DisplayName("tick_demonitoredDispatches_skippedAndReplacedSoThroughputHolds")
        void tickReplacesSkipped() {
            List<Monitor> ms = queued(10);
            assertThat(local.demonitor(ms.get(0), false)).isTrue();
            assertThat(local.demonitor(ms.get(1), false)).isTrue();
            assertThat(local.demonitor(ms.get(3), false)).isTrue();

            // three skipped, still three started: #3, #5, #6
            assertThat(local.tick()).isEqualTo(3);
            assertThat(handedIds()).containsExactly(3L, 5L, 6L);
            assertThat(metrics.dispatcherDelivered.sum()).isEqualTo(6); // pulled from the queue
            assertThat(metrics.dispatcherProcessed.sum()).isEqualTo(3); // handed to a callback
            assertThat(local.batchLength()).isEqualTo(4);

            assertThat(local.tick()).isEqualTo(3);
            assertThat(handedIds()).containsExactly(3L, 5L, 6L, 7L, 8L, 9L);
            assertThat(local.tick()).isEqualTo(1);
            assertThat(local.tick()).isZero();

            runHanded();
            assertThat(ran).containsExactly(3L, 5L, 6L, 7L, 8L, 9L, 10L);
            assertThat(metrics.dispatcherCallbacks.sum()).isEqualTo(7);
            assertThat(local.liveMonitors()).isZero();
        }

        @Test
        @DisplayName("tick_everyDispatchDemonitored_startsNothingAndEmptiesTheQueue")
        void tickAllSkipped() {
            List<Monitor> ms = queued(5);
            ms.forEach(m -> assertThat(local.demonitor(m, false)).isTrue());

            assertThat(local.tick()).isZero();

            assertThat(handed).isEmpty();
            assertThat(local.batchLength()).isZero();
            assertThat(metrics.dispatcherDelivered.sum()).isEqualTo(5);
            assertThat(metrics.dispatcherProcessed.sum()).isZero();
        }

        @Test
        @DisplayName("dispatch_demonitoredAfterHandOff_callbackNeverRuns")
        void demonitoredAfterHandOff() {
            List<Monitor> ms = queued(2);
            assertThat(local.tick()).isEqualTo(2);

            assertThat(local.demonitor(ms.get(0), true)).isTrue(); // not started yet: flush has nothing to wait for

            runHanded();
            assertThat(ran).containsExactly(2L);
            assertThat(metrics.dispatcherCallbacks.sum()).isEqualTo(1);
            assertThat(ms.get(0).isActive()).isFalse();
            assertThat(local.demonitor(ms.get(1), false)).isFalse(); // it fired
        }
    }

    // ------------------------------------------------------------------ on a node

    private TestNodes nodes;

    @BeforeEach
    void createNodes() {
        nodes = new TestNodes();
    }

    @AfterEach
    void closeNodes() {
        nodes.close();
    }

    private static void awaitTrue(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Nested
    @DisplayName("Pacing on a node")
    class PacingOnANode {

        @Test
        @DisplayName("nodedownFanOut_goesThroughTheDispatcher_demandAmountPerTick")
        void nodedownFanOutIsPaced() {
            // no automatic demand tick within the test: every tick is a manual one on the loop
            ZenNode node = nodes.start("a", c -> c.demandInterval(Duration.ofHours(1)).demandAmount(5));
            Downs downs = new Downs();
            List<MonitorRef> refs = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                refs.add(node.monitor(Target.named("down", "x" + i), downs)); // "down" is no member: fire-all NODEDOWN
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> TestNodes.local(node).batchLength() == 12);
            assertThat(downs.count()).isZero();

            int[] expected = {5, 5, 2, 0};
            int total = 0;
            for (int step : expected) {
                int started = TestNodes.onLoop(node, n -> TestNodes.local(n).tick());
                assertThat(started).isEqualTo(step);
                total += step;
                int sofar = total;
                await().atMost(Duration.ofSeconds(5)).until(() -> downs.count() == sofar);
                downs.refuteAny(Duration.ofMillis(50)); // nothing beyond this tick's share
                assertThat(downs.count()).isEqualTo(sofar);
            }
            // FIFO across ticks: the first tick started the five oldest monitors
            Set<MonitorRef> firstFive = downs.all().subList(0, 5).stream().map(Down::ref).collect(Collectors.toSet());
            assertThat(firstFive).containsExactlyInAnyOrderElementsOf(refs.subList(0, 5));
            assertThat(downs.all()).allMatch(d -> d.reason().equals(DownReason.NODEDOWN_UNAVAILABLE));
            assertThat(TestNodes.local(node).liveMonitors()).isZero();
        }
    }

    // ------------------------------------------------------------------ demonitor and the callback

    @Nested
    @DisplayName("Demonitor against a running callback")
    class DemonitorAgainstCallback {

        @Test
        @DisplayName("demonitorFlush_callbackRunning_waitsUntilItReturns")
        void flushWaitsForRunningCallback() throws Exception {
            ZenNode node = nodes.start("a");
            Target t = Target.named("a", "t");
            node.alive(t);
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean callbackReturned = new AtomicBoolean();
            MonitorRef ref = node.monitor(t, d -> {
                started.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    callbackReturned.set(true);
                }
            });
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                node.died(t, DownReason.Kind.EXIT, "killed");
                awaitTrue(started);

                // without flush: returns at once, and says it ended nothing (the callback owns the monitor)
                assertThat(CompletableFuture.supplyAsync(() -> node.demonitor(ref, false), other).get(5, TimeUnit.SECONDS)).isFalse();

                AtomicBoolean returnedAfterCallback = new AtomicBoolean();
                CompletableFuture<Boolean> flush = CompletableFuture.supplyAsync(() -> {
                    boolean r = node.demonitor(ref, true);
                    returnedAfterCallback.set(callbackReturned.get());
                    return r;
                }, other);
                await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !flush.isDone());

                release.countDown();

                assertThat(flush.get(5, TimeUnit.SECONDS)).isFalse();
                assertThat(returnedAfterCallback).isTrue();
            } finally {
                release.countDown();
                other.shutdownNow();
            }
        }

        @Test
        @DisplayName("demonitorFlush_fromItsOwnCallback_doesNotDeadlock")
        void flushFromOwnCallback() throws Exception {
            ZenNode node = nodes.start("a");
            Target t = Target.named("a", "t");
            node.alive(t);
            CompletableFuture<Boolean> inside = new CompletableFuture<>();
            CountDownLatch callbackDone = new CountDownLatch(1);
            MonitorRef ref = node.monitor(t, d -> {
                inside.complete(node.demonitor(d.ref(), true));
                callbackDone.countDown();
            });

            node.died(t, DownReason.Kind.EXIT, "killed");

            assertThat(inside.get(10, TimeUnit.SECONDS)).isFalse();
            awaitTrue(callbackDone);
            await().atMost(Duration.ofSeconds(5)).until(() -> TestNodes.local(node).liveMonitors() == 0);
            assertThat(ref.isActive()).isFalse();
        }

        /**
         * Many monitors of a dying target race demonitor(ref, flush) from another thread. Each ref must end
         * exactly once: either its callback ran or demonitor returned true. A demonitor that returned false
         * finds the callback already finished; no callback starts after its demonitor returned.
         *
         * <p>Rounds take turns: "chase" follows the Dispatcher in its (creation) order and flushes callbacks
         * while they run or just before they are claimed; "random" demonitors in random order once delivery
         * has begun; "early" starts at once, racing the tick that hands the dispatches out.
         */
        @Test
        @DisplayName("demonitorFlush_racingCallbacks_everyRefEndsExactlyOnce")
        void flushRace() throws Exception {
            ZenNode node = nodes.start("a", c -> c.demandAmount(4).callbackThreads(4));
            int rounds = 24;
            int perRound = 40;
            int n = rounds * perRound;
            AtomicInteger[] started = new AtomicInteger[n];
            AtomicInteger[] completed = new AtomicInteger[n];
            AtomicBoolean[] demonitorReturned = new AtomicBoolean[n];
            boolean[] demonitorResult = new boolean[n];
            for (int i = 0; i < n; i++) {
                started[i] = new AtomicInteger();
                completed[i] = new AtomicInteger();
                demonitorReturned[i] = new AtomicBoolean();
            }
            AtomicInteger startedAfterDemonitor = new AtomicInteger();
            AtomicInteger flushReturnedEarly = new AtomicInteger();
            AtomicInteger flushMetRunningCallback = new AtomicInteger();
            ExecutorService demonitors = Executors.newSingleThreadExecutor();
            try {
                for (int round = 0; round < rounds; round++) {
                    Target t = Target.named("a", "race-" + round);
                    node.alive(t);
                    CountDownLatch firstCallback = new CountDownLatch(1);
                    MonitorRef[] refs = new MonitorRef[perRound];
                    int base = round * perRound;
                    for (int k = 0; k < perRound; k++) {
                        int i = base + k;
                        refs[k] = node.monitor(t, d -> {
                            if (demonitorReturned[i].get()) {
                                startedAfterDemonitor.incrementAndGet();
                            }
                            started[i].incrementAndGet();
                            firstCallback.countDown();
                            LockSupport.parkNanos(1_000_000); // a callback that takes a while, so flushes meet it running
                            completed[i].incrementAndGet();
                        });
                    }
                    node.died(t, DownReason.Kind.EXIT, "race");
                    int mode = round % 3;
                    Random random = new Random(round);
                    List<Integer> order = IntStream.range(0, perRound).boxed().collect(Collectors.toList());
                    if (mode == 1) {
                        Collections.shuffle(order, random);
                    }
                    Future<?> done = demonitors.submit(() -> {
                        if (mode == 1) {
                            awaitQuietly(firstCallback);
                        }
                        for (int k : order) {
                            int i = base + k;
                            long pause = random.nextInt(mode == 0 ? 3_000_000 : 5_000_000);
                            if (mode == 0) {
                                // chase: wait (a random while at most) for this ref's callback to start
                                long until = System.nanoTime() + pause;
                                while (started[i].get() == 0 && System.nanoTime() < until) {
                                    LockSupport.parkNanos(20_000);
                                }
                            } else {
                                LockSupport.parkNanos(pause);
                            }
                            boolean running = started[i].get() == 1 && completed[i].get() == 0;
                            boolean r = node.demonitor(refs[k], true);
                            demonitorResult[i] = r;
                            if (!r && completed[i].get() != 1) {
                                flushReturnedEarly.incrementAndGet();
                            }
                            if (running) {
                                flushMetRunningCallback.incrementAndGet();
                            }
                            demonitorReturned[i].set(true);
                        }
                    });
                    done.get(30, TimeUnit.SECONDS);
                }
            } finally {
                demonitors.shutdownNow();
            }
            // nothing may start late: no callback at all during a refute window, then count
            int startedBefore = Arrays.stream(started).mapToInt(AtomicInteger::get).sum();
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
                    .until(() -> Arrays.stream(started).mapToInt(AtomicInteger::get).sum() == startedBefore);
            int ranCallback = 0;
            int endedByDemonitor = 0;
            for (int i = 0; i < n; i++) {
                assertThat(started[i].get()).as("callbacks of ref %d", i).isLessThanOrEqualTo(1);
                boolean callback = started[i].get() == 1;
                assertThat(callback ^ demonitorResult[i])
                        .as("ref %d: callback=%s demonitor=%s (exactly one of them)", i, callback, demonitorResult[i]).isTrue();
                if (callback) {
                    ranCallback++;
                } else {
                    endedByDemonitor++;
                }
            }
            assertThat(startedAfterDemonitor).as("callbacks started after their demonitor returned").hasValue(0);
            assertThat(flushReturnedEarly).as("flush demonitors that returned before the callback finished").hasValue(0);
            // the race really was a race: both outcomes happened, and flushes met running callbacks
            assertThat(ranCallback).isPositive();
            assertThat(endedByDemonitor).isPositive();
            assertThat(flushMetRunningCallback.get()).isPositive();
            assertThat(TestNodes.local(node).liveMonitors()).isZero();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ callback failures

    @Nested
    @DisplayName("Callback failures")
    class CallbackFailures {

        @Test
        @DisplayName("callback_throws_countedAndOthersStillRun")
        void throwingCallbackIsCounted() {
            ZenNode node = nodes.start("a");
            Target t = Target.named("a", "t");
            node.alive(t);
            MonitorRef thrower = node.monitor(t, d -> {
                throw new IllegalStateException("listener bug (expected by the test)");
            });
            Downs downs = new Downs();
            List<MonitorRef> others = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                others.add(node.monitor(t, downs));
            }
            TestNodes.awaitEstablished(node, others.get(4), node);

            node.died(t, DownReason.Kind.EXIT, "killed");

            downs.awaitCount(5, Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(5)).until(() -> node.metrics().get("zen.local.dispatcher.callbacks") == 6L);
            assertThat(node.metrics().get("zen.local.dispatcher.callback-errors")).isEqualTo(1L);
            others.forEach(r -> downs.assertOne(r, DownReason.Kind.EXIT));
            assertThat(thrower.isActive()).isFalse();
            await().atMost(Duration.ofSeconds(5)).until(() -> TestNodes.local(node).liveMonitors() == 0);
            assertThat(node.demonitor(thrower)).isFalse(); // it ended (by its callback), once
        }

        @Test
        @DisplayName("callback_blocksForever_othersStillDelivered")
        void blockingCallbackDoesNotStallOthers() throws Exception {
            ZenNode node = nodes.start("a", c -> c.callbackThreads(2));
            Target t = Target.named("a", "t");
            Target later = Target.named("a", "later");
            node.alive(t);
            node.alive(later);
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            MonitorRef blocker = node.monitor(t, d -> {
                blocked.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Downs downs = new Downs();
            for (int i = 0; i < 10; i++) {
                node.monitor(t, downs);
            }
            for (int i = 0; i < 5; i++) {
                node.monitor(later, downs);
            }
            try {
                node.died(t, DownReason.Kind.EXIT, "killed");
                awaitTrue(blocked);
                downs.awaitCount(10, Duration.ofSeconds(5));

                node.died(later, DownReason.Kind.EXIT, "killed"); // a later fan-out still gets through

                downs.awaitCount(15, Duration.ofSeconds(5));
                assertThat(blocked.getCount()).isZero();
                assertThat(release.getCount()).isEqualTo(1); // the blocker is still inside its callback
                assertThat(blocker.isActive()).isFalse();
            } finally {
                release.countDown();
            }
        }
    }

    // ------------------------------------------------------------------ owners

    @Nested
    @DisplayName("Owners")
    class Owners {

        @Test
        @DisplayName("ownerClose_allMonitorsEndDemonitored_noCallbackAfterwards_newMonitorsRefused")
        void ownerCloseEndsEverything() {
            // manual ticks only, so the downs are certainly queued and not yet started when the owner closes
            ZenNode node = nodes.start("a", c -> c.demandInterval(Duration.ofHours(1)));
            Target t = Target.named("a", "t");
            node.alive(t);
            MonitorOwner owner = node.owner("x");
            Downs downs = new Downs();
            List<MonitorRef> refs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                refs.add(owner.monitor(t, downs));
            }
            Downs bystander = new Downs();
            MonitorRef notOwned = node.monitor(t, bystander);
            TestNodes.awaitEstablished(node, notOwned, node);
            assertThat(owner.size()).isEqualTo(20);
            node.died(t, DownReason.Kind.EXIT, "killed");
            await().atMost(Duration.ofSeconds(5)).until(() -> TestNodes.local(node).batchLength() == 21);

            owner.close();

            assertThat(owner.isClosed()).isTrue();
            assertThat(owner.size()).isZero();
            assertThat(refs).noneMatch(MonitorRef::isActive);
            assertThat(TestNodes.local(node).liveMonitors()).isEqualTo(1); // only the bystander's
            int started = TestNodes.onLoop(node, n -> TestNodes.local(n).tick());
            assertThat(started).isEqualTo(1);
            bystander.awaitDown(notOwned);
            downs.refuteAny(Downs.RECEIVE);
            assertThat(downs.count()).isZero();
            refs.forEach(r -> assertThat(owner.demonitor(r, false)).isFalse());
            assertThatThrownBy(() -> owner.monitor(Target.named("a", "another"), downs))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("x");
            assertThat(TestNodes.local(node).liveMonitors()).isZero();
        }

        @Test
        @DisplayName("ownerDemonitor_refOfAnotherOwner_leftAlone")
        void ownerDemonitorsOnlyItsOwn() {
            ZenNode node = nodes.start("a");
            Target t = Target.named("a", "t");
            node.alive(t);
            MonitorOwner x = node.owner("x");
            MonitorOwner y = node.owner("y");
            MonitorRef ofY = y.monitor(t, new Downs());
            MonitorRef plain = node.monitor(t, new Downs());

            assertThat(x.demonitor(ofY, true)).isFalse();
            assertThat(x.demonitor(plain, true)).isFalse();
            x.close();

            assertThat(ofY.isActive()).isTrue();
            assertThat(plain.isActive()).isTrue();
            assertThat(y.size()).isEqualTo(1);
            assertThat(y.demonitor(ofY, false)).isTrue();
        }

        @Test
        @DisplayName("ownerMonitor_racingClose_neverLeaksALiveMonitor")
        void monitorRacingClose() throws Exception {
            ZenNode node = nodes.start("a");
            Target t = Target.named("a", "t");
            node.alive(t);
            Downs downs = new Downs();
            Local local = TestNodes.local(node);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            Random random = new Random(42);
            int refused = 0;
            try {
                for (int round = 0; round < 30; round++) {
                    MonitorOwner owner = node.owner("racer-" + round);
                    List<MonitorRef> created = Collections.synchronizedList(new ArrayList<>());
                    AtomicInteger refusedThisRound = new AtomicInteger();
                    CountDownLatch go = new CountDownLatch(1);
                    List<Future<?>> racers = new ArrayList<>();
                    for (int r = 0; r < 2; r++) {
                        racers.add(threads.submit(() -> {
                            go.await();
                            while (true) {
                                try {
                                    created.add(owner.monitor(t, downs));
                                    LockSupport.parkNanos(ThreadLocalRandom.current().nextInt(20_000) + 1);
                                } catch (IllegalStateException e) {
                                    refusedThisRound.incrementAndGet();
                                    return null;
                                }
                            }
                        }));
                    }
                    go.countDown();
                    int closeAfter = random.nextInt(200);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (created.size() < closeAfter && System.nanoTime() < deadline) {
                        Thread.onSpinWait(); // close right in the middle of the racers, not after a 100 ms poll
                    }
                    owner.close();
                    for (Future<?> f : racers) {
                        f.get(10, TimeUnit.SECONDS);
                    }
                    refused += refusedThisRound.get();

                    assertThat(created).noneMatch(MonitorRef::isActive);
                    assertThat(owner.size()).isZero();
                    assertThat(local.liveMonitors()).as("live monitors after round %d", round).isZero();
                }
            } finally {
                threads.shutdownNow();
            }
            assertThat(refused).isEqualTo(30 * 2); // every racer ended on the closed owner's refusal
            // the Connector and the Proxy let go of everything, and the target's death reaches no one
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> TestNodes.onLoop(node, n -> TestNodes.local(n).connectorMonitors("a", t).isEmpty()
                            && TestNodes.proxy(n).subscribersOf(t).isEmpty()));
            node.died(t, DownReason.Kind.EXIT, "killed");
            downs.refuteAny(Downs.RECEIVE);
            assertThat(downs.count()).isZero();
        }
    }
}
