package io.zenmonitor.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The allow and deny lists ({@code zen.nodes.allow}, {@code zen.nodes.deny}) as one matcher over node
 * names and endpoint hosts, in the manner of Swarm's node whitelist and blacklist.
 *
 * <p>A name is permitted when the allow list is empty or one of its patterns matches, and no deny pattern
 * matches: deny wins. Patterns are globs matched against the whole name, ignoring case: {@code *} is any
 * run of characters (also none), {@code ?} one character, everything else itself ({@code 10.0.*},
 * {@code build-??}, {@code *.example.com}). The same lists apply to node names ({@code web-1-4242}) and to
 * hosts as written in RMI stubs ({@code 127.0.0.1}, {@code client7.example.com}): a pattern matches what it
 * matches, so keep names and hosts distinguishable if one list must hold both.
 *
 * <p>Immutable and thread-safe. {@link #permits} costs one regex match per pattern.
 */
public final class NodePatterns {

    /** Permits everything: both lists empty. */
    public static final NodePatterns ALL = new NodePatterns(List.of(), List.of());

    private final List<String> allowText;
    private final List<String> denyText;
    private final List<Pattern> allow;
    private final List<Pattern> deny;

    private NodePatterns(List<String> allow, List<String> deny) {
        this.allowText = List.copyOf(allow);
        this.denyText = List.copyOf(deny);
        this.allow = compile(allow);
        this.deny = compile(deny);
    }

    /**
     * The matcher for these lists (as {@link io.zenmonitor.ZenConfig#nodesAllow()} and
     * {@link io.zenmonitor.ZenConfig#nodesDeny()} give them).
     *
     * @throws NullPointerException if a list or an entry is null
     */
    public static NodePatterns of(List<String> allow, List<String> deny) {
        if (allow.isEmpty() && deny.isEmpty()) {
            return ALL;
        }
        return new NodePatterns(allow, deny);
    }

    /** Whether zen may deal with this node name or host; {@code null} (unknown) is permitted only by an empty allow list and no deny. */
    public boolean permits(String nameOrHost) {
        if (nameOrHost == null) {
            return allow.isEmpty() && deny.isEmpty();
        }
        String n = nameOrHost.toLowerCase(Locale.ROOT);
        for (Pattern p : deny) {
            if (p.matcher(n).matches()) {
                return false;
            }
        }
        if (allow.isEmpty()) {
            return true;
        }
        for (Pattern p : allow) {
            if (p.matcher(n).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Whether both lists are empty (everything is permitted). */
    public boolean permitsAll() {
        return allow.isEmpty() && deny.isEmpty();
    }

    private static List<Pattern> compile(List<String> globs) {
        List<Pattern> out = new ArrayList<>(globs.size());
        for (String g : globs) {
            Objects.requireNonNull(g, "pattern");
            StringBuilder re = new StringBuilder();
            for (char c : g.toLowerCase(Locale.ROOT).toCharArray()) {
                switch (c) {
                    case '*' -> re.append(".*");
                    case '?' -> re.append('.');
                    default -> re.append(Pattern.quote(String.valueOf(c)));
                }
            }
            out.add(Pattern.compile(re.toString()));
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "allow=" + allowText + " deny=" + denyText;
    }
}
