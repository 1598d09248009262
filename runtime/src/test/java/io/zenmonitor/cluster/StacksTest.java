package io.zenmonitor.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zenmonitor.ZenConfig;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jgroups.conf.ProtocolStackConfigurator;
import org.junit.jupiter.api.Test;

class StacksTest {

    @Test
    void open_shippedName_findsResource() throws Exception {
        try (InputStream in = Stacks.open("loopback")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("<TCP");
        }
    }

    @Test
    void open_unknownName_saysWhatIsAllowed() {
        assertThatThrownBy(() -> Stacks.open("nosuch"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("zen: zen.stack was \"nosuch\"; must be one of loopback, tcp, udp, kube, secure, memory or a path to a JGroups XML file");
    }

    @Test
    void open_missingFile_saysSo() {
        assertThatThrownBy(() -> Stacks.open("/nonexistent/dir/stack.xml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("zen: zen.stack was \"/nonexistent/dir/stack.xml\"; the file cannot be read:");
    }

    @Test
    void configurator_zenStackPlaceholdersFilledFromValues_othersLeftToJGroups() {
        String xml = "<config><TCP bind_addr=\"${jgroups.x,zen.stack.bind-addr:127.0.0.1}\" bind_port=\"${zen.stack.port:0}\""
                + " port_range=\"${jgroups.y,zen.stack.port-range:1}\"/>"
                + "<FILE_PING location=\"${zen.stack.dir,java.io.tmpdir}/d\"/></config>";
        ProtocolStackConfigurator c = Stacks.configurator("s", xml,
                Map.of("STACK_BIND_ADDR", "127.0.0.2", "STACK_DIR", "/tmp/zen", "STACK_PORT_RANGE", "5"),
                n -> n.equals("jgroups.y") ? "3" : null, n -> null);
        Map<String, String> tcp = c.getProtocolStack().get(0).getProperties();
        // unset zen.stack.port: left to JGroups, which resolves placeholders when the channel is built
        assertThat(tcp).containsEntry("bind_addr", "127.0.0.2").containsEntry("bind_port", "${zen.stack.port:0}");
        // jgroups.y comes first in the list and is set: left to JGroups, although zen.stack.port-range is set too
        assertThat(tcp).containsEntry("port_range", "${jgroups.y,zen.stack.port-range:1}");
        assertThat(c.getProtocolStack().get(1).getProperties()).containsEntry("location", "/tmp/zen/d");
    }

    @Test
    void configurator_valuesReachJGroupsVerbatim_evenWhatItsXmlReaderMangles() {
        String password = "a\\b<c>\"d&e'f ${g}";
        ProtocolStackConfigurator c = Stacks.configurator("s", "<config><TCP tls.keystore_password=\"${zen.stack.keystore-password}\"/></config>",
                Map.of("STACK_KEYSTORE_PASSWORD", password), n -> null, n -> null);
        assertThat(c.getProtocolStack().get(0).getProperties()).containsEntry("tls.keystore_password", password);
    }

    @Test
    void open_everyShippedStack_isFound() throws Exception {
        for (String name : Stacks.SHIPPED) {
            try (InputStream in = Stacks.open(name)) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).as(name).contains("<config");
            }
        }
    }

    @Test
    void open_requiredSiteValuesMissing_namesEveryMissingKey() {
        assertThatThrownBy(() -> Stacks.configurator("tcp", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("zen: stack \"tcp\" needs zen.stack.bind-addr (-Dzen.stack.bind-addr, ZEN_STACK_BIND_ADDR or agent argument stack.bind-addr), which is not set\n"
                        + "zen: stack \"tcp\" needs zen.stack.initial-hosts (-Dzen.stack.initial-hosts, ZEN_STACK_INITIAL_HOSTS or agent argument stack.initial-hosts), which is not set");
        assertThatThrownBy(() -> Stacks.configurator("kube", Map.of()))
                .hasMessage("zen: stack \"kube\" needs zen.stack.dns-query (-Dzen.stack.dns-query, ZEN_STACK_DNS_QUERY or agent argument stack.dns-query), which is not set");
    }

    @Test
    void open_secureWithoutKeystore_namesTheKeystoreKeys() {
        assertThatThrownBy(() -> Stacks.configurator("secure", Map.of("STACK_BIND_ADDR", "127.0.0.1", "STACK_INITIAL_HOSTS", "127.0.0.1[7800]")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("zen: stack \"secure\" needs zen.stack.keystore (-Dzen.stack.keystore, ZEN_STACK_KEYSTORE or agent argument stack.keystore), which is not set\n"
                        + "zen: stack \"secure\" needs zen.stack.keystore-password (-Dzen.stack.keystore-password, ZEN_STACK_KEYSTORE_PASSWORD or agent argument stack.keystore-password), which is not set");
    }

    @Test
    void open_secureWithUnreadableKeystore_namesTheKeyAndValue() {
        assertThatThrownBy(() -> Stacks.configurator("secure", Map.of("STACK_BIND_ADDR", "127.0.0.1", "STACK_INITIAL_HOSTS", "127.0.0.1[7800]",
                "STACK_KEYSTORE", "/nonexistent/zen.p12", "STACK_KEYSTORE_PASSWORD", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("zen: zen.stack.keystore was \"/nonexistent/zen.p12\" (stack \"secure\"); must be a readable keystore file");
    }

    @Test
    void check_valuesFromSystemPropertiesOrEnvironment_countAsSet() {
        String xml = "<!-- ${zen.stack.in-comment} --><TCP a=\"${zen.stack.a}\" b=\"${zen.stack.b}\" c=\"${jgroups.x,zen.stack.c}\" d=\"${zen.stack.d:1}\"/>";
        assertThat(Stacks.check("s", xml, Map.of("STACK_A", "1"), n -> n.equals("zen.stack.b") ? "2" : null,
                n -> n.equals("jgroups.x") ? "3" : null)).isEmpty();
        assertThat(Stacks.check("s", xml, Map.of(), n -> null, n -> null)).hasSize(3);
    }

    @Test
    void agentArguments_hostListKeepsItsCommas() {
        ZenConfig c = ZenConfig.of(io.zenmonitor.config.Config.fromAgentArguments(
                "cluster=shop,stack=tcp,stack.bind-addr=10.0.0.1,stack.initial-hosts=10.0.0.1[7800],10.0.0.2[7800],10.0.0.3[7800],node=a"));
        assertThat(c.stackValues()).containsEntry("STACK_INITIAL_HOSTS", "10.0.0.1[7800],10.0.0.2[7800],10.0.0.3[7800]");
        assertThat(c.node()).isEqualTo("a");
        assertThatThrownBy(() -> io.zenmonitor.config.Config.parseAgentArgs("stack.initial-hosts=10.0.0.1[7800],10.0.0.2"))
                .hasMessageContaining("agent argument #2 was \"10.0.0.2\"; must be key=value");
    }

    @Test
    void stackValues_fromEverySource_withPrecedenceAndNotRejectedAsUnknown() {
        ZenConfig c = ZenConfig.parse(
                Map.of("stack.port", "7900"),
                Map.of("zen.stack.port", "7800", "zen.stack.bind-addr", "127.0.0.3"),
                Map.of("ZEN_STACK_DIR", "/tmp/x", "ZEN_STACK_BIND_ADDR", "127.0.0.9"));
        assertThat(c.stackValues()).containsExactlyInAnyOrderEntriesOf(
                Map.of("STACK_PORT", "7900", "STACK_BIND_ADDR", "127.0.0.3", "STACK_DIR", "/tmp/x"));
    }
}
