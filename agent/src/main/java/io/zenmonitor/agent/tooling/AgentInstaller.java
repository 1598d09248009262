package io.zenmonitor.agent.tooling;

import io.zenmonitor.ZenConfig;
import io.zenmonitor.ZenMonitor;
import io.zenmonitor.ZenNode;
import io.zenmonitor.config.Config;
import io.zenmonitor.config.ZenConfigException;
import io.zenmonitor.node.ClusterNode;
import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's start, in its own class loader: read the configuration, open the few JDK internals it
 * needs, install the instrumentation, and start the default node in the background (application
 * start-up never waits for the cluster). Events hooked before the node is up wait in the bootstrap queue.
 */
public final class AgentInstaller {

    private AgentInstaller() {
    }

    /**
     * Called reflectively by {@code ZenAgent}. A bad configuration prints one block naming every problem
     * and leaves the agent inactive; the application starts anyway.
     */
    public static void install(Instrumentation inst, String args, boolean lateAttach) throws Exception {
        ZenConfig config;
        try {
            config = ZenConfig.of(Config.fromAgentArguments(args));
        } catch (ZenConfigException e) {
            System.err.println(e.getMessage());
            System.err.println("zen: the agent stays inactive; the application runs without it");
            return;
        }
        if (!config.enabled()) {
            return;
        }
        configureLogging(config.log());
        Logger log = LoggerFactory.getLogger("zen.agent");
        config.warnings().forEach(log::warn);

        Method targetGetStub = openRmiInternals(inst);
        ListenerPairs pairs = new ListenerPairs(config.listenersPairs());
        long t0 = System.nanoTime();
        Instrumentations.install(inst, config.listeners(), pairs.configured());
        long instrumentMs = (System.nanoTime() - t0) / 1_000_000;

        ClassLoader agentLoader = AgentInstaller.class.getClassLoader();
        // ZenNode.start called by the application (whose loader sees only the API) starts a node here
        ZenMonitor.install((c, attrs) -> startNode(c, attrs, agentLoader));
        Thread starter = new Thread(() -> {
            try {
                Map<String, String> attributes = new java.util.HashMap<>();
                String vmid = config.dgc() ? FastDgc.ownVmid() : null;
                if (vmid != null) {
                    attributes.put(FastDgc.VMID_ATTRIBUTE, vmid);
                }
                ZenNode node = startNode(config, attributes, agentLoader);
                ZenMonitor.install(node);
                Summary summary = new Summary();
                ListenerRegistry listeners = new ListenerRegistry(node, pairs, summary, config.partitionGrace());
                FastDgc dgc = config.dgc() ? FastDgc.create(node, config.partitionGrace()) : null;
                HookDrainer drainer = new HookDrainer(node, listeners, summary, targetGetStub, dgc);
                registerGauges(node, summary, listeners, dgc);
                ServerOnly serverOnly = config.listeners() ? startServerOnly(node, listeners, drainer) : null;
                drainer.start();
                ExitWatch.start(node);
                if (lateAttach) {
                    scanMBeans(node);
                    scanRmiExports(node, targetGetStub);
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    drainer.stop();
                    if (serverOnly != null) {
                        serverOnly.close();
                    }
                    summary.flush(System.nanoTime(), true);
                    node.close();
                }, "zen-agent-shutdown"));
                log.debug("instrumentation installed in {} ms ({} types so far)", instrumentMs, Instrumentations.TRANSFORMED.get());
            } catch (Throwable t) {
                log.error("zen: the agent's node did not start; the application runs without zen: {}", t.toString());
            }
        }, "zen-agent-start");
        starter.setContextClassLoader(agentLoader); // JGroups loads protocol classes through the context loader
        starter.setDaemon(true);
        starter.start();
    }

    /** The agent's own figures, next to the runtime's in the node's MBean {@code Metrics}. */
    private static void registerGauges(ZenNode node, Summary summary, ListenerRegistry listeners, FastDgc dgc) {
        var m = node.metrics();
        m.gauge("zen.agent.listeners.registrations", listeners::size);
        m.gauge("zen.agent.listeners.removed", summary.totalRemoved::sum);
        m.gauge("zen.agent.listeners.failed", summary.totalFailed::sum);
        m.gauge("zen.agent.partition.parked", listeners::parkedCount);
        m.gauge("zen.agent.partition.restored", listeners.restoredCount::sum);
        m.gauge("zen.agent.partition.expired", listeners.expiredCount::sum);
        if (dgc != null) {
            m.gauge("zen.agent.dgc.expired", dgc.expired::sum);
            m.gauge("zen.agent.dgc.released", dgc.objectsReleased::sum);
            m.gauge("zen.agent.dgc.pending", dgc::pendingReleases);
            m.gauge("zen.agent.dgc.graced", dgc::gracedCount);
            m.gauge("zen.agent.dgc.kept-after-merge", dgc.keptAfterMerge::sum);
            m.gauge("zen.agent.dgc.expired-after-grace", dgc.expiredAfterGrace::sum);
        }
    }

    /** Server-only mode (issue 9): probes the endpoints of agent-less clients' listener stubs. */
    private static ServerOnly startServerOnly(ZenNode node, ListenerRegistry listeners, HookDrainer drainer) {
        EndpointProber.Connector connector = ServerOnly.openConnector();
        if (connector == null) {
            return null;
        }
        ServerOnly so = new ServerOnly(node, listeners, connector, drainer::wakeup);
        listeners.serverOnly(so);
        drainer.serverOnly = so;
        return so;
    }

    /** Starts a runtime node with the agent's loader as context loader (JGroups loads protocols through it). */
    static ZenNode startNode(ZenConfig config, Map<String, String> attributes, ClassLoader agentLoader) {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(agentLoader);
        try {
            return ClusterNode.start(config, attributes);
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    /** slf4j-simple reads its configuration through the context loader: serve ours with zen.log's level. */
    private static void configureLogging(String level) {
        String props = "org.slf4j.simpleLogger.logFile=System.err\n"
                + "org.slf4j.simpleLogger.defaultLogLevel=" + level + "\n"
                + "org.slf4j.simpleLogger.log.org.jgroups=" + ("trace".equals(level) || "debug".equals(level) ? level : "warn") + "\n"
                // a crashed peer's socket error is the normal case here, not an error of the application
                + "org.slf4j.simpleLogger.log.org.jgroups.protocols.TCP=off\n"
                + "org.slf4j.simpleLogger.log.org.jgroups.blocks.cs=off\n"
                + "org.slf4j.simpleLogger.showThreadName=false\n"
                + "org.slf4j.simpleLogger.showLogName=false\n"
                + "org.slf4j.simpleLogger.levelInBrackets=true\n";
        ClassLoader loader = AgentInstaller.class.getClassLoader();
        try {
            Method put = loader.getClass().getMethod("putResource", String.class, byte[].class);
            put.setAccessible(true); // the loader class is package-private in the premain tier
            put.invoke(loader, "simplelogger.properties", props.getBytes(StandardCharsets.UTF_8));
        } catch (ReflectiveOperationException e) {
            System.err.println("zen: cannot configure the agent's log level: " + e);
        }
    }

    /**
     * Exports {@code sun.rmi.transport} and {@code sun.rmi.server} to the agent's module (reflection on
     * {@code Target.getStub()}), with {@link Instrumentation#redefineModule}: no command-line flag needed.
     */
    private static Method openRmiInternals(Instrumentation inst) throws Exception {
        Module rmi = ModuleLayer.boot().findModule("java.rmi").orElseThrow();
        Module ours = AgentInstaller.class.getModule();
        inst.redefineModule(rmi, Set.of(), Map.of("sun.rmi.transport", Set.of(ours), "sun.rmi.server", Set.of(ours)),
                Map.of("sun.rmi.transport", Set.of(ours), "sun.rmi.server", Set.of(ours)), Set.of(), Map.of());
        Class<?> target = Class.forName("sun.rmi.transport.Target", false, null);
        Method m = target.getMethod("getStub");
        m.setAccessible(true);
        return m;
    }

    /**
     * Late attach: the RMI objects exported before the agent came, read from RMI's object table (its
     * package was opened to the agent in {@link #openRmiInternals}). Their endpoints are advertised.
     */
    private static void scanRmiExports(ZenNode node, Method targetGetStub) {
        try {
            Class<?> table = Class.forName("sun.rmi.transport.ObjectTable", true, null);
            java.lang.reflect.Field f = table.getDeclaredField("objTable");
            f.setAccessible(true);
            java.lang.reflect.Field lock = table.getDeclaredField("tableLock");
            lock.setAccessible(true);
            java.util.List<Object> targets;
            synchronized (lock.get(null)) {
                targets = new java.util.ArrayList<>(((Map<?, ?>) f.get(null)).values());
            }
            java.util.Set<io.zenmonitor.Endpoint> endpoints = new java.util.HashSet<>();
            for (Object t : targets) {
                Object stub = targetGetStub.invoke(t);
                if (io.zenmonitor.RmiTarget.isStub(stub)) {
                    io.zenmonitor.RmiTarget rt = io.zenmonitor.RmiTarget.of((java.rmi.Remote) stub);
                    node.alive(rt);
                    if (endpoints.add(rt.endpoint())) {
                        node.advertise(rt.endpoint());
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LoggerFactory.getLogger("zen.agent").warn("late attach: RMI objects exported before the agent are not seen: {}", e.toString());
        }
    }

    /** Late attach: the MBeans registered before the agent came. */
    private static void scanMBeans(ZenNode node) {
        java.util.List<MBeanServer> servers = new java.util.ArrayList<>(MBeanServerFactory.findMBeanServer(null));
        MBeanServer platform = ManagementFactory.getPlatformMBeanServer();
        if (!servers.contains(platform)) {
            servers.add(platform);
        }
        for (MBeanServer s : servers) {
            for (ObjectName n : s.queryNames(null, null)) {
                node.alive(io.zenmonitor.Target.mbean(n));
            }
        }
    }
}
