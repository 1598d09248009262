package io.zenmonitor.cluster;

import io.zenmonitor.Endpoint;
import io.zenmonitor.wire.WireMessage;
import org.jgroups.Address;

/**
 * What Local and the Proxy need from the cluster: this node's address, the current members by node
 * name, the endpoint directory, and unicast sends. Every method is called on the node's loop, where the
 * view is applied, so the answers are consistent with the view changes the components have seen.
 */
public interface Transport {

    /** This node's address in the current incarnation. */
    Address localAddress();

    /** The member that runs {@code node} in the current view, or {@code null}. */
    Address addressOf(String node);

    /** The node that advertises {@code endpoint}, or {@code null} if none does. */
    String nodeOfEndpoint(Endpoint endpoint);

    /**
     * Whether every member of the view has told this node which endpoints it advertises: an endpoint
     * missing from the directory then belongs to no live member. A transport without a directory to
     * gather is always complete.
     */
    default boolean endpointsComplete() {
        return true;
    }

    /**
     * {@link #nodeOfEndpoint} from any thread. The default delegates, which is right only for a transport
     * whose directory is thread-safe; {@link Cluster} answers from a snapshot republished after every
     * directory change.
     */
    default String nodeOfEndpointSnapshot(Endpoint endpoint) {
        return nodeOfEndpoint(endpoint);
    }

    /**
     * Sends {@code message} to {@code to} without auto-connecting: a member not in the view gets nothing.
     * A message to this node's own address is delivered on the loop, after the current task.
     */
    void send(Address to, WireMessage message);
}
