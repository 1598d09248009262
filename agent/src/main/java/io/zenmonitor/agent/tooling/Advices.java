package io.zenmonitor.agent.tooling;

import io.zenmonitor.agent.bootstrap.Hooks;
import net.bytebuddy.asm.Advice;

/**
 * The advice the agent inlines into JDK and application classes. Byte Buddy copies these method bodies
 * into the instrumented methods: they may only touch types every instrumented class can see, so they
 * pass plain {@code Object}s to the bootstrap {@link Hooks} and do nothing else (a type of another module
 * would fail with an IllegalAccessError that {@code suppress} would hide, jvm_anchors.md §5.2). Every
 * advice suppresses its own failures: the application never sees them.
 */
final class Advices {

    private Advices() {
    }

    /** {@code sun.rmi.server.UnicastServerRef.exportObject(Remote, Object, boolean)}: every RMI export. */
    static final class Export {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(0) Object impl, @Advice.Argument(2) boolean permanent, @Advice.Return Object stub) {
            Hooks.exported(impl, stub, permanent);
        }
    }

    /** {@code sun.rmi.transport.ObjectTable.removeTarget(Target)}: unexport, JMX close and reaping. Runs under tableLock. */
    static final class Remove {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) Object target) {
            Hooks.removed(target);
        }
    }

    /** {@code DefaultMBeanServerInterceptor.registerDynamicMBean(String, DynamicMBean, ObjectName)}. */
    static final class MBeanRegister {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Return Object instance) {
            Hooks.mbeanRegistered(instance);
        }
    }

    /** {@code DefaultMBeanServerInterceptor.exclusiveUnregisterMBean(ObjectName)}, on success. */
    static final class MBeanUnregister {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(0) Object name) {
            Hooks.mbeanUnregistered(name);
        }
    }

    /** A registration-style public method of an exported object, on normal return. */
    static final class ListenerCall {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object self, @Advice.Origin("#m") String method, @Advice.AllArguments Object[] args) {
            Hooks.listenerCall(self, method, args);
        }
    }

    /** {@code DefaultMBeanServerInterceptor.add/removeNotificationListener(ObjectName, NotificationListener, ...)}, on success. */
    static final class NotificationListenerCall {
        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.This Object self, @Advice.Origin("#m") String method, @Advice.AllArguments Object[] args,
                @Advice.Thrown Throwable thrown) {
            if (thrown == null) {
                Hooks.notificationListenerCall(self, method, args);
            }
        }
    }
}
