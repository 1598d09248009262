package io.zenmonitor.agent.tooling;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which registration method pairs with which removal method: {@code addXListener}/{@code removeXListener},
 * {@code registerX}/{@code unregisterX}, {@code subscribeX}/{@code unsubscribeX}, {@code attachX}/
 * {@code detachX}, plus the {@code listeners.pairs} given in configuration ({@code Class#add/remove}).
 * Answers are cached per (class, method name).
 */
final class ListenerPairs {

    /** A configured pair. */
    record Pair(String className, String add, String remove) {
        static Pair parse(String spec) {
            int hash = spec.indexOf('#');
            int slash = spec.indexOf('/', hash);
            return new Pair(spec.substring(0, hash), spec.substring(hash + 1, slash), spec.substring(slash + 1));
        }
    }

    /** What a call means: a registration (with its removal method) or a removal. */
    record Role(boolean add, String removeName) {
    }

    private final List<Pair> configured;
    private final Map<String, Role> cache = new ConcurrentHashMap<>();

    ListenerPairs(List<String> specs) {
        List<Pair> pairs = new ArrayList<>();
        for (String s : specs) {
            pairs.add(Pair.parse(s));
        }
        this.configured = List.copyOf(pairs);
    }

    List<Pair> configured() {
        return configured;
    }

    /** The role of {@code method} on {@code type}, or null if it is not a registration method. */
    Role role(Class<?> type, String method) {
        return cache.computeIfAbsent(type.getName() + '#' + method, k -> compute(type, method));
    }

    private Role compute(Class<?> type, String m) {
        for (Pair p : configured) {
            if (isA(type, p.className())) {
                if (m.equals(p.add())) {
                    return new Role(true, p.remove());
                }
                if (m.equals(p.remove())) {
                    return new Role(false, p.remove());
                }
            }
        }
        String[][] prefixes = {{"add", "remove"}, {"register", "unregister"}, {"subscribe", "unsubscribe"}, {"attach", "detach"}};
        for (String[] p : prefixes) {
            // "unregister"/"unsubscribe" also start with their add prefix's letters: test the removal first
            if (m.startsWith(p[1])) {
                return new Role(false, m);
            }
        }
        for (String[] p : prefixes) {
            if (m.startsWith(p[0])) {
                if (p[0].equals("add") && !m.endsWith("Listener")) {
                    return null;
                }
                return new Role(true, p[1] + m.substring(p[0].length()));
            }
        }
        return null;
    }

    /** Whether {@code type} is, extends or implements (directly or through any supertype) the type {@code name}. */
    static boolean isA(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name) || implementsNamed(c, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean implementsNamed(Class<?> c, String name) {
        for (Class<?> i : c.getInterfaces()) {
            if (i.getName().equals(name) || implementsNamed(i, name)) {
                return true;
            }
        }
        return false;
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("zen.agent");
    /** Configured pair → the classes it instrumented; written by class-loading threads, read by the drainer. */
    private static final Map<Pair, java.util.Set<String>> MATCHES = new ConcurrentHashMap<>();

    /** The instrumentation applied pair {@code p} to {@code className} (which declares its methods). */
    static void matched(Pair p, String className) {
        if (MATCHES.computeIfAbsent(p, k -> ConcurrentHashMap.newKeySet()).add(className)) {
            LOG.info("listeners.pairs {}#{}/{}: watching {}", p.className(), p.add(), p.remove(), className);
        }
    }

    /** Configured pairs that have not matched any class so far. */
    List<Pair> unmatched() {
        List<Pair> out = new ArrayList<>();
        for (Pair p : configured) {
            if (MATCHES.getOrDefault(p, java.util.Set.of()).isEmpty()) {
                out.add(p);
            }
        }
        return out;
    }

    /** The public removal method named {@code name} that accepts {@code args}, or null. */
    static Method removal(Class<?> type, String name, Object[] args) {
        Method single = null;
        for (Method m : type.getMethods()) {
            if (!m.getName().equals(name) || Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Class<?>[] p = m.getParameterTypes();
            if (p.length == args.length && accepts(p, args)) {
                return m;
            }
            if (p.length == 1) {
                single = m;
            }
        }
        return single;
    }

    private static boolean accepts(Class<?>[] params, Object[] args) {
        for (int i = 0; i < params.length; i++) {
            if (args[i] != null && !box(params[i]).isInstance(args[i])) {
                return false;
            }
        }
        return true;
    }

    private static Class<?> box(Class<?> c) {
        if (!c.isPrimitive()) {
            return c;
        }
        if (c == int.class) {
            return Integer.class;
        }
        if (c == long.class) {
            return Long.class;
        }
        if (c == boolean.class) {
            return Boolean.class;
        }
        if (c == double.class) {
            return Double.class;
        }
        if (c == float.class) {
            return Float.class;
        }
        if (c == short.class) {
            return Short.class;
        }
        if (c == byte.class) {
            return Byte.class;
        }
        return Character.class;
    }
}
