package io.zenmonitor.bench.jmh;

import io.zenmonitor.ZenNode;
import java.util.concurrent.TimeUnit;

/** Helpers shared by the benchmarks. */
final class Jmh {

    private Jmh() {
    }

    /** A cluster name no other run or build on this machine uses. */
    static String uniqueCluster(String what) {
        return "zen-jmh-" + what + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    /** Waits (at most 60 s) until the node's loop has nothing pending. */
    static void awaitDrained(ZenNode node) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (node.metrics().get("zen.loop.pending") > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the loop did not drain within 60 s");
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }
}
