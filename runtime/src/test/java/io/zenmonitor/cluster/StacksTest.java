package io.zenmonitor.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zenmonitor.ZenConfig;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
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
                .hasMessage("zen: zen.stack was \"nosuch\"; must be one of loopback, memory or a path to a JGroups XML file");
    }

    @Test
    void open_missingFile_saysSo() {
        assertThatThrownBy(() -> Stacks.open("/nonexistent/dir/stack.xml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("zen: zen.stack was \"/nonexistent/dir/stack.xml\"; the file cannot be read:");
    }

    @Test
    void substitute_zenStackPlaceholders_filledFromValuesOthersLeftToJGroups() {
        String xml = "<TCP bind_addr=\"${zen.stack.bind-addr:127.0.0.1}\" port=\"${zen.stack.port:0}\" x=\"${jgroups.x:1}\"/>"
                + "<FILE_PING location=\"${zen.stack.dir,java.io.tmpdir}/d\"/>";
        String out = Stacks.substitute(xml, Map.of("STACK_BIND_ADDR", "127.0.0.2", "STACK_DIR", "/tmp/zen"));
        assertThat(out).isEqualTo("<TCP bind_addr=\"127.0.0.2\" port=\"${zen.stack.port:0}\" x=\"${jgroups.x:1}\"/>"
                + "<FILE_PING location=\"/tmp/zen/d\"/>");
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
