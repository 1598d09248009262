package io.zenmonitor;


import java.time.Duration;

/**
 * The pacing and batching settings a node reads at each use, so they can change at run time (through
 * the node's MBean or {@link io.zenmonitor.ZenNode#settings()}). Each setter validates like the
 * configuration does.
 */
public final class ZenSettings {

    private volatile int demandAmount;
    private volatile long demandIntervalNanos;
    private volatile long connectorSweepNanos;
    private volatile int connectorChunk;
    private volatile long batcherSweepNanos;
    private volatile int batcherChunk;

    public ZenSettings(ZenConfig config) {
        demandAmount(config.demandAmount());
        demandInterval(config.demandInterval());
        connectorSweep(config.connectorSweep());
        connectorChunk(config.connectorChunk());
        batcherSweep(config.batcherSweep());
        batcherChunk(config.batcherChunk());
    }

    public int demandAmount() {
        return demandAmount;
    }

    public long demandIntervalNanos() {
        return demandIntervalNanos;
    }

    public long connectorSweepNanos() {
        return connectorSweepNanos;
    }

    public int connectorChunk() {
        return connectorChunk;
    }

    public long batcherSweepNanos() {
        return batcherSweepNanos;
    }

    public int batcherChunk() {
        return batcherChunk;
    }

    /** Callbacks started per demand interval, 1 to 1,000,000. */
    public void demandAmount(int v) {
        demandAmount = checkInt("demand.amount", v, 1, 1_000_000);
    }

    /** The demand tick, 1 ms to 1 h. */
    public void demandInterval(Duration v) {
        demandIntervalNanos = checkDuration("demand.interval", v);
    }

    /** The Connector sweep, 1 ms to 1 h. */
    public void connectorSweep(Duration v) {
        connectorSweepNanos = checkDuration("connector.sweep", v);
    }

    /** Instructions per PROCESS message, 1 to 100,000. */
    public void connectorChunk(int v) {
        connectorChunk = checkInt("connector.chunk", v, 1, 100_000);
    }

    /** The Batcher sweep, 1 ms to 1 h. */
    public void batcherSweep(Duration v) {
        batcherSweepNanos = checkDuration("batcher.sweep", v);
    }

    /** Certificates per DEAD message, 1 to 100,000. */
    public void batcherChunk(int v) {
        batcherChunk = checkInt("batcher.chunk", v, 1, 100_000);
    }

    /** The most callbacks the Dispatcher starts per second: demand.amount × 1 s / demand.interval. */
    public double maximumRatePerSecond() {
        return demandAmount * 1e9 / demandIntervalNanos;
    }

    private static int checkInt(String key, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException("zen: zen." + key + " was \"" + v + "\" (from ZenSettings); must be an integer from " + min + " to " + max);
        }
        return v;
    }

    private static long checkDuration(String key, Duration v) {
        if (v == null || v.compareTo(Duration.ofMillis(1)) < 0 || v.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("zen: zen." + key + " was \"" + v + "\" (from ZenSettings); must be a duration from 1ms to 1h");
        }
        return v.toNanos();
    }
}
