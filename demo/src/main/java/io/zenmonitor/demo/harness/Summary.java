package io.zenmonitor.demo.harness;

/**
 * The numbers a reader wants from one {@link Timeline}: what happened to the killed node's and the stopped
 * node's registrations and sessions, and the guild's latency before and during the storm. Times are
 * milliseconds after the event; -1 means "did not happen while recording".
 */
record Summary(
        String scenario,
        boolean agent,
        long demandAmount,
        long sessionsPerNode,
        long registrationsBefore,
        long registrationsEnd,
        long killRemoved,
        long killFirstRemovalMillis,
        long killAllRemovedMillis,
        long killUnreferenced,
        long termRemoved,
        long termAllRemovedMillis,
        long unreferencedEnd,
        long baselineP99Micros,
        long stormP99Micros,
        long baselineBroadcastMillis,
        long endBroadcastMillis,
        long failedDeliveries) {

    /** How long after the kill the storm window lasts for {@link #stormP99Micros}. */
    static final long STORM_WINDOW_MILLIS = 10_000;

    static Summary of(Timeline t) {
        long kill = t.event("kill -9");
        long term = t.event("SIGTERM");
        long end = t.endMillis();
        long n = t.setting("sessions.per.node", 0);
        if (kill < 0) {
            kill = end;
        }
        if (term < 0) {
            term = end;
        }
        long cleanupsAtKill = Math.max(0, t.at(kill, Timeline.CLEANUPS));
        long cleanupsAtTerm = Math.max(0, t.at(term, Timeline.CLEANUPS));
        long cleanupsEnd = Math.max(0, t.at(end, Timeline.CLEANUPS));
        long first = t.firstAtLeast(kill, Timeline.CLEANUPS, cleanupsAtKill + 1);
        long all = t.firstAtLeast(kill, Timeline.CLEANUPS, cleanupsAtKill + n);
        long termAll = t.firstAtLeast(term, Timeline.CLEANUPS, cleanupsAtTerm + n);
        return new Summary(
                t.scenario,
                Boolean.parseBoolean(t.settings.getOrDefault("agent", "false")),
                t.setting("demand.amount", -1),
                n,
                t.at(kill - 1, Timeline.REGISTRATIONS),
                t.at(end, Timeline.REGISTRATIONS),
                cleanupsAtTerm - cleanupsAtKill,
                first < 0 || first > term ? -1 : first - kill,
                all < 0 || all > term ? -1 : all - kill,
                Math.max(0, t.at(term - 1, Timeline.UNREFERENCED)),
                cleanupsEnd - cleanupsAtTerm,
                termAll < 0 ? -1 : termAll - term,
                Math.max(0, t.at(end, Timeline.UNREFERENCED)),
                t.median(Math.min(1000, kill), kill, Timeline.P99),
                t.max(kill, Math.min(term, kill + STORM_WINDOW_MILLIS), Timeline.P99),
                t.median(0, kill, Timeline.BROADCAST_MS),
                t.median(Math.max(kill, end - 5000), end + 1, Timeline.BROADCAST_MS),
                Math.max(0, t.at(end, Timeline.FAILED)));
    }

    /** One line of the printed summary. */
    String line() {
        String who = String.format("%-13s", scenario) + (agent ? " (agent, " + demandAmount + "/100 ms):" : " (plain RMI):    ");
        StringBuilder b = new StringBuilder(who);
        b.append(" kill -9 node-1 -> ").append(killRemoved).append('/').append(sessionsPerNode).append(" registrations removed");
        if (killAllRemovedMillis >= 0) {
            b.append(String.format(" in %.1f s", killAllRemovedMillis / 1000.0));
        }
        b.append(", ").append(killUnreferenced).append(" sessions unreferenced; SIGTERM node-2 -> ")
                .append(termRemoved).append(" removed; held at end ").append(registrationsEnd)
                .append("; post() p99 ").append(ScenarioRun.ms(baselineP99Micros)).append(" before, ")
                .append(ScenarioRun.ms(stormP99Micros)).append(" worst after the kill; ")
                .append(failedDeliveries).append(" failed broadcast calls");
        return b.toString();
    }
}
