package io.zenmonitor;

import org.jgroups.JChannel;
import org.jgroups.protocols.MsgStats;

/**
 * The benchmark's only look inside a {@link ZenNode}: its JGroups channel, to read the transport's message
 * statistics (bytes on the wire). It sits in the runtime's package (class-path split package, bench only) so
 * that the runtime needs no public accessor for it.
 */
public final class BenchAccess {

    private BenchAccess() {
    }

    /** The node's channel. */
    public static JChannel channel(ZenNode node) {
        return node.cluster().channel();
    }

    /**
     * The transport's {@link MsgStats}, switched on (JGroups keeps them off by default; counting costs a few
     * {@code LongAdder} increments per message). Bytes are the serialized size of each message with its
     * JGroups headers, as the transport hands it to its bundler.
     */
    public static MsgStats transportStats(ZenNode node) {
        MsgStats s = channel(node).getProtocolStack().getTransport().getMessageStats();
        s.enable(true);
        return s;
    }
}
