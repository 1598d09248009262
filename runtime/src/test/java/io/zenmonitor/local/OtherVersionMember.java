package io.zenmonitor.local;

import io.zenmonitor.cluster.Stacks;
import io.zenmonitor.wire.Codec;
import io.zenmonitor.wire.WireMessage;
import java.util.concurrent.atomic.AtomicInteger;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.util.Util;

/**
 * A plain JGroups member (memory stack) that answers every PING at once with a PONG of another wire
 * version: an incompatible node that says so, instead of never answering like
 * {@code TestNodes.startIncompatible} (which costs the 5 s ping timeout per attempt). ZenMonitor's
 * "any other reply than :pong" case (zen_monitor.md §4, connect procedure step 2).
 */
final class OtherVersionMember implements AutoCloseable {

    /** The wire version it claims. */
    static final int VERSION = Codec.VERSION + 1;

    private final JChannel channel;
    private final AtomicInteger pings = new AtomicInteger();

    private OtherVersionMember(JChannel channel) {
        this.channel = channel;
    }

    /** Joins {@code cluster} on the memory stack under the logical name {@code name}. */
    static OtherVersionMember start(String cluster, String name) throws Exception {
        JChannel ch = new JChannel(Stacks.open("memory"));
        OtherVersionMember m = new OtherVersionMember(ch);
        ch.name(name);
        ch.setReceiver(new Receiver() {
            @Override
            public void receive(Message msg) {
                m.onMessage(msg);
            }
        });
        ch.connect(cluster);
        return m;
    }

    private void onMessage(Message msg) {
        try {
            WireMessage w = Codec.DEFAULT.decode(msg.getArray(), msg.getOffset(), msg.getLength());
            if (w instanceof WireMessage.Ping p) {
                pings.incrementAndGet();
                channel.send(new BytesMessage(msg.getSrc(), Codec.DEFAULT.encode(new WireMessage.Pong(VERSION, 0L, p.nonce()))));
            }
        } catch (Exception e) {
            // not a zen message or the channel is closing: ignore, as a foreign member would
        }
    }

    /** PINGs answered so far. */
    int pings() {
        return pings.get();
    }

    @Override
    public void close() {
        Util.close(channel);
    }
}
