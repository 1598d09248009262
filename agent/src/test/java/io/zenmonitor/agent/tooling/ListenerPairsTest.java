package io.zenmonitor.agent.tooling;

import static org.assertj.core.api.Assertions.assertThat;

import java.rmi.Remote;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Configured pairs may name the class, a superclass, or any interface (also inherited) that declares the methods. */
class ListenerPairsTest {

    interface Board extends Remote {
        void watch(Object l);

        void unwatch(Object l);
    }

    interface SpecialBoard extends Board {
    }

    static class BoardImpl implements SpecialBoard {
        @Override
        public void watch(Object l) {
        }

        @Override
        public void unwatch(Object l) {
        }
    }

    static class SubBoard extends BoardImpl {
    }

    @Test
    void pairNamingTheRemoteInterface_matchesImplementationsAndTheirSubclasses() {
        ListenerPairs pairs = new ListenerPairs(List.of(Board.class.getName() + "#watch/unwatch"));
        assertThat(pairs.role(BoardImpl.class, "watch")).isEqualTo(new ListenerPairs.Role(true, "unwatch"));
        assertThat(pairs.role(SubBoard.class, "watch")).isEqualTo(new ListenerPairs.Role(true, "unwatch"));
        assertThat(pairs.role(SubBoard.class, "unwatch")).isEqualTo(new ListenerPairs.Role(false, "unwatch"));
        assertThat(pairs.role(Object.class, "watch")).isNull();
    }

    @Test
    void unmatchedPairs_areThoseNoInstrumentedClassMatched() {
        ListenerPairs pairs = new ListenerPairs(List.of("x.Never#a/b", "x.Once#a/b"));
        ListenerPairs.matched(ListenerPairs.Pair.parse("x.Once#a/b"), "x.OnceImpl");
        assertThat(pairs.unmatched()).containsExactly(ListenerPairs.Pair.parse("x.Never#a/b"));
    }
}
