package io.zenmonitor.bench;

import io.zenmonitor.ZenNode;
import io.zenmonitor.node.ClusterNode;
import org.jgroups.JChannel;
import org.jgroups.protocols.MsgStats;

/** The benchmark's only look inside a node: its JGroups channel, to read the transport's message statistics. */
final class BenchAccess {

    private BenchAccess() {
    }

    /** The node's channel ({@link ZenNode#start} returns the runtime's {@link ClusterNode}). */
    static JChannel channel(ZenNode node) {
        return ((ClusterNode) node).cluster().channel();
    }

    /**
     * The transport's {@link MsgStats}, switched on (JGroups keeps them off by default; counting costs a few
     * {@code LongAdder} increments per message). Bytes are the serialized size of each message with its
     * JGroups headers, as the transport hands it to its bundler.
     */
    static MsgStats transportStats(ZenNode node) {
        MsgStats s = channel(node).getProtocolStack().getTransport().getMessageStats();
        s.enable(true);
        return s;
    }
}
