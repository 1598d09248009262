/**
 * A small legacy RMI application, written the way such applications were written before anyone thought of
 * remote death: a {@link io.zenmonitor.agent.it.legacy.Board} keeps remote callback stubs in a list and only
 * drops one when the application calls the removal method, and {@link io.zenmonitor.agent.it.legacy.Session}s
 * rely on {@link java.rmi.server.Unreferenced}. It contains no zen code at all (only JDK classes): the agent
 * tests run it in child JVMs, with and without {@code -javaagent:zen-agent.jar}, and drive it through
 * stdin/stdout commands.
 *
 * <p>Everything binds to 127.0.0.1: stubs carry {@code java.rmi.server.hostname=127.0.0.1} and every RMI
 * server socket (objects, registry, JMX connector) comes from {@link
 * io.zenmonitor.agent.it.legacy.LoopbackServerSocketFactory}. No client socket factory is used, so stubs hold
 * a plain endpoint (a {@code UnicastRef2} of format 0), as most legacy applications do.
 */
package io.zenmonitor.agent.it.legacy;
