package io.zenmonitor.demo.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code index.html}: one self-contained page (inline CSS and SVG drawn here, no script, no network)
 * that puts every scenario's timeline on the same charts, plus each chart as a standalone {@code .svg}.
 */
final class Report {

    /** A chart: which column, how to scale it, what it means. */
    record Chart(String file, String title, String unit, int column, double scale, String caption) {
    }

    static final List<Chart> CHARTS = List.of(
            new Chart("registrations", "Registrations held by the guild", "listeners", Timeline.REGISTRATIONS, 1,
                    "Member callbacks in the guild's list. Without the agent nothing removes a dead node's callbacks; with it they go through the application's own removeMemberListener."),
            new Chart("cleanups", "Cleanups done", "removeMemberListener calls", Timeline.CLEANUPS, 1,
                    "Paced, the removals start at most demand.amount per 100 ms; unpaced, they all start at once."),
            new Chart("unreferenced", "Sessions ended by Unreferenced", "sessions", Timeline.UNREFERENCED, 1,
                    "Plain RMI ends a dead client's sessions when its DGC lease expires (java.rmi.dgc.leaseValue, 10 minutes by default); the agent ends the leases of a node that left the cluster."),
            new Chart("latency-p99", "Guild post() latency, p99 per 100 ms", "ms", Timeline.P99, 0.001,
                    "The load client's steady post() calls, measured from when each call was due. A call still running at the end of a window counts with its age."),
            new Chart("latency-p50", "Guild post() latency, p50 per 100 ms", "ms", Timeline.P50, 0.001,
                    "The median of the same calls."),
            new Chart("broadcast", "Broadcast duration", "ms", Timeline.BROADCAST_MS, 1,
                    "How long the last broadcast to every registered member took; dead members make every broadcast slower."),
            new Chart("failed", "Failed broadcast calls", "calls (cumulative)", Timeline.FAILED, 1,
                    "Calls to dead members; the guild keeps a member whose call failed, as legacy code does."),
            new Chart("zen-queued", "Downs waiting for demand (agent)", "dispatches", Timeline.ZEN_QUEUED, 1,
                    "The agent's Dispatcher queue on the guild: what pacing holds back."));

    static final Map<String, String> COLORS = Map.of(
            "agent-paced", "#1a9850",
            "agent-unpaced", "#f46d43",
            "no-agent", "#4575b4");

    private Report() {
    }

