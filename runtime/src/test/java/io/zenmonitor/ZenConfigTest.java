package io.zenmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zenmonitor.config.Config;
import io.zenmonitor.config.ZenConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The typed configuration: defaults, parsing from maps, withers, views. */
class ZenConfigTest {

    private static final Map<String, String> NONE = Map.of();
    private static final Map<String, String> HOST = Map.of("HOSTNAME", "web-1");
    private static final long PID = ProcessHandle.current().pid();
    private static final String DURATION = "a duration from 1ms to 1h: a number with unit ms, s, m or h (100ms, 2s),"
            + " ISO-8601 (PT2S), or a bare number of milliseconds";

    private final ZenConfig base = ZenConfig.parse(NONE, NONE, HOST);

    @Nested
    class Defaults {

        @Test
        void parse_noSources_gettersGiveDefaults() {
            assertThat(base.cluster()).isEqualTo("zen");
            assertThat(base.node()).isEqualTo("web-1-" + PID);
            assertThat(base.stack()).isEqualTo("loopback");
            assertThat(base.demandAmount()).isEqualTo(1000);
            assertThat(base.demandInterval()).isEqualTo(Duration.ofMillis(100));
            assertThat(base.connectorSweep()).isEqualTo(Duration.ofMillis(100));
            assertThat(base.connectorChunk()).isEqualTo(5000);
            assertThat(base.batcherSweep()).isEqualTo(Duration.ofMillis(100));
            assertThat(base.batcherChunk()).isEqualTo(5000);
            assertThat(base.truncateDepth()).isEqualTo(3);
            assertThat(base.truncateMaxString()).isEqualTo(1024);
            assertThat(base.callbackThreads()).isEqualTo(4);
            assertThat(base.listeners()).isTrue();
            assertThat(base.listenersPairs()).isEmpty();
            assertThat(base.dgc()).isTrue();
            assertThat(base.enabled()).isTrue();
            assertThat(base.log()).isEqualTo("info");
            assertThat(base.warnings()).isEmpty();
        }

        @Test
        void defaults_anyMachine_sameValuesButNode() {
            ZenConfig defaults = ZenConfig.defaults();

            assertThat(defaults.node()).endsWith("-" + PID);
            assertThat(defaults.node(base.node())).isEqualTo(base);
        }

        @Test
        void fromEnvironment_zenSystemProperty_read() {
            assumeTrue(System.getenv().keySet().stream().noneMatch(k -> k.startsWith("ZEN_")),
                    "this JVM's environment sets ZEN_* variables");
            assumeTrue(System.getProperties().stringPropertyNames().stream().noneMatch(k -> k.startsWith("zen.")),
                    "this JVM already has zen.* system properties");
            System.setProperty("zen.cluster", "from-property");
            try {
                assertThat(ZenConfig.fromEnvironment().cluster()).isEqualTo("from-property");
            } finally {
                System.clearProperty("zen.cluster");
            }
        }
    }

    @Nested
    class Parsing {

        @Test
        void parse_everySource_typedGetters() {
            ZenConfig config = ZenConfig.parse(
                    Map.of("demand.amount", "10", "listeners.pairs", "a.B#add/remove;c.D#on/off"),
                    Map.of("zen.demand.interval", "2s", "zen.stack", "/etc/zen/tcp.xml", "zen.dgc", "FALSE"),
                    Map.of("ZEN_CLUSTER", "prod", "ZEN_NODE", "n@h:1", "ZEN_LOG", "WARN", "ZEN_CALLBACK_THREADS", "8"));

            assertThat(config.demandAmount()).isEqualTo(10);
            assertThat(config.listenersPairs()).containsExactly("a.B#add/remove", "c.D#on/off");
            assertThat(config.demandInterval()).isEqualTo(Duration.ofSeconds(2));
            assertThat(config.stack()).isEqualTo("/etc/zen/tcp.xml");
            assertThat(config.dgc()).isFalse();
            assertThat(config.cluster()).isEqualTo("prod");
            assertThat(config.node()).isEqualTo("n@h:1");
            assertThat(config.log()).isEqualTo("warn");
            assertThat(config.callbackThreads()).isEqualTo(8);
        }

        @Test
        void parse_precedence_agentThenPropertyThenEnvironmentThenDefault() {
            ZenConfig config = ZenConfig.parse(Map.of("cluster", "a"),
                    Map.of("zen.cluster", "p", "zen.stack", "p"),
                    Map.of("ZEN_CLUSTER", "e", "ZEN_STACK", "e", "ZEN_LOG", "debug", "HOSTNAME", "h"));

            assertThat(config.cluster()).isEqualTo("a");
            assertThat(config.stack()).isEqualTo("p");
            assertThat(config.log()).isEqualTo("debug");
            assertThat(config.enabled()).isTrue();
        }

