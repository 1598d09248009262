package io.zenmonitor.agent;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * The agent's entry point ({@code Premain-Class}, {@code Agent-Class}, {@code Main-Class}): the only
 * agent class the system class loader sees.
 *
 * <p>It appends the few bootstrap hook classes to the bootstrap class path, builds the isolated
 * {@link AgentClassLoader} and hands off to the tooling in it. It holds no state, uses JDK types only,
 * and catches every {@link Throwable}: a broken agent prints one line and stays inactive, and the
 * application runs as if it had not been given.
 */
public final class ZenAgent {

    private static final String INSTALLER = "io.zenmonitor.agent.tooling.AgentInstaller";
    private static final String STATUS = "io.zenmonitor.agent.tooling.StatusCommand";
    private static volatile boolean started;

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
        AgentClassLoader loader = loader(agentJar());
        Thread.currentThread().setContextClassLoader(loader);
        Class<?> status = loader.loadClass(STATUS);
        int code = (int) status.getMethod("run", String[].class).invoke(null, (Object) args);
        System.exit(code);
    }

    private static synchronized void start(String args, Instrumentation inst, boolean lateAttach) {
        try {
            if (started) {
                System.err.println("zen: the agent is already running in this JVM; ignoring the second start");
                return;
            }
            if (disabled(args)) {
                return; // zen.enabled=false: leave the application untouched
            }
            if (System.getProperty("net.bytebuddy.safe") == null) {
                System.setProperty("net.bytebuddy.safe", "true"); // no sun.misc.Unsafe warning on JDK 24+
            }
            File jarFile = agentJar();
            JarFile jar = new JarFile(jarFile);
            inst.appendToBootstrapClassLoaderSearch(bootstrapJar(jar));
            AgentClassLoader loader = loader(jarFile);
            Class<?> installer = loader.loadClass(INSTALLER);
            ClassLoader previous = Thread.currentThread().getContextClassLoader();
            Thread.currentThread().setContextClassLoader(loader);
            try {
                installer.getMethod("install", Instrumentation.class, String.class, boolean.class)
                        .invoke(null, inst, args, lateAttach);
            } finally {
                Thread.currentThread().setContextClassLoader(previous);
            }
            started = true;
        } catch (Throwable t) {
            Throwable cause = t instanceof java.lang.reflect.InvocationTargetException ? t.getCause() : t;
            System.err.println("zen: the agent failed to start and stays inactive; the application runs without it: " + cause);
        }
    }

    /** The quick master-switch check, before anything is loaded (the full check is the tooling's). */
    static boolean disabled(String args) {
        if (args != null) {
            for (String piece : args.split(",")) {
                String p = piece.strip();
                if (p.equalsIgnoreCase("enabled=false")) {
                    return true;
                }
            }
        }
        String prop = System.getProperty("zen.enabled");
        if (prop != null) {
            return prop.strip().equalsIgnoreCase("false");
        }
        String env = System.getenv("ZEN_ENABLED");
        return env != null && env.strip().equalsIgnoreCase("false");
    }

    private static File agentJar() throws Exception {
        URL location = ZenAgent.class.getProtectionDomain().getCodeSource().getLocation();
        return new File(location.toURI());
    }

    private static AgentClassLoader loader(File jarFile) throws IOException {
        return new AgentClassLoader(new JarFile(jarFile), jarFile.toURI().toURL());
    }

    /** Writes the bootstrap hook classes to a temporary jar (deleted on exit). */
    private static JarFile bootstrapJar(JarFile agent) throws IOException {
        Path tmp = Files.createTempFile("zen-bootstrap-", ".jar");
        tmp.toFile().deleteOnExit();
        try (JarOutputStream out = new JarOutputStream(new FileOutputStream(tmp.toFile()))) {
            Enumeration<JarEntry> entries = agent.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                String name = e.getName();
                if (name.startsWith("bootstrap/") && name.endsWith(".classdata")) {
                    String cls = name.substring("bootstrap/".length(), name.length() - ".classdata".length()) + ".class";
                    out.putNextEntry(new JarEntry(cls));
                    try (InputStream in = agent.getInputStream(e)) {
                        in.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
        }
        return new JarFile(tmp.toFile());
    }
}
