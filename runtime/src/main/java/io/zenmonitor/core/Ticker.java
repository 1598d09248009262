package io.zenmonitor.core;

/** A source of monotonic nanoseconds; tests inject a manual one. */
@FunctionalInterface
public interface Ticker {

    /** The system's monotonic clock. */
    Ticker SYSTEM = System::nanoTime;

    long nanos();
}
