package io.zenmonitor.agent.it.legacy;

import java.rmi.RemoteException;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.Notification;
import javax.management.NotificationListener;

/**
 * The legacy way to get JMX notifications to a remote client: a local listener that forwards each one to
 * the client's callback stub. A failing call is counted and the adapter stays registered, as in the
 * applications this models.
 */
final class TickerForward implements NotificationListener {

    static final AtomicLong DELIVERED = new AtomicLong();
    static final AtomicLong FAILED = new AtomicLong();

    private final BoardListener client;

    TickerForward(BoardListener client) {
        this.client = client;
    }

    @Override
    public void handleNotification(Notification n, Object handback) {
        try {
            client.onMessage(n.getMessage());
            DELIVERED.incrementAndGet();
        } catch (RemoteException | RuntimeException e) {
            FAILED.incrementAndGet();
        }
    }
}
