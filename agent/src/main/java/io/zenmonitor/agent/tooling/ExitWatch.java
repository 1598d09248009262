package io.zenmonitor.agent.tooling;

import io.zenmonitor.ZenNode;
import java.util.concurrent.TimeUnit;

/**
 * Lets the JVM exit when the application is done. JGroups keeps two non-daemon threads (its timer and
 * bundler, created before a thread factory can be set), which would keep alive a JVM whose {@code main}
 * returned. This daemon thread watches for that state: the JVM waits in {@code DestroyJavaVM} and every
 * other live non-daemon thread belongs to the agent (its context class loader is the agent's). It then
 * closes the node cleanly, which ends those threads, and the JVM exits as it would have without the
 * agent (with the application's own exit status).
 */
final class ExitWatch implements Runnable {

    static final long CHECK_MILLIS = 500;

    private final ZenNode node;
    private final ClassLoader agentLoader;

    private ExitWatch(ZenNode node, ClassLoader agentLoader) {
        this.node = node;
        this.agentLoader = agentLoader;
    }

    static void start(ZenNode node) {
        Thread t = new Thread(new ExitWatch(node, ExitWatch.class.getClassLoader()), "zen-agent-exit-watch");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void run() {
        try {
            while (!node.isClosed()) {
                TimeUnit.MILLISECONDS.sleep(CHECK_MILLIS);
                if (applicationDone()) {
                    node.close();
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean applicationDone() {
        boolean destroying = false;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("DestroyJavaVM")) {
                destroying = true;
            } else if (!t.isDaemon() && t.isAlive() && t.getContextClassLoader() != agentLoader) {
                return false; // an application thread still runs
            }
        }
        return destroying;
    }
}
