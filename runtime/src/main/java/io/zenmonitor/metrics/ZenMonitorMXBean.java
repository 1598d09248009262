package io.zenmonitor.metrics;

import java.util.List;
import java.util.Map;

/**
 * A node's management interface, registered as {@code io.zenmonitor:type=ZenMonitor,node=<name>}:
 * its counters and gauges, its members, and the pacing and batching settings, which can be changed at
 * run time (they take effect at the next tick or sweep).
 */
public interface ZenMonitorMXBean {

    /** This node's name. */
    String getNode();

    /** The JGroups cluster name. */
    String getCluster();

    /** Node names of the current view, this node included. */
    List<String> getMembers();

    /** Every counter and gauge by name ({@code zen.local.*}, {@code zen.proxy.*}, {@code zen.wire.*}). */
    Map<String, Long> getMetrics();

    /** Live monitors on this node. */
    long getLiveMonitors();

    /** Down dispatches waiting for demand. */
    int getBatchLength();

    /** (target, subscriber) rows on this node's Proxy. */
    int getSubscriptions();

    int getDemandAmount();

    void setDemandAmount(int amount);

    long getDemandIntervalMillis();

    void setDemandIntervalMillis(long millis);

    long getConnectorSweepMillis();

    void setConnectorSweepMillis(long millis);

    int getConnectorChunk();

    void setConnectorChunk(int chunk);

    long getBatcherSweepMillis();

    void setBatcherSweepMillis(long millis);

    int getBatcherChunk();

    void setBatcherChunk(int chunk);

    /** demand.amount × 1 s / demand.interval. */
    double getMaximumRatePerSecond();
}
