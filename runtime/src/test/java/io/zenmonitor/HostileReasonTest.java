package io.zenmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.zenmonitor.truncate.Truncator;
import java.time.Duration;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Reasons built to hurt, end to end through two nodes (ZenMonitor PR #5 was a huge reason taking the
 * Proxy down): each is truncated within the Truncator's bounds and in bounded time, the down reaches the
 * monitoring node, and the owning node's Proxy keeps serving other monitors. TruncatorTest covers the
 * shapes one by one; this test covers what the node does with them.
 */
class HostileReasonTest {

    /** Generous: the machine is loaded. */
    static final Duration WAIT = Duration.ofSeconds(20);

    TestNodes nodes;
    ZenNode a;
    ZenNode b;

    @BeforeEach
    void setUp() {
        nodes = new TestNodes();
        a = nodes.start("a");
        b = nodes.start("b");
        nodes.awaitView(2);
    }

    @AfterEach
    void tearDown() {
        nodes.close();
    }

    /** An exception whose getMessage() never returns (until the test releases it). */
    static final class Hang extends RuntimeException {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public String getMessage() {
            entered.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "finally";
        }
    }

    static final class ThrowingToString {
        @Override
        public String toString() {
            throw new IllegalStateException("toString must never be called");
        }
    }

    static final class EndlessToString {
        @Override
        public String toString() {
            for (;;) {
                Thread.onSpinWait();
            }
        }
    }

    static final class Boom extends RuntimeException {
        Boom(String m, Throwable cause) {
            super(m, cause);
        }

        Boom(String m) {
            super(m);
        }
    }

    /** Dies with {@code detail} on b, monitored from a; returns the down. */
    Down dieWith(String name, Object detail) {
        Target t = Target.named("b", name);
        b.alive(t);
        Downs downs = new Downs();
        MonitorRef ref = a.monitor(t, downs);
        TestNodes.awaitEstablished(a, ref, b);
        long t0 = System.nanoTime();
        b.died(t, DownReason.Kind.EXIT, detail);
        Down d = downs.awaitDown(ref, WAIT);
        System.out.printf("[measured] HostileReasonTest %s: died -> down in %d ms%n", name, (System.nanoTime() - t0) / 1_000_000);
        downs.assertOne(ref, DownReason.Kind.EXIT);
        assertWithinBounds(d.reason().detail());
        return d;
    }

    /** The Truncator's guarantee with the defaults: at most 85 nodes, every string at most 1024 chars. */
    static void assertWithinBounds(Term term) {
        int[] nodesSeen = {0};
        walk(term, 0, nodesSeen);
        assertThat(nodesSeen[0]).isLessThanOrEqualTo(85);
    }

    private static void walk(Term term, int level, int[] count) {
        count[0]++;
        assertThat(level).isLessThanOrEqualTo(Truncator.DEFAULT_DEPTH);
        if (term instanceof Term.Str s) {
            assertThat(s.value().length()).isLessThanOrEqualTo(Truncator.DEFAULT_MAX_STRING);
        } else if (term instanceof Term.Seq s) {
            assertThat(s.elements()).hasSizeLessThanOrEqualTo(4);
            s.elements().forEach(e -> walk(e, level + 1, count));
        } else if (term instanceof Term.Struct s) {
            assertThat(s.fields()).hasSizeLessThanOrEqualTo(4);
            assertThat(s.type().length()).isLessThanOrEqualTo(Truncator.DEFAULT_MAX_STRING);
            s.fields().values().forEach(e -> walk(e, level + 1, count));
        }
    }

    /** The Proxy of b still answers: a fresh monitor of a fresh target fires with its own reason. */
    void proxyStillWorks(String name) {
        Target t = Target.named("b", name + "-after");
        b.alive(t);
        Downs downs = new Downs();
        MonitorRef ref = a.monitor(t, downs);
        TestNodes.awaitEstablished(a, ref, b);
        b.died(t, DownReason.UNEXPORTED);
        downs.awaitDown(ref, WAIT);
        downs.assertOne(ref, DownReason.Kind.UNEXPORTED);
        assertThat(b.metrics().get("zen.loop.failures")).isZero();
    }

    @Test
    void died_100MegabyteString_cutAndProxyKeepsWorking() {
        String huge = "x".repeat(100 * 1024 * 1024);
        Down d = dieWith("huge-string", huge);
        assertThat(((Term.Str) d.reason().detail()).value()).hasSize(Truncator.DEFAULT_MAX_STRING).endsWith("...");
        proxyStillWorks("huge-string");
    }

    @Test
    void died_10000DeepCauseChain_cutAndProxyKeepsWorking() {
        Throwable chain = null;
        for (int i = 0; i < 10_000; i++) {
            chain = new Boom("level " + i, chain);
        }
        dieWith("deep-chain", chain);
        proxyStillWorks("deep-chain");
    }

    @Test
    void died_cyclicCause_cutAndProxyKeepsWorking() {
        Boom x = new Boom("x");
        Boom y = new Boom("y", x);
        x.initCause(y);
        dieWith("cyclic", x);
        proxyStillWorks("cyclic");
    }

    @Test
    void died_toStringThrowsOrNeverReturns_neverCalled() {
        assertThat(dieWith("throwing-tostring", new ThrowingToString()).reason().detail()).isEqualTo(Term.TRUNCATED);
        assertThat(dieWith("endless-tostring", List.of(new EndlessToString(), "ok")).reason().detail())
                .isEqualTo(new Term.Seq(List.of(Term.TRUNCATED, new Term.Str("ok"))));
        proxyStillWorks("tostring");
    }

    @Test
    void died_hugeCollection_cutWithoutIteratingIt() {
        List<Integer> big = new ArrayList<>(1_000_000);
        for (int i = 0; i < 1_000_000; i++) {
            big.add(i);
        }
        // a collection that claims Integer.MAX_VALUE elements and computes each on demand
        List<String> endless = new AbstractList<>() {
            @Override
            public String get(int i) {
                return "e" + i;
            }

            @Override
            public int size() {
                return Integer.MAX_VALUE;
            }
        };
        assertThat(dieWith("huge-list", big).reason().detail()).isEqualTo(Term.TRUNCATED);
        assertThat(dieWith("endless-list", endless).reason().detail()).isEqualTo(Term.TRUNCATED);
        proxyStillWorks("huge-collection");
    }

    /**
     * Regression: the detail used to be truncated on the owning node's loop, so a {@code getMessage()} (or a
     * record accessor, or an iterator) that never returns stopped every sweep, subscription and death of
     * that node. It is truncated on the thread that calls {@code died}: that thread waits, the node does
     * not.
     */
    @Test
    @DisplayName("a getMessage() that never returns blocks only the thread that reported the death, never the node")
    void died_getMessageNeverReturns_onlyCallerWaits() throws Exception {
        Target t = Target.named("b", "hang");
        b.alive(t);
        Downs downs = new Downs();
        MonitorRef ref = a.monitor(t, downs);
        TestNodes.awaitEstablished(a, ref, b);
        Hang hang = new Hang();
        Thread reporter = new Thread(() -> b.died(t, DownReason.Kind.EXIT, hang), "reporter");
        reporter.setDaemon(true);
        reporter.start();
        assertThat(hang.entered.await(10, TimeUnit.SECONDS)).isTrue();
        try {
            proxyStillWorks("hang"); // b's loop is not stuck in getMessage()
            assertThat(downs.of(ref)).isEmpty();
        } finally {
            hang.release.countDown();
        }
        reporter.join(10_000);
        Down d = downs.awaitDown(ref, WAIT);
        assertThat(d.reason().detail().toString()).contains("finally");
    }
}
