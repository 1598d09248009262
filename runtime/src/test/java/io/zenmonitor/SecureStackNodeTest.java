package io.zenmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * zen nodes on the {@code secure} stack configured through zen keys only ({@code stack.keystore} and friends,
 * filled in by {@code Stacks}): they monitor each other over TLS; a missing keystore and a wrong password fail at
 * start with a message that says what is wrong. The keystore is generated here with {@code keytool}; its password
 * holds characters that JGroups' XML reader would mangle, on purpose ({@code Stacks} keeps values out of the XML).
 */
class SecureStackNodeTest {
    static final String PASSWORD = "zen&test<\\only'\">";

    @TempDir static Path dir;
    static Path keystore;

    @BeforeAll
    static void generateKeystore() throws Exception {
        keystore = dir.resolve("cluster.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "zen", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=zen-test", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("keytool: %s", out).isZero();
    }

    static ZenConfig config(String cluster, String node, int port, String hosts) {
        return ZenConfig.defaults().cluster(cluster).node(node).stack("secure")
                .stackValue("stack.bind-addr", "127.0.0.1").stackValue("stack.port", Integer.toString(port))
                .stackValue("stack.initial-hosts", hosts).stackValue("stack.keystore", keystore.toString())
                .stackValue("stack.keystore-password", PASSWORD);
    }

    @Test
    void twoNodes_configuredByKeys_monitorEachOtherOverTls() throws Exception {
        int base = TcpStackIT.freeBlock(2);
        String hosts = "127.0.0.1[" + base + "],127.0.0.1[" + (base + 1) + "]";
        String cluster = "zen-secure-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 1_000_000;
        try (ZenNode a = ZenNode.start(config(cluster, "a", base, hosts));
             ZenNode b = ZenNode.start(config(cluster, "b", base + 1, hosts))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> a.members().contains("b") && b.members().contains("a"));
            b.alive(Target.named("b", "session-1"));
            Downs downs = new Downs();
            MonitorRef ref = a.monitor(Target.named("b", "session-1"), downs);
            await().atMost(Duration.ofSeconds(30)).until(() -> TcpStackIT.subscriptions(b) == 1);
            b.died(Target.named("b", "session-1"), DownReason.Kind.EXIT, "over TLS");
            assertThat(downs.awaitDown(ref, Duration.ofSeconds(10)).reason().kind()).isEqualTo(DownReason.Kind.EXIT);
        }
    }

    @Test
    void missingKeystore_failsNamingTheKey() {
        ZenConfig c = ZenConfig.defaults().cluster("zen-secure-missing").node("a").stack("secure")
                .stackValue("stack.bind-addr", "127.0.0.1").stackValue("stack.initial-hosts", "127.0.0.1[7800]");
        assertThatThrownBy(() -> ZenNode.start(c))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zen: stack \"secure\" needs zen.stack.keystore (-Dzen.stack.keystore, ZEN_STACK_KEYSTORE or agent argument stack.keystore), which is not set");
    }

    @Test
    void wrongPassword_failsSayingSo() {
        int port = TcpStackIT.freeBlock(1);
        ZenConfig c = config("zen-secure-wrong", "a", port, "127.0.0.1[" + port + "]").stackValue("stack.keystore-password", "wrong");
        assertThatThrownBy(() -> ZenNode.start(c))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("zen: node a cannot join cluster zen-secure-wrong on stack secure: ")
                .hasMessageContaining("keystore password was incorrect");
    }
}
