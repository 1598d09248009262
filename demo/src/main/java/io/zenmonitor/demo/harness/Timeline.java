package io.zenmonitor.demo.harness;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * One scenario's recording: a row per 100 ms since the load client started (the guild's counters, read over
 * JMX, and the load client's latency for that window), the events (kill -9, SIGTERM) and the settings. Written
 * as {@code timeline-<scenario>.csv} with a {@code .properties} beside it, and read back for the page.
 */
final class Timeline {

    static final long STEP_MILLIS = 100;

    /** CSV columns, in order; a blank cell means "not measured in this window". */
    static final String[] COLUMNS = {
        "t_ms", "registrations", "cleanups", "unreferenced", "sessions", "failed_deliveries", "broadcast_ms",
        "zen_queued", "calls", "p50_us", "p99_us", "max_us", "event"};

    /** Column indexes of {@link Row#values}. */
    static final int REGISTRATIONS = 0, CLEANUPS = 1, UNREFERENCED = 2, SESSIONS = 3, FAILED = 4, BROADCAST_MS = 5,
            ZEN_QUEUED = 6, CALLS = 7, P50 = 8, P99 = 9, MAX = 10, VALUES = 11;

    /** One 100 ms window; -1 means not measured. */
    static final class Row {
        final long[] values = new long[VALUES];
        String event = "";

        Row() {
            java.util.Arrays.fill(values, -1);
        }
    }

    record Event(long tMillis, String text) {
    }

    final String scenario;
    final Map<String, String> settings = new LinkedHashMap<>();
    final TreeMap<Integer, Row> rows = new TreeMap<>();
    final List<Event> events = new ArrayList<>();

    Timeline(String scenario) {
        this.scenario = scenario;
    }

    synchronized Row row(long tMillis) {
        return rows.computeIfAbsent((int) Math.max(0, tMillis / STEP_MILLIS), k -> new Row());
    }

    synchronized void event(long tMillis, String text) {
        events.add(new Event(tMillis, text));
        Row r = row(tMillis);
        r.event = r.event.isEmpty() ? text : r.event + "; " + text;
    }

    /** The last measured value of {@code column} at or before {@code tMillis}, or -1. */
    synchronized long at(long tMillis, int column) {
        long v = -1;
        for (Map.Entry<Integer, Row> e : rows.headMap((int) (tMillis / STEP_MILLIS), true).entrySet()) {
            if (e.getValue().values[column] >= 0) {
                v = e.getValue().values[column];
            }
        }
        return v;
    }

    /** The largest value of {@code column} in [from, to), or -1. */
    synchronized long max(long fromMillis, long toMillis, int column) {
        long v = -1;
        for (Row r : rows.subMap((int) (fromMillis / STEP_MILLIS), (int) (toMillis / STEP_MILLIS)).values()) {
            v = Math.max(v, r.values[column]);
        }
        return v;
    }

    /** The median of the measured values of {@code column} in [from, to), or -1. */
    synchronized long median(long fromMillis, long toMillis, int column) {
        List<Long> vs = new ArrayList<>();
        for (Row r : rows.subMap((int) (fromMillis / STEP_MILLIS), (int) (toMillis / STEP_MILLIS)).values()) {
            if (r.values[column] >= 0) {
                vs.add(r.values[column]);
            }
        }
        if (vs.isEmpty()) {
            return -1;
        }
        vs.sort(null);
        return vs.get(vs.size() / 2);
    }

    /** The first time at or after {@code fromMillis} where {@code column} is at least {@code value}, or -1. */
    synchronized long firstAtLeast(long fromMillis, int column, long value) {
        for (Map.Entry<Integer, Row> e : rows.tailMap((int) (fromMillis / STEP_MILLIS), true).entrySet()) {
            if (e.getValue().values[column] >= value) {
                return e.getKey() * STEP_MILLIS;
            }
        }
        return -1;
    }

    synchronized long endMillis() {
        return rows.isEmpty() ? 0 : rows.lastKey() * STEP_MILLIS;
    }

    long event(String prefix) {
        synchronized (this) {
            return events.stream().filter(e -> e.text().startsWith(prefix)).mapToLong(Event::tMillis).findFirst().orElse(-1);
        }
    }

    long setting(String key, long otherwise) {
        String v = settings.get(key);
        try {
            return v == null ? otherwise : Long.parseLong(v);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    // ------------------------------------------------------------------------------------------------ files

    static Path csv(Path dir, String scenario) {
        return dir.resolve("timeline-" + scenario + ".csv");
    }

    static Path properties(Path dir, String scenario) {
        return dir.resolve("timeline-" + scenario + ".properties");
    }

    synchronized void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (Writer w = Files.newBufferedWriter(csv(dir, scenario), StandardCharsets.UTF_8)) {
            w.write(String.join(",", COLUMNS));
            w.write('\n');
            for (Map.Entry<Integer, Row> e : rows.entrySet()) {
                StringBuilder line = new StringBuilder().append(e.getKey() * STEP_MILLIS);
                for (long v : e.getValue().values) {
                    line.append(',');
                    if (v >= 0) {
                        line.append(v);
                    }
                }
                line.append(',').append(e.getValue().event.replace(',', ';'));
                w.write(line.append('\n').toString());
            }
        }
        Properties p = new Properties();
        p.putAll(settings);
        StringBuilder ev = new StringBuilder();
        for (Event e : events) {
            ev.append(ev.length() == 0 ? "" : "|").append(e.tMillis()).append(':').append(e.text().replace('|', '/'));
        }
        p.setProperty("events", ev.toString());
        try (Writer w = Files.newBufferedWriter(properties(dir, scenario), StandardCharsets.UTF_8)) {
            p.store(w, "settings of timeline-" + scenario + ".csv");
        }
    }

    /** Reads a timeline written by {@link #write}; null when its files are missing or unreadable. */
    static Timeline read(Path dir, String scenario) {
        Path csv = csv(dir, scenario);
        Path props = properties(dir, scenario);
        if (!Files.isRegularFile(csv) || !Files.isRegularFile(props)) {
            return null;
        }
        try {
            Timeline t = new Timeline(scenario);
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(props, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            String events = p.getProperty("events", "");
            p.remove("events");
            new TreeMap<>(p).forEach((k, v) -> t.settings.put((String) k, (String) v));
            if (!events.isEmpty()) {
                for (String e : events.split("\\|")) {
                    int colon = e.indexOf(':');
                    t.events.add(new Event(Long.parseLong(e.substring(0, colon)), e.substring(colon + 1)));
                }
            }
            List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
            for (String line : lines.subList(1, lines.size())) {
                String[] cells = line.split(",", -1);
                Row r = new Row();
                for (int i = 0; i < VALUES; i++) {
                    r.values[i] = cells[i + 1].isEmpty() ? -1 : Long.parseLong(cells[i + 1]);
                }
                r.event = cells[VALUES + 1];
                t.rows.put((int) (Long.parseLong(cells[0]) / STEP_MILLIS), r);
            }
            return t;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
