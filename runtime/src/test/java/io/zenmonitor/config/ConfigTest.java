package io.zenmonitor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Reading, precedence and validation of configuration. No real environment: every source is a map. */
class ConfigTest {

    private static final Map<String, String> NONE = Map.of();
    private static final Map<String, String> HOST = Map.of("HOSTNAME", "web-1");
    private static final long PID = ProcessHandle.current().pid();

    private static final String INT_1_1000000 = "an integer from 1 to 1000000";
    private static final String INT_1_100000 = "an integer from 1 to 100000";
    private static final String DURATION = "a duration from 1ms to 1h: a number with unit ms, s, m or h (100ms, 2s),"
            + " ISO-8601 (PT2S), or a bare number of milliseconds";
    private static final String BOOLEAN = "true or false";
    private static final String CLUSTER = "1 to 100 characters from A-Z, a-z, 0-9, '.', '_' and '-'";
    private static final String NODE = "1 to 255 characters from A-Z, a-z, 0-9, '.', '_', '@', ':' and '-'";
    private static final String STACK = "a stack name of a-z, 0-9 and '-' (such as loopback) or a path to an XML file";
    private static final String PAIRS = "entries like com.example.Board#addListener/removeListener, separated by ',' or ';'";
    private static final String LOG = "one of trace, debug, info, warn, error, off";

    private static Config env(String name, String value) {
        Map<String, String> environment = new LinkedHashMap<>(HOST);
        environment.put(name, value);
        return Config.parse(NONE, NONE, environment);
    }

    private static String errorOf(Map<String, String> agent, Map<String, String> properties, Map<String, String> environment) {
        return catchThrowableOfType(ZenConfigException.class, () -> Config.parse(agent, properties, environment))
                .getMessage();
    }

    @Nested
    class Defaults {

        @Test
        void parse_noSources_everyKeyAtItsDefault() {
            Config config = Config.parse(NONE, NONE, HOST);

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
            assertThat(config.asProperties()).containsExactlyEntriesOf(expected);
            assertThat(config.warnings()).isEmpty();
            for (ConfigKey key : ConfigKey.values()) {
                assertThat(config.source(key)).as(key.property()).isEqualTo("default");
            }
        }

        @Test
        void parse_noSources_typedValues() {
            Config config = Config.parse(NONE, NONE, HOST);

            assertThat(config.integer(ConfigKey.DEMAND_AMOUNT)).isEqualTo(1000);
            assertThat(config.duration(ConfigKey.DEMAND_INTERVAL)).isEqualTo(Duration.ofMillis(100));
            assertThat(config.flag(ConfigKey.ENABLED)).isTrue();
            assertThat(config.list(ConfigKey.LISTENERS_PAIRS)).isEmpty();
            assertThat(config.text(ConfigKey.LOG)).isEqualTo("info");
            assertThat(config.value(ConfigKey.TRUNCATE_DEPTH)).isEqualTo(3);
        }

        @Test
        void defaults_realEnvironment_ignoresZenVariablesAndHasANode() {
            Config config = Config.defaults();

            assertThat(config.text(ConfigKey.NODE)).endsWith("-" + PID);
            assertThat(config.text(ConfigKey.CLUSTER)).isEqualTo("zen");
        }

        @Test
        void defaultNode_hostname_hostDashPid() {
            assertThat(Config.defaultNode(Map.of("HOSTNAME", "web-1", "COMPUTERNAME", "PC"), 42)).isEqualTo("web-1-42");
        }

        @Test
        void defaultNode_noHostnameButComputername_computernameDashPid() {
            assertThat(Config.defaultNode(Map.of("COMPUTERNAME", "DESKTOP-7"), 42)).isEqualTo("DESKTOP-7-42");
            assertThat(Config.defaultNode(Map.of("HOSTNAME", "  ", "COMPUTERNAME", "DESKTOP-7"), 42))
                    .isEqualTo("DESKTOP-7-42");
        }

        @Test
        void defaultNode_noHostVariables_localhostDashPid() {
            assertThat(Config.defaultNode(NONE, 42)).isEqualTo("localhost-42");
        }

        @Test
        void defaultNode_disallowedCharacters_replacedByDash() {
            assertThat(Config.defaultNode(Map.of("HOSTNAME", " my host/é+x@y:1_2.3 "), 42)).isEqualTo("my-host---x@y:1_2.3-42");
        }

        @Test
        void defaultNode_longHostname_cutTo255Characters() {
            String node = Config.defaultNode(Map.of("HOSTNAME", "h".repeat(300)), 42);

            assertThat(node).hasSize(255).isEqualTo("h".repeat(252) + "-42");
        }
    }

    @Nested
    class Sources {

        @Test
        void parse_agentArgument_usedWithItsSource() {
            Config config = Config.parse(Map.of("demand.amount", "7"), NONE, HOST);

            assertThat(config.integer(ConfigKey.DEMAND_AMOUNT)).isEqualTo(7);
            assertThat(config.source(ConfigKey.DEMAND_AMOUNT)).isEqualTo("agent argument demand.amount");
        }

        @Test
        void parse_systemProperty_usedWithItsSource() {
            Config config = Config.parse(NONE, Map.of("zen.demand.amount", "8", "java.version", "17"), HOST);

            assertThat(config.integer(ConfigKey.DEMAND_AMOUNT)).isEqualTo(8);
            assertThat(config.source(ConfigKey.DEMAND_AMOUNT)).isEqualTo("-Dzen.demand.amount");
        }

        @Test
        void parse_environment_usedWithItsSource() {
            Config config = env("ZEN_TRUNCATE_MAX_STRING", "2048");

            assertThat(config.integer(ConfigKey.TRUNCATE_MAX_STRING)).isEqualTo(2048);
            assertThat(config.source(ConfigKey.TRUNCATE_MAX_STRING)).isEqualTo("ZEN_TRUNCATE_MAX_STRING");
            assertThat(config.warnings()).isEmpty();
        }

