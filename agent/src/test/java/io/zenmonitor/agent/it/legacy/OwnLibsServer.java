package io.zenmonitor.agent.it.legacy;

/**
 * The board server of an application that carries its own JGroups and slf4j: it prints which JGroups
 * and which slf4j binding it got (from its own class path), logs through its own slf4j, then runs
 * {@link BoardServer}. No zen code.
 */
public final class OwnLibsServer {

    private OwnLibsServer() {
    }

    public static void main(String[] args) throws Exception {
        Class<?> jchannel = Class.forName("org.jgroups.JChannel");
        System.out.println("APP-JGROUPS " + jchannel.getProtectionDomain().getCodeSource().getLocation()
                + " loader=" + jchannel.getClassLoader());
        Object logger = Class.forName("org.slf4j.LoggerFactory").getMethod("getLogger", String.class).invoke(null, "app");
        logger.getClass().getMethod("warn", String.class).invoke(logger, "APP-SLF4J says hello");
        System.out.println("APP-SLF4J " + logger.getClass().getName() + " loader=" + logger.getClass().getClassLoader());
        System.out.flush();
        BoardServer.main(args);
    }
}