        @Test
        void parse_badValues_oneExceptionWithEveryLine() {
            assertThatThrownBy(() -> ZenConfig.parse(Map.of("enabled", "nope"), Map.of("zen.demand.amount", "-5"),
                    Map.of("ZEN_DEMNAD_AMOUNT", "1")))
                    .isInstanceOf(ZenConfigException.class)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("zen: unknown key ZEN_DEMNAD_AMOUNT (from environment); did you mean ZEN_DEMAND_AMOUNT?\n"
                            + "zen: zen.demand.amount was \"-5\" (from -Dzen.demand.amount);"
                            + " must be an integer from 1 to 1000000\n"
                            + "zen: zen.enabled was \"nope\" (from agent argument enabled); must be true or false");
        }

        @Test
        void parse_oldKeyName_warningKept() {
            ZenConfig config = ZenConfig.parse(NONE, Map.of("zen.truncate.max_string", "64"), HOST);

            assertThat(config.truncateMaxString()).isEqualTo(64);
            assertThat(config.warnings()).containsExactly("zen: zen.truncate.max_string (from -Dzen.truncate.max_string)"
                    + " is renamed zen.truncate.max-string; use the new name");
            assertThat(config.demandAmount(5).warnings()).isEqualTo(config.warnings());
        }

        @Test
        void of_agentConfig_sameAsParse() {
            assertThat(ZenConfig.of(Config.parse(NONE, NONE, HOST))).isEqualTo(base);
        }
    }

    @Nested
    class Withers {

        @Test
        void withers_chain_newInstanceEachTimeOriginalUnchanged() {
            ZenConfig changed = base.cluster("demo").demandAmount(10);

            assertThat(changed.cluster()).isEqualTo("demo");
            assertThat(changed.demandAmount()).isEqualTo(10);
            assertThat(base.cluster()).isEqualTo("zen");
            assertThat(base.demandAmount()).isEqualTo(1000);
            assertThat(changed).isNotSameAs(base).isNotEqualTo(base);
        }

        @Test
        void withers_everyKey_setsItsValue() {
            ZenConfig c = base.cluster("c1").node("n1").stack("tcp").demandAmount(2)
                    .demandInterval(Duration.ofSeconds(1)).connectorSweep(Duration.ofMillis(5)).connectorChunk(6)
                    .batcherSweep(Duration.ofMillis(7)).batcherChunk(8).truncateDepth(0).truncateMaxString(16)
                    .callbackThreads(256).proxyMaxSubscriptions(9).listenersPairs(List.of("a.B#add/remove")).dgc(false).enabled(false)
                    .log("ERROR").probeUnreachableAfter(Duration.ofSeconds(9)).probeInterval(Duration.ofMillis(300))
                    .probeRefusedAfter(5).nodesAllow(List.of("web-*")).nodesDeny(List.of("10.0.*", "x?"))
                    .partitionGrace(Duration.ofSeconds(30)).partitionQuorum(2);

            assertThat(c.asProperties()).containsExactly(
                    Map.entry("zen.cluster", "c1"), Map.entry("zen.node", "n1"), Map.entry("zen.stack", "tcp"),
                    Map.entry("zen.demand.amount", "2"), Map.entry("zen.demand.interval", "1s"),
                    Map.entry("zen.connector.sweep", "5ms"), Map.entry("zen.connector.chunk", "6"),
                    Map.entry("zen.batcher.sweep", "7ms"), Map.entry("zen.batcher.chunk", "8"),
                    Map.entry("zen.truncate.depth", "0"), Map.entry("zen.truncate.max-string", "16"),
                    Map.entry("zen.callback.threads", "256"), Map.entry("zen.proxy.max-subscriptions", "9"), Map.entry("zen.listeners", "true"),
                    Map.entry("zen.listeners.pairs", "a.B#add/remove"), Map.entry("zen.dgc", "false"),
                    Map.entry("zen.partition.grace", "30s"), Map.entry("zen.partition.quorum", "2"),
                    Map.entry("zen.probe.interval", "300ms"), Map.entry("zen.probe.refused-after", "5"),
                    Map.entry("zen.probe.unreachable-after", "9s"), Map.entry("zen.nodes.allow", "web-*"),
                    Map.entry("zen.nodes.deny", "10.0.*;x?"),
                    Map.entry("zen.enabled", "false"), Map.entry("zen.log", "error"));
            assertThat(c.nodePatterns().permits("web-3")).isTrue();
            assertThat(c.nodePatterns().permits("xy")).isFalse();
            assertThatThrownBy(() -> c.probeInterval(Duration.ofSeconds(10))).isInstanceOf(IllegalStateException.class)
                    .hasMessage("zen: zen.probe.unreachable-after (9s) is shorter than zen.probe.interval (10s); it must be at least one interval");
            assertThat(c.listeners(true).listeners()).isTrue();
            assertThat(c.listenersPairs(List.of()).listeners(false).listeners()).isFalse();
        }

