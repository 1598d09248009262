package io.zenmonitor.agent;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AccessController;
import java.security.PrivilegedExceptionAction;
import java.util.Enumeration;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Starts the agent: builds the isolated {@link AgentClassLoader}, shares zen's API with the application,
 * and hands off to the tooling in the isolated loader.
 *
 * <p>Loaded by the bootstrap loader (see {@link ZenAgent}), so it holds every permission, and it runs the
 * start inside {@code doPrivileged}: a SecurityManager installed before {@code premain}, with a policy
 * that grants the agent jar nothing, does not stop it. Threads the agent starts inherit that context.
 * JDK types only.
 */
public final class AgentLauncher {

    private static final String INSTALLER = "io.zenmonitor.agent.tooling.AgentInstaller";
    private static final String STATUS = "io.zenmonitor.agent.tooling.StatusCommand";

    private AgentLauncher() {
    }

    /** Returns whether the agent started (false: disabled by {@code enabled=false}). */
    @SuppressWarnings("removal") // AccessController: still the way to run privileged on JDK 17; a plain call on 24+
    public static boolean launch(String args, Instrumentation inst, boolean lateAttach, File jarFile) throws Exception {
        return AccessController.doPrivileged((PrivilegedExceptionAction<Boolean>) () -> launchPrivileged(args, inst, lateAttach, jarFile));
    }

    private static boolean launchPrivileged(String args, Instrumentation inst, boolean lateAttach, File jarFile) throws Exception {
        if (disabled(args)) {
            return false; // zen.enabled=false: leave the application untouched
        }
        if (System.getProperty("net.bytebuddy.safe") == null) {
            System.setProperty("net.bytebuddy.safe", "true"); // no sun.misc.Unsafe warning on JDK 24+
        }
        JarFile jar = new JarFile(jarFile);
        shareApi(jar, inst);
        AgentClassLoader loader = new AgentClassLoader(jar, jarFile.toURI().toURL());
        Class<?> installer = loader.loadClass(INSTALLER);
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        current.setContextClassLoader(loader);
        try {
            installer.getMethod("install", Instrumentation.class, String.class, boolean.class).invoke(null, inst, args, lateAttach);
        } finally {
            current.setContextClassLoader(previous);
        }
        return true;
    }

    /** {@code java -jar zen-agent.jar status ...}: runs the tooling's status command; returns its exit code. */
    public static int status(String[] args, File jarFile) throws Exception {
        AgentClassLoader loader = new AgentClassLoader(new JarFile(jarFile), jarFile.toURI().toURL());
        Thread.currentThread().setContextClassLoader(loader);
        Class<?> status = loader.loadClass(STATUS);
        return (int) status.getMethod("run", String[].class).invoke(null, (Object) args);
    }

    /** The quick master-switch check, before anything is loaded (the full check is the tooling's). */
    static boolean disabled(String args) {
        if (args != null) {
            for (String piece : args.split(",")) {
                if (piece.strip().equalsIgnoreCase("enabled=false")) {
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

    /**
     * Puts zen's API packages ({@code io.zenmonitor}, {@code .config}, {@code .metrics}: JDK types only) on
     * the bootstrap class path, so application code can use {@code ZenMonitor} on the agent's node without
     * shipping zen-runtime, and the agent's loader (whose parent chain ends there) shares the same classes.
     * The bootstrap path, not the system one: its classes hold every permission, which the agent's own
     * calls through the API need under a SecurityManager. Not done when the application ships its own
     * zen-runtime: its version may differ from ours, so each side keeps its own.
     */
    private static void shareApi(JarFile agent, Instrumentation inst) {
        if (ClassLoader.getSystemClassLoader().getResource("io/zenmonitor/ZenNode.class") != null) {
            System.err.println("zen: the application ships its own zen-runtime: ZenMonitor in application code uses that"
                    + " runtime, not the agent's node");
            return;
        }
        try {
            inst.appendToBootstrapClassLoaderSearch(extract(agent, "api/", manifestOf(agent)));
        } catch (IOException | RuntimeException e) {
            System.err.println("zen: cannot share the ZenMonitor API (" + e + "): application code cannot use it; the agent"
                    + " itself works");
        }
    }

    private static Manifest manifestOf(JarFile agent) throws IOException {
        Manifest source = agent.getManifest();
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (source != null) {
            for (String k : new String[] {"Implementation-Title", "Implementation-Version"}) {
                String v = source.getMainAttributes().getValue(k);
                if (v != null) {
                    a.putValue(k, v);
                }
            }
        }
        return m;
    }

    /** Writes the classes stored under {@code prefix} as {@code .classdata} to a temporary jar (deleted on exit). */
    private static JarFile extract(JarFile agent, String prefix, Manifest manifest) throws IOException {
        Path tmp = Files.createTempFile("zen-" + prefix.substring(0, prefix.length() - 1) + "-", ".jar");
        tmp.toFile().deleteOnExit();
        try (JarOutputStream out = new JarOutputStream(new FileOutputStream(tmp.toFile()), manifest)) {
            Enumeration<JarEntry> entries = agent.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                String name = e.getName();
                if (name.startsWith(prefix) && name.endsWith(".classdata")) {
                    String cls = name.substring(prefix.length(), name.length() - ".classdata".length()) + ".class";
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
