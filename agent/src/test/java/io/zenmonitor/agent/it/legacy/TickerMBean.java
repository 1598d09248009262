package io.zenmonitor.agent.it.legacy;

/** The {@link Ticker}'s standard MBean interface. */
public interface TickerMBean {

    int getListenerCount();
}