        @Test
        void listenersPairs_inputListChangedLater_configUnchanged() {
            List<String> pairs = new ArrayList<>(List.of("a.B#add/remove"));
            ZenConfig config = base.listenersPairs(pairs);

            pairs.add("c.D#on/off");

            assertThat(config.listenersPairs()).containsExactly("a.B#add/remove");
            assertThatThrownBy(() -> config.listenersPairs().add("x.Y#a/b"))
                    .isInstanceOf(UnsupportedOperationException.class);
        }

        @Test
        void demandAmount_outOfRange_fullErrorText() {
            assertThatThrownBy(() -> base.demandAmount(-5))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("zen: zen.demand.amount was \"-5\" (from ZenConfig.demandAmount);"
                            + " must be an integer from 1 to 1000000");
        }

        @Test
        void intWithers_outOfRange_fullErrorText() {
            assertThatThrownBy(() -> base.connectorChunk(100_001)).hasMessage(
                    "zen: zen.connector.chunk was \"100001\" (from ZenConfig.connectorChunk); must be an integer from 1 to 100000");
            assertThatThrownBy(() -> base.batcherChunk(0)).hasMessage(
                    "zen: zen.batcher.chunk was \"0\" (from ZenConfig.batcherChunk); must be an integer from 1 to 100000");
            assertThatThrownBy(() -> base.truncateDepth(17)).hasMessage(
                    "zen: zen.truncate.depth was \"17\" (from ZenConfig.truncateDepth); must be an integer from 0 to 16");
            assertThatThrownBy(() -> base.truncateMaxString(15)).hasMessage(
                    "zen: zen.truncate.max-string was \"15\" (from ZenConfig.truncateMaxString);"
                            + " must be an integer from 16 to 65536");
            assertThatThrownBy(() -> base.callbackThreads(0)).hasMessage(
                    "zen: zen.callback.threads was \"0\" (from ZenConfig.callbackThreads); must be an integer from 1 to 256");
        }

