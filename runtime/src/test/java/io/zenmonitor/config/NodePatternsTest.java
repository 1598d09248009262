package io.zenmonitor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NodePatternsTest {

    @Test
    void permits_emptyLists_everything() {
        NodePatterns p = NodePatterns.of(List.of(), List.of());

        assertThat(p).isSameAs(NodePatterns.ALL);
        assertThat(p.permits("web-1-42")).isTrue();
        assertThat(p.permits("127.0.0.1")).isTrue();
        assertThat(p.permits(null)).isTrue();
    }

    @Test
    void permits_allowList_onlyMatches() {
        NodePatterns p = NodePatterns.of(List.of("web-*", "10.0.?.1"), List.of());

        assertThat(p.permits("web-1-42")).isTrue();
        assertThat(p.permits("WEB-2")).as("case is ignored").isTrue();
        assertThat(p.permits("10.0.3.1")).isTrue();
        assertThat(p.permits("10.0.33.1")).as("? is one character").isFalse();
        assertThat(p.permits("db-1")).isFalse();
        assertThat(p.permits(null)).isFalse();
    }

    @Test
    void permits_denyWinsOverAllow() {
        NodePatterns p = NodePatterns.of(List.of("*"), List.of("legacy-*", "127.0.0.2"));

        assertThat(p.permits("legacy-7")).isFalse();
        assertThat(p.permits("127.0.0.2")).isFalse();
        assertThat(p.permits("127.0.0.1")).isTrue();
        assertThat(p.permits("127.0.0.20")).as("whole-name match").isTrue();
    }

    @Test
    void permits_dotsAndBracketsAreLiteral() {
        NodePatterns p = NodePatterns.of(List.of(), List.of("a.b", "[::1]"));

        assertThat(p.permits("axb")).as("'.' is not a wildcard").isTrue();
        assertThat(p.permits("a.b")).isFalse();
        assertThat(p.permits("[::1]")).isFalse();
    }
}
