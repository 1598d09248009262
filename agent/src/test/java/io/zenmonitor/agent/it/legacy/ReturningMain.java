package io.zenmonitor.agent.it.legacy;

/** A main that exports nothing and returns: the JVM must then exit, agent or not. */
public final class ReturningMain {

    private ReturningMain() {
    }

    public static void main(String[] args) throws Exception {
        Thread.sleep(Long.parseLong(args[0])); // long enough for the agent's node to have started
        System.out.println("RETURNING");
    }
}