        @Test
        void parse_otherPropertiesAndVariables_ignored() {
            Config config = Config.parse(NONE, Map.of("zenith.x", "1", "java.home", "/jdk"),
                    Map.of("PATH", "/bin", "ZENITH", "1", "HOSTNAME", "h"));

            assertThat(config).isEqualTo(Config.parse(NONE, NONE, Map.of("HOSTNAME", "h")));
        }

        @Test
        void parse_valueWithSpaces_trimmed() {
            Config config = Config.parse(Map.of("stack", "  tcp\t"), NONE, HOST);

            assertThat(config.text(ConfigKey.STACK)).isEqualTo("tcp");
        }
    }

    @Nested
    class Precedence {

        private final Map<String, String> agent = Map.of("demand.amount", "1");
        private final Map<String, String> properties = Map.of("zen.demand.amount", "2", "zen.connector.chunk", "20");
        private final Map<String, String> environment = Map.of("ZEN_DEMAND_AMOUNT", "3", "ZEN_CONNECTOR_CHUNK", "30",
                "ZEN_BATCHER_CHUNK", "300", "HOSTNAME", "h");

        @Test
        void parse_allSources_agentBeatsPropertyBeatsEnvironmentBeatsDefault() {
            Config config = Config.parse(agent, properties, environment);

            assertThat(config.integer(ConfigKey.DEMAND_AMOUNT)).isEqualTo(1);
            assertThat(config.integer(ConfigKey.CONNECTOR_CHUNK)).isEqualTo(20);
            assertThat(config.integer(ConfigKey.BATCHER_CHUNK)).isEqualTo(300);
            assertThat(config.integer(ConfigKey.CALLBACK_THREADS)).isEqualTo(4);
            assertThat(config.source(ConfigKey.DEMAND_AMOUNT)).isEqualTo("agent argument demand.amount");
            assertThat(config.source(ConfigKey.CONNECTOR_CHUNK)).isEqualTo("-Dzen.connector.chunk");
            assertThat(config.source(ConfigKey.BATCHER_CHUNK)).isEqualTo("ZEN_BATCHER_CHUNK");
            assertThat(config.source(ConfigKey.CALLBACK_THREADS)).isEqualTo("default");
        }

        @Test
        void parse_propertyAndEnvironment_propertyWins() {
            Config config = Config.parse(NONE, properties, environment);

            assertThat(config.integer(ConfigKey.DEMAND_AMOUNT)).isEqualTo(2);
        }

        @Test
        void parse_badValueShadowedByHigherSource_notChecked() {
            Config config = Config.parse(Map.of("demand.amount", "5"), NONE, Map.of("ZEN_DEMAND_AMOUNT", "-5"));

            assertThat(config.integer(ConfigKey.DEMAND_AMOUNT)).isEqualTo(5);
        }

        @Test
        void parse_emptyHigherValue_problemNotFallback() {
            assertThat(errorOf(NONE, Map.of("zen.demand.amount", " "), Map.of("ZEN_DEMAND_AMOUNT", "5")))
                    .isEqualTo("zen: zen.demand.amount was \" \" (from -Dzen.demand.amount); must be " + INT_1_1000000);
        }
    }

    @Nested
    class Values {

        static Stream<Arguments> goodValues() {
            return Stream.of(
                    arguments("ZEN_CLUSTER", "my-cluster_1.x", "my-cluster_1.x"),
                    arguments("ZEN_CLUSTER", "c".repeat(100), "c".repeat(100)),
                    arguments("ZEN_NODE", "user@host:1-a_b.c", "user@host:1-a_b.c"),
                    arguments("ZEN_NODE", "n".repeat(255), "n".repeat(255)),
                    arguments("ZEN_STACK", "tcp", "tcp"),
                    arguments("ZEN_STACK", "tcp-nio2", "tcp-nio2"),
                    arguments("ZEN_STACK", "/etc/zen/my stack.xml", "/etc/zen/my stack.xml"),
                    arguments("ZEN_STACK", "conf/udp", "conf/udp"),
                    arguments("ZEN_STACK", "C:\\zen\\TCP.XML", "C:\\zen\\TCP.XML"),
                    arguments("ZEN_DEMAND_AMOUNT", "1", 1),
                    arguments("ZEN_DEMAND_AMOUNT", "1000000", 1_000_000),
                    arguments("ZEN_DEMAND_AMOUNT", "+7", 7),
                    arguments("ZEN_DEMAND_AMOUNT", " 42 ", 42),
                    arguments("ZEN_DEMAND_INTERVAL", "100ms", Duration.ofMillis(100)),
                    arguments("ZEN_DEMAND_INTERVAL", "2s", Duration.ofSeconds(2)),
                    arguments("ZEN_DEMAND_INTERVAL", "1m", Duration.ofMinutes(1)),
                    arguments("ZEN_DEMAND_INTERVAL", "1h", Duration.ofHours(1)),
                    arguments("ZEN_DEMAND_INTERVAL", "60m", Duration.ofHours(1)),
                    arguments("ZEN_DEMAND_INTERVAL", "250", Duration.ofMillis(250)),
                    arguments("ZEN_DEMAND_INTERVAL", "3600000", Duration.ofHours(1)),
                    arguments("ZEN_DEMAND_INTERVAL", "1ms", Duration.ofMillis(1)),
                    arguments("ZEN_DEMAND_INTERVAL", "5S", Duration.ofSeconds(5)),
                    arguments("ZEN_DEMAND_INTERVAL", "PT2S", Duration.ofSeconds(2)),
                    arguments("ZEN_DEMAND_INTERVAL", "pt0.5s", Duration.ofMillis(500)),
                    arguments("ZEN_DEMAND_INTERVAL", "PT1H", Duration.ofHours(1)),
                    arguments("ZEN_CONNECTOR_SWEEP", "10ms", Duration.ofMillis(10)),
                    arguments("ZEN_CONNECTOR_CHUNK", "100000", 100_000),
                    arguments("ZEN_BATCHER_SWEEP", "PT0.001S", Duration.ofMillis(1)),
                    arguments("ZEN_BATCHER_CHUNK", "1", 1),
                    arguments("ZEN_TRUNCATE_DEPTH", "0", 0),
                    arguments("ZEN_TRUNCATE_DEPTH", "16", 16),
                    arguments("ZEN_TRUNCATE_MAX_STRING", "16", 16),
                    arguments("ZEN_TRUNCATE_MAX_STRING", "65536", 65_536),
                    arguments("ZEN_CALLBACK_THREADS", "1", 1),
                    arguments("ZEN_CALLBACK_THREADS", "256", 256),
                    arguments("ZEN_LISTENERS", "true", true),
                    arguments("ZEN_LISTENERS", "FALSE", false),
                    arguments("ZEN_DGC", "False", false),
                    arguments("ZEN_ENABLED", " TRUE ", true),
                    arguments("ZEN_LISTENERS_PAIRS", "a.B#add/remove", List.of("a.B#add/remove")),
                    arguments("ZEN_LISTENERS_PAIRS", "Board#on/off", List.of("Board#on/off")),
                    arguments("ZEN_LISTENERS_PAIRS",
                            "com.x.Board#addListener/removeListener, com.x.Feed$Inner#subscribe/unsubscribe",
                            List.of("com.x.Board#addListener/removeListener", "com.x.Feed$Inner#subscribe/unsubscribe")),
                    arguments("ZEN_LISTENERS_PAIRS", "a.B#add/remove;c.D#on/off",
                            List.of("a.B#add/remove", "c.D#on/off")),
                    arguments("ZEN_LOG", "off", "off"),
                    arguments("ZEN_LOG", "DEBUG", "debug"),
                    arguments("ZEN_LOG", "Trace", "trace"));
        }

