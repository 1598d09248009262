package io.zenmonitor.agent;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The agent's own class loader: it loads the tooling, zen-runtime, JGroups, Byte Buddy and slf4j from the
 * agent jar's {@code inst/} directory, where classes are stored as {@code .classdata} so that no other
 * loader can find them. Its parent is the platform loader: the agent sees the JDK (and the bootstrap
 * hooks), never the application's classes, and the application never sees the agent's libraries, so an
 * application with its own JGroups, Byte Buddy or slf4j cannot clash with ours.
 *
 * <p>The one exception is zen's public API (JDK types only): when the agent has put it on the bootstrap
 * class path, the parent finds it there first, so the application's {@code ZenMonitor} and the agent's
 * node share one set of API classes.
 */
final class AgentClassLoader extends ClassLoader {

    static {
        registerAsParallelCapable();
    }

    private static final String PREFIX = "inst/";

    private final JarFile jar;
    private final URL jarUrl;
    private final ProtectionDomain domain;
    private final Manifest manifest;
    /** Resources the agent generates at start (its log configuration). */
    private final Map<String, byte[]> generated = new ConcurrentHashMap<>();

    AgentClassLoader(JarFile jar, URL jarUrl) throws IOException {
        super("zen-agent", ClassLoader.getPlatformClassLoader());
        this.jar = jar;
        this.jarUrl = jarUrl;
        // Static permissions, not the policy's: under a SecurityManager whose policy grants the agent jar
        // nothing, JGroups' and the tooling's own threads must still open sockets, files and MBeans.
        java.security.Permissions all = new java.security.Permissions();
        all.add(new java.security.AllPermission());
        this.domain = new ProtectionDomain(new CodeSource(jarUrl, (Certificate[]) null), all);
        this.manifest = jar.getManifest();
    }

    /** Serves {@code bytes} as resource {@code name} (called reflectively by the tooling). */
    public void putResource(String name, byte[] bytes) {
        generated.put(name, bytes.clone());
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        JarEntry entry = jar.getJarEntry(PREFIX + name.replace('.', '/') + ".classdata");
        if (entry == null) {
            throw new ClassNotFoundException(name);
        }
        byte[] bytes;
        try (InputStream in = jar.getInputStream(entry)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            String pkg = name.substring(0, dot);
            if (getDefinedPackage(pkg) == null) {
                try {
                    if (pkg.startsWith("io.zenmonitor") && manifest != null) {
                        java.util.jar.Attributes a = manifest.getMainAttributes();
                        definePackage(pkg, a.getValue("Implementation-Title"), a.getValue("Implementation-Version"), null,
                                a.getValue("Implementation-Title"), a.getValue("Implementation-Version"), null, null);
                    } else {
                        definePackage(pkg, null, null, null, null, null, null, null);
                    }
                } catch (IllegalArgumentException raced) {
                    // defined concurrently
                }
            }
        }
        return defineClass(name, bytes, 0, bytes.length, domain);
    }

    @Override
    protected URL findResource(String name) {
        if (generated.containsKey(name)) {
            return generatedUrl(name);
        }
        // Byte Buddy reads advice templates as resources "x/Y.class": serve the hidden .classdata
        String entry = PREFIX + (name.endsWith(".class") ? name.substring(0, name.length() - 6) + ".classdata" : name);
        if (jar.getJarEntry(entry) == null) {
            return null;
        }
        try {
            return new URL("jar:" + jarUrl + "!/" + entry);
        } catch (MalformedURLException e) {
            return null;
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL url = findResource(name);
        return url == null ? Collections.emptyEnumeration() : Collections.enumeration(java.util.List.of(url));
    }

    @Override
    public InputStream getResourceAsStream(String name) {
        byte[] g = generated.get(name);
        if (g != null) {
            return new java.io.ByteArrayInputStream(g);
        }
        return super.getResourceAsStream(name);
    }

    private URL generatedUrl(String name) {
        try {
            byte[] bytes = generated.get(name);
            return new URL("zen-generated", null, -1, "/" + name, new java.net.URLStreamHandler() {
                @Override
                protected java.net.URLConnection openConnection(URL u) {
                    return new java.net.URLConnection(u) {
                        @Override
                        public void connect() {
                        }

                        @Override
                        public InputStream getInputStream() {
                            return new java.io.ByteArrayInputStream(bytes);
                        }
                    };
                }
            });
        } catch (MalformedURLException e) {
            return null;
        }
    }
}
