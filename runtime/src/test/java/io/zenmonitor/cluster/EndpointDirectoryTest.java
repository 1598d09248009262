package io.zenmonitor.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.zenmonitor.Down;
import io.zenmonitor.DownReason;
import io.zenmonitor.Endpoint;
import io.zenmonitor.RmiTarget;
import io.zenmonitor.ZenConfig;
import io.zenmonitor.ZenSettings;
import io.zenmonitor.core.Loop;
import io.zenmonitor.core.Ticker;
import io.zenmonitor.local.Local;
import io.zenmonitor.metrics.Metrics;
import io.zenmonitor.proxy.Proxy;
import io.zenmonitor.truncate.Truncator;
import io.zenmonitor.wire.Codec;
import io.zenmonitor.wire.WireMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jgroups.Address;
import org.jgroups.View;
import org.jgroups.ViewId;
import org.jgroups.util.ExtendedUUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The endpoint directory driven by hand, views and reports in the orders JGroups may deliver them (no
 * channel: sends go nowhere and are counted): a report that overtakes the view that admits its sender is
 * held and applied, the directory knows when every member has reported, and a monitor of an endpoint that
 * is not known yet waits for it instead of ending with {@code :unknown-endpoint}.
 */
class EndpointDirectoryTest {

    private final Metrics metrics = new Metrics();
    private final Loop loop = new Loop("directory-test");
    private final Address self = member("self");
    private final Address owner = member("owner");
    private final Address other = member("other");
    private final Endpoint endpoint = new Endpoint("127.0.0.1", 40_001);
    private final RmiTarget target = new RmiTarget(endpoint, 7, 11, 13, (short) 1);
    private final List<Down> downs = new CopyOnWriteArrayList<>();
    private Cluster cluster;
    private Local local;
    private long viewIds;

    @BeforeEach
    void setUp() {
        ZenSettings settings = new ZenSettings(ZenConfig.defaults().node("self"));
        cluster = new Cluster("self", "directory-test", "memory", Map.of(), loop, metrics, Codec.DEFAULT);
        local = new Local("self", cluster, loop, settings, metrics, Ticker.SYSTEM, Runnable::run);
        cluster.bind(local, new Proxy(cluster, settings, metrics, Truncator.DEFAULT));
        cluster.localAddress(self);
        local.observeEnqueues(downs::addAll, true);
    }

    @AfterEach
    void tearDown() {
        loop.close();
    }

    @Test
    void reportThatOvertakesTheView_isHeld_andAppliedWhenAViewAdmitsItsSender() {
        view(self);
        report(owner, endpoint);
        onLoop(() -> {
            assertThat(cluster.nodeOfEndpoint(endpoint)).isNull();
            assertThat(cluster.earlyEndpointsHeld()).isEqualTo(1);
        });
        view(self, owner);
        onLoop(() -> {
            assertThat(cluster.nodeOfEndpoint(endpoint)).isEqualTo("owner");
            assertThat(cluster.earlyEndpointsHeld()).isZero();
            assertThat(cluster.endpointsComplete()).isTrue();
        });
        assertThat(cluster.endpointDirectory()).containsEntry(endpoint, "owner");
    }

    @Test
    void directoryIsComplete_onlyOnceEveryMemberReported_evenAnEmptyList() {
        view(self, owner, other);
        onLoop(() -> assertThat(cluster.endpointsComplete()).isFalse());
        report(owner, endpoint);
        onLoop(() -> assertThat(cluster.endpointsComplete()).isFalse());
        report(other);
        onLoop(() -> assertThat(cluster.endpointsComplete()).isTrue());
        view(self, owner); // a departure takes its report along; the rest stays complete
        onLoop(() -> assertThat(cluster.endpointsComplete()).isTrue());
    }

    @Test
    void heldReportOfASenderThatNeverJoins_isDroppedAndCounted() {
        view(self);
        report(owner, endpoint);
        for (int i = 0; i < Cluster.EARLY_VIEWS; i++) {
            view(self, other);
        }
        onLoop(() -> {
            assertThat(cluster.earlyEndpointsHeld()).isZero();
            assertThat(cluster.nodeOfEndpoint(endpoint)).isNull();
        });
        assertThat(metrics.wireDropped.sum()).isEqualTo(1);
    }

    @Test
    void monitorOfAnEndpointNotKnownYet_waitsWhileAMemberHasNotReported_thenMovesToItsNode() {
        view(self, owner);
        local.monitor(target, d -> { });
        onLoop(() -> {
            String key = local.nodeOfTarget(target);
            assertThat(key).startsWith("?");
            local.sweepConnector(key); // the owner has not reported: nothing may fire
            assertThat(local.connectorMonitors(key, target)).hasSize(1);
        });
        assertThat(downs).isEmpty();
        report(owner, endpoint);
        onLoop(() -> {
            assertThat(local.connectorMonitors("owner", target)).as("moved to the owner's Connector").hasSize(1);
            assertThat(local.hasConnector("?" + endpoint)).isFalse();
        });
        assertThat(downs).isEmpty();
        assertThat(metrics.localEndpointResolvedLate.sum()).isEqualTo(1);
    }

    @Test
    void monitorOfAnEndpointNoMemberAdvertises_endsUnknownEndpoint_onceAllReported() {
        view(self, owner);
        report(owner, new Endpoint("127.0.0.1", 40_002));
        local.monitor(target, d -> { });
        onLoop(() -> local.sweepConnector(local.nodeOfTarget(target)));
        assertThat(downs).extracting(Down::reason).containsExactly(DownReason.NODEDOWN_UNKNOWN_ENDPOINT);
    }

    // ------------------------------------------------------------------ helpers

    private static Address member(String name) {
        ExtendedUUID u = ExtendedUUID.randomUUID(name);
        u.put(Cluster.NODE_KEY, name.getBytes(StandardCharsets.UTF_8));
        return u;
    }

    private void view(Address... members) {
        List<Address> list = new ArrayList<>(List.of(members));
        cluster.viewAccepted(new View(new ViewId(self, ++viewIds), list));
        onLoop(() -> { });
    }

    private void report(Address from, Endpoint... endpoints) {
        onLoop(() -> cluster.route(from, null, new WireMessage.Endpoints(List.of(endpoints))));
    }

    /** Runs {@code r} on the loop (where the directory lives) and rethrows what it threw, assertions included. */
    private void onLoop(Runnable r) {
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
        loop.runAndWait(() -> {
            try {
                r.run();
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                ran.set(true);
            }
        }, 10_000);
        assertThat(ran).as("the loop ran the check").isTrue();
        if (failure.get() instanceof AssertionError a) {
            throw a;
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }
}
