package io.zenmonitor.demo.harness;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Reads the guild JVM over plain JMX (the JDK's own management agent on 127.0.0.1, started by command-line
 * options, no application code): the application's counters ({@code chat:type=Guild}) and, when the agent runs,
 * its node MBean ({@code io.zenmonitor:type=ZenMonitor,node=guild}). Nothing here links to zen classes.
 */
final class GuildProbe implements AutoCloseable {

    static final String GUILD = "chat:type=Guild";
    static final String ZEN = "io.zenmonitor:type=ZenMonitor,*";

    private static final String[] GUILD_ATTRIBUTES = {
        "Registrations", "Cleanups", "Unreferenced", "Sessions", "FailedDeliveries", "LastBroadcastMillis"};

    private final JMXConnector connector;
    private final MBeanServerConnection mbs;
    private final ObjectName guild;
    private ObjectName zen;

    private GuildProbe(JMXConnector connector) throws IOException {
        this.connector = connector;
        this.mbs = connector.getMBeanServerConnection();
        try {
            this.guild = new ObjectName(GUILD);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    static GuildProbe connect(int jmxPort) throws IOException {
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
        return new GuildProbe(JMXConnectorFactory.connect(url));
    }

    /** The guild's counters, in {@link #GUILD_ATTRIBUTES} order ({@code Registrations} first). */
    long[] guild() throws Exception {
        AttributeList list = mbs.getAttributes(guild, GUILD_ATTRIBUTES);
        long[] v = new long[GUILD_ATTRIBUTES.length];
        java.util.Arrays.fill(v, -1);
        for (Attribute a : list.asList()) {
            for (int i = 0; i < GUILD_ATTRIBUTES.length; i++) {
                if (GUILD_ATTRIBUTES[i].equals(a.getName())) {
                    v[i] = ((Number) a.getValue()).longValue();
                }
            }
        }
        return v;
    }

    private ObjectName zen() throws IOException {
        if (zen == null) {
            try {
                Set<ObjectName> names = mbs.queryNames(new ObjectName(ZEN), null);
                zen = names.isEmpty() ? null : names.iterator().next();
            } catch (javax.management.MalformedObjectNameException e) {
                throw new IllegalStateException(e);
            }
        }
        return zen;
    }

    /** The agent node's view (node names), or an empty list when its MBean is not (yet) there. */
    List<String> zenMembers() throws Exception {
        ObjectName n = zen();
        if (n == null) {
            return List.of();
        }
        Object v = mbs.getAttribute(n, "Members");
        if (v instanceof String[] a) {
            return List.of(a);
        }
        return v instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
    }

    /** A numeric attribute of the agent's node MBean, or -1 when there is none. */
    long zenNumber(String attribute) throws Exception {
        ObjectName n = zen();
        return n == null ? -1 : ((Number) mbs.getAttribute(n, attribute)).longValue();
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException e) {
            // the guild is gone already
        }
    }
}
