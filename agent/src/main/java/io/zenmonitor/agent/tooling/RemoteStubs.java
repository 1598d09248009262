package io.zenmonitor.agent.tooling;

import io.zenmonitor.RmiTarget;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.rmi.Remote;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the remote stub behind a JMX {@code NotificationListener}.
 *
 * <p>A stub cannot itself be a {@code NotificationListener}: RMI refuses a remote interface whose methods
 * do not declare {@code RemoteException}, and {@code handleNotification} cannot. Legacy applications
 * therefore register a small local adapter that forwards to a client's stub. This class accepts the
 * listener itself if it is a stub (a hand-written stub class), or else the one stub held in an instance
 * field of the listener's own classes whose declared type is a remote interface. A listener with no
 * such field, or with stubs in several fields, is not ours to judge and is left alone.
 *
 * <p>Reflection is limited to application classes (JDK classes are skipped) and cached per class.
 */
final class RemoteStubs {

    private static final ClassValue<Field[]> REMOTE_FIELDS = new ClassValue<>() {
        @Override
        protected Field[] computeValue(Class<?> type) {
            List<Field> fields = new ArrayList<>();
            for (Class<?> c = type; c != null && c != Object.class && !isJdk(c.getName()); c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (!Modifier.isStatic(f.getModifiers()) && Remote.class.isAssignableFrom(f.getType())) {
                        try {
                            f.setAccessible(true);
                            fields.add(f);
                        } catch (RuntimeException e) {
                            // a module that does not open the field: not an adapter we can read
                        }
                    }
                }
            }
            return fields.toArray(new Field[0]);
        }
    };

    private RemoteStubs() {
    }

    /** The remote stub {@code listener} forwards to, or null. */
    static Object find(Object listener) {
        if (RmiTarget.isStub(listener)) {
            return listener;
        }
        Object found = null;
        for (Field f : REMOTE_FIELDS.get(listener.getClass())) {
            Object v;
            try {
                v = f.get(listener);
            } catch (IllegalAccessException e) {
                continue;
            }
            if (v != null && RmiTarget.isStub(v)) {
                if (found != null && found != v) {
                    return null; // two different stubs: which one's death would end this listener?
                }
                found = v;
            }
        }
        return found;
    }

    private static boolean isJdk(String name) {
        return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("sun.") || name.startsWith("com.sun.")
                || name.startsWith("jdk.");
    }
}
