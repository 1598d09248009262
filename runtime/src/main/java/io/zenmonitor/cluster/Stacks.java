package io.zenmonitor.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds a JGroups stack: a name from the {@code jgroups-config} module (a resource
 * {@code zen/stacks/NAME.xml}) or a path to an XML file.
 */
public final class Stacks {

    /** Stacks shipped in jgroups-config, in the order an operator should consider them. */
    public static final List<String> SHIPPED = List.of("loopback", "memory");

    private Stacks() {
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
