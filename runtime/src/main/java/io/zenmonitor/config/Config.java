package io.zenmonitor.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Reads zen-agent's configuration from agent arguments, system properties and the environment, and
 * validates all of it at once. This is the one class that reads {@code zen.*} system properties and
 * {@code ZEN_*} environment variables; {@link io.zenmonitor.ZenConfig} is the typed view over it and
 * {@link ConfigKey} lists the keys.
 *
 * <p><b>Precedence</b>, highest first: agent arguments ({@code -javaagent:zen-agent.jar=k=v,k=v}, keys
 * without the {@code zen.} prefix), system properties ({@code -Dzen.k=v}), environment ({@code ZEN_K}),
 * defaults. Only the value in effect for a key is parsed: a value shadowed by a higher source is not
 * checked. Unknown keys are checked in every source.
 *
 * <p><b>Validation</b> collects every problem, then throws them together as one
 * {@link ZenConfigException} (an {@link IllegalArgumentException}), one line per problem:
 * <ul>
 *   <li>a value not allowed:
 *       {@code zen: zen.demand.amount was "-5" (from ZEN_DEMAND_AMOUNT); must be an integer from 1 to 1000000};
 *       values are trimmed and an empty value is not allowed;</li>
 *   <li>an unknown key, with the nearest known key in the same spelling:
 *       {@code zen: unknown key zen.demand.amout (from -Dzen.demand.amout); did you mean zen.demand.amount?}
 *       (only system properties starting with {@code zen.} and variables starting with {@code ZEN_} are
 *       considered);</li>
 *   <li>a key given twice in one source (under its current and its old name, or twice in agent arguments);</li>
 *   <li>a malformed agent argument;</li>
 *   <li>a conflict between keys, checked after parsing:
 *       {@code zen: zen.listeners.pairs is set but zen.listeners is false}.</li>
 * </ul>
 *
 * <p><b>Renamed keys.</b> An old name ({@code truncate.max_string}) is still accepted and gives one
 * warning naming both keys, in {@link #warnings()}. Config does not log: the caller does.
 *
 * <p><b>Threading.</b> Instances are immutable and safe to share. {@link #with} returns a new instance.
 */
public final class Config {

    /** The source of a value that no one set. */
    public static final String DEFAULT_SOURCE = "default";

    private final Map<ConfigKey, Object> values;
    private final Map<ConfigKey, String> sources;
    private final List<String> warnings;
    private final Map<String, String> stackValues;

    private Config(EnumMap<ConfigKey, Object> values, EnumMap<ConfigKey, String> sources, List<String> warnings,
            Map<String, String> stackValues) {
        this.values = Collections.unmodifiableMap(values);
        this.sources = Collections.unmodifiableMap(sources);
        this.warnings = List.copyOf(warnings);
        this.stackValues = Collections.unmodifiableMap(new TreeMap<>(stackValues));
    }

    /** Prefix (in key spelling) of a stack's site values, e.g. {@code stack.bind-addr}. */
    public static final String STACK_VALUE_PREFIX = "stack.";

    /**
     * The stack's site values ({@code stack.*} keys: {@code -Dzen.stack.dir}, {@code ZEN_STACK_DIR}, agent
     * argument {@code stack.dir}), keyed by their normalised name (upper case, {@code _} for {@code .} and
     * {@code -}: {@code STACK_DIR}), with the usual precedence. They are free-form: the stack XML decides
     * what it reads, as {@code ${zen.stack.dir:default}}.
     */
    public Map<String, String> stackValues() {
        return stackValues;
    }

    /**
     * A copy with one stack site value set ({@code name} in any spelling: {@code stack.dir},
     * {@code zen.stack.dir}, {@code STACK_DIR}).
     *
     * @throws IllegalArgumentException if {@code name} is not a {@code stack.*} name
     */
    public Config withStackValue(String name, String value) {
        String n = normaliseStackName(Objects.requireNonNull(name, "name"));
        if (!isStackValue(n)) {
            throw new ZenConfigException(List.of("zen: " + name + " is not a stack value; stack values are named stack.<something>"));
        }
        Map<String, String> m = new TreeMap<>(stackValues);
        m.put(n, Objects.requireNonNull(value, "value"));
        return new Config(new EnumMap<>(values), new EnumMap<>(sources), warnings, m);
    }

    /** The normalised form of a stack value's name in any spelling ({@code zen.stack.bind-addr} → {@code STACK_BIND_ADDR}). */
    public static String normaliseStackName(String name) {
        String n = name.startsWith(ConfigKey.PROPERTY_PREFIX) ? name.substring(ConfigKey.PROPERTY_PREFIX.length())
                : name.startsWith(ConfigKey.ENV_PREFIX) ? name.substring(ConfigKey.ENV_PREFIX.length()) : name;
        return n.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static boolean isStackValue(String normalised) {
        return normalised.startsWith("STACK_") && normalised.length() > "STACK_".length();
    }

    /** Every key at its default; the default node name uses the host name from {@code HOSTNAME} or {@code COMPUTERNAME}. */
    public static Config defaults() {
        Map<String, String> host = new TreeMap<>();
        for (String name : List.of("HOSTNAME", "COMPUTERNAME")) {
            String value = System.getenv(name);
            if (value != null) {
                host.put(name, value);
            }
        }
        return parse(Map.of(), Map.of(), host);
    }

    /**
     * The configuration from this JVM's system properties and environment, without agent arguments.
     *
     * @throws ZenConfigException with every problem found
     */
    public static Config fromEnvironment() {
        return parse(Map.of(), systemProperties(), System.getenv());
    }

    /**
     * The configuration for the agent: its argument string (see {@link #parseAgentArgs}), then this JVM's
     * system properties and environment. Problems in the argument string are reported with the others.
     *
     * @param agentArgs the text after {@code =} in {@code -javaagent:zen-agent.jar=...}, or null
     * @throws ZenConfigException with every problem found
     */
    public static Config fromAgentArguments(String agentArgs) {
        return parse(agentArgs, systemProperties(), System.getenv());
    }

    /** {@link #fromAgentArguments} with explicit sources: argument-string problems come first, then the rest. */
    static Config parse(String agentArgs, Map<String, String> systemProperties, Map<String, String> environment) {
        List<String> problems = new ArrayList<>();
        Map<String, String> arguments = splitAgentArgs(agentArgs, problems);
        return resolve(problems, arguments, systemProperties, environment);
    }

    /**
     * Resolves and validates a configuration from explicit sources.
     *
     * @param agentArguments keys without the {@code zen.} prefix ({@code demand.amount})
     * @param systemProperties all system properties; only those starting with {@code zen.} are read
     * @param environment all environment variables; only those starting with {@code ZEN_} are read, plus
     *     {@code HOSTNAME} and {@code COMPUTERNAME} for the default node name
     * @throws ZenConfigException with every problem found
     * @throws NullPointerException if a map is null
     */
    public static Config parse(Map<String, String> agentArguments, Map<String, String> systemProperties,
            Map<String, String> environment) {
        return resolve(new ArrayList<>(), agentArguments, systemProperties, environment);
    }

    /**
     * Splits an agent argument string {@code k=v,k=v} into keys and values (in order).
     *
     * <p>Pieces are separated by {@code ,} and split at their first {@code =}; keys are trimmed, values
     * are kept as given. Inside agent arguments, {@code listeners.pairs} separates its entries with
     * {@code ;} ({@code listeners.pairs=a.B#add/remove;c.D#on/off}); a piece without {@code =} that
     * follows {@code listeners.pairs} and holds a {@code #} is taken as one more of its entries, and so is a
     * piece without {@code =} that follows {@code nodes.allow} or {@code nodes.deny}. A null or
     * blank string gives no arguments.
     *
     * @throws ZenConfigException if a piece is not {@code key=value} or a key is given twice
     */
    public static Map<String, String> parseAgentArgs(String agentArgs) {
        List<String> problems = new ArrayList<>();
        Map<String, String> arguments = splitAgentArgs(agentArgs, problems);
        if (!problems.isEmpty()) {
            throw new ZenConfigException(problems);
        }
        return arguments;
    }

    // ---------------------------------------------------------------------------------------------------
    // Reading

    static Map<String, String> splitAgentArgs(String agentArgs, List<String> problems) {
        Map<String, String> arguments = new LinkedHashMap<>();
        if (agentArgs == null || agentArgs.isBlank()) {
            return Collections.unmodifiableMap(arguments);
        }
        String[] pieces = agentArgs.split(",", -1);
        String continuing = null;
        for (int i = 0; i < pieces.length; i++) {
            String piece = pieces[i];
            int eq = piece.indexOf('=');
            // a piece without '=' continues a list value: listeners.pairs (Class#add/remove), a stack's host list
            // (stack.initial-hosts=a[7800],b[7800]) or nodes.allow/deny patterns; the first two are recognised by
            // '#' or '[' so that a typo is still reported
            if (eq < 0 && continuing != null && (piece.indexOf('#') >= 0 || piece.indexOf('[') >= 0
                    || continuing.startsWith("nodes."))) {
                arguments.put(continuing, arguments.get(continuing) + "," + piece);
                continue;
            }
            continuing = null;
            String key = eq < 0 ? "" : piece.substring(0, eq).strip();
            if (key.isEmpty()) {
                problems.add("zen: agent argument #" + (i + 1) + " was " + quote(piece)
                        + "; must be key=value (arguments are separated by ',')");
                continue;
            }
            String value = piece.substring(eq + 1);
            String previous = arguments.putIfAbsent(key, value);
            if (previous != null) {
                problems.add("zen: agent argument " + key + " was given twice (" + quote(previous) + " and "
                        + quote(value) + "); give it once");
                continue;
            }
            if (key.equals(ConfigKey.LISTENERS_PAIRS.key()) || ConfigKey.LISTENERS_PAIRS.oldNames().contains(key)
                    || key.startsWith(STACK_VALUE_PREFIX) && key.endsWith("hosts")
                    || key.equals(ConfigKey.NODES_ALLOW.key()) || key.equals(ConfigKey.NODES_DENY.key())) {
                continuing = key;
            }
        }
        return Collections.unmodifiableMap(arguments);
    }

    private static Map<String, String> systemProperties() {
        Properties properties = System.getProperties();
        Map<String, String> copy = new TreeMap<>();
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith(ConfigKey.PROPERTY_PREFIX)) {
                String value = properties.getProperty(name);
                if (value != null) {
                    copy.put(name, value);
                }
            }
        }
        return copy;
    }

    /** Where a value comes from, and how keys are spelled there. */
    private enum Origin {
        AGENT(ConfigKey::key) {
            @Override
            boolean considers(String name) {
                return true;
            }

            @Override
            String source(String name) {
                return "agent argument " + name;
            }

            @Override
            String unknownSource(String name) {
                return source(name);
            }
        },
        PROPERTY(ConfigKey::property) {
            @Override
            boolean considers(String name) {
                return name.startsWith(ConfigKey.PROPERTY_PREFIX);
            }

            @Override
            String source(String name) {
                return "-D" + name;
            }

            @Override
            String unknownSource(String name) {
                return source(name);
            }
        },
        ENVIRONMENT(ConfigKey::env) {
            @Override
            boolean considers(String name) {
                return name.startsWith(ConfigKey.ENV_PREFIX);
            }

            @Override
            String source(String name) {
                return name;
            }

            @Override
            String unknownSource(String name) {
                return "environment";
            }
        };

        final Function<ConfigKey, String> spelling;

        Origin(Function<ConfigKey, String> spelling) {
            this.spelling = spelling;
        }

        abstract boolean considers(String name);

        abstract String source(String name);

        abstract String unknownSource(String name);

        /** The key with this name in this origin, and whether the name is an old one; null if unknown. */
        Found find(String name) {
            if (this == ENVIRONMENT) {
                return ConfigKey.forEnv(name).map(k -> new Found(k, false)).orElse(null);
            }
            String bare = this == PROPERTY ? name.substring(ConfigKey.PROPERTY_PREFIX.length()) : name;
            ConfigKey current = ConfigKey.forKey(bare).orElse(null);
            if (current != null) {
                return new Found(current, false);
            }
            return ConfigKey.forOldName(bare).map(k -> new Found(k, true)).orElse(null);
        }
    }

    private record Found(ConfigKey key, boolean oldName) {
    }

    /** A value as given: text, source and whether it came under an old name (written {@code name}). */
    private record Given(String value, String source, String name, boolean oldName) {
    }

    private static Config resolve(List<String> problems, Map<String, String> agentArguments,
            Map<String, String> systemProperties, Map<String, String> environment) {
        Objects.requireNonNull(agentArguments, "agentArguments");
        Objects.requireNonNull(systemProperties, "systemProperties");
        Objects.requireNonNull(environment, "environment");

        EnumMap<ConfigKey, Given> given = new EnumMap<>(ConfigKey.class);
        EnumMap<ConfigKey, Given> oldNameUses = new EnumMap<>(ConfigKey.class);
        Map<String, String> stack = new TreeMap<>();
        collect(Origin.AGENT, agentArguments, given, oldNameUses, stack, problems);
        collect(Origin.PROPERTY, systemProperties, given, oldNameUses, stack, problems);
        collect(Origin.ENVIRONMENT, environment, given, oldNameUses, stack, problems);

        List<String> warnings = new ArrayList<>();
        oldNameUses.forEach((key, use) -> warnings.add("zen: " + ConfigKey.PROPERTY_PREFIX + use.name()
                + " (from " + use.source() + ") is renamed " + key.property() + "; use the new name"));

        EnumMap<ConfigKey, Object> values = new EnumMap<>(ConfigKey.class);
        EnumMap<ConfigKey, String> sources = new EnumMap<>(ConfigKey.class);
        for (ConfigKey key : ConfigKey.values()) {
            Given g = given.get(key);
            if (g == null) {
                values.put(key, defaultValue(key, environment));
                sources.put(key, DEFAULT_SOURCE);
                continue;
            }
            Object value = key.codec().parser().apply(g.value().strip());
            if (value == null) {
                problems.add(notAllowed(key, quote(g.value()), g.source()));
            } else {
                values.put(key, value);
                sources.put(key, g.source());
            }
        }
        problems.addAll(relations(values));
        if (!problems.isEmpty()) {
            throw new ZenConfigException(problems);
        }
        return new Config(values, sources, warnings, stack);
    }

    private static void collect(Origin origin, Map<String, String> entries, EnumMap<ConfigKey, Given> given,
            EnumMap<ConfigKey, Given> oldNameUses, Map<String, String> stack, List<String> problems) {
        Map<String, String> sorted = new TreeMap<>();
        entries.forEach((name, value) -> {
            if (name != null && origin.considers(name)) {
                sorted.put(name, value == null ? "" : value);
            }
        });
        EnumMap<ConfigKey, Given> here = new EnumMap<>(ConfigKey.class);
        sorted.forEach((name, value) -> {
            Found found = origin.find(name);
            if (found == null && isStackValue(normaliseStackName(name))) {
                stack.putIfAbsent(normaliseStackName(name), value.strip()); // earlier origins win
                return;
            }
            if (found == null) {
                ConfigKey nearest = ConfigKey.nearest(name, origin.spelling);
                problems.add("zen: unknown key " + name
                        + " (from " + origin.unknownSource(name) + "); did you mean "
                        + origin.spelling.apply(nearest) + "?");
                return;
            }
            String bare = origin == Origin.PROPERTY ? name.substring(ConfigKey.PROPERTY_PREFIX.length()) : name;
            Given g = new Given(value, origin.source(name), bare, found.oldName());
            Given other = here.putIfAbsent(found.key(), g);
            if (other != null) {
                Given current = other.oldName() ? g : other;
                Given old = other.oldName() ? other : g;
                problems.add("zen: " + found.key().property() + " is given twice (from " + current.source()
                        + " and " + old.source() + "); remove the old name");
            }
            if (found.oldName()) {
                oldNameUses.putIfAbsent(found.key(), g);
            }
        });
        here.forEach(given::putIfAbsent);
    }

    private static Object defaultValue(ConfigKey key, Map<String, String> environment) {
        return switch (key) {
            case NODE -> defaultNode(environment, ProcessHandle.current().pid());
            case LISTENERS_PAIRS, NODES_ALLOW, NODES_DENY -> List.of();
            default -> key.codec().parser().apply(key.defaultText());
        };
    }

    /**
     * The default node name: the host name from {@code HOSTNAME}, else {@code COMPUTERNAME}, else
     * {@code localhost}, then {@code -} and the process id; characters a node name cannot hold become
     * {@code -}. It does not ask DNS ({@code InetAddress.getLocalHost} can block).
     */
    static String defaultNode(Map<String, String> environment, long pid) {
        String host = environment.get("HOSTNAME");
        if (host == null || host.isBlank()) {
            host = environment.get("COMPUTERNAME");
        }
        if (host == null || host.isBlank()) {
            host = "localhost";
        }
        String suffix = "-" + pid;
        StringBuilder name = new StringBuilder();
        for (char c : host.strip().toCharArray()) {
            boolean allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || ".-_@:".indexOf(c) >= 0;
            name.append(allowed ? c : '-');
        }
        int room = 255 - suffix.length();
        if (name.length() > room) {
            name.setLength(room);
        }
        return name + suffix;
    }

    /**
     * Relations between keys, checked after parsing; a relation whose keys did not parse is skipped. One
     * line per conflict. Add new relations here.
     */
    static List<String> relations(Map<ConfigKey, Object> values) {
        List<String> conflicts = new ArrayList<>();
        if (values.get(ConfigKey.LISTENERS_PAIRS) instanceof List<?> pairs && !pairs.isEmpty()
                && Boolean.FALSE.equals(values.get(ConfigKey.LISTENERS))) {
            conflicts.add("zen: zen.listeners.pairs is set but zen.listeners is false");
        }
        if (values.get(ConfigKey.PROBE_INTERVAL) instanceof Duration interval
                && values.get(ConfigKey.PROBE_UNREACHABLE_AFTER) instanceof Duration unreachable
                && unreachable.compareTo(interval) < 0) {
            conflicts.add("zen: zen.probe.unreachable-after (" + ConfigKey.PROBE_UNREACHABLE_AFTER.format(unreachable)
                    + ") is shorter than zen.probe.interval (" + ConfigKey.PROBE_INTERVAL.format(interval)
                    + "); it must be at least one interval");
        }
        return conflicts;
    }

    static String notAllowed(ConfigKey key, String shownValue, String source) {
        return "zen: " + key.property() + " was " + shownValue + " (from " + source + "); must be " + key.allowed();
    }

    /** A value in double quotes with {@code "}, {@code \} and control characters escaped; long values are cut. */
    static String quote(String value) {
        StringBuilder b = new StringBuilder(value.length() + 2).append('"');
        int limit = Math.min(value.length(), 200);
        for (int i = 0; i < limit; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        if (value.length() > limit) {
            b.append("...");
        }
        b.append('"');
        if (value.length() > limit) {
            b.append(" (").append(value.length()).append(" characters)");
        }
        return b.toString();
    }

    // ---------------------------------------------------------------------------------------------------
    // Values

    /** The value of a key, of {@link ConfigKey#type()}. */
    public Object value(ConfigKey key) {
        return values.get(Objects.requireNonNull(key, "key"));
    }

    /**
     * The value of a String key.
     *
     * @throws IllegalArgumentException if the key is not a String key
     */
    public String text(ConfigKey key) {
        return typed(key, String.class);
    }

    /**
     * The value of an integer key.
     *
     * @throws IllegalArgumentException if the key is not an integer key
     */
    public int integer(ConfigKey key) {
        return typed(key, Integer.class);
    }

    /**
     * The value of a duration key.
     *
     * @throws IllegalArgumentException if the key is not a duration key
     */
    public Duration duration(ConfigKey key) {
        return typed(key, Duration.class);
    }

    /**
     * The value of a boolean key.
     *
     * @throws IllegalArgumentException if the key is not a boolean key
     */
    public boolean flag(ConfigKey key) {
        return typed(key, Boolean.class);
    }

    /**
     * The value of a list key (unmodifiable).
     *
     * @throws IllegalArgumentException if the key is not a list key
     */
    @SuppressWarnings("unchecked")
    public List<String> list(ConfigKey key) {
        return (List<String>) typed(key, List.class);
    }

    private <T> T typed(ConfigKey key, Class<T> type) {
        Objects.requireNonNull(key, "key");
        if (key.type() != type) {
            throw new IllegalArgumentException(key.property() + " holds " + key.type().getSimpleName()
                    + " values, not " + type.getSimpleName());
        }
        return type.cast(values.get(key));
    }

    /**
     * Where a key's value came from: {@link #DEFAULT_SOURCE}, {@code agent argument demand.amount},
     * {@code -Dzen.demand.amount}, {@code ZEN_DEMAND_AMOUNT} or the wither that set it.
     */
    public String source(ConfigKey key) {
        return sources.get(Objects.requireNonNull(key, "key"));
    }

    /** Warnings to log once (an old key name was used), one line each. */
    public List<String> warnings() {
        return warnings;
    }

    /** Every key as its property name and value as text, in {@link ConfigKey} order, for logs and status. */
    public Map<String, String> asProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        values.forEach((key, value) -> properties.put(key.property(), key.format(value)));
        return Collections.unmodifiableMap(properties);
    }

    /**
     * A copy with one key changed, checked at once. A String value for a String key is read as text
     * (trimmed, {@code log} in any case); other values must be of {@link ConfigKey#type()}.
     *
     * @param source where the value comes from, shown in errors and by {@link #source}, e.g.
     *     {@code ZenConfig.demandAmount}
     * @throws ZenConfigException (an IllegalArgumentException) if the value is not allowed
     * @throws IllegalStateException if the new value conflicts with another key
     */
    public Config with(ConfigKey key, Object value, String source) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(source, "source");
        Object accepted = key.accept(value);
        if (accepted == null) {
            String shown = value == null ? "null"
                    : quote(value instanceof String s ? s : key.format(value));
            throw new ZenConfigException(List.of(notAllowed(key, shown, source)));
        }
        EnumMap<ConfigKey, Object> newValues = new EnumMap<>(values);
        EnumMap<ConfigKey, String> newSources = new EnumMap<>(sources);
        newValues.put(key, accepted);
        newSources.put(key, source);
        List<String> conflicts = relations(newValues);
        if (!conflicts.isEmpty()) {
            throw new IllegalStateException(String.join("\n", conflicts));
        }
        return new Config(newValues, newSources, warnings, stackValues);
    }

    /** Equal when every value is equal (sources and warnings are not compared). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Config other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "Config" + asProperties();
    }
}
