package io.zenmonitor.local;

import java.lang.reflect.Field;
import java.util.Map;

/**
 * Test access to the Connector objects of a {@link Local}, for the ports of ZenMonitor tests that talk to
 * a Connector directly ({@code Connector.get/1}, {@code Connector.demonitor(target, ref)}).
 *
 * <p>Local keeps its registry of Connectors private (nothing in main code needs a Connector instance from
 * outside), so this reads the field reflectively. Loop only: call it inside {@code TestNodes.onLoop}.
 */
final class ConnectorProbe {

    private static final Field CONNECTORS;

    static {
        try {
            CONNECTORS = Local.class.getDeclaredField("connectors");
            CONNECTORS.setAccessible(true);
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private ConnectorProbe() {
    }

    /** The Connector of {@code node}, or {@code null} when none was created yet. Loop only. */
    static Connector of(Local local, String node) {
        try {
            return (Connector) ((Map<?, ?>) CONNECTORS.get(local)).get(node);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}
