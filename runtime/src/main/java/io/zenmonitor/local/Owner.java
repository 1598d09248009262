package io.zenmonitor.local;

import io.zenmonitor.DownListener;
import io.zenmonitor.MonitorOwner;
import io.zenmonitor.MonitorRef;
import io.zenmonitor.Target;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link MonitorOwner}: a concurrent set of its live monitors.
 *
 * <p>Close races monitor without a lock: {@code monitor} adds to the set and then reads {@code closed};
 * {@code close} writes {@code closed} and then walks the set. One of the two sees the other, so a monitor
 * added during a close is always demonitored (possibly twice, which is a no-op).
 */
final class Owner implements MonitorOwner {

    private final String name;
    private final Local local;
    final Set<Monitor> monitors = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    Owner(String name, Local local) {
        this.name = name;
        this.local = local;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public MonitorRef monitor(Target target, DownListener listener) {
        if (closed) {
            throw new IllegalStateException("zen: owner " + name + " is closed");
        }
        Monitor m = local.monitor(target, listener, this);
        if (closed) {
            local.demonitor(m, false);
            throw new IllegalStateException("zen: owner " + name + " was closed during monitor");
        }
        return m;
    }

    @Override
    public boolean demonitor(MonitorRef ref, boolean flush) {
        if (!(ref instanceof Monitor m) || m.owner != this) {
            return false;
        }
        return local.demonitor(m, flush);
    }

    @Override
    public int size() {
        return monitors.size();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        for (Monitor m : monitors) {
            local.demonitor(m, false);
        }
    }

    @Override
    public String toString() {
        return "Owner[" + name + ", " + monitors.size() + " monitors" + (closed ? ", closed" : "") + "]";
    }
}
