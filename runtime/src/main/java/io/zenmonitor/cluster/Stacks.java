package io.zenmonitor.cluster;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.jgroups.conf.ProtocolConfiguration;
import org.jgroups.conf.ProtocolStackConfigurator;
import org.jgroups.conf.XmlConfigurator;

/**
 * Finds a JGroups stack: a name from the {@code jgroups-config} module (a resource
 * {@code zen/stacks/NAME.xml}) or a path to an XML file, and checks its site values before JGroups sees it.
 *
 * <p>A stack's site values are {@code ${zen.stack.*}} placeholders. {@link #configurator(String, Map)} fills them from
 * the configuration's {@code stack.*} keys (agent arguments, {@code -Dzen.stack.*}, {@code ZEN_STACK_*}); what
 * is left is resolved by JGroups from system properties. A placeholder without a default
 * ({@code ${zen.stack.initial-hosts}}) is required: if no source sets it, opening fails with one message per
 * missing key, naming the key in all three spellings. A value for a key named {@code *keystore} or
 * {@code *truststore} must be a readable file. Both fail here, with the key's name, instead of deep inside
 * JGroups (which leaves an unresolved placeholder as literal text, or starts TLS without a key).
 */
public final class Stacks {

    /** Stacks shipped in jgroups-config, in the order an operator should consider them. */
    public static final List<String> SHIPPED = List.of("loopback", "tcp", "udp", "kube", "secure", "memory");

    private Stacks() {
    }

