package io.zenmonitor;

import java.util.Map;

/**
 * Finds the runtime behind {@link ZenNode#start}. With the runtime jar on the class path it is
 * {@code io.zenmonitor.node.ClusterNode}, next to this class. With only {@code zen-agent.jar}, this API
 * is loaded from the application's class path while the runtime lives in the agent's hidden class
 * loader: the agent then {@link ZenMonitor#install(ZenNode, Starter) installs} its starter.
 */
final class NodeFactory {

    private static final String RUNTIME = "io.zenmonitor.node.ClusterNode";
    private static volatile ZenMonitor.Starter installed;
    private static volatile ZenMonitor.Starter found;

    private NodeFactory() {
    }

    static void install(ZenMonitor.Starter starter) {
        installed = starter;
    }

    static ZenMonitor.Starter get() {
        ZenMonitor.Starter s = found;
        if (s != null) {
            return s;
        }
        try {
            Class<?> runtime = Class.forName(RUNTIME, false, NodeFactory.class.getClassLoader());
            java.lang.reflect.Method start = runtime.getMethod("start", ZenConfig.class, Map.class);
            s = (config, attributes) -> {
                try {
                    return (ZenNode) start.invoke(null, config, attributes);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException r) {
                        throw r;
                    }
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(cause);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            };
            found = s;
            return s;
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            s = installed;
            if (s != null) {
                return s;
            }
            throw new IllegalStateException("zen: no runtime: put zen-runtime on the class path or run with -javaagent:zen-agent.jar");
        }
    }
}
