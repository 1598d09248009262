package io.zenmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jgroups.protocols.DISCARD;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partition safety in the runtime: NODEDOWN says whether the node crashed (its port refuses) or is only
 * unreachable (hung, cut off, or this node is below {@code partition.quorum}). Real TCP on 127.0.0.1
 * (the {@code loopback} stack), nodes in this JVM.
 */
class PartitionTest {

    private final TestNodes nodes = new TestNodes();

    @TempDir
    Path stackDir;

    @AfterEach
    void close() {
        nodes.close();
    }

    private ZenNode start(String name, int quorum) {
        return nodes.start(name, c -> c.stack("loopback").stackValue("stack.dir", stackDir.toString()).partitionQuorum(quorum));
    }

    private static ConcurrentLinkedQueue<Down> watch(ZenNode watcher, String node) {
        ConcurrentLinkedQueue<Down> downs = new ConcurrentLinkedQueue<>();
        watcher.monitorNode(node, downs::add);
        return downs;
    }

    private static Down awaitOne(ConcurrentLinkedQueue<Down> downs) {
        await().atMost(Duration.ofSeconds(40)).until(() -> !downs.isEmpty());
        assertThat(downs).hasSize(1);
        return downs.peek();
    }

    @Test
    @DisplayName("a crashed node (its port refuses) is NODEDOWN :crashed")
    void crash_isCrashed() {
        ZenNode a = start("a", 0);
        ZenNode b = start("b", 0);
        nodes.awaitView(2);
        ConcurrentLinkedQueue<Down> downs = watch(a, "b");
        TestNodes.crash(b);
        Down d = awaitOne(downs);
        assertThat(d.reason()).isEqualTo(DownReason.NODEDOWN_CRASHED);
        assertThat(d.reason().isNodeGone()).isTrue();
        assertThat(d.reason().isUnreachable()).isFalse();
    }

    @Test
    @DisplayName("a node cut off by a partition (its port still accepts) is NODEDOWN :unreachable")
    void partition_isUnreachable() throws Exception {
        ZenNode a = start("a", 0);
        ZenNode b = start("b", 0);
        nodes.awaitView(2);
        ConcurrentLinkedQueue<Down> downs = new ConcurrentLinkedQueue<>();
        MonitorRef ref = a.monitorNode("b", downs::add);
        TestNodes.awaitEstablished(a, ref, b);
        DISCARD da = SemanticsTest.discard(a);
        DISCARD db = SemanticsTest.discard(b);
        da.addIgnoreMember(TestNodes.address(b));
        db.addIgnoreMember(TestNodes.address(a));
        Down d = awaitOne(downs);
        assertThat(d.reason()).isEqualTo(DownReason.NODEDOWN_UNREACHABLE);
        assertThat(d.reason().isNodeGone()).as("final for the monitor like any NODEDOWN").isTrue();
    }

    @Test
    @DisplayName("partition.quorum=2: a node left alone reports its peers' crashes as unreachable")
    void belowQuorum_crashesAreUnreachable() {
        ZenNode a = start("a", 2);
        ZenNode b = start("b", 2);
        ZenNode c = start("c", 2);
        nodes.awaitView(3);
        ConcurrentLinkedQueue<Down> aDowns = watch(c, "a");
        ConcurrentLinkedQueue<Down> bDowns = watch(c, "b");
        TestNodes.crash(a);
        assertThat(awaitOne(aDowns).reason()).as("c still sees 2 members: a crash is a crash").isEqualTo(DownReason.NODEDOWN_CRASHED);
        TestNodes.crash(b);
        assertThat(awaitOne(bDowns).reason()).as("c alone, below the quorum of 2").isEqualTo(DownReason.NODEDOWN_UNREACHABLE);
    }
}