        @ParameterizedTest(name = "{0}={1}")
        @MethodSource("goodValues")
        void parse_goodValue_parsed(String variable, String value, Object expected) {
            ConfigKey key = ConfigKey.forEnv(variable).orElseThrow();

            assertThat(env(variable, value).value(key)).isEqualTo(expected);
        }

        static Stream<Arguments> badValues() {
            return Stream.of(
                    arguments("ZEN_CLUSTER", "", "zen: zen.cluster was \"\" (from ZEN_CLUSTER); must be " + CLUSTER),
                    arguments("ZEN_CLUSTER", "a b", "zen: zen.cluster was \"a b\" (from ZEN_CLUSTER); must be " + CLUSTER),
                    arguments("ZEN_CLUSTER", "c".repeat(101),
                            "zen: zen.cluster was \"" + "c".repeat(101) + "\" (from ZEN_CLUSTER); must be " + CLUSTER),
                    arguments("ZEN_NODE", "web 1", "zen: zen.node was \"web 1\" (from ZEN_NODE); must be " + NODE),
                    arguments("ZEN_NODE", "n/1", "zen: zen.node was \"n/1\" (from ZEN_NODE); must be " + NODE),
                    arguments("ZEN_STACK", "Loopback", "zen: zen.stack was \"Loopback\" (from ZEN_STACK); must be " + STACK),
                    arguments("ZEN_STACK", "tcp stack", "zen: zen.stack was \"tcp stack\" (from ZEN_STACK); must be " + STACK),
                    arguments("ZEN_DEMAND_AMOUNT", "-5",
                            "zen: zen.demand.amount was \"-5\" (from ZEN_DEMAND_AMOUNT); must be an integer from 1 to 1000000"),
                    arguments("ZEN_DEMAND_AMOUNT", "0",
                            "zen: zen.demand.amount was \"0\" (from ZEN_DEMAND_AMOUNT); must be " + INT_1_1000000),
                    arguments("ZEN_DEMAND_AMOUNT", "1000001",
                            "zen: zen.demand.amount was \"1000001\" (from ZEN_DEMAND_AMOUNT); must be " + INT_1_1000000),
                    arguments("ZEN_DEMAND_AMOUNT", "ten",
                            "zen: zen.demand.amount was \"ten\" (from ZEN_DEMAND_AMOUNT); must be " + INT_1_1000000),
                    arguments("ZEN_DEMAND_AMOUNT", "1.5",
                            "zen: zen.demand.amount was \"1.5\" (from ZEN_DEMAND_AMOUNT); must be " + INT_1_1000000),
                    arguments("ZEN_DEMAND_AMOUNT", "99999999999999999999",
                            "zen: zen.demand.amount was \"99999999999999999999\" (from ZEN_DEMAND_AMOUNT); must be "
                                    + INT_1_1000000),
                    arguments("ZEN_DEMAND_INTERVAL", "0",
                            "zen: zen.demand.interval was \"0\" (from ZEN_DEMAND_INTERVAL); must be " + DURATION),
                    arguments("ZEN_DEMAND_INTERVAL", "0ms",
                            "zen: zen.demand.interval was \"0ms\" (from ZEN_DEMAND_INTERVAL); must be " + DURATION),
                    arguments("ZEN_DEMAND_INTERVAL", "2h",
                            "zen: zen.demand.interval was \"2h\" (from ZEN_DEMAND_INTERVAL); must be " + DURATION),
                    arguments("ZEN_DEMAND_INTERVAL", "61m",
                            "zen: zen.demand.interval was \"61m\" (from ZEN_DEMAND_INTERVAL); must be " + DURATION),
                    arguments("ZEN_DEMAND_INTERVAL", "500us",
                            "zen: zen.demand.interval was \"500us\" (from ZEN_DEMAND_INTERVAL); must be " + DURATION),
                    arguments("ZEN_DEMAND_INTERVAL", "-1s",
                            "zen: zen.demand.interval was \"-1s\" (from ZEN_DEMAND_INTERVAL); must be " + DURATION),
                    arguments("ZEN_DEMAND_INTERVAL", "1 s",
                            "zen: zen.demand.interval was \"1 s\" (from ZEN_DEMAND_INTERVAL); must be " + DURATION),
                    arguments("ZEN_DEMAND_INTERVAL", "1.5s",
                            "zen: zen.demand.interval was \"1.5s\" (from ZEN_DEMAND_INTERVAL); must be " + DURATION),
                    arguments("ZEN_DEMAND_INTERVAL", "PT0S",
                            "zen: zen.demand.interval was \"PT0S\" (from ZEN_DEMAND_INTERVAL); must be " + DURATION),
                    arguments("ZEN_DEMAND_INTERVAL", "PT0.0005S",
                            "zen: zen.demand.interval was \"PT0.0005S\" (from ZEN_DEMAND_INTERVAL); must be " + DURATION),
                    arguments("ZEN_DEMAND_INTERVAL", "P1D",
                            "zen: zen.demand.interval was \"P1D\" (from ZEN_DEMAND_INTERVAL); must be " + DURATION),
                    arguments("ZEN_DEMAND_INTERVAL", "PTxS",
                            "zen: zen.demand.interval was \"PTxS\" (from ZEN_DEMAND_INTERVAL); must be " + DURATION),
                    arguments("ZEN_DEMAND_INTERVAL", "999999999999999999h",
                            "zen: zen.demand.interval was \"999999999999999999h\" (from ZEN_DEMAND_INTERVAL); must be "
                                    + DURATION),
                    arguments("ZEN_CONNECTOR_SWEEP", "3601s",
                            "zen: zen.connector.sweep was \"3601s\" (from ZEN_CONNECTOR_SWEEP); must be " + DURATION),
                    arguments("ZEN_CONNECTOR_CHUNK", "0",
                            "zen: zen.connector.chunk was \"0\" (from ZEN_CONNECTOR_CHUNK); must be " + INT_1_100000),
                    arguments("ZEN_BATCHER_SWEEP", "fast",
                            "zen: zen.batcher.sweep was \"fast\" (from ZEN_BATCHER_SWEEP); must be " + DURATION),
                    arguments("ZEN_BATCHER_CHUNK", "100001",
                            "zen: zen.batcher.chunk was \"100001\" (from ZEN_BATCHER_CHUNK); must be " + INT_1_100000),
                    arguments("ZEN_TRUNCATE_DEPTH", "-1",
                            "zen: zen.truncate.depth was \"-1\" (from ZEN_TRUNCATE_DEPTH); must be an integer from 0 to 16"),
                    arguments("ZEN_TRUNCATE_DEPTH", "17",
                            "zen: zen.truncate.depth was \"17\" (from ZEN_TRUNCATE_DEPTH); must be an integer from 0 to 16"),
                    arguments("ZEN_TRUNCATE_MAX_STRING", "15",
                            "zen: zen.truncate.max-string was \"15\" (from ZEN_TRUNCATE_MAX_STRING);"
                                    + " must be an integer from 16 to 65536"),
                    arguments("ZEN_TRUNCATE_MAX_STRING", "65537",
                            "zen: zen.truncate.max-string was \"65537\" (from ZEN_TRUNCATE_MAX_STRING);"
                                    + " must be an integer from 16 to 65536"),
                    arguments("ZEN_CALLBACK_THREADS", "0",
                            "zen: zen.callback.threads was \"0\" (from ZEN_CALLBACK_THREADS); must be an integer from 1 to 256"),
                    arguments("ZEN_CALLBACK_THREADS", "257",
                            "zen: zen.callback.threads was \"257\" (from ZEN_CALLBACK_THREADS);"
                                    + " must be an integer from 1 to 256"),
                    arguments("ZEN_LISTENERS", "yes",
                            "zen: zen.listeners was \"yes\" (from ZEN_LISTENERS); must be " + BOOLEAN),
                    arguments("ZEN_LISTENERS", "1",
                            "zen: zen.listeners was \"1\" (from ZEN_LISTENERS); must be " + BOOLEAN),
                    arguments("ZEN_DGC", "off", "zen: zen.dgc was \"off\" (from ZEN_DGC); must be " + BOOLEAN),
                    arguments("ZEN_ENABLED", "", "zen: zen.enabled was \"\" (from ZEN_ENABLED); must be " + BOOLEAN),
                    arguments("ZEN_ENABLED", "t", "zen: zen.enabled was \"t\" (from ZEN_ENABLED); must be " + BOOLEAN),
                    arguments("ZEN_LISTENERS_PAIRS", "Board",
                            "zen: zen.listeners.pairs was \"Board\" (from ZEN_LISTENERS_PAIRS); must be " + PAIRS),
                    arguments("ZEN_LISTENERS_PAIRS", "a.B#add",
                            "zen: zen.listeners.pairs was \"a.B#add\" (from ZEN_LISTENERS_PAIRS); must be " + PAIRS),
                    arguments("ZEN_LISTENERS_PAIRS", "a.B#add/",
                            "zen: zen.listeners.pairs was \"a.B#add/\" (from ZEN_LISTENERS_PAIRS); must be " + PAIRS),
                    arguments("ZEN_LISTENERS_PAIRS", "1a.B#add/remove",
                            "zen: zen.listeners.pairs was \"1a.B#add/remove\" (from ZEN_LISTENERS_PAIRS); must be " + PAIRS),
                    arguments("ZEN_LISTENERS_PAIRS", "a.B#add/remove;",
                            "zen: zen.listeners.pairs was \"a.B#add/remove;\" (from ZEN_LISTENERS_PAIRS); must be " + PAIRS),
                    arguments("ZEN_LISTENERS_PAIRS", "a.B#add/remove;;c.D#on/off",
                            "zen: zen.listeners.pairs was \"a.B#add/remove;;c.D#on/off\" (from ZEN_LISTENERS_PAIRS);"
                                    + " must be " + PAIRS),
                    arguments("ZEN_LISTENERS_PAIRS", "",
                            "zen: zen.listeners.pairs was \"\" (from ZEN_LISTENERS_PAIRS); must be " + PAIRS),
                    arguments("ZEN_LOG", "verbose", "zen: zen.log was \"verbose\" (from ZEN_LOG); must be " + LOG),
                    arguments("ZEN_LOG", "warning", "zen: zen.log was \"warning\" (from ZEN_LOG); must be " + LOG));
        }

