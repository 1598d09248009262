package io.zenmonitor.agent.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Where the agent under test is: {@code -Dzen.agent.jar=<path>} if given, else {@code target/zen-agent.jar} of
 * the agent module (failsafe runs in the module directory and sets {@code basedir}), else
 * {@code agent/target/zen-agent.jar} below the working directory (an IDE run from the repository root).
 */
public final class AgentJar {

    public static final String PROPERTY = "zen.agent.jar";

    private AgentJar() {
    }

    /** The agent jar; fails the test with an instruction when it has not been built. */
    public static Path path() {
        Set<Path> tried = new LinkedHashSet<>();
        String explicit = System.getProperty(PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            tried.add(Path.of(explicit).toAbsolutePath().normalize());
        } else {
            String basedir = System.getProperty("basedir");
            if (basedir != null) {
                tried.add(Path.of(basedir, "target", "zen-agent.jar").toAbsolutePath().normalize());
            }
            tried.add(Path.of("target", "zen-agent.jar").toAbsolutePath().normalize());
            tried.add(Path.of("agent", "target", "zen-agent.jar").toAbsolutePath().normalize());
        }
        for (Path p : tried) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new AssertionError("zen-agent.jar is missing: looked at "
                + tried
                + ". Build it first (mvn -B verify builds it in the package phase, before these tests; alone: "
                + "mvn -B -pl agent -am package -DskipTests) or point -D" + PROPERTY + "=<path> at one.");
    }
}
