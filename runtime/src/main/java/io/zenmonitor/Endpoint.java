package io.zenmonitor;

import java.util.Objects;

/**
 * An RMI endpoint: the host and port written into a stub. A node advertises the endpoints it listens
 * on, so that a stub's endpoint maps to the node that owns the object behind it.
 *
 * @param host the host as written in stubs ({@code java.rmi.server.hostname} or the resolved local
 *     address), at most 255 characters
 * @param port the TCP port, 0 to 65535
 */
public record Endpoint(String host, int port) {

    /** Longest host accepted (DNS limit). */
    public static final int MAX_HOST_LENGTH = 255;

    public Endpoint {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty() || host.length() > MAX_HOST_LENGTH) {
            throw new IllegalArgumentException("endpoint host must have 1 to " + MAX_HOST_LENGTH + " characters, was " + host.length());
        }
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("endpoint port must be 0 to 65535, was " + port);
        }
    }

    @Override
    public String toString() {
        return host + ':' + port;
    }
}
