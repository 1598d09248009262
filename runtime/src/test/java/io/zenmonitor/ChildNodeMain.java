package io.zenmonitor;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A zen node in a child JVM for multi-JVM tests (ZenMonitor's ChildNode): it joins the cluster, makes
 * {@code count} named targets {@code t0..t<count-1>} alive, prints {@code READY}, then obeys commands on
 * standard input: {@code die <i>}, {@code subs} (prints {@code SUBS <n>}), {@code monitor <node> <n>} (monitors
 * {@code p0..p<n-1>} on that node, prints {@code MONITORING <n>}), {@code downs} (prints
 * {@code DOWNS <total> <kind>=<count>...} of those monitors' downs), {@code members} (prints
 * {@code MEMBERS [..]}), {@code export} (exports an RMI object, advertises its endpoint, makes it alive and
 * prints {@code EXPORTED <host> <port> <objNum> <uidUnique> <uidTime> <uidCount>}), {@code watch <the six
 * fields>} (monitors that RMI target, prints {@code WATCHING <owner node or ->}), {@code quit} (clean close).
 *
 * <p>Arguments: cluster, node name, stack, count.
 */
public final class ChildNodeMain {

    public static void main(String[] args) throws Exception {
        String cluster = args[0];
        String name = args[1];
        String stack = args[2];
        int count = Integer.parseInt(args[3]);
        ZenNode node = ZenNode.start(ZenConfig.defaults().cluster(cluster).node(name).stack(stack));
        for (int i = 0; i < count; i++) {
            node.alive(Target.named(name, "t" + i));
        }
        System.out.println("READY " + node.members());
        System.out.flush();
        java.util.Queue<Down> downs = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.List<java.rmi.Remote> exported = new java.util.ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("die ")) {
                node.died(Target.named(name, "t" + line.substring(4).trim()), DownReason.Kind.EXIT, "killed by test");
            } else if (line.equals("subs")) {
                Thread.sleep(50); // let the loop publish
                System.out.println("SUBS " + node.metrics().get("zen.proxy.subscribers.size"));
            } else if (line.startsWith("monitor ")) {
                String[] a = line.split(" ");
                int n = Integer.parseInt(a[2]);
                for (int i = 0; i < n; i++) {
                    node.monitor(Target.named(a[1], "p" + i), downs::add);
                }
                System.out.println("MONITORING " + n);
            } else if (line.equals("downs")) {
                java.util.Map<DownReason.Kind, Long> kinds = new java.util.TreeMap<>();
                downs.forEach(d -> kinds.merge(d.reason().kind(), 1L, Long::sum));
                StringBuilder sb = new StringBuilder("DOWNS " + downs.size());
                kinds.forEach((k, c) -> sb.append(' ').append(k).append('=').append(c));
                System.out.println(sb);
            } else if (line.equals("export")) {
                java.rmi.Remote impl = new java.rmi.Remote() { };
                exported.add(impl); // strongly held: the object stays exported for the life of the JVM
                RmiTarget t = RmiTarget.of(java.rmi.server.UnicastRemoteObject.exportObject(impl, 0));
                node.advertise(t.endpoint());
                node.alive(t);
                System.out.println("EXPORTED " + t.endpoint().host() + " " + t.endpoint().port() + " " + t.objNum() + " "
                        + t.uidUnique() + " " + t.uidTime() + " " + t.uidCount());
            } else if (line.startsWith("watch ")) {
                String[] a = line.split(" ");
                RmiTarget t = new RmiTarget(new Endpoint(a[1], Integer.parseInt(a[2])), Long.parseLong(a[3]),
                        Integer.parseInt(a[4]), Long.parseLong(a[5]), Short.parseShort(a[6]));
                node.monitor(t, downs::add);
                System.out.println("WATCHING " + node.nodeOf(t).orElse("-"));
            } else if (line.equals("reasons")) {
                StringBuilder sb = new StringBuilder("REASONS");
                downs.forEach(d -> sb.append(" | ").append(d.reason()));
                System.out.println(sb);
            } else if (line.equals("members")) {
                System.out.println("MEMBERS " + node.members());
            } else if (line.equals("quit")) {
                break;
            }
            System.out.flush();
        }
        node.close();
        System.out.println("BYE");
        System.out.flush();
        System.exit(0);
    }
}
