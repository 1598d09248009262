package io.zenmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zenmonitor.wire.WireMessage;
import io.zenmonitor.wire.WireMessage.Instruction;
import io.zenmonitor.wire.WireMessage.Op;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jgroups.Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Floods from a member that plays by the wire format but not by the rules: it subscribes to millions of
 * targets, and it sends death certificates for objects it does not own. The victim's memory stays within
 * {@code proxy.max-subscriptions}, nobody's monitors fire on a lie, and honest nodes keep working.
 *
 * <p>The flood size defaults to 1,000,000 SUBSCRIBE instructions (a few seconds);
 * {@code -Dzen.flood.targets=10000000} runs the 10,000,000.
 */
class FloodTest {

    static final int FLOOD = Integer.getInteger("zen.flood.targets", 1_000_000);
    static final int MAX = 50_000;
    static final int ALIVE = 100_000;
    /** The wire's largest PROCESS (WireLimits.DEFAULT.maxEntries). */
    static final int CHUNK = 100_000;

    TestNodes nodes;
    ZenNode victim;
    ZenNode honest;
    ZenNode evil;

    @BeforeEach
    void setUp() {
        nodes = new TestNodes();
        victim = nodes.start("victim", c -> c.proxyMaxSubscriptions(MAX));
        honest = nodes.start("honest");
        evil = nodes.start("evil");
        nodes.awaitView(3);
    }

    @AfterEach
    void tearDown() {
        nodes.close();
    }

    @Test
    @DisplayName("a peer subscribing to millions of targets is held at proxy.max-subscriptions; the rest is dropped and counted")
    void subscriptionFlood_heldAtBound_droppedAndCounted_honestPeerUnaffected() {
        for (int i = 0; i < ALIVE; i++) {
            victim.alive(Target.named("victim", "o" + i));
        }
        Address to = TestNodes.address(victim);
        Address from = TestNodes.address(evil);
        int maxHeld = 0;
        long t0 = System.nanoTime();
        for (int sent = 0; sent < FLOOD; sent += CHUNK) {
            int base = sent;
            int n = Math.min(CHUNK, FLOOD - sent);
            // alive targets first (rows), then names that were never alive (NOPROC answers)
            TestNodes.onLoopDo(evil, x -> {
                List<Instruction> chunk = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    chunk.add(new Instruction(Op.SUBSCRIBE, Target.named("victim", "o" + (base + i))));
                }
                TestNodes.cluster(x).send(to, new WireMessage.Process(false, chunk));
            });
            maxHeld = Math.max(maxHeld, TestNodes.onLoop(victim, x -> TestNodes.proxy(x).heldFor(from)));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> victim.metrics().get("zen.wire.received") >= FLOOD / CHUNK
                && victim.metrics().get("zen.proxy.subscriptions-refused") + TestNodes.onLoop(victim, x -> TestNodes.proxy(x).subscriptionsInLoop()) >= FLOOD);
        System.out.printf("[measured] FloodTest: %,d SUBSCRIBEs from one peer handled in %d ms; held %,d, refused %,d%n",
                FLOOD, (System.nanoTime() - t0) / 1_000_000, TestNodes.onLoop(victim, x -> TestNodes.proxy(x).subscriptionsInLoop()),
                victim.metrics().get("zen.proxy.subscriptions-refused"));

        assertThat(maxHeld).isLessThanOrEqualTo(MAX);
        assertThat(TestNodes.<Integer>onLoop(victim, x -> TestNodes.proxy(x).subscriptionsInLoop())).isEqualTo(MAX);
        assertThat(victim.metrics().get("zen.proxy.subscriptions-refused")).isEqualTo(FLOOD - MAX);
        assertThat(victim.metrics().get("zen.loop.failures")).isZero();
        assertThat(victim.members()).hasSize(3);

        // an honest peer has its own budget and is served as usual
        Downs downs = new Downs();
        List<MonitorRef> refs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            refs.add(honest.monitor(Target.named("victim", "o" + (ALIVE - 1 - i)), downs));
        }
        TestNodes.awaitEstablished(honest, refs.get(999), victim);
        for (int i = 0; i < 1000; i++) {
            victim.died(Target.named("victim", "o" + (ALIVE - 1 - i)), DownReason.UNEXPORTED);
        }
        downs.awaitCount(1000, Duration.ofSeconds(20));
        assertThat(refs).allSatisfy(r -> downs.assertOne(r, DownReason.Kind.UNEXPORTED));

        // the flooder leaves: everything it held goes
        evil.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> TestNodes.onLoop(victim, x -> TestNodes.proxy(x).heldFor(from)) == 0
                && TestNodes.onLoop(victim, x -> TestNodes.proxy(x).subscriptionsInLoop()) == 0);
    }

    @Test
    @DisplayName("certificates for objects the sender does not own fire nothing; the real owner's deaths still do")
    void forgedCertificates_thirdNodesObjects_neverFire() {
        Target onVictim = Target.named("victim", "svc");
        Target onHonest = Target.named("honest", "svc");
        Target onEvil = Target.named("evil", "svc");
        victim.alive(onVictim);
        honest.alive(onHonest);
        evil.alive(onEvil);
        ZenNode watcher = nodes.start("watcher");
        nodes.awaitView(4);
        Downs downs = new Downs();
        MonitorRef victimRef = watcher.monitor(onVictim, downs);
        MonitorRef honestRef = watcher.monitor(onHonest, downs);
        MonitorRef evilRef = watcher.monitor(onEvil, downs); // watcher has a live session with evil
        Target own = Target.named("watcher", "own");
        watcher.alive(own);
        MonitorRef ownRef = watcher.monitor(own, downs);
        TestNodes.awaitEstablished(watcher, victimRef, victim);
        TestNodes.awaitEstablished(watcher, honestRef, honest);
        TestNodes.awaitEstablished(watcher, evilRef, evil);

        long unhandledBefore = watcher.metrics().get("zen.local.connector.unhandled");
        Address to = TestNodes.address(watcher);
        List<WireMessage.Certificate> lies = new ArrayList<>();
        for (Target t : List.of(onVictim, onHonest, own, Target.named("victim", "other"))) {
            lies.add(new WireMessage.Certificate(t, DownReason.SHUTDOWN));
        }
        for (int i = 0; i < 10; i++) {
            TestNodes.onLoopDo(evil, x -> TestNodes.cluster(x).send(to, new WireMessage.Dead(lies)));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.metrics().get("zen.wire.received") >= 10);
        downs.refuteAny(Duration.ofMillis(300));
        assertThat(victimRef.isActive()).isTrue();
        assertThat(honestRef.isActive()).isTrue();
        assertThat(ownRef.isActive()).isTrue();
        assertThat(watcher.metrics().get("zen.local.connector.unhandled")).isGreaterThanOrEqualTo(unhandledBefore);

        // the real owners still decide
        victim.died(onVictim, DownReason.UNEXPORTED);
        honest.died(onHonest, DownReason.UNREGISTERED);
        watcher.died(own, DownReason.COLLECTED);
        downs.awaitCount(3, Duration.ofSeconds(10));
        downs.assertOne(victimRef, DownReason.Kind.UNEXPORTED);
        downs.assertOne(honestRef, DownReason.Kind.UNREGISTERED);
        downs.assertOne(ownRef, DownReason.Kind.COLLECTED);
        assertThat(downs.of(evilRef)).isEmpty();
    }
}
