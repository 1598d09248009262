package io.zenmonitor.agent.tooling;

import static org.assertj.core.api.Assertions.assertThat;

import io.zenmonitor.Endpoint;
import io.zenmonitor.agent.tooling.EndpointProber.Outcome;
import io.zenmonitor.agent.tooling.EndpointProber.Verdict;
import io.zenmonitor.config.NodePatterns;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The confirmation rules of server-only mode, with a fake clock and a fake connector: no real time, no sockets. */
class EndpointProberTest {

    static final long S = 1_000_000_000L;
    static final Endpoint A = new Endpoint("127.0.0.1", 4000);
    static final Endpoint B = new Endpoint("127.0.0.1", 4001);

    /** Defaults: refused twice 1 s apart; no answer for 60 s. */
    static final EndpointProber.Rules DEFAULTS = new EndpointProber.Rules(S, 2, 60 * S);

    long now = 1_000 * S;
    final FakeConnector connector = new FakeConnector();
    final Set<String> removedByApplication = new HashSet<>();
    final List<String> dead = new ArrayList<>();
    int wakeups;

    EndpointProber<String> prober(EndpointProber.Rules rules, NodePatterns nodes) {
        return new EndpointProber<>(rules, nodes, connector, () -> now, item -> !removedByApplication.contains(item),
                (ep, verdict, items) -> dead.add(ep + " " + verdict + " " + items), () -> wakeups++);
    }

    EndpointProber<String> prober() {
        return prober(DEFAULTS, NodePatterns.ALL);
    }

    /** Answers every probe started since the last call with {@code outcome}, then ticks. */
    void answerAll(EndpointProber<String> p, Outcome outcome) {
        connector.answerAll(outcome);
        p.tick();
    }

    void advance(long nanos, EndpointProber<String> p) {
        now += nanos;
        p.tick();
    }

    @Test
    void refused_twiceOneIntervalApart_dead() {
        EndpointProber<String> p = prober();
        p.watch(A, "r1");
        p.watch(A, "r2");

        p.tick();
        assertThat(connector.started).containsExactly(A);
        answerAll(p, Outcome.REFUSED);
        assertThat(dead).as("one refusal is not enough").isEmpty();

        advance(S - 1, p);
        assertThat(connector.started).as("next probe only after the interval").containsExactly(A);
        advance(1, p);
        assertThat(connector.started).containsExactly(A, A);
        answerAll(p, Outcome.REFUSED);

        assertThat(dead).containsExactly("127.0.0.1:4000 REFUSED [r1, r2]");
        assertThat(p.endpoints()).isZero();
        advance(10 * S, p);
        assertThat(connector.started).as("a dead endpoint is no longer probed").hasSize(2);
    }

    @Test
    void refused_notConsecutive_notDead() {
        EndpointProber<String> p = prober();
        p.watch(A, "r1");
        p.tick();
        answerAll(p, Outcome.REFUSED);
        advance(S, p);
        answerAll(p, Outcome.OPEN);
        advance(S, p);
        answerAll(p, Outcome.REFUSED);
        advance(S, p);
        answerAll(p, Outcome.NO_ANSWER);
        advance(S, p);
        answerAll(p, Outcome.REFUSED);

        assertThat(dead).isEmpty();
        advance(S, p);
        answerAll(p, Outcome.REFUSED);
        assertThat(dead).containsExactly("127.0.0.1:4000 REFUSED [r1]");
    }

    @Test
    void noAnswer_notDeadBeforeUnreachableAfter_deadAtIt() {
        EndpointProber<String> p = prober();
        p.watch(A, "r1");
        p.tick();
        long start = now;
        while (now - start < 59 * S) {
            answerAll(p, Outcome.NO_ANSWER);
            advance(S, p);
        }
        answerAll(p, Outcome.NO_ANSWER);
        assertThat(dead).as("59 s without an answer").isEmpty();
        assertThat(connector.started).hasSize(60);

        advance(S, p);
        answerAll(p, Outcome.NO_ANSWER);
        assertThat(dead).containsExactly("127.0.0.1:4000 UNREACHABLE [r1]");
    }

    @Test
    void noAnswer_clockRestartsAtEachAnswer() {
        EndpointProber<String> p = prober();
        p.watch(A, "r1");
        p.tick();
        for (int i = 0; i < 50; i++) {
            answerAll(p, Outcome.NO_ANSWER);
            advance(S, p);
        }
        answerAll(p, Outcome.OPEN); // a hung client that answered once (kernel backlog)
        for (int i = 0; i < 59; i++) {
            advance(S, p);
            answerAll(p, Outcome.NO_ANSWER);
        }
        assertThat(dead).as("59 s since the last answer").isEmpty();
        advance(S, p);
        answerAll(p, Outcome.NO_ANSWER);
        assertThat(dead).hasSize(1);
    }

