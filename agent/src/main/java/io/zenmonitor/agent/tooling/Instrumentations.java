package io.zenmonitor.agent.tooling;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.isSubTypeOf;
import static net.bytebuddy.matcher.ElementMatchers.nameMatches;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;
import static net.bytebuddy.matcher.ElementMatchers.takesNoArguments;

import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.utility.JavaModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the agent's one {@link AgentBuilder} and installs it.
 *
 * <p>Modules (each can be turned off by a key): {@code rmi} (exports and removals, always on: it feeds the
 * Proxy), {@code jmx} (MBean registrations), {@code listeners} (registration methods of exported
 * objects). JDK classes are bootstrap-loaded, which Byte Buddy ignores by default, so the ignore matcher
 * is replaced by one that skips only Byte Buddy and the agent's own code.
 */
final class Instrumentations {

    private static final Logger LOG = LoggerFactory.getLogger("zen.agent");

    /** Registration methods whose remote-stub arguments are monitored (DESIGN.md §7). */
    static final String REGISTRATION_METHODS = "(add|remove)\\w*Listener|(register|unregister)\\w*|(subscribe|unsubscribe)\\w*|(attach|detach)\\w*";

    /** The JDK choke points: a failure to instrument one of these is a missing feature, logged as WARN. */
    static final java.util.Set<String> HOOKED_JDK_TYPES = java.util.Set.of("sun.rmi.server.UnicastServerRef",
            "sun.rmi.transport.ObjectTable", "com.sun.jmx.interceptor.DefaultMBeanServerInterceptor");

    static final AtomicLong TRANSFORMED = new AtomicLong();
    static final AtomicLong ERRORS = new AtomicLong();

    private Instrumentations() {
    }

    static void install(Instrumentation inst, boolean listeners, List<ListenerPairs.Pair> extraPairs) {
        AgentBuilder builder = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.DescriptionStrategy.Default.HYBRID)
                .with(new Listener())
                .ignore(nameStartsWith("net.bytebuddy.")
                        .or(nameStartsWith("io.zenmonitor.agent.bootstrap."))
                        .or(ElementMatchers.named("io.zenmonitor.agent.ZenAgent"))
                        .or(nameStartsWith("io.zenmonitor.agent.AgentLauncher")).or(nameStartsWith("io.zenmonitor.agent.AgentClassLoader"))
                        // generated at run time: no class file to describe, and never an exported object
                        .or(nameStartsWith("jdk.internal.reflect.")).or(nameStartsWith("jdk.proxy"))
                        .or(nameStartsWith("com.sun.proxy.")).or(ElementMatchers.nameContains("$$Lambda")))
                // everything the agent's own loader defines (runtime, JGroups, slf4j, tooling); an
                // application's own JGroups or slf4j, in its own loaders, is not touched either way
                .or(ElementMatchers.any(), ElementMatchers.is(Instrumentations.class.getClassLoader()))
                .type(named("sun.rmi.server.UnicastServerRef"))
                .transform(advice(Advices.Export.class, named("exportObject").and(takesArguments(3))))
                .type(named("sun.rmi.transport.ObjectTable"))
                .transform(advice(Advices.Remove.class, named("removeTarget")))
                .type(named("com.sun.jmx.interceptor.DefaultMBeanServerInterceptor"))
                .transform(advice(Advices.MBeanRegister.class, named("registerDynamicMBean").and(takesArguments(3))))
                .transform(advice(Advices.MBeanUnregister.class, named("exclusiveUnregisterMBean").and(takesArguments(1))))
                .transform(advice(Advices.NotificationListenerCall.class, isPublic()
                        .and(named("addNotificationListener").or(named("removeNotificationListener")))
                        .and(takesArgument(1, named("javax.management.NotificationListener")))));
        if (listeners) {
            ElementMatcher.Junction<MethodDescription> methods = isPublic().and(not(isStatic())).and(not(isAbstract()))
                    .and(not(isSynthetic())).and(not(takesNoArguments())).and(nameMatches(REGISTRATION_METHODS));
            builder = builder.type(not(isInterface()).and(isSubTypeOf(java.rmi.Remote.class)).and(not(jdk())))
                    .transform(advice(Advices.ListenerCall.class, methods));
            for (ListenerPairs.Pair p : extraPairs) {
                // the pair may name the implementation, a superclass or the remote interface that declares
                // the methods: every concrete class that is one of them is instrumented
                ElementMatcher.Junction<MethodDescription> pairMethods = isPublic().and(not(isStatic())).and(not(isAbstract()))
                        .and(named(p.add()).or(named(p.remove())));
                builder = builder.type(not(isInterface()).and(ElementMatchers.hasSuperType(named(p.className()))))
                        .transform((b, type, loader, module, domain) -> {
                            if (!type.getDeclaredMethods().filter(pairMethods).isEmpty()) {
                                ListenerPairs.matched(p, type.getName());
                            }
                            return b.visit(Advice.to(Advices.ListenerCall.class).on(pairMethods));
                        });
            }
        }
        builder.installOn(inst);
    }

    private static ElementMatcher.Junction<TypeDescription> jdk() {
        return nameStartsWith("java.").or(nameStartsWith("javax.")).or(nameStartsWith("sun."))
                .or(nameStartsWith("com.sun.")).or(nameStartsWith("jdk."));
    }

    private static AgentBuilder.Transformer advice(Class<?> advice, ElementMatcher<? super MethodDescription> on) {
        return (builder, type, loader, module, domain) -> builder.visit(Advice.to(advice).on(on));
    }

    /** Counts transformations and logs failures (never silent: a failed hook is a missing feature). */
    private static final class Listener extends AgentBuilder.Listener.Adapter {
        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded, DynamicType dynamicType) {
            TRANSFORMED.incrementAndGet();
            LOG.debug("instrumented {}{}", type.getName(), loaded ? " (retransformed)" : "");
        }

        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable throwable) {
            ERRORS.incrementAndGet();
            if (HOOKED_JDK_TYPES.contains(typeName)) {
                LOG.warn("cannot instrument {}: {} (that hook is off)", typeName, throwable.toString());
            } else {
                LOG.debug("cannot instrument {}: {}", typeName, throwable.toString());
            }
        }
    }
}
