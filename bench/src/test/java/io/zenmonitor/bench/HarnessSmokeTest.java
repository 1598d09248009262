package io.zenmonitor.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.zenmonitor.Term;
import io.zenmonitor.bench.jmh.CodecBenchmark;
import io.zenmonitor.bench.jmh.TruncatorBenchmark;
import io.zenmonitor.truncate.Truncator;
import io.zenmonitor.wire.Codec;
import io.zenmonitor.wire.WireMessage;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The harness works (no timing is asserted: performance claims live in BENCHMARKS.md): the benchmarks' inputs
 * are what their Javadoc says, and the cluster scenario runs end to end with tiny N in two child JVMs
 * (about 10 s). The full harness runs with {@code ./bench/run.sh}.
 */
class HarnessSmokeTest {

    @ParameterizedTest
    @ValueSource(strings = {"typical", "small-map", "deep-list", "cause-cycle"})
    void truncatorInputs_truncateWithinBounds(String kind) {
        Term t = Truncator.DEFAULT.truncate(TruncatorBenchmark.build(kind));
        assertThat(t).isNotNull();
        assertThat(t.toString().length()).isLessThan(20_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"process", "dead", "process-rmi"})
    void codecInputs_holdFiveThousandEntriesAndRoundTrip(String kind) throws Exception {
        WireMessage m = CodecBenchmark.build(kind);
        int entries = m instanceof WireMessage.Process p ? p.instructions().size() : ((WireMessage.Dead) m).certificates().size();
        assertThat(entries).isEqualTo(CodecBenchmark.ENTRIES);
        assertThat(Codec.DEFAULT.decode(Codec.DEFAULT.encode(m))).isEqualTo(m);
    }

    @Test
    void arrivals_windowsAndPaceDeviation() {
        long[] t = new long[30];
        for (int i = 0; i < t.length; i++) {
            t[i] = i / 2 * Arrivals.WINDOW_NANOS; // two per window, 15 windows
        }
        int[] w = Arrivals.windows(t);
        assertThat(w).hasSize(15).containsOnly(2);
        assertThat(Arrivals.worstSecondDeviation(w, 20)).isZero();
        assertThat(Arrivals.worstSecondDeviation(new int[] {5}, 20)).isNegative();
    }

    @Test
    @Tag("multi-jvm")
    void zenScenario_tinyN_endToEnd() throws Exception {
        String report = new Runner(Runner.Mode.SMOKE, Set.of("zen")).run("--smoke --only zen");
        assertThat(report)
                .contains("| zen N=300, paced 1000/100ms | kill -9 → view change / first down / last down (300 of 300 downs)")
                .contains("wire bytes per subscription")
                .contains("A's unrelated work");
    }
}