        @ParameterizedTest(name = "{0}={1}")
        @MethodSource("badValues")
        void parse_badValue_fullErrorText(String variable, String value, String expected) {
            Map<String, String> environment = Map.of(variable, value, "HOSTNAME", "h");

            ZenConfigException e = catchThrowableOfType(ZenConfigException.class,
                    () -> Config.parse(NONE, NONE, environment));

            assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessage(expected);
            assertThat(e.problems()).containsExactly(expected);
        }

        @Test
        void parse_badValueFromAgentArgument_sourceNamesTheArgument() {
            assertThat(errorOf(Map.of("demand.amount", "-5"), NONE, HOST)).isEqualTo(
                    "zen: zen.demand.amount was \"-5\" (from agent argument demand.amount); must be " + INT_1_1000000);
        }

        @Test
        void parse_badValueFromProperty_sourceNamesTheProperty() {
            assertThat(errorOf(NONE, Map.of("zen.demand.amount", "-5"), HOST)).isEqualTo(
                    "zen: zen.demand.amount was \"-5\" (from -Dzen.demand.amount); must be " + INT_1_1000000);
        }

        @Test
        void parse_valueWithQuotesAndControlCharacters_echoedEscaped() {
            assertThat(errorOf(Map.of("log", "a\"b\\c\nd\u0001"), NONE, HOST)).isEqualTo(
                    "zen: zen.log was \"a\\\"b\\\\c\\nd\\u0001\" (from agent argument log); must be " + LOG);
        }

