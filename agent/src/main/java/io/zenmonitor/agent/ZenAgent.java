package io.zenmonitor.agent;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.util.jar.JarFile;

/**
 * The agent's entry point ({@code Premain-Class}, {@code Agent-Class}, {@code Main-Class}).
 *
 * <p>It does the two things the JVM lets unprivileged code do (under a SecurityManager whose policy grants
 * the agent jar nothing): open its own jar and append it to the bootstrap class path. Everything else runs
 * in {@link AgentLauncher}, which the bootstrap loader then defines with every permission, inside
 * {@code doPrivileged}. It holds no state, uses JDK types only, and catches every {@link Throwable}: a
 * broken agent prints one line and stays inactive, and the application runs as if it had not been given.
 */
public final class ZenAgent {

    private static boolean started;

    private ZenAgent() {
    }

    /** {@code -javaagent:zen-agent.jar[=k=v,...]}. */
    public static void premain(String args, Instrumentation inst) {
        start(args, inst, false);
    }

    /** Late attach. */
    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    /** {@code java -jar zen-agent.jar status [--cluster NAME] [--stack NAME]}. */
    public static void main(String[] args) throws Exception {
        System.exit(AgentLauncher.status(args, ownJar()));
    }

    private static synchronized void start(String args, Instrumentation inst, boolean lateAttach) {
        try {
            if (started) {
                System.err.println("zen: the agent is already running in this JVM; ignoring the second start");
                return;
            }
            File jar = ownJar();
            // after this, AgentLauncher, AgentClassLoader and the hooks resolve (parent first) to the bootstrap
            // loader's copies: code with every permission, which the hooks in JDK classes can also see
            inst.appendToBootstrapClassLoaderSearch(new JarFile(jar));
            started = AgentLauncher.launch(args, inst, lateAttach, jar);
        } catch (Throwable t) {
            Throwable cause = t;
            while ((cause instanceof java.lang.reflect.InvocationTargetException
                    || cause instanceof java.security.PrivilegedActionException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (Boolean.getBoolean("io.zenmonitor.agent.debug")) {
                cause.printStackTrace();
            }
            System.err.println("zen: the agent failed to start and stays inactive; the application runs without it: " + cause);
        }
    }

    /** The agent jar, found through a resource URL: unlike {@code getProtectionDomain()} this needs no permission. */
    static File ownJar() throws Exception {
        URL self = ZenAgent.class.getResource("ZenAgent.class");
        String s = self == null ? "" : self.toString();
        int bang = s.indexOf("!/");
        if (!s.startsWith("jar:file:") || bang < 0) {
            throw new IllegalStateException("zen: the agent is not running from its jar (" + s + ")");
        }
        return new File(new java.net.URI(s.substring(4, bang)));
    }
}
