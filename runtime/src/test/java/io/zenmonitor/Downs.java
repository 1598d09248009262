package io.zenmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

/**
 * A {@link DownListener} that records what it receives: the Java stand-in for a test process's mailbox
 * ({@code assert_receive}, {@code refute_receive}).
 */
public final class Downs implements DownListener {

    /** ExUnit's default assert_receive / refute_receive wait. */
    public static final Duration RECEIVE = Duration.ofMillis(100);

    private final ConcurrentLinkedQueue<Down> received = new ConcurrentLinkedQueue<>();

    @Override
    public void onDown(Down down) {
        received.add(down);
    }

    public List<Down> all() {
        return new ArrayList<>(received);
    }

    public List<Down> of(MonitorRef ref) {
        return received.stream().filter(d -> d.ref() == ref).collect(Collectors.toList());
    }

    public int count() {
        return received.size();
    }

    /** {@code assert_receive}: waits up to {@code timeout} for a down of {@code ref} and returns it. */
    public Down awaitDown(MonitorRef ref, Duration timeout) {
        Awaitility.await().atMost(timeout).until(() -> !of(ref).isEmpty());
        return of(ref).get(0);
    }

    /** Waits up to 5 s for a down of {@code ref}. */
    public Down awaitDown(MonitorRef ref) {
        return awaitDown(ref, Duration.ofSeconds(5));
    }

    /** Waits up to {@code timeout} until {@code n} downs arrived in all. */
    public List<Down> awaitCount(int n, Duration timeout) {
        Awaitility.await().atMost(timeout).until(() -> received.size() >= n);
        return all();
    }

    /** {@code refute_receive}: no down of {@code ref} arrives during {@code during}. */
    public void refute(MonitorRef ref, Duration during) {
        Awaitility.await().during(during).atMost(during.plusSeconds(5)).until(() -> of(ref).isEmpty());
    }

    /** No down at all arrives during {@code during}. */
    public void refuteAny(Duration during) {
        int before = received.size();
        Awaitility.await().during(during).atMost(during.plusSeconds(5)).until(() -> received.size() == before);
    }

    /** Exactly one down of {@code ref} arrived and it has {@code kind}. */
    public void assertOne(MonitorRef ref, DownReason.Kind kind) {
        List<Down> l = of(ref);
        assertThat(l).hasSize(1);
        assertThat(l.get(0).reason().kind()).isEqualTo(kind);
    }
}
