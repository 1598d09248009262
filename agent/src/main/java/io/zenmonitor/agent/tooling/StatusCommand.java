package io.zenmonitor.agent.tooling;

import io.zenmonitor.Compatibility;
import io.zenmonitor.ZenConfig;
import io.zenmonitor.ZenNode;
import io.zenmonitor.config.Config;
import java.util.List;

/**
 * {@code java -jar zen-agent.jar status [--cluster NAME] [--stack NAME] [--wait SECONDS]}: joins the
 * cluster briefly as an observer node and prints its members with their compatibility and, for
 * compatible ones, the figures they answer a status query with: live monitors, subscriptions, exported
 * objects and, on agent nodes, the agent's counts (listener registrations, removals, registrations
 * parked for {@code partition.grace} and restored, DGC leases ended or kept).
 */
public final class StatusCommand {

    private StatusCommand() {
    }

    public static int run(String[] args) throws Exception {
        if (args.length == 0 || !args[0].equals("status")) {
            System.err.println("usage: java -jar zen-agent.jar status [--cluster NAME] [--stack NAME] [--wait SECONDS]");
            return 2;
        }
        ZenConfig config = ZenConfig.of(Config.fromEnvironment()).node("zen-status-" + ProcessHandle.current().pid());
        int waitSeconds = 3;
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--cluster" -> config = config.cluster(args[i + 1]);
                case "--stack" -> config = config.stack(args[i + 1]);
                case "--wait" -> waitSeconds = Integer.parseInt(args[i + 1]);
                default -> {
                    System.err.println("zen: unknown option " + args[i]);
                    return 2;
                }
            }
        }
        try (ZenNode node = ZenNode.start(config)) {
            Thread.sleep(waitSeconds * 1000L); // let discovery settle: this is a one-shot command, not a test
            List<String> members = node.members();
            System.out.printf("cluster %s (stack %s): %d member(s) besides this observer%n", config.cluster(), config.stack(), members.size() - 1);
            for (String m : members) {
                if (m.equals(node.name())) {
                    continue;
                }
                Compatibility c = node.connect(m);
                if (c != Compatibility.COMPATIBLE) {
                    System.out.printf("  %-40s incompatible%n", m);
                    continue;
                }
                String figures;
                try {
                    StringBuilder b = new StringBuilder();
                    node.statusOf(m).get(10, java.util.concurrent.TimeUnit.SECONDS)
                            .forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
                    figures = b.toString().strip();
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    figures = "(no answer to the status query)";
                }
                System.out.printf("  %-40s compatible  %s%n", m, figures);
            }
        }
        return 0;
    }
}
