package io.zenmonitor.wire;

import io.zenmonitor.DownReason;
import io.zenmonitor.Endpoint;
import io.zenmonitor.Target;
import java.util.List;
import java.util.Objects;

/**
 * The messages zen nodes exchange over JGroups unicast (FIFO per sender) and multicast. Each is a record
 * with one codec in {@link Codec}; its {@link MessageType} byte is stable and never reused.
 *
 * <p>Only PING and PONG keep their layout across protocol versions, so that a node of another version can
 * still answer "incompatible".
 */
public sealed interface WireMessage {

    MessageType type();

    /** Connector to remote Proxy: compatibility handshake (zen_monitor.md §3 P1). */
    /** Asks a node for its figures (the status command); answered with {@link Status} carrying the same nonce. */
    record StatusQuery(long nonce) implements WireMessage {
        @Override
        public MessageType type() {
            return MessageType.STATUS_QUERY;
        }
    }

    /**
     * A node's figures, by name: live monitors, subscriptions, and whatever else it counts. At most
     * {@link #MAX_FIGURES}, names at most {@link #MAX_NAME_BYTES} bytes of UTF-8.
     */
    record Status(long nonce, java.util.Map<String, Long> figures) implements WireMessage {
        public static final int MAX_FIGURES = 32;
        public static final int MAX_NAME_BYTES = 64;

        public Status {
            figures = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(figures));
        }

        @Override
        public MessageType type() {
            return MessageType.STATUS;
        }
    }

    record Ping(int version, long features, long nonce) implements WireMessage {
        @Override
        public MessageType type() {
            return MessageType.PING;
        }
    }

    /** Proxy to Connector: answer to {@link Ping} with the same nonce. */
    record Pong(int version, long features, long nonce) implements WireMessage {
        @Override
        public MessageType type() {
            return MessageType.PONG;
        }
    }

    /** What a subscriber asks of a remote Proxy for one target. */
    enum Op {
        SUBSCRIBE(1),
        UNSUBSCRIBE(2);

        private final int id;

        Op(int id) {
            this.id = id;
        }

        public int id() {
            return id;
        }

        public static Op ofId(int id) {
            return id == 1 ? SUBSCRIBE : id == 2 ? UNSUBSCRIBE : null;
        }
    }

    /** One subscribe or unsubscribe instruction. */
    record Instruction(Op op, Target target) {
        public Instruction {
            Objects.requireNonNull(op, "op");
            Objects.requireNonNull(target, "target");
        }
    }

    /**
     * Connector to remote Proxy: a chunk of instructions in enqueue order (P2). With {@code reset} the
     * Proxy first drops every subscription of the sender (used to resynchronise after a merge).
     */
    record Process(boolean reset, List<Instruction> instructions) implements WireMessage {
        public Process {
            instructions = List.copyOf(instructions);
        }

        @Override
        public MessageType type() {
            return MessageType.PROCESS;
        }
    }

    /** A death certificate: a target and its truncated reason. */
    record Certificate(Target target, DownReason reason) {
        public Certificate {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Batcher to Connector: a chunk of death certificates in FIFO order (P4). */
    record Dead(List<Certificate> certificates) implements WireMessage {
        public Dead {
            certificates = List.copyOf(certificates);
        }

        @Override
        public MessageType type() {
            return MessageType.DEAD;
        }
    }

    /** Multicast: the complete set of RMI endpoints the sender owns, replacing any earlier set. */
    record Endpoints(List<Endpoint> endpoints) implements WireMessage {
        public Endpoints {
            endpoints = List.copyOf(endpoints);
        }

        @Override
        public MessageType type() {
            return MessageType.ENDPOINTS;
        }
    }

    /**
     * A node that is shutting down cleanly: sent after its last SHUTDOWN certificates. The receiver drops
     * the sender's subscriptions, treats the sender's Proxy as gone, and answers {@link ByeAck}.
     */
    record Bye() implements WireMessage {
        @Override
        public MessageType type() {
            return MessageType.BYE;
        }
    }

    /** Answer to {@link Bye}: everything the leaving node sent before it was received. */
    record ByeAck() implements WireMessage {
        @Override
        public MessageType type() {
            return MessageType.BYE_ACK;
        }
    }
}