    static Path write(Path dir, List<Timeline> timelines) throws IOException {
        Files.createDirectories(dir);
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<title>zen-agent demo: a chat cluster on plain RMI</title>\n<style>\n")
                .append("body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;max-width:1000px;color:#222;line-height:1.45;padding:0 1em}\n")
                .append("h1{font-size:1.6em;margin-bottom:.2em} h2{font-size:1.2em;margin-top:1.6em}\n")
                .append("table{border-collapse:collapse;margin:1em 0;font-size:.92em} td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right} th{background:#f3f3f3} td:first-child,th:first-child{text-align:left}\n")
                .append(".chart{margin:1.2em 0 2em} .caption{color:#555;font-size:.9em;margin:.2em 0} code{background:#f3f3f3;padding:0 .2em}\n")
                .append(".swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;margin-right:.3em;vertical-align:-1px}\n")
                .append("</style></head><body>\n");
        html.append("<h1>A chat cluster on plain RMI: the storm and its calming</h1>\n");
        html.append("<p>A <b>guild</b> JVM exports a <code>Guild</code> over plain RMI. Each <b>session node</b> JVM holds thousands of sessions; ")
                .append("each session registers a callback with <code>addMemberListener</code> and opens a per-session object that cleans up in ")
                .append("<code>Unreferenced</code>. A <b>load client</b> calls <code>post()</code> at a steady rate, and the guild broadcasts to every member ")
                .append("once per interval. The application has no zen code. At the first marker node-1 is killed with <code>kill -9</code>; ")
                .append("at the second node-2 is stopped with SIGTERM. Each scenario ran the same command lines, with <code>-javaagent:zen-agent.jar</code> ")
                .append("(paced at the agent's <code>demand.amount</code> per 100 ms, or unpaced) or without it.</p>\n");

        html.append("<h2>In numbers</h2>\n<table><tr><th></th>");
        List<Summary> summaries = new ArrayList<>();
        for (Timeline t : timelines) {
            summaries.add(Summary.of(t));
            html.append("<th><span class=\"swatch\" style=\"background:").append(color(t.scenario)).append("\"></span>")
                    .append(esc(t.scenario)).append("</th>");
        }
        html.append("</tr>\n");
        row(html, "agent (demand.amount per 100 ms)", summaries, s -> s.agent() ? "yes (" + s.demandAmount() + ")" : "no");
        row(html, "sessions per node", summaries, s -> String.valueOf(s.sessionsPerNode()));
        row(html, "registrations before the kill", summaries, s -> String.valueOf(s.registrationsBefore()));
        row(html, "node-1 (kill -9): registrations removed", summaries, s -> s.killRemoved() + " of " + s.sessionsPerNode());
        row(html, "&nbsp;&nbsp;first removal after the kill", summaries, s -> seconds(s.killFirstRemovalMillis()));
        row(html, "&nbsp;&nbsp;all removed after the kill", summaries, s -> seconds(s.killAllRemovedMillis()));
        row(html, "&nbsp;&nbsp;sessions ended by Unreferenced", summaries, s -> String.valueOf(s.killUnreferenced()));
        row(html, "node-2 (SIGTERM): registrations removed", summaries, s -> s.termRemoved() + " of " + s.sessionsPerNode());
        row(html, "&nbsp;&nbsp;all removed after SIGTERM", summaries, s -> seconds(s.termAllRemovedMillis()));
        row(html, "registrations held at the end", summaries, s -> String.valueOf(s.registrationsEnd()));
        row(html, "sessions ended by Unreferenced at the end", summaries, s -> String.valueOf(s.unreferencedEnd()));
        row(html, "post() p99 before the kill (median of windows)", summaries, s -> ScenarioRun.ms(s.baselineP99Micros()));
        row(html, "post() p99, worst window in 10 s after the kill", summaries, s -> ScenarioRun.ms(s.stormP99Micros()));
        row(html, "broadcast before the kill / at the end", summaries, s -> s.baselineBroadcastMillis() + " ms / " + s.endBroadcastMillis() + " ms");
        row(html, "failed broadcast calls", summaries, s -> String.valueOf(s.failedDeliveries()));
        html.append("</table>\n");

        html.append("<h2>Timelines</h2>\n<p class=\"caption\">x: seconds since the load client started; dashed lines: ")
                .append("<code>kill -9 node-1</code> and <code>SIGTERM node-2</code>. The CSV files beside this page hold every 100 ms window.</p>\n");
        for (Chart c : CHARTS) {
            String svg = svg(c, timelines);
            if (svg == null) {
                continue;
            }
            Files.writeString(dir.resolve("chart-" + c.file() + ".svg"), svg, StandardCharsets.UTF_8);
            html.append("<div class=\"chart\"><h3>").append(esc(c.title())).append("</h3>\n").append(svg.replace(" xmlns=\"http://www.w3.org/2000/svg\"", ""))
                    .append("<p class=\"caption\">").append(esc(c.caption())).append("</p></div>\n");
        }

        html.append("<h2>Settings</h2>\n<table><tr><th>setting</th>");
        for (Timeline t : timelines) {
            html.append("<th>").append(esc(t.scenario)).append("</th>");
        }
        html.append("</tr>\n");
        List<String> keys = new ArrayList<>();
        for (Timeline t : timelines) {
            t.settings.keySet().stream().filter(k -> !keys.contains(k)).forEach(keys::add);
        }
        for (String k : keys) {
            html.append("<tr><td>").append(esc(k)).append("</td>");
            for (Timeline t : timelines) {
                html.append("<td>").append(esc(t.settings.getOrDefault(k, ""))).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</table>\n<p>Data: ");
        for (Timeline t : timelines) {
            String f = Timeline.csv(dir, t.scenario).getFileName().toString();
            html.append("<a href=\"").append(f).append("\">").append(f).append("</a> ");
        }
        html.append("· process logs in <code>logs/</code>. Run again with <code>./demo/run.sh</code> (<code>--help</code> for the options).</p>\n");
        html.append("</body></html>\n");
        Path index = dir.resolve("index.html");
        Files.writeString(index, html.toString(), StandardCharsets.UTF_8);
        return index;
    }

    private static void row(StringBuilder html, String label, List<Summary> summaries, java.util.function.Function<Summary, String> f) {
        html.append("<tr><td>").append(label).append("</td>");
        for (Summary s : summaries) {
            html.append("<td>").append(esc(f.apply(s))).append("</td>");
        }
        html.append("</tr>\n");
    }

    static String seconds(long millis) {
        return millis < 0 ? "never" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    static String color(String scenario) {
        return COLORS.getOrDefault(scenario, "#666");
    }

    // ------------------------------------------------------------------------------------------------ SVG

    private static final int W = 860, H = 280, LEFT = 70, RIGHT = 20, TOP = 34, BOTTOM = 42;

    /** A line chart of {@code c.column()} for every timeline, or null when no timeline measured it. */
    static String svg(Chart c, List<Timeline> timelines) {
        double maxX = 1;
        double maxY = 0;
        boolean any = false;
        for (Timeline t : timelines) {
            maxX = Math.max(maxX, t.endMillis() / 1000.0);
            for (Timeline.Row r : t.rows.values()) {
                long v = r.values[c.column()];
                if (v >= 0) {
                    any = true;
                    maxY = Math.max(maxY, v * c.scale());
                }
            }
        }
        if (!any) {
            return null;
        }
        double yStep = niceStep(maxY <= 0 ? 1 : maxY, 5);
        double yTop = Math.max(yStep, Math.ceil(maxY / yStep) * yStep);
        double xStep = niceStep(maxX, 10);
        double plotW = W - LEFT - RIGHT;
        double plotH = H - TOP - BOTTOM;
        final double mx = maxX;
        java.util.function.DoubleUnaryOperator px = x -> LEFT + x / mx * plotW;
        java.util.function.DoubleUnaryOperator py = y -> TOP + plotH - y / yTop * plotH;

        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" font-family=\"Helvetica,Arial,sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"").append(esc(c.title())).append("\">\n");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
        s.append("<text x=\"").append(LEFT).append("\" y=\"18\" font-size=\"14\" font-weight=\"bold\">").append(esc(c.title())).append("</text>\n");
        // grid and y ticks
        for (double y = 0; y <= yTop + yStep / 2; y += yStep) {
            double yy = py.applyAsDouble(y);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>", LEFT, yy, W - RIGHT, yy));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%s</text>\n", LEFT - 6, yy + 4, number(y)));
        }
        for (double x = 0; x <= maxX + 1e-9; x += xStep) {
            double xx = px.applyAsDouble(x);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>", xx, H - BOTTOM, xx, H - BOTTOM + 4));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%s</text>\n", xx, H - BOTTOM + 17, number(x)));
        }
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n", LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#555\">s</text>\n", W - RIGHT, H - 6));
        s.append(String.format(Locale.ROOT, "<text transform=\"translate(14 %d) rotate(-90)\" text-anchor=\"middle\" fill=\"#555\">%s</text>\n", TOP + (int) plotH / 2, esc(c.unit())));
        // events (from the first timeline that has them: every scenario uses the same schedule)
        List<Timeline.Event> drawn = new ArrayList<>();
        for (Timeline t : timelines) {
            for (Timeline.Event e : t.events) {
                if (drawn.stream().noneMatch(d -> d.text().equals(e.text()))) {
                    drawn.add(e);
                    double xx = px.applyAsDouble(e.tMillis() / 1000.0);
                    s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\" stroke-dasharray=\"4 3\"/>", xx, TOP, xx, H - BOTTOM));
                    s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"#333\">%s</text>\n", xx + 4, TOP + 12, esc(e.text())));
                }
            }
        }
        // series
        int legend = 0;
        for (Timeline t : timelines) {
            StringBuilder path = new StringBuilder();
            boolean pen = false;
            boolean has = false;
            for (Map.Entry<Integer, Timeline.Row> e : t.rows.entrySet()) {
                long v = e.getValue().values[c.column()];
                if (v < 0) {
                    pen = false;
                    continue;
                }
                has = true;
                double x = px.applyAsDouble(e.getKey() * Timeline.STEP_MILLIS / 1000.0);
                double y = py.applyAsDouble(v * c.scale());
                path.append(pen ? " L" : " M").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
                pen = true;
            }
            if (!has) {
                continue;
            }
            s.append("<path d=\"").append(path.toString().trim()).append("\" fill=\"none\" stroke=\"").append(color(t.scenario))
                    .append("\" stroke-width=\"1.8\" stroke-linejoin=\"round\"/>\n");
            int lx = W - RIGHT - 150;
            int ly = TOP + 8 + 16 * legend++;
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"150\" height=\"16\" fill=\"#fff\" fill-opacity=\"0.85\"/>", lx - 4, ly - 8));
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>", lx, ly, lx + 18, ly, color(t.scenario)));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#222\">%s</text>\n", lx + 24, ly + 4, esc(t.scenario)));
        }
        s.append("</svg>\n");
        return s.toString();
    }

    /** 1, 2 or 5 times a power of ten, giving at most about {@code ticks} steps over {@code range}. */
    static double niceStep(double range, int ticks) {
        double raw = range / ticks;
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String number(double v) {
        if (Math.abs(v - Math.rint(v)) < 1e-9) {
            return String.format(Locale.ROOT, "%,d", (long) Math.rint(v));
        }
        return String.format(Locale.ROOT, "%.2f", v).replaceAll("0+$", "");
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