    /** A JGroups placeholder: {@code ${name[,name...][:default]}}. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}:]+)(?::([^}]*))?}");

    /**
     * The stack, parsed by JGroups, with its {@code ${zen.stack.*}} placeholders filled from {@code values}
     * (normalised names, see {@link io.zenmonitor.config.Config#stackValues()}), so the same keys work from agent
     * arguments, system properties and the environment. Other placeholders are left to JGroups.
     *
     * <p>Values never pass through the XML text: JGroups' own XML reader drops {@code \} and {@code <}, cuts at
     * {@code "} and fails on {@code >} (measured on 5.5.7), which a password or a Windows path may hold. Each
     * placeholder is replaced by a marker, JGroups parses the stack, and the markers in the parsed properties are
     * replaced by the values.
     *
     * @throws IllegalArgumentException with one line per problem (see {@link #check}), or if the stack cannot be
     *     found, read or parsed
     */
    public static ProtocolStackConfigurator configurator(String stack, Map<String, String> values) {
        String xml;
        try (InputStream in = open(stack)) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("zen: zen.stack was \"" + stack + "\"; the stack cannot be read: " + e.getMessage(), e);
        }
        return configurator(stack, xml, values, System::getProperty, System::getenv);
    }

    static ProtocolStackConfigurator configurator(String stack, String xml, Map<String, String> values,
            UnaryOperator<String> systemProperty, UnaryOperator<String> environment) {
        List<String> problems = check(stack, xml, values, systemProperty, environment);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        List<String> markedValues = new ArrayList<>();
        String marked = mark(COMMENT.matcher(xml).replaceAll(""), values, markedValues, systemProperty, environment);
        XmlConfigurator configurator;
        try {
            configurator = XmlConfigurator.getInstance(new ByteArrayInputStream(marked.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new IllegalArgumentException("zen: zen.stack was \"" + stack + "\"; JGroups cannot parse it: " + e.getMessage(), e);
        }
        for (ProtocolConfiguration protocol : configurator.getProtocolStack()) {
            protocol.getProperties().replaceAll((attribute, value) -> unmark(value, markedValues));
        }
        return configurator;
    }

    /**
     * Replaces each placeholder whose first set name is a {@code zen.stack.*} value with a marker
     * {@code @zen-value-N@} (N indexes {@code markedValues}). A placeholder whose first set name is another
     * system property or environment variable ({@code jgroups.bind_addr}) is left to JGroups, as is one that
     * nothing sets (JGroups applies its default).
     */
    static String mark(String xml, Map<String, String> values, List<String> markedValues,
            UnaryOperator<String> systemProperty, UnaryOperator<String> environment) {
        Matcher m = PLACEHOLDER.matcher(xml);
        StringBuilder out = new StringBuilder(xml.length());
        while (m.find()) {
            String replacement = null;
            for (String name : m.group(1).split(",")) {
                String n = name.strip();
                String v = n.startsWith("zen.stack.") ? values.get(io.zenmonitor.config.Config.normaliseStackName(n)) : null;
                if (v != null) {
                    replacement = MARKER + markedValues.size() + "@";
                    markedValues.add(v);
                    break;
                }
                if (systemProperty.apply(n) != null || environment.apply(n) != null) {
                    break; // JGroups resolves it
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement != null ? replacement : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static final String MARKER = "@zen-value-";
    private static final Pattern MARKED = Pattern.compile("@zen-value-(\\d+)@");

    static String unmark(String value, List<String> markedValues) {
        if (value == null || value.indexOf(MARKER) < 0) {
            return value;
        }
        Matcher m = MARKED.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(markedValues.get(Integer.parseInt(m.group(1)))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * The problems with a stack's site values: required {@code zen.stack.*} placeholders that no source sets, and
     * keystore or truststore files that cannot be read. Placeholders are those of {@code xml} before substitution;
     * a name is set when {@code values} has it (normalised) or, as JGroups would resolve it, a system property or
     * an environment variable of exactly that name exists. XML comments are skipped.
     */
    static List<String> check(String stack, String xml, Map<String, String> values,
            UnaryOperator<String> systemProperty, UnaryOperator<String> environment) {
        List<String> problems = new java.util.ArrayList<>();
        java.util.Set<String> reported = new java.util.HashSet<>();
        Matcher m = PLACEHOLDER.matcher(COMMENT.matcher(xml).replaceAll(""));
        while (m.find()) {
            String[] names = m.group(1).split(",");
            String found = null;
            String foundName = null;
            for (String name : names) {
                String n = name.strip();
                String v = n.startsWith("zen.stack.") ? values.get(io.zenmonitor.config.Config.normaliseStackName(n)) : null;
                if (v == null) {
                    v = systemProperty.apply(n);
                }
                if (v == null) {
                    v = environment.apply(n);
                }
                if (v != null) {
                    found = v;
                    foundName = n;
                    break;
                }
            }
            String first = names[0].strip();
            for (String name : names) {
                if (name.strip().startsWith("zen.stack.")) {
                    first = name.strip();
                    break;
                }
            }
            boolean alreadyReported = java.util.Arrays.stream(names).map(String::strip).anyMatch(reported::contains);
            if (found == null && m.group(2) == null && first.startsWith("zen.stack.") && !alreadyReported && reported.add(first)) {
                problems.add("zen: stack \"" + stack + "\" needs " + spellings(first) + ", which is not set");
            }
            if (found != null && foundName.startsWith("zen.stack.")
                    && (foundName.endsWith("keystore") || foundName.endsWith("truststore")) && reported.add(foundName)) {
                Path p = Path.of(found);
                if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                    problems.add("zen: " + foundName + " was \"" + found + "\" (stack \"" + stack + "\"); must be a readable keystore file");
                }
            }
        }
        return problems;
    }

    /** {@code zen.stack.x-y (-Dzen.stack.x-y, ZEN_STACK_X_Y or agent argument stack.x-y)}. */
    private static String spellings(String property) {
        String key = property.substring("zen.".length());
        return property + " (-D" + property + ", " + "ZEN_" + io.zenmonitor.config.Config.normaliseStackName(property)
                + " or agent argument " + key + ")";
    }

    private static final Pattern COMMENT = Pattern.compile("<!--.*?-->", Pattern.DOTALL);

    /** Whether {@code stack} is written as a path rather than a name. */
    public static boolean isPath(String stack) {
        return stack.indexOf('/') >= 0 || stack.indexOf('\\') >= 0 || stack.endsWith(".xml");
    }

    /**
     * Opens the stack's XML.
     *
     * @throws IllegalArgumentException naming the stack and what is allowed when it cannot be found
     */
    public static InputStream open(String stack) {
        if (isPath(stack)) {
            Path p = Path.of(stack);
            try {
                return Files.newInputStream(p);
            } catch (IOException e) {
                throw new IllegalArgumentException("zen: zen.stack was \"" + stack + "\"; the file cannot be read: " + e.getMessage(), e);
            }
        }
        InputStream in = Stacks.class.getClassLoader().getResourceAsStream("zen/stacks/" + stack + ".xml");
        if (in == null) {
            throw new IllegalArgumentException("zen: zen.stack was \"" + stack + "\"; must be one of " + String.join(", ", SHIPPED)
                    + " or a path to a JGroups XML file");
        }
        return in;
    }
}