        @Test
        void parse_veryLongValue_echoCut() {
            assertThat(errorOf(Map.of("log", "x".repeat(300)), NONE, HOST)).isEqualTo(
                    "zen: zen.log was \"" + "x".repeat(200) + "...\" (300 characters) (from agent argument log); must be "
                            + LOG);
        }
    }

    @Nested
    class Problems {

        @Test
        void parse_severalProblems_allReportedTogetherInStableOrder() {
            Map<String, String> agent = Map.of("dgc", "maybe", "demand.amout", "5");
            Map<String, String> properties = Map.of("zen.demand.interval", "0", "zen.stak", "tcp");
            Map<String, String> environment = Map.of("ZEN_DEMAND_AMOUNT", "-5", "ZEN_BATCHER_CHUNCK", "5",
                    "HOSTNAME", "h");

            ZenConfigException e = catchThrowableOfType(ZenConfigException.class,
                    () -> Config.parse(agent, properties, environment));

            assertThat(e.problems()).containsExactly(
                    "zen: unknown key demand.amout (from agent argument demand.amout); did you mean demand.amount?",
                    "zen: unknown key zen.stak (from -Dzen.stak); did you mean zen.stack?",
                    "zen: unknown key ZEN_BATCHER_CHUNCK (from environment); did you mean ZEN_BATCHER_CHUNK?",
                    "zen: zen.demand.amount was \"-5\" (from ZEN_DEMAND_AMOUNT); must be " + INT_1_1000000,
                    "zen: zen.demand.interval was \"0\" (from -Dzen.demand.interval); must be " + DURATION,
                    "zen: zen.dgc was \"maybe\" (from agent argument dgc); must be " + BOOLEAN);
            assertThat(e).hasMessage(String.join("\n", e.problems()));
        }

        @Test
        void parse_unknownProperty_suggestsNearestProperty() {
            assertThat(errorOf(NONE, Map.of("zen.demand.amout", "5"), HOST))
                    .isEqualTo("zen: unknown key zen.demand.amout (from -Dzen.demand.amout); did you mean zen.demand.amount?");
        }

        @Test
        void parse_unknownAgentArgument_suggestsNearestArgument() {
            assertThat(errorOf(Map.of("conector.sweep", "5"), NONE, HOST)).isEqualTo(
                    "zen: unknown key conector.sweep (from agent argument conector.sweep); did you mean connector.sweep?");
        }

        @Test
        void parse_agentArgumentWithZenPrefix_unknownAndSuggestsBareKey() {
            assertThat(errorOf(Map.of("zen.demand.amount", "5"), NONE, HOST)).isEqualTo(
                    "zen: unknown key zen.demand.amount (from agent argument zen.demand.amount); did you mean demand.amount?");
        }

        @Test
        void parse_unknownEnvironmentVariable_suggestsNearestVariable() {
            assertThat(errorOf(NONE, NONE, Map.of("ZEN_TRUNCATE_MAXSTRING", "64")))
                    .isEqualTo("zen: unknown key ZEN_TRUNCATE_MAXSTRING (from environment); did you mean ZEN_TRUNCATE_MAX_STRING?");
        }

        @Test
        void parse_listenersPairsWhileListenersFalse_conflict() {
            assertThat(errorOf(Map.of("listeners", "false"), NONE, Map.of("ZEN_LISTENERS_PAIRS", "a.B#add/remove")))
                    .isEqualTo("zen: zen.listeners.pairs is set but zen.listeners is false");
        }

        @Test
        void parse_conflictAndBadValue_bothReported() {
            assertThat(errorOf(Map.of("listeners", "false", "listeners.pairs", "a.B#add/remove", "callback.threads", "0"),
                    NONE, HOST)).isEqualTo(
                    "zen: zen.callback.threads was \"0\" (from agent argument callback.threads); must be an integer from 1 to 256\n"
                            + "zen: zen.listeners.pairs is set but zen.listeners is false");
        }

