package io.zenmonitor.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a JGroups stack: a name from the {@code jgroups-config} module (a resource
 * {@code zen/stacks/NAME.xml}) or a path to an XML file.
 */
public final class Stacks {

    /** Stacks shipped in jgroups-config, in the order an operator should consider them. */
    public static final List<String> SHIPPED = List.of("loopback", "memory");

    private Stacks() {
    }

    /** A JGroups placeholder: {@code ${name[,name...][:default]}}. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}:]+)(?::([^}]*))?}");

    /**
     * Opens the stack with its {@code ${zen.stack.*}} placeholders filled from {@code values} (normalised
     * names, see {@link io.zenmonitor.config.Config#stackValues()}), so the same keys work from agent
     * arguments, system properties and the environment. Other placeholders are left to JGroups.
     */
    public static InputStream open(String stack, Map<String, String> values) {
        String xml;
        try (InputStream in = open(stack)) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("zen: zen.stack was \"" + stack + "\"; the stack cannot be read: " + e.getMessage(), e);
        }
        return new java.io.ByteArrayInputStream(substitute(xml, values).getBytes(StandardCharsets.UTF_8));
    }

    static String substitute(String xml, Map<String, String> values) {
        if (values.isEmpty()) {
            return xml;
        }
        Matcher m = PLACEHOLDER.matcher(xml);
        StringBuilder out = new StringBuilder(xml.length());
        while (m.find()) {
            String replacement = null;
            for (String name : m.group(1).split(",")) {
                String n = name.strip();
                if (n.startsWith("zen.stack.")) {
                    replacement = values.get(io.zenmonitor.config.Config.normaliseStackName(n));
                    if (replacement != null) {
                        break;
                    }
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement != null ? replacement : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

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
