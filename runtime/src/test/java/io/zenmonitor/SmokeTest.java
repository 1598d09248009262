package io.zenmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmokeTest {

    @Test
    void remoteNamedTarget_dies_listenerGetsExit() {
        try (TestNodes nodes = new TestNodes()) {
            ZenNode a = nodes.start("a");
            ZenNode b = nodes.start("b");
            nodes.awaitView(2);
            Target t = Target.named("b", "svc");
            b.alive(t);
            Downs downs = new Downs();
            MonitorRef ref = a.monitor(t, downs);
            TestNodes.awaitEstablished(a, ref, b);
            b.died(t, DownReason.Kind.EXIT, "boom");
            Down d = downs.awaitDown(ref);
            assertThat(d.reason().kind()).isEqualTo(DownReason.Kind.EXIT);
            assertThat(d.reason().detail()).isEqualTo(new Term.Str("boom"));
        }
    }

    @Test
    void remoteNode_crashes_nodedown() {
        try (TestNodes nodes = new TestNodes()) {
            ZenNode a = nodes.start("a");
            ZenNode b = nodes.start("b");
            nodes.awaitView(2);
            Target t = Target.named("b", "svc");
            b.alive(t);
            Downs downs = new Downs();
            MonitorRef ref = a.monitor(t, downs);
            TestNodes.awaitEstablished(a, ref, b);
            TestNodes.crash(b);
            Down d = downs.awaitDown(ref, Duration.ofSeconds(10));
            assertThat(d.reason().kind()).isEqualTo(DownReason.Kind.NODEDOWN);
        }
    }

    @Test
    void remoteNode_closes_shutdown() {
        try (TestNodes nodes = new TestNodes()) {
            ZenNode a = nodes.start("a");
            ZenNode b = nodes.start("b");
            nodes.awaitView(2);
            Target t = Target.named("b", "svc");
            b.alive(t);
            Downs downs = new Downs();
            MonitorRef ref = a.monitor(t, downs);
            TestNodes.awaitEstablished(a, ref, b);
            b.close();
            Down d = downs.awaitDown(ref);
            assertThat(d.reason().kind()).isEqualTo(DownReason.Kind.SHUTDOWN);
        }
    }
}
