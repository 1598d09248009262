package io.zenmonitor.agent.it;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The child JVMs of one test: {@link #start} registers each one, {@link #close()} kills and reaps them all (the
 * last started first), even when one of them fails to close.
 */
public final class Jvms implements AutoCloseable {

    private final Deque<Jvm> started = new ArrayDeque<>();

    public Jvm start(Jvm.Builder builder) {
        Jvm jvm = builder.start();
        synchronized (started) {
            started.push(jvm);
        }
        return jvm;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (;;) {
            Jvm jvm;
            synchronized (started) {
                jvm = started.poll();
            }
            if (jvm == null) {
                break;
            }
            try {
                jvm.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