        @Test
        void durationWithers_outOfRange_fullErrorText() {
            assertThatThrownBy(() -> base.demandInterval(Duration.ofMillis(-5)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("zen: zen.demand.interval was \"-5ms\" (from ZenConfig.demandInterval); must be " + DURATION);
            assertThatThrownBy(() -> base.connectorSweep(Duration.ZERO)).hasMessage(
                    "zen: zen.connector.sweep was \"0ms\" (from ZenConfig.connectorSweep); must be " + DURATION);
            assertThatThrownBy(() -> base.batcherSweep(Duration.ofMinutes(61))).hasMessage(
                    "zen: zen.batcher.sweep was \"61m\" (from ZenConfig.batcherSweep); must be " + DURATION);
            assertThatThrownBy(() -> base.batcherSweep(Duration.ofNanos(500_000))).hasMessage(
                    "zen: zen.batcher.sweep was \"PT0.0005S\" (from ZenConfig.batcherSweep); must be " + DURATION);
        }

        @Test
        void durationWither_null_fullErrorText() {
            assertThatThrownBy(() -> base.demandInterval(null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("zen: zen.demand.interval was null (from ZenConfig.demandInterval); must be " + DURATION);
        }

        @Test
        void stringWithers_bad_fullErrorText() {
            assertThatThrownBy(() -> base.cluster("a b")).hasMessage("zen: zen.cluster was \"a b\""
                    + " (from ZenConfig.cluster); must be 1 to 100 characters from A-Z, a-z, 0-9, '.', '_' and '-'");
            assertThatThrownBy(() -> base.cluster(null)).hasMessage("zen: zen.cluster was null"
                    + " (from ZenConfig.cluster); must be 1 to 100 characters from A-Z, a-z, 0-9, '.', '_' and '-'");
            assertThatThrownBy(() -> base.node("")).hasMessage("zen: zen.node was \"\" (from ZenConfig.node);"
                    + " must be 1 to 255 characters from A-Z, a-z, 0-9, '.', '_', '@', ':' and '-'");
            assertThatThrownBy(() -> base.stack("TCP")).hasMessage("zen: zen.stack was \"TCP\" (from ZenConfig.stack);"
                    + " must be a stack name of a-z, 0-9 and '-' (such as loopback) or a path to an XML file");
            assertThatThrownBy(() -> base.log("loud")).hasMessage("zen: zen.log was \"loud\" (from ZenConfig.log);"
                    + " must be one of trace, debug, info, warn, error, off");
        }

        @Test
        void listenersPairs_malformedEntry_fullErrorText() {
            assertThatThrownBy(() -> base.listenersPairs(List.of("a.B#add/remove", "oops")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("zen: zen.listeners.pairs was \"a.B#add/remove;oops\" (from ZenConfig.listenersPairs);"
                            + " must be entries like com.example.Board#addListener/removeListener, separated by ',' or ';'");
        }

        @Test
        void listeners_falseWhilePairsSet_illegalState() {
            ZenConfig withPairs = base.listenersPairs(List.of("a.B#add/remove"));

            assertThatThrownBy(() -> withPairs.listeners(false))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("zen: zen.listeners.pairs is set but zen.listeners is false");
            assertThatThrownBy(() -> base.listeners(false).listenersPairs(List.of("a.B#add/remove")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("zen: zen.listeners.pairs is set but zen.listeners is false");
        }

        @Test
        void wither_sameValue_equalButNewInstance() {
            ZenConfig same = base.demandAmount(1000);

            assertThat(same).isNotSameAs(base).isEqualTo(base).hasSameHashCodeAs(base);
        }
    }

    @Nested
    class Views {

        @Test
        void asProperties_defaults_everyKeyAsText() {
            Map<String, String> expected = new LinkedHashMap<>();
            expected.put("zen.cluster", "zen");
            expected.put("zen.node", "web-1-" + PID);
            expected.put("zen.stack", "loopback");
            expected.put("zen.demand.amount", "1000");
            expected.put("zen.demand.interval", "100ms");
            expected.put("zen.connector.sweep", "100ms");
            expected.put("zen.connector.chunk", "5000");
            expected.put("zen.batcher.sweep", "100ms");
            expected.put("zen.batcher.chunk", "5000");
            expected.put("zen.truncate.depth", "3");
            expected.put("zen.truncate.max-string", "1024");
            expected.put("zen.callback.threads", "4");
            expected.put("zen.proxy.max-subscriptions", "1000000");
            expected.put("zen.listeners", "true");
            expected.put("zen.listeners.pairs", "");
            expected.put("zen.dgc", "true");
            expected.put("zen.partition.grace", "1m");
            expected.put("zen.partition.quorum", "0");
            expected.put("zen.probe.interval", "1s");
            expected.put("zen.probe.refused-after", "2");
            expected.put("zen.probe.unreachable-after", "1m");
            expected.put("zen.nodes.allow", "");
            expected.put("zen.nodes.deny", "");
            expected.put("zen.enabled", "true");
            expected.put("zen.log", "info");

            assertThat(base.asProperties()).containsExactlyEntriesOf(expected);
        }

        @Test
        void asProperties_fedBackAsSystemProperties_sameConfig() {
            Map<String, String> properties = new LinkedHashMap<>(base.cluster("x").demandInterval(Duration.ofSeconds(3))
                    .listenersPairs(List.of("a.B#add/remove", "c.D#on/off")).asProperties());

            assertThat(ZenConfig.parse(NONE, properties, NONE))
                    .isEqualTo(base.cluster("x").demandInterval(Duration.ofSeconds(3))
                            .listenersPairs(List.of("a.B#add/remove", "c.D#on/off")));
        }

        @Test
        void summary_defaults_oneLine() {
            assertThat(base.summary()).isEqualTo("cluster=zen node=web-1-" + PID
                    + " stack=loopback demand=1000/100ms connector=5000/100ms batcher=5000/100ms");
        }

        @Test
        void toString_defaults_namesEveryKey() {
            assertThat(base.toString()).startsWith("ZenConfig{zen.cluster=zen, zen.node=web-1-" + PID + ", ")
                    .endsWith(", zen.log=info}");
        }

        @Test
        void equals_sameValuesFromDifferentSources_equal() {
            ZenConfig fromEnv = ZenConfig.parse(NONE, NONE, Map.of("ZEN_NODE", "web-1-" + PID, "ZEN_LOG", "INFO"));

            assertThat(fromEnv).isEqualTo(base).hasSameHashCodeAs(base);
            assertThat(fromEnv.log("debug")).isNotEqualTo(base);
            assertThat(base).isNotEqualTo(null).isNotEqualTo("zen");
        }
    }
}
