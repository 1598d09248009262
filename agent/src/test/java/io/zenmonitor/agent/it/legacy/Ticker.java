package io.zenmonitor.agent.it.legacy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;
import javax.management.NotificationFilter;
import javax.management.NotificationListener;
import javax.management.ObjectName;

/**
 * An MBean that emits a notification per {@link #tick()} and counts its listeners (JMX has no public
 * count), registered by {@link BoardServer} as {@link #NAME}.
 */
public final class Ticker extends NotificationBroadcasterSupport implements TickerMBean {

    public static final ObjectName NAME;

    static {
        try {
            NAME = new ObjectName("legacy:type=Ticker");
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final AtomicInteger listeners = new AtomicInteger();
    private final AtomicLong sequence = new AtomicLong();

    @Override
    public int getListenerCount() {
        return listeners.get();
    }

    /** Sends one notification to every listener, in this thread. */
    public void tick() {
        sendNotification(new Notification("legacy.tick", NAME, sequence.incrementAndGet(), "tick"));
    }

    @Override
    public void addNotificationListener(NotificationListener l, NotificationFilter f, Object handback) {
        super.addNotificationListener(l, f, handback);
        listeners.incrementAndGet();
    }

    @Override
    public void removeNotificationListener(NotificationListener l) throws ListenerNotFoundException {
        super.removeNotificationListener(l);
        listeners.decrementAndGet(); // the tests register each adapter once
    }

    @Override
    public void removeNotificationListener(NotificationListener l, NotificationFilter f, Object handback)
            throws ListenerNotFoundException {
        super.removeNotificationListener(l, f, handback);
        listeners.decrementAndGet();
    }
}
