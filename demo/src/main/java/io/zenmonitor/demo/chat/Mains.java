package io.zenmonitor.demo.chat;

/** What every main of the demo application does around its own work. */
final class Mains {

    /** A main's own work. */
    @FunctionalInterface
    interface Body {
        void run(String[] args) throws Exception;
    }

    private Mains() {
    }

    /**
     * Checks the argument count, binds RMI to 127.0.0.1, exits when stdin closes (the harness went away),
     * runs {@code body}, and exits with status 1 if it throws: the JDK's JMX agent and RMI keep non-daemon
     * threads that would otherwise hold a broken JVM alive.
     */
    static void run(String[] args, int minArgs, String usage, Body body) {
        if (args.length < minArgs) {
            System.err.println("usage: " + usage);
            System.exit(2);
        }
        try {
            Loopback.useLoopbackHostname();
            Stdin.exitWhenClosed();
            body.run(args);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
    }
}