        @Test
        void parse_listenersFalseWithoutPairs_fine() {
            assertThat(Config.parse(Map.of("listeners", "false"), NONE, HOST).flag(ConfigKey.LISTENERS)).isFalse();
        }

        @Test
        void zenConfigException_noProblems_rejected() {
            assertThatThrownBy(() -> new ZenConfigException(List.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a ZenConfigException needs at least one problem");
        }
    }

    @Nested
    class RenamedKeys {

        @Test
        void parse_oldNameAsProperty_valueAndOneWarningNamingBothKeys() {
            Config config = Config.parse(NONE, Map.of("zen.truncate.max_string", "2048"), HOST);

            assertThat(config.integer(ConfigKey.TRUNCATE_MAX_STRING)).isEqualTo(2048);
            assertThat(config.source(ConfigKey.TRUNCATE_MAX_STRING)).isEqualTo("-Dzen.truncate.max_string");
            assertThat(config.warnings()).containsExactly(
                    "zen: zen.truncate.max_string (from -Dzen.truncate.max_string) is renamed zen.truncate.max-string;"
                            + " use the new name");
        }

        @Test
        void parse_oldNameInTwoSources_stillOneWarning() {
            Config config = Config.parse(Map.of("truncate.max_string", "4096"),
                    Map.of("zen.truncate.max_string", "2048"), HOST);

            assertThat(config.integer(ConfigKey.TRUNCATE_MAX_STRING)).isEqualTo(4096);
            assertThat(config.warnings()).containsExactly(
                    "zen: zen.truncate.max_string (from agent argument truncate.max_string) is renamed"
                            + " zen.truncate.max-string; use the new name");
        }

        @Test
        void parse_oldNameShadowedByNewName_newWinsAndStillWarns() {
            Config config = Config.parse(Map.of("truncate.max-string", "100"),
                    Map.of("zen.truncate.max_string", "2048"), HOST);

            assertThat(config.integer(ConfigKey.TRUNCATE_MAX_STRING)).isEqualTo(100);
            assertThat(config.warnings()).hasSize(1);
        }

        @Test
        void parse_oldAndNewNameInOneSource_problem() {
            assertThat(errorOf(NONE, Map.of("zen.truncate.max_string", "2048", "zen.truncate.max-string", "100"), HOST))
                    .isEqualTo("zen: zen.truncate.max-string is given twice (from -Dzen.truncate.max-string and"
                            + " -Dzen.truncate.max_string); remove the old name");
        }

        @Test
        void parse_badValueUnderOldName_errorNamesNewKeyAndOldSource() {
            assertThat(errorOf(Map.of("truncate.max_string", "8"), NONE, HOST)).isEqualTo(
                    "zen: zen.truncate.max-string was \"8\" (from agent argument truncate.max_string);"
                            + " must be an integer from 16 to 65536");
        }
    }

    @Nested
    class AgentArguments {

        @Test
        void parseAgentArgs_nullOrBlank_empty() {
            assertThat(Config.parseAgentArgs(null)).isEmpty();
            assertThat(Config.parseAgentArgs("  ")).isEmpty();
        }

        @Test
        void parseAgentArgs_pairs_inOrderKeysTrimmedValuesAsGiven() {
            assertThat(Config.parseAgentArgs("stack=tcp, demand.amount = 5,stack.path=/a=b.xml"))
                    .containsExactly(Map.entry("stack", "tcp"), Map.entry("demand.amount", " 5"),
                            Map.entry("stack.path", "/a=b.xml"));
        }

        @Test
        void parseAgentArgs_listenersPairsWithSemicolons_oneValueOfTwoEntries() {
            Map<String, String> arguments =
                    Config.parseAgentArgs("listeners.pairs=a.B#add/remove;c.D#on/off,dgc=false");

            assertThat(arguments).containsExactly(Map.entry("listeners.pairs", "a.B#add/remove;c.D#on/off"),
                    Map.entry("dgc", "false"));
            assertThat(Config.parse(arguments, NONE, HOST).list(ConfigKey.LISTENERS_PAIRS))
                    .containsExactly("a.B#add/remove", "c.D#on/off");
        }

        @Test
        void parseAgentArgs_listenersPairsWithCommas_continuationEntriesKept() {
            Map<String, String> arguments =
                    Config.parseAgentArgs("listeners.pairs=a.B#add/remove,c.D#on/off,dgc=false");

            assertThat(arguments).containsExactly(Map.entry("listeners.pairs", "a.B#add/remove,c.D#on/off"),
                    Map.entry("dgc", "false"));
            assertThat(Config.parse(arguments, NONE, HOST).list(ConfigKey.LISTENERS_PAIRS))
                    .containsExactly("a.B#add/remove", "c.D#on/off");
        }

        @Test
        void parseAgentArgs_malformedPieces_eachReported() {
            ZenConfigException e = catchThrowableOfType(ZenConfigException.class,
                    () -> Config.parseAgentArgs("demand.amount=5,oops,=3,"));

            assertThat(e.problems()).containsExactly(
                    "zen: agent argument #2 was \"oops\"; must be key=value (arguments are separated by ',')",
                    "zen: agent argument #3 was \"=3\"; must be key=value (arguments are separated by ',')",
                    "zen: agent argument #4 was \"\"; must be key=value (arguments are separated by ',')");
        }

        @Test
        void parseAgentArgs_pieceWithoutEqualsAfterOtherKey_malformed() {
            assertThatThrownBy(() -> Config.parseAgentArgs("dgc=false,a.B#add/remove"))
                    .isInstanceOf(ZenConfigException.class)
                    .hasMessage("zen: agent argument #2 was \"a.B#add/remove\"; must be key=value"
                            + " (arguments are separated by ',')");
        }

        @Test
        void parseAgentArgs_keyTwice_problem() {
            assertThatThrownBy(() -> Config.parseAgentArgs("dgc=true,dgc=false"))
                    .isInstanceOf(ZenConfigException.class)
                    .hasMessage("zen: agent argument dgc was given twice (\"true\" and \"false\"); give it once");
        }

        @Test
        void parse_agentArgStringWithProblems_reportedWithTheOthers() {
            ZenConfigException e = catchThrowableOfType(ZenConfigException.class,
                    () -> Config.parse("oops,demand.amount=0", NONE, Map.of("ZEN_LOG", "loud")));

            assertThat(e.problems()).containsExactly(
                    "zen: agent argument #1 was \"oops\"; must be key=value (arguments are separated by ',')",
                    "zen: zen.demand.amount was \"0\" (from agent argument demand.amount); must be " + INT_1_1000000,
                    "zen: zen.log was \"loud\" (from ZEN_LOG); must be " + LOG);
        }

        @Test
        void parse_agentArgString_appliedAboveProperties() {
            Config config = Config.parse("demand.amount=5", Map.of("zen.demand.amount", "6"), HOST);

            assertThat(config.integer(ConfigKey.DEMAND_AMOUNT)).isEqualTo(5);
        }
    }

    @Nested
    class Withers {

        private final Config base = Config.parse(NONE, NONE, HOST);

        @Test
        void with_goodValue_newConfigOriginalUnchanged() {
            Config changed = base.with(ConfigKey.DEMAND_AMOUNT, 10, "test");

            assertThat(changed.integer(ConfigKey.DEMAND_AMOUNT)).isEqualTo(10);
            assertThat(changed.source(ConfigKey.DEMAND_AMOUNT)).isEqualTo("test");
            assertThat(base.integer(ConfigKey.DEMAND_AMOUNT)).isEqualTo(1000);
            assertThat(changed).isNotEqualTo(base);
        }

        @Test
        void with_textForStringKey_readAsText() {
            assertThat(base.with(ConfigKey.LOG, " WARN ", "test").text(ConfigKey.LOG)).isEqualTo("warn");
        }

        @Test
        void with_wrongType_problemWithValueAsText() {
            assertThatThrownBy(() -> base.with(ConfigKey.DEMAND_INTERVAL, 5, "test"))
                    .isInstanceOf(ZenConfigException.class)
                    .hasMessage("zen: zen.demand.interval was \"5\" (from test); must be " + DURATION);
        }

        @Test
        void with_conflict_illegalState() {
            Config withPairs = base.with(ConfigKey.LISTENERS_PAIRS, List.of("a.B#add/remove"), "test");

            assertThatThrownBy(() -> withPairs.with(ConfigKey.LISTENERS, false, "test"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("zen: zen.listeners.pairs is set but zen.listeners is false");
        }

        @Test
        void typedGetter_wrongType_rejected() {
            assertThatThrownBy(() -> base.integer(ConfigKey.DEMAND_INTERVAL))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("zen.demand.interval holds Duration values, not Integer");
        }

        @Test
        void equals_sameValuesDifferentSources_equal() {
            Config fromEnv = env("ZEN_DEMAND_AMOUNT", "1000");

            assertThat(fromEnv).isEqualTo(base).hasSameHashCodeAs(base);
            assertThat(fromEnv.toString()).startsWith("Config{zen.cluster=zen, zen.node=web-1-" + PID + ", ");
        }
    }

    @Nested
    class Keys {

        @Test
        void keys_names_propertyAndEnvironmentSpelling() {
            assertThat(ConfigKey.TRUNCATE_MAX_STRING.key()).isEqualTo("truncate.max-string");
            assertThat(ConfigKey.TRUNCATE_MAX_STRING.property()).isEqualTo("zen.truncate.max-string");
            assertThat(ConfigKey.TRUNCATE_MAX_STRING.env()).isEqualTo("ZEN_TRUNCATE_MAX_STRING");
            assertThat(ConfigKey.TRUNCATE_MAX_STRING.oldNames()).containsExactly("truncate.max_string");
            assertThat(ConfigKey.LISTENERS_PAIRS.env()).isEqualTo("ZEN_LISTENERS_PAIRS");
        }

        @Test
        void keys_live_onlyPacingAndBatching() {
            assertThat(Stream.of(ConfigKey.values()).filter(ConfigKey::live)).containsExactly(
                    ConfigKey.DEMAND_AMOUNT, ConfigKey.DEMAND_INTERVAL, ConfigKey.CONNECTOR_SWEEP,
                    ConfigKey.CONNECTOR_CHUNK, ConfigKey.BATCHER_SWEEP, ConfigKey.BATCHER_CHUNK);
            assertThat(Stream.of(ConfigKey.values()).filter(ConfigKey::experimental)).isEmpty();
        }

        @Test
        void keys_everyEnvironmentNameDistinct() {
            assertThat(Stream.of(ConfigKey.values()).map(ConfigKey::env)).doesNotHaveDuplicates();
        }

        @Test
        void keyParse_badText_mustBeMessage() {
            assertThat(ConfigKey.DEMAND_INTERVAL.parse(" 2s ")).isEqualTo(Duration.ofSeconds(2));
            assertThatThrownBy(() -> ConfigKey.DEMAND_AMOUNT.parse("x"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("must be " + INT_1_1000000);
        }

        @Test
        void keyFormat_durations_largestWholeUnit() {
            assertThat(ConfigKey.DEMAND_INTERVAL.format(Duration.ofMillis(100))).isEqualTo("100ms");
            assertThat(ConfigKey.DEMAND_INTERVAL.format(Duration.ofMillis(2000))).isEqualTo("2s");
            assertThat(ConfigKey.DEMAND_INTERVAL.format(Duration.ofSeconds(120))).isEqualTo("2m");
            assertThat(ConfigKey.DEMAND_INTERVAL.format(Duration.ofMinutes(60))).isEqualTo("1h");
            assertThat(ConfigKey.DEMAND_INTERVAL.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
            assertThat(ConfigKey.DEMAND_INTERVAL.format(Duration.ofNanos(1500))).isEqualTo("PT0.0000015S");
            assertThat(ConfigKey.DEMAND_INTERVAL.format(Duration.ofMillis(-5))).isEqualTo("-5ms");
        }

        @Test
        void editDistance_typical() {
            assertThat(ConfigKey.editDistance("demand.amout", "demand.amount")).isEqualTo(1);
            assertThat(ConfigKey.editDistance("", "abc")).isEqualTo(3);
            assertThat(ConfigKey.editDistance("kitten", "sitting")).isEqualTo(3);
        }
    }

    /** Issue 9: server-only mode's probe keys and the allow/deny lists. */
    @Nested
    class ProbeAndNodeKeys {

        private static final String PATTERNS = "glob patterns on node names or hosts (A-Z a-z 0-9 . _ @ : % [ ] - with * and ?),"
                + " separated by ',' or ';', or empty for none";

        @Test
        void defaults_refusedTwiceOneSecondApart_noAnswerSixtySeconds() {
            Config config = Config.parse(NONE, NONE, HOST);

            assertThat(config.duration(ConfigKey.PROBE_INTERVAL)).isEqualTo(Duration.ofSeconds(1));
            assertThat(config.integer(ConfigKey.PROBE_REFUSED_AFTER)).isEqualTo(2);
            assertThat(config.duration(ConfigKey.PROBE_UNREACHABLE_AFTER)).isEqualTo(Duration.ofSeconds(60));
            assertThat(config.list(ConfigKey.NODES_ALLOW)).isEmpty();
            assertThat(config.list(ConfigKey.NODES_DENY)).isEmpty();
        }

        @Test
        void everySource_agentArgumentPropertyEnvironment() {
            assertThat(Config.parse("probe.interval=250ms", NONE, HOST).duration(ConfigKey.PROBE_INTERVAL))
                    .isEqualTo(Duration.ofMillis(250));
            assertThat(Config.parse(NONE, Map.of("zen.probe.refused-after", "3"), HOST).integer(ConfigKey.PROBE_REFUSED_AFTER))
                    .isEqualTo(3);
            assertThat(env("ZEN_PROBE_UNREACHABLE_AFTER", "2m").duration(ConfigKey.PROBE_UNREACHABLE_AFTER))
                    .isEqualTo(Duration.ofMinutes(2));
            assertThat(env("ZEN_NODES_DENY", "10.0.*;legacy-?").list(ConfigKey.NODES_DENY)).containsExactly("10.0.*", "legacy-?");
            assertThat(Config.parse(NONE, Map.of("zen.nodes.allow", "web-*, 127.0.0.1"), HOST).list(ConfigKey.NODES_ALLOW))
                    .containsExactly("web-*", "127.0.0.1");
        }

        @Test
        void agentArguments_patternListAcrossCommas() {
            Config config = Config.parse("nodes.deny=10.0.*,legacy-?,node=web-1,nodes.allow=a*;b*", NONE, HOST);

            assertThat(config.list(ConfigKey.NODES_DENY)).containsExactly("10.0.*", "legacy-?");
            assertThat(config.list(ConfigKey.NODES_ALLOW)).containsExactly("a*", "b*");
            assertThat(config.text(ConfigKey.NODE)).isEqualTo("web-1");
        }

        @Test
        void emptyPatternList_overridesLowerSource() {
            Config config = Config.parse(NONE, Map.of("zen.nodes.deny", ""), Map.of("ZEN_NODES_DENY", "x*", "HOSTNAME", "h"));

            assertThat(config.list(ConfigKey.NODES_DENY)).isEmpty();
        }

        @Test
        void underscoreSpellings_acceptedWithWarning() {
            Config config = Config.parse("probe.refused_after=4,probe.unreachable_after=5s", NONE, HOST);

            assertThat(config.integer(ConfigKey.PROBE_REFUSED_AFTER)).isEqualTo(4);
            assertThat(config.duration(ConfigKey.PROBE_UNREACHABLE_AFTER)).isEqualTo(Duration.ofSeconds(5));
            assertThat(config.warnings()).containsExactly(
                    "zen: zen.probe.refused_after (from agent argument probe.refused_after) is renamed zen.probe.refused-after; use the new name",
                    "zen: zen.probe.unreachable_after (from agent argument probe.unreachable_after) is renamed zen.probe.unreachable-after; use the new name");
        }

        @Test
        void badValues_everyProblemNamed() {
            Map<String, String> environment = new LinkedHashMap<>(HOST);
            environment.put("ZEN_PROBE_INTERVAL", "soon");
            environment.put("ZEN_PROBE_REFUSED_AFTER", "0");
            environment.put("ZEN_NODES_ALLOW", "web 1");

            assertThat(errorOf(NONE, NONE, environment)).isEqualTo(String.join("\n",
                    "zen: zen.probe.interval was \"soon\" (from ZEN_PROBE_INTERVAL); must be " + DURATION,
                    "zen: zen.probe.refused-after was \"0\" (from ZEN_PROBE_REFUSED_AFTER); must be an integer from 1 to 100",
                    "zen: zen.nodes.allow was \"web 1\" (from ZEN_NODES_ALLOW); must be " + PATTERNS));
        }

        @Test
        void unreachableShorterThanInterval_conflict() {
            assertThat(errorOf(Map.of("probe.interval", "5s", "probe.unreachable-after", "2s"), NONE, HOST)).isEqualTo(
                    "zen: zen.probe.unreachable-after (2s) is shorter than zen.probe.interval (5s); it must be at least one interval");
        }

        @Test
        void unknownProbeKey_nearestSuggested() {
            assertThat(errorOf(NONE, Map.of("zen.probe.intervall", "1s"), HOST))
                    .isEqualTo("zen: unknown key zen.probe.intervall (from -Dzen.probe.intervall); did you mean zen.probe.interval?");
        }
    }
}