    @Test
    void open_forever_neverDead() {
        EndpointProber<String> p = prober();
        p.watch(A, "r1");
        p.tick();
        for (int i = 0; i < 300; i++) {
            answerAll(p, Outcome.OPEN);
            advance(S, p);
        }
        assertThat(dead).isEmpty();
        assertThat(p.open).isEqualTo(300);
    }

    @Test
    void onePerEndpoint_howeverManyItems() {
        EndpointProber<String> p = prober();
        for (int i = 0; i < 1000; i++) {
            p.watch(A, "a" + i);
        }
        p.watch(B, "b");
        p.watch(A, "a1"); // idempotent

        p.tick();

        assertThat(connector.started).containsExactlyInAnyOrder(A, B);
        assertThat(p.itemsAt(A)).isEqualTo(1000);
    }

    @Test
    void applicationRemovesEveryItem_endpointNoLongerProbed() {
        EndpointProber<String> p = prober();
        p.watch(A, "r1");
        p.watch(A, "r2");
        p.tick();
        answerAll(p, Outcome.OPEN);
        removedByApplication.add("r1");
        advance(S, p);
        assertThat(p.itemsAt(A)).isEqualTo(1);
        answerAll(p, Outcome.REFUSED);

        removedByApplication.add("r2");
        advance(S, p);

        assertThat(connector.started).as("no probe once no item is left").hasSize(2);
        assertThat(p.endpoints()).isZero();
        assertThat(dead).isEmpty();
    }

    @Test
    void confirmedDead_onlyItemsStillWanted() {
        EndpointProber<String> p = prober();
        p.watch(A, "r1");
        p.watch(A, "r2");
        p.tick();
        answerAll(p, Outcome.REFUSED);
        advance(S, p);
        removedByApplication.add("r1"); // removed while the second probe was out
        answerAll(p, Outcome.REFUSED);

        assertThat(dead).containsExactly("127.0.0.1:4000 REFUSED [r2]");
    }

    @Test
    void deniedHost_neverWatchedNeverProbed() {
        EndpointProber<String> p = prober(DEFAULTS, NodePatterns.of(List.of(), List.of("10.*")));

        assertThat(p.watch(new Endpoint("10.1.2.3", 4000), "r1")).isFalse();
        assertThat(p.watch(A, "r2")).isTrue();
        p.tick();

        assertThat(connector.started).containsExactly(A);
    }

    @Test
    void allowList_hostOutside_neverProbed() {
        EndpointProber<String> p = prober(DEFAULTS, NodePatterns.of(List.of("127.0.0.1"), List.of()));

        assertThat(p.watch(new Endpoint("localhost", 4000), "r1")).isFalse();
        p.tick();

        assertThat(connector.started).isEmpty();
    }

    @Test
    void inFlight_bounded() {
        EndpointProber<String> p = prober();
        for (int i = 0; i < EndpointProber.MAX_IN_FLIGHT + 10; i++) {
            p.watch(new Endpoint("127.0.0.1", 10_000 + i), "r" + i);
        }
        p.tick();
        assertThat(connector.started).hasSize(EndpointProber.MAX_IN_FLIGHT);

        answerAll(p, Outcome.OPEN);
        assertThat(connector.started).as("the rest start as slots free").hasSize(EndpointProber.MAX_IN_FLIGHT + 10);
        assertThat(wakeups).as("one wakeup per batch of results").isEqualTo(1);
    }

    @Test
    void customRules_refusedOnce_dead() {
        EndpointProber<String> p = prober(new EndpointProber.Rules(S / 2, 1, 5 * S), NodePatterns.ALL);
        p.watch(A, "r1");
        p.tick();
        answerAll(p, Outcome.REFUSED);

        assertThat(dead).containsExactly("127.0.0.1:4000 REFUSED [r1]");
        assertThat(connector.timeouts).containsOnly(S / 2);
    }

    /** Records started probes; answers them when told. */
    static final class FakeConnector implements EndpointProber.Connector {
        final List<Endpoint> started = new ArrayList<>();
        final List<Long> timeouts = new ArrayList<>();
        final ArrayDeque<Consumer<Outcome>> open = new ArrayDeque<>();

        @Override
        public void probe(Endpoint endpoint, long timeoutNanos, Consumer<Outcome> done) {
            started.add(endpoint);
            timeouts.add(timeoutNanos);
            open.add(done);
        }

        void answerAll(Outcome outcome) {
            List<Consumer<Outcome>> now = new ArrayList<>(open);
            open.clear();
            now.forEach(d -> d.accept(outcome));
        }

        @Override
        public void close() {
        }
    }
}
