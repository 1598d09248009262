package io.zenmonitor.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every configuration key of zen-agent: its names, default, meaning, whether it is live, and what values
 * it accepts.
 *
 * <p>A key {@code demand.amount} is the system property {@code zen.demand.amount}, the environment
 * variable {@code ZEN_DEMAND_AMOUNT} (upper case, {@code .} and {@code -} become {@code _}) and the agent
 * argument {@code demand.amount}. {@link Config} reads and validates them; {@link io.zenmonitor.ZenConfig}
 * is the typed view.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>property</th><th>environment</th><th>default</th><th>allowed</th><th>live</th><th>meaning</th></tr>
 *   <tr><td>zen.cluster</td><td>ZEN_CLUSTER</td><td>zen</td><td>1 to 100 of A-Z a-z 0-9 . _ -</td><td>no</td>
 *       <td>JGroups cluster name</td></tr>
 *   <tr><td>zen.node</td><td>ZEN_NODE</td><td>&lt;host&gt;-&lt;pid&gt;</td><td>1 to 255 of A-Z a-z 0-9 . _ @ : -</td>
 *       <td>no</td><td>logical node name</td></tr>
 *   <tr><td>zen.stack</td><td>ZEN_STACK</td><td>loopback</td><td>a stack name (a-z 0-9 -) or an XML file path</td>
 *       <td>no</td><td>JGroups stack</td></tr>
 *   <tr><td>zen.demand.amount</td><td>ZEN_DEMAND_AMOUNT</td><td>1000</td><td>1 to 1000000</td><td>yes</td>
 *       <td>Dispatcher pacing: callbacks started per interval</td></tr>
 *   <tr><td>zen.demand.interval</td><td>ZEN_DEMAND_INTERVAL</td><td>100ms</td><td>1ms to 1h</td><td>yes</td>
 *       <td>Dispatcher pacing: the interval</td></tr>
 *   <tr><td>zen.connector.sweep</td><td>ZEN_CONNECTOR_SWEEP</td><td>100ms</td><td>1ms to 1h</td><td>yes</td>
 *       <td>Connector batching: sweep period</td></tr>
 *   <tr><td>zen.connector.chunk</td><td>ZEN_CONNECTOR_CHUNK</td><td>5000</td><td>1 to 100000</td><td>yes</td>
 *       <td>Connector batching: targets per message</td></tr>
 *   <tr><td>zen.batcher.sweep</td><td>ZEN_BATCHER_SWEEP</td><td>100ms</td><td>1ms to 1h</td><td>yes</td>
 *       <td>Batcher batching: sweep period</td></tr>
 *   <tr><td>zen.batcher.chunk</td><td>ZEN_BATCHER_CHUNK</td><td>5000</td><td>1 to 100000</td><td>yes</td>
 *       <td>Batcher batching: certificates per message</td></tr>
 *   <tr><td>zen.truncate.depth</td><td>ZEN_TRUNCATE_DEPTH</td><td>3</td><td>0 to 16</td><td>no</td>
 *       <td>Truncator: deepest level kept</td></tr>
 *   <tr><td>zen.truncate.max-string</td><td>ZEN_TRUNCATE_MAX_STRING</td><td>1024</td><td>16 to 65536</td><td>no</td>
 *       <td>Truncator: longest string kept (old name {@code zen.truncate.max_string})</td></tr>
 *   <tr><td>zen.callback.threads</td><td>ZEN_CALLBACK_THREADS</td><td>4</td><td>1 to 256</td><td>no</td>
 *       <td>threads that run DownListeners</td></tr>
 *   <tr><td>zen.proxy.max-subscriptions</td><td>ZEN_PROXY_MAX_SUBSCRIPTIONS</td><td>1000000</td><td>1 to 100000000</td><td>no</td>
 *       <td>most subscriptions (plus pending certificates) one monitoring node may hold on this Proxy</td></tr>
 *   <tr><td>zen.listeners</td><td>ZEN_LISTENERS</td><td>true</td><td>true, false</td><td>no</td>
 *       <td>zero-code listener cleanup</td></tr>
 *   <tr><td>zen.listeners.pairs</td><td>ZEN_LISTENERS_PAIRS</td><td>(none)</td>
 *       <td>{@code Class#add/remove} entries separated by {@code ,} or {@code ;}</td><td>no</td>
 *       <td>extra registration method pairs</td></tr>
 *   <tr><td>zen.dgc</td><td>ZEN_DGC</td><td>true</td><td>true, false</td><td>no</td>
 *       <td>fast DGC lease expiry on node death</td></tr>
 *   <tr><td>zen.partition.grace</td><td>ZEN_PARTITION_GRACE</td><td>60s</td><td>1ms to 1h</td><td>no</td>
 *       <td>how long zero-code actions wait for an unreachable (not crashed) node</td></tr>
 *   <tr><td>zen.partition.quorum</td><td>ZEN_PARTITION_QUORUM</td><td>0</td><td>0 to 10000</td><td>no</td>
 *       <td>members needed to report departures as crashes (0: off)</td></tr>
 *   <tr><td>zen.probe.interval</td><td>ZEN_PROBE_INTERVAL</td><td>1s</td><td>1ms to 1h</td><td>no</td>
 *       <td>server-only mode: how often an agent-less client's endpoint is probed (TCP connect)</td></tr>
 *   <tr><td>zen.probe.refused-after</td><td>ZEN_PROBE_REFUSED_AFTER</td><td>2</td><td>1 to 100</td><td>no</td>
 *       <td>server-only mode: consecutive refused probes that confirm an endpoint dead</td></tr>
 *   <tr><td>zen.probe.unreachable-after</td><td>ZEN_PROBE_UNREACHABLE_AFTER</td><td>60s</td><td>1ms to 1h</td>
 *       <td>no</td><td>server-only mode: time without any answer that confirms an endpoint dead</td></tr>
 *   <tr><td>zen.nodes.allow</td><td>ZEN_NODES_ALLOW</td><td>(all)</td><td>glob patterns separated by
 *       {@code ,} or {@code ;}</td><td>no</td><td>node names and endpoint hosts zen deals with</td></tr>
 *   <tr><td>zen.nodes.deny</td><td>ZEN_NODES_DENY</td><td>(none)</td><td>glob patterns separated by
 *       {@code ,} or {@code ;}</td><td>no</td><td>node names and endpoint hosts zen never deals with</td></tr>
 *   <tr><td>zen.enabled</td><td>ZEN_ENABLED</td><td>true</td><td>true, false</td><td>no</td>
 *       <td>master switch</td></tr>
 *   <tr><td>zen.log</td><td>ZEN_LOG</td><td>info</td><td>trace, debug, info, warn, error, off</td><td>no</td>
 *       <td>agent log level</td></tr>
 * </table>
 *
 * <p>Durations are a whole number with a unit {@code ms}, {@code s}, {@code m} or {@code h}
 * ({@code 100ms}, {@code 2s}), an ISO-8601 duration ({@code PT2S}), or a bare number of milliseconds.
 * Booleans are exactly {@code true} or {@code false}, in any case. Values are trimmed; an empty value is
 * an error, except for {@code nodes.allow} and {@code nodes.deny} where it means no patterns. A live key can be changed at run time (JMX); the others are read once at start. No key is
 * experimental today.
 */
public enum ConfigKey {

    /** JGroups cluster name: only nodes with the same name see each other. */
    CLUSTER("cluster", "zen", false, false,
            "JGroups cluster name; only nodes with the same name see each other",
            Codec.text(Codec.CLUSTER, "1 to 100 characters from A-Z, a-z, 0-9, '.', '_' and '-'")),

    /** Logical node name; the default is the host name, '-' and the process id. */
    NODE("node", "<host>-<pid>", false, false,
            "logical node name, shown in logs and in node-down reasons",
            Codec.text(Codec.NODE, "1 to 255 characters from A-Z, a-z, 0-9, '.', '_', '@', ':' and '-'")),

    /** JGroups stack: a name of a stack in jgroups-config ({@code zen/stacks/NAME.xml}) or a path to an XML file. */
    STACK("stack", "loopback", false, false,
            "JGroups stack: a stack name from jgroups-config or a path to an XML file",
            Codec.stack()),

    /** Dispatcher pacing: at most this many DownListener callbacks start per {@code demand.interval}. */
    DEMAND_AMOUNT("demand.amount", "1000", true, false,
            "Dispatcher pacing: at most this many callbacks start per demand.interval",
            Codec.integer(1, 1_000_000)),

    /** Dispatcher pacing: the period in which {@code demand.amount} callbacks may start. */
    DEMAND_INTERVAL("demand.interval", "100ms", true, false,
            "Dispatcher pacing: the period of demand.amount",
            Codec.duration()),

    /** Connector batching: how often each Connector sends its pending subscribe/unsubscribe batch. */
    CONNECTOR_SWEEP("connector.sweep", "100ms", true, false,
            "Connector batching: how often pending subscriptions are sent to a node",
            Codec.duration()),

    /** Connector batching: most targets in one PROCESS message. */
    CONNECTOR_CHUNK("connector.chunk", "5000", true, false,
            "Connector batching: most targets per sweep and message",
            Codec.integer(1, 100_000)),

    /** Batcher batching: how often each Batcher sends its pending death certificates. */
    BATCHER_SWEEP("batcher.sweep", "100ms", true, false,
            "Batcher batching: how often pending death certificates are sent to a node",
            Codec.duration()),

    /** Batcher batching: most certificates in one DEAD message. */
    BATCHER_CHUNK("batcher.chunk", "5000", true, false,
            "Batcher batching: most certificates per sweep and message",
            Codec.integer(1, 100_000)),

    /** Truncator: deepest nesting kept in a reason's detail. */
    TRUNCATE_DEPTH("truncate.depth", "3", false, false,
            "Truncator: deepest nesting kept in a reason's detail",
            Codec.integer(0, 16)),

    /** Truncator: longest string kept in a reason's detail, in characters (old name {@code truncate.max_string}). */
    TRUNCATE_MAX_STRING("truncate.max-string", "1024", false, false,
            "Truncator: longest string kept in a reason's detail, in characters",
            Codec.integer(16, 65_536), "truncate.max_string"),

    /** Threads that run DownListener callbacks. */
    CALLBACK_THREADS("callback.threads", "4", false, false,
            "threads that run DownListener callbacks",
            Codec.integer(1, 256)),

    /**
     * Proxy: most subscriptions one monitoring node may hold here at once, counting its pending death
     * certificates (each costs about 160 B of heap, so the default bounds one peer to about 160 MB).
     */
    PROXY_MAX_SUBSCRIPTIONS("proxy.max-subscriptions", "1000000", false, false,
            "Proxy: most subscriptions (plus pending certificates) one monitoring node may hold; beyond it SUBSCRIBEs are dropped and counted",
            Codec.integer(1, 100_000_000)),

    /** Zero-code listener cleanup on exported RMI objects. */
    LISTENERS("listeners", "true", false, false,
            "zero-code listener cleanup: a dead remote listener is removed with its paired method",
            Codec.bool()),

    /** Extra registration pairs {@code Class#add/remove} for zero-code listener cleanup. */
    LISTENERS_PAIRS("listeners.pairs", "", false, false,
            "extra registration pairs Class#add/remove for zero-code listener cleanup",
            Codec.pairs()),

    /** Fast DGC lease expiry when a node dies. */
    DGC("dgc", "true", false, false,
            "fast DGC: the leases a dead node held end at once",
            Codec.bool()),

    /**
     * How long the agent waits before acting on a node that left the view but did not crash (hung or cut
     * off): its listener registrations and DGC leases stay until then, and stay for good if it comes back.
     */
    PARTITION_GRACE("partition.grace", "60s", false, false,
            "how long zero-code actions wait for an unreachable (not crashed) node to come back",
            Codec.duration()),

    /**
     * With N > 0, a node that sees fewer than N members (itself included) reports every departure as
     * unreachable, never as crashed: a minority side does not tear down what the majority still uses.
     */
    PARTITION_QUORUM("partition.quorum", "0", false, false,
            "members a node must see to report departures as crashes; 0 turns the check off",
            Codec.integer(0, 10_000)),
    /** Server-only mode: how often the endpoint of a listener stub that no zen node advertises is probed. */
    PROBE_INTERVAL("probe.interval", "1s", false, false,
            "server-only mode: how often an agent-less client's endpoint is probed with a TCP connect",
            Codec.duration()),

    /** Server-only mode: consecutive refused connects that confirm an endpoint dead (its process is gone). */
    PROBE_REFUSED_AFTER("probe.refused-after", "2", false, false,
            "server-only mode: consecutive refused probes that confirm an endpoint dead",
            Codec.integer(1, 100), "probe.refused_after"),

    /** Server-only mode: how long an endpoint may not answer at all (host down, network cut) before it is dead. */
    PROBE_UNREACHABLE_AFTER("probe.unreachable-after", "60s", false, false,
            "server-only mode: time without any answer that confirms an endpoint dead",
            Codec.duration(), "probe.unreachable_after"),

    /** Glob patterns on node names and endpoint hosts zen deals with; empty allows all. */
    NODES_ALLOW("nodes.allow", "", false, false,
            "node names and endpoint hosts zen deals with (glob patterns); empty allows all",
            Codec.patterns()),

    /** Glob patterns on node names and endpoint hosts zen never deals with (wins over nodes.allow). */
    NODES_DENY("nodes.deny", "", false, false,
            "node names and endpoint hosts zen never probes, subscribes to or accepts subscriptions from",
            Codec.patterns()),

    /** Master switch: {@code false} leaves the application untouched. */
    ENABLED("enabled", "true", false, false,
            "master switch: false leaves the application untouched",
            Codec.bool()),

    /** Agent log level. */
    LOG("log", "info", false, false,
            "agent log level",
            Codec.oneOf(List.of("trace", "debug", "info", "warn", "error", "off")));

    /** Prefix of every system property. */
    public static final String PROPERTY_PREFIX = "zen.";
    /** Prefix of every environment variable. */
    public static final String ENV_PREFIX = "ZEN_";

    private final String key;
    private final String property;
    private final String env;
    private final String defaultText;
    private final boolean live;
    private final boolean experimental;
    private final String meaning;
    private final Codec codec;
    private final List<String> oldNames;

    ConfigKey(String key, String defaultText, boolean live, boolean experimental, String meaning, Codec codec,
            String... oldNames) {
        this.key = key;
        this.property = PROPERTY_PREFIX + key;
        this.env = envName(key);
        this.defaultText = defaultText;
        this.live = live;
        this.experimental = experimental;
        this.meaning = meaning;
        this.codec = codec;
        this.oldNames = List.of(oldNames);
    }

    /** The key as written in agent arguments, e.g. {@code demand.amount}. */
    public String key() {
        return key;
    }

    /** The system property, e.g. {@code zen.demand.amount}. */
    public String property() {
        return property;
    }

    /** The environment variable, e.g. {@code ZEN_DEMAND_AMOUNT}. */
    public String env() {
        return env;
    }

    /** The default as text; {@code <host>-<pid>} for {@link #NODE} and empty for {@link #LISTENERS_PAIRS}. */
    public String defaultText() {
        return defaultText;
    }

    /** What the key does, in one line. */
    public String meaning() {
        return meaning;
    }

    /** Whether the key can be changed at run time (JMX); the others are read once at start. */
    public boolean live() {
        return live;
    }

    /** Whether the key is unstable: it may change or go without notice. */
    public boolean experimental() {
        return experimental;
    }

    /** What values are allowed, as the end of "must be ..." in error messages. */
    public String allowed() {
        return codec.allowed();
    }

    /** The Java type of the value: String, Integer, Duration, Boolean or List (of String). */
    public Class<?> type() {
        return codec.type();
    }

    /** Former spellings (agent argument form) still accepted with a warning, e.g. {@code truncate.max_string}. */
    public List<String> oldNames() {
        return oldNames;
    }

    /**
     * Parses a value written as text, after trimming it.
     *
     * @param text the value as given
     * @return the value, of {@link #type()}
     * @throws IllegalArgumentException if the value is not allowed (the message is {@link #allowed()})
     */
    public Object parse(String text) {
        Object value = text == null ? null : codec.parser().apply(text.strip());
        if (value == null) {
            throw new IllegalArgumentException("must be " + allowed());
        }
        return value;
    }

    /** The value as text, in the form {@link #parse} accepts (durations as {@code 100ms}, lists joined by {@code ;}). */
    public String format(Object value) {
        return Codec.format(value);
    }

    /** The key with this agent-argument spelling (current names only), if any. */
    public static Optional<ConfigKey> forKey(String key) {
        for (ConfigKey k : values()) {
            if (k.key.equals(key)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** The key with this former agent-argument spelling, if any. */
    public static Optional<ConfigKey> forOldName(String key) {
        for (ConfigKey k : values()) {
            if (k.oldNames.contains(key)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** The key with this environment variable, if any. */
    public static Optional<ConfigKey> forEnv(String name) {
        for (ConfigKey k : values()) {
            if (k.env.equals(name)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /**
     * The key nearest to an unknown name by edit distance (ties go to the first in declaration order).
     *
     * @param name the unknown name
     * @param spelling how a key is written in the name's source, e.g. {@link #property()}
     */
    public static ConfigKey nearest(String name, Function<ConfigKey, String> spelling) {
        ConfigKey best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (ConfigKey k : values()) {
            int d = editDistance(name, spelling.apply(k));
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }

    /** The environment variable for a key: upper case, {@code .} and {@code -} as {@code _}. */
    static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Levenshtein distance. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    Codec codec() {
        return codec;
    }

    /** Accepts a typed value (from a wither); a String for a String key is parsed as text. Null if not allowed. */
    Object accept(Object value) {
        if (value instanceof String text && codec.type() == String.class) {
            return codec.parser().apply(text.strip());
        }
        if (value != null && codec.type().isInstance(value) && codec.check().test(value)) {
            return value instanceof List<?> list ? List.copyOf(list) : value;
        }
        return null;
    }

    /**
     * How one key reads and checks its values. {@code parser} gets trimmed text and returns null when the
     * text is not allowed; {@code check} tells whether a typed value is allowed.
     */
    record Codec(Class<?> type, String allowed, Function<String, Object> parser, Predicate<Object> check) {

        static final Pattern CLUSTER = Pattern.compile("[A-Za-z0-9._-]{1,100}");
        static final Pattern NODE = Pattern.compile("[A-Za-z0-9._@:-]{1,255}");
        static final Pattern STACK_NAME = Pattern.compile("[a-z0-9-]+");
        static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]{1,12}");
        static final Pattern DURATION = Pattern.compile("([0-9]{1,18})(ms|s|m|h)?", Pattern.CASE_INSENSITIVE);
        static final Duration MIN_DURATION = Duration.ofMillis(1);
        static final Duration MAX_DURATION = Duration.ofHours(1);
        private static final String IDENTIFIER = "[A-Za-z_$][A-Za-z0-9_$]*";
        static final Pattern PAIR = Pattern.compile(
                "(?:" + IDENTIFIER + "\\.)*" + IDENTIFIER + "#" + IDENTIFIER + "/" + IDENTIFIER);
        static final Pattern PAIR_SEPARATOR = Pattern.compile("[,;]");
        /** One glob pattern on a node name or a host: the characters of either, plus {@code *} and {@code ?}. */
        static final Pattern GLOB = Pattern.compile("[A-Za-z0-9._@:%\\[\\]*?-]{1,255}");

        static Codec text(Pattern pattern, String allowed) {
            Function<String, Object> parser = s -> pattern.matcher(s).matches() ? s : null;
            return new Codec(String.class, allowed, parser, v -> parser.apply((String) v) != null);
        }

        static Codec stack() {
            Function<String, Object> parser = s -> {
                if (STACK_NAME.matcher(s).matches()) {
                    return s;
                }
                boolean path = s.indexOf('/') >= 0 || s.regionMatches(true, s.length() - 4, ".xml", 0, 4);
                boolean control = s.chars().anyMatch(Character::isISOControl);
                return path && !control ? s : null;
            };
            return new Codec(String.class,
                    "a stack name of a-z, 0-9 and '-' (such as loopback) or a path to an XML file",
                    parser, v -> parser.apply((String) v) != null);
        }

        static Codec integer(int min, int max) {
            Predicate<Object> inRange = v -> (Integer) v >= min && (Integer) v <= max;
            Function<String, Object> parser = s -> {
                if (!INTEGER.matcher(s).matches()) {
                    return null;
                }
                long n = Long.parseLong(s);
                return n >= min && n <= max ? (Object) (int) n : null;
            };
            return new Codec(Integer.class, "an integer from " + min + " to " + max, parser, inRange);
        }

        static Codec duration() {
            Predicate<Object> inRange = v -> ((Duration) v).compareTo(MIN_DURATION) >= 0
                    && ((Duration) v).compareTo(MAX_DURATION) <= 0;
            Function<String, Object> parser = s -> {
                Duration d = parseDuration(s);
                return d != null && inRange.test(d) ? d : null;
            };
            return new Codec(Duration.class,
                    "a duration from 1ms to 1h: a number with unit ms, s, m or h (100ms, 2s), ISO-8601 (PT2S),"
                            + " or a bare number of milliseconds",
                    parser, inRange);
        }

        static Codec bool() {
            Function<String, Object> parser = s -> s.equalsIgnoreCase("true") ? Boolean.TRUE
                    : s.equalsIgnoreCase("false") ? Boolean.FALSE : null;
            return new Codec(Boolean.class, "true or false", parser, v -> true);
        }

        static Codec oneOf(List<String> names) {
            Set<String> allowed = Set.copyOf(names);
            Function<String, Object> parser = s -> {
                String lower = s.toLowerCase(Locale.ROOT);
                return allowed.contains(lower) ? lower : null;
            };
            return new Codec(String.class, "one of " + String.join(", ", names), parser,
                    v -> parser.apply((String) v) != null);
        }

        static Codec pairs() {
            Function<String, Object> parser = s -> {
                List<String> entries = new ArrayList<>();
                for (String entry : PAIR_SEPARATOR.split(s, -1)) {
                    String trimmed = entry.strip();
                    if (!PAIR.matcher(trimmed).matches()) {
                        return null;
                    }
                    entries.add(trimmed);
                }
                return List.copyOf(entries);
            };
            Predicate<Object> check = v -> ((List<?>) v).stream()
                    .allMatch(e -> e instanceof String s && PAIR.matcher(s).matches());
            return new Codec(List.class,
                    "entries like com.example.Board#addListener/removeListener, separated by ',' or ';'",
                    parser, check);
        }

        /** Glob lists; unlike other keys an empty value is allowed and means no patterns (it can override a lower source). */
        static Codec patterns() {
            Function<String, Object> parser = s -> {
                if (s.isEmpty()) {
                    return List.of();
                }
                List<String> entries = new ArrayList<>();
                for (String entry : PAIR_SEPARATOR.split(s, -1)) {
                    String trimmed = entry.strip();
                    if (!GLOB.matcher(trimmed).matches()) {
                        return null;
                    }
                    entries.add(trimmed);
                }
                return List.copyOf(entries);
            };
            Predicate<Object> check = v -> ((List<?>) v).stream()
                    .allMatch(e -> e instanceof String s && GLOB.matcher(s).matches());
            return new Codec(List.class,
                    "glob patterns on node names or hosts (A-Z a-z 0-9 . _ @ : % [ ] - with * and ?), separated by"
                            + " ',' or ';', or empty for none",
                    parser, check);
        }

        /** Parses {@code 100ms}, {@code 2s}, {@code 1m}, {@code 1h}, a bare number of milliseconds or ISO-8601. */
        static Duration parseDuration(String s) {
            Matcher m = DURATION.matcher(s);
            try {
                if (m.matches()) {
                    long n = Long.parseLong(m.group(1));
                    String unit = m.group(2) == null ? "ms" : m.group(2).toLowerCase(Locale.ROOT);
                    return switch (unit) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        default -> Duration.ofHours(n);
                    };
                }
                if (!s.isEmpty() && (s.charAt(0) == 'P' || s.charAt(0) == 'p')) {
                    return Duration.parse(s);
                }
            } catch (ArithmeticException | DateTimeParseException e) {
                return null;
            }
            return null;
        }

        /** A value as text: durations in the largest whole unit ({@code 2s}), lists joined by {@code ;}. */
        static String format(Object value) {
            if (value instanceof Duration d) {
                return formatDuration(d);
            }
            if (value instanceof List<?> list) {
                List<String> parts = new ArrayList<>();
                for (Object o : list) {
                    parts.add(String.valueOf(o));
                }
                return String.join(";", parts);
            }
            return String.valueOf(value);
        }

        static String formatDuration(Duration d) {
            Objects.requireNonNull(d, "d");
            if (d.getNano() % 1_000_000 != 0) {
                return d.toString();
            }
            long ms;
            try {
                ms = d.toMillis();
            } catch (ArithmeticException e) {
                return d.toString();
            }
            if (ms != 0 && ms % 3_600_000 == 0) {
                return ms / 3_600_000 + "h";
            }
            if (ms != 0 && ms % 60_000 == 0) {
                return ms / 60_000 + "m";
            }
            if (ms != 0 && ms % 1_000 == 0) {
                return ms / 1_000 + "s";
            }
            return ms + "ms";
        }
    }
}
