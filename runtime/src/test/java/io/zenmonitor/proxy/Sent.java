package io.zenmonitor.proxy;

import io.zenmonitor.wire.WireMessage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.jgroups.Address;

/**
 * Records every message a node sends ({@code Cluster.observeSends}), for tests that play a Connector with a
 * fake subscriber address: ZenMonitor's proxy and batcher tests receive {@code {:dead, node, certificates}}
 * in the test mailbox; here the DEAD messages addressed to the fake subscriber are seen before the
 * cluster drops them (the address is not a member).
 */
final class Sent implements BiConsumer<Address, WireMessage> {

    record Message(Address to, WireMessage message) {
    }

    private final ConcurrentLinkedQueue<Message> log = new ConcurrentLinkedQueue<>();

    @Override
    public void accept(Address to, WireMessage message) {
        log.add(new Message(to, message));
    }

    /** Every message sent to {@code to}, in order. */
    List<WireMessage> to(Address to) {
        return log.stream().filter(m -> to.equals(m.to())).map(Message::message).collect(Collectors.toList());
    }

    /** The DEAD messages sent to {@code to}, in order. */
    List<WireMessage.Dead> deadTo(Address to) {
        return to(to).stream().filter(m -> m instanceof WireMessage.Dead).map(m -> (WireMessage.Dead) m)
                .collect(Collectors.toList());
    }

    /** Waits up to {@code timeout} until {@code n} DEAD messages were sent to {@code to}, and returns them all. */
    List<WireMessage.Dead> awaitDead(Address to, int n, Duration timeout) {
        Awaitility.await().atMost(timeout).until(() -> deadTo(to).size() >= n);
        return deadTo(to);
    }

    /** {@code refute_receive}: nothing at all is sent to {@code to} during {@code during}. */
    void refute(Address to, Duration during) {
        int before = to(to).size();
        Awaitility.await().during(during).atMost(during.plusSeconds(5)).until(() -> to(to).size() == before);
    }
}
