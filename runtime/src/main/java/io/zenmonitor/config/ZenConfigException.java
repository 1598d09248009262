package io.zenmonitor.config;

import java.util.List;
import java.util.Objects;

/**
 * A bad configuration: every problem found, reported together.
 *
 * <p>Each problem is one line that starts with {@code zen:} and gives the key, the value as given, its
 * source and what is allowed, for example
 * {@code zen: zen.demand.amount was "-5" (from ZEN_DEMAND_AMOUNT); must be an integer from 1 to 1000000}.
 * The message is those lines joined by {@code \n}, in a stable order: agent-argument syntax, unknown keys
 * (agent arguments, system properties, environment), values (in {@link ConfigKey} order), then relations
 * between keys.
 */
public final class ZenConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /**
     * @param problems one line per problem, at least one
     * @throws IllegalArgumentException if {@code problems} is empty
     */
    public ZenConfigException(List<String> problems) {
        super(String.join("\n", requireSome(problems)));
        this.problems = List.copyOf(problems);
    }

    /** The problems, one line each, in the order of {@link #getMessage()}. */
    public List<String> problems() {
        return problems;
    }

    private static List<String> requireSome(List<String> problems) {
        Objects.requireNonNull(problems, "problems");
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ZenConfigException needs at least one problem");
        }
        return problems;
    }
}
