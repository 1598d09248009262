package io.zenmonitor.wire;

/** Wire message types. The ids are stable: never change or reuse one. */
public enum MessageType {
    PING(1),
    PONG(2),
    PROCESS(3),
    DEAD(4),
    ENDPOINTS(5),
    BYE(6),
    BYE_ACK(7),
    STATUS_QUERY(8),
    STATUS(9);

    private static final MessageType[] BY_ID = new MessageType[10];

    static {
        for (MessageType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;

    MessageType(int id) {
        this.id = id;
    }

    /** The stable byte written on the wire. */
    public int id() {
        return id;
    }

    /** The type with this id, or {@code null} if none has it. */
    public static MessageType ofId(int id) {
        return id > 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
