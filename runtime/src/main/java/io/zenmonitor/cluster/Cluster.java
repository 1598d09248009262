package io.zenmonitor.cluster;

import io.zenmonitor.Endpoint;
import io.zenmonitor.core.Loop;
import io.zenmonitor.local.Local;
import io.zenmonitor.metrics.Metrics;
import io.zenmonitor.proxy.Proxy;
import io.zenmonitor.wire.Codec;
import io.zenmonitor.wire.MalformedMessageException;
import io.zenmonitor.wire.WireMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.MergeView;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.util.ExtendedUUID;
import org.jgroups.util.MessageBatch;
import org.jgroups.util.NameCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's one JGroups channel (ZenMonitor's ERTS distribution): membership, the endpoint directory,
 * and the unicast messages between Connectors and Proxies.
 *
 * <h2>Identity</h2>
 * Each member's address is an {@link ExtendedUUID} carrying its node name under {@value #NODE_KEY}, so
 * every member knows every other's name from the view itself. A member without that key (a plain
 * JGroups member in the same cluster) keeps its logical name and is never compatible. A new
 * {@code connect} gets a new address: the address is the node's incarnation.
 *
 * <h2>Concurrency</h2>
 * JGroups threads only decode and append to the node's {@link Loop}; views, routing and the directory
 * run on the loop, so Local and the Proxy see messages and view changes in one order, and a message from
 * a member is handled before that member's departure when JGroups delivered it first.
 *
 * <h2>Failure</h2>
 * Malformed, oversized or foreign messages are dropped and counted ({@code zen.wire.dropped}), with at
 * most one log line per {@value #DROP_LOG_INTERVAL_SECONDS} s. A failed send is counted and logged at
 * debug; it never throws into the loop. Sends to members outside the view are dropped (no
 * auto-connect).
 */
public final class Cluster implements Transport, Receiver {

    private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);
    /** The ExtendedUUID key that carries a member's node name. */
    public static final String NODE_KEY = "zen.node";
    static final long DROP_LOG_INTERVAL_SECONDS = 10;

    private final String nodeName;
    private final String clusterName;
    private final String stack;
    private final Loop loop;
    private final Metrics metrics;
    private final Codec codec;
    private JChannel channel;
    private Local local;
    private Proxy proxy;
    private volatile Address localAddress;
    private volatile long lastDropLog;

    // loop-confined
    private final HashMap<Address, String> names = new HashMap<>();
    private final HashMap<String, Address> byName = new HashMap<>();
    private final HashSet<Address> zenMembers = new HashSet<>();
    private final HashMap<Endpoint, Address> endpointOwners = new HashMap<>();
    private final HashMap<Address, List<Endpoint>> endpointsByOwner = new HashMap<>();
    private final LinkedHashSet<Endpoint> ownEndpoints = new LinkedHashSet<>();
    /** Members that reported their endpoints to us in their current incarnation (even an empty list). */
    private final HashSet<Address> reported = new HashSet<>();
    /** Members that share a node name with a later member: previous incarnations of a restarted node. */
    private final HashSet<Address> superseded = new HashSet<>();
    private List<Address> members = List.of();
    private Set<Address> awaitingByeAck = new HashSet<>();
    private volatile CountDownLatch byeAcks = new CountDownLatch(0);

    private volatile List<String> publishedMembers = List.of();
    /** Endpoint → node name, republished by the loop after every change (rare), for readers off the loop. */
    private volatile Map<Endpoint, String> publishedDirectory = Map.of();

    private final Map<String, String> stackValues;

    public Cluster(String nodeName, String clusterName, String stack, Map<String, String> stackValues, Loop loop, Metrics metrics, Codec codec) {
        this.departures = new Departures(nodeName);
        this.stackValues = Map.copyOf(stackValues);
        this.nodeName = nodeName;
        this.clusterName = clusterName;
        this.stack = stack;
        this.loop = loop;
        this.metrics = metrics;
        this.codec = codec;
    }

    /** Wires the two halves the cluster routes to; before {@link #connect()}. */
    public void bind(Local local, Proxy proxy) {
        this.local = local;
        this.proxy = proxy;
    }

    /** The ExtendedUUID key that carries node attributes ({@code k=v} pairs separated by NUL). */
    public static final String ATTRIBUTES_KEY = "zen.attrs";
    /** Largest encoded attributes accepted from a member. */
    static final int MAX_ATTRIBUTES_BYTES = 4096;

    static byte[] encodeAttributes(Map<String, String> attributes) {
        StringBuilder b = new StringBuilder();
        attributes.forEach((k, v) -> {
            if (k.indexOf('=') >= 0 || k.indexOf('\0') >= 0 || v.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("zen: node attribute " + k + " must not contain '=' in its key or NUL");
            }
            if (b.length() > 0) {
                b.append('\0');
            }
            b.append(k).append('=').append(v);
        });
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_ATTRIBUTES_BYTES) {
            throw new IllegalArgumentException("zen: node attributes take " + bytes.length + " bytes; at most " + MAX_ATTRIBUTES_BYTES);
        }
        return bytes;
    }

    static Map<String, String> decodeAttributes(byte[] bytes) {
        if (bytes == null || bytes.length == 0 || bytes.length > MAX_ATTRIBUTES_BYTES) {
            return Map.of();
        }
        Map<String, String> m = new HashMap<>();
        for (String pair : new String(bytes, StandardCharsets.UTF_8).split("\0")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                m.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return Map.copyOf(m);
    }
    private Map<String, String> ownAttributes = Map.of();
    private volatile Map<String, Map<String, String>> publishedAttributes = Map.of();

    /** Attributes every member sees in the view (set before {@link #connect()}; fixed for the incarnation). */
    public void attributes(Map<String, String> attributes) {
        this.ownAttributes = Map.copyOf(attributes);
    }

    /** The attributes node {@code node} joined with, or an empty map; any thread. */
    public Map<String, String> attributesOf(String node) {
        return publishedAttributes.getOrDefault(node, Map.of());
    }

    /** Creates the channel from the stack and joins the cluster; blocks until joined. */
    public void connect() throws Exception {
        channel = new JChannel(Stacks.configurator(stack, stackValues));
        byte[] name = nodeName.getBytes(StandardCharsets.UTF_8);
        channel.addAddressGenerator(() -> {
            ExtendedUUID u = ExtendedUUID.randomUUID(nodeName);
            u.put(NODE_KEY, name);
            if (!ownAttributes.isEmpty()) {
                u.put(ATTRIBUTES_KEY, encodeAttributes(ownAttributes));
            }
            return u;
        });
        channel.name(nodeName);
        daemonThreads(channel);
        channel.setDiscardOwnMessages(true);
        channel.setReceiver(this);
        channel.connect(clusterName);
        localAddress = channel.getAddress();
    }

    /**
     * Threads JGroups creates from connect on (transport, FD_SOCK2) are daemons. Its timer and bundler
     * threads are created earlier, when the stack is initialised, and stay non-daemon: an application
     * must close its node before its last thread ends (the agent does it for the application).
     */
    private static void daemonThreads(JChannel channel) {
        channel.getProtocolStack().getTransport().setThreadFactory(new org.jgroups.util.DefaultThreadFactory("jgroups", true, true));
    }

    /** The underlying channel (tests inject faults through its protocols). */
    public JChannel channel() {
        return channel;
    }

    @Override
    public Address localAddress() {
        return localAddress;
    }

    /** Test seam: this node's address without a channel (the directory tests drive views by hand). */
    void localAddress(Address address) {
        this.localAddress = address;
    }

    @Override
    public Address addressOf(String node) {
        return byName.get(node);
    }

    @Override
    public String nodeOfEndpoint(Endpoint endpoint) {
        Address owner = endpointOwners.get(endpoint);
        return owner == null ? null : names.get(owner);
    }

    /** The node that advertises {@code endpoint}, from any thread (a snapshot of the directory). */
    public String nodeOfEndpointSnapshot(Endpoint endpoint) {
        return publishedDirectory.get(endpoint);
    }

    /**
     * The endpoint directory: each endpoint a member advertises, and that member's node name. An
     * immutable snapshot, replaced (not changed) after every change, so a reader may compare it by
     * identity to notice one. Any thread.
     */
    public Map<Endpoint, String> endpointDirectory() {
        return publishedDirectory;
    }

    private void publishDirectory() {
        Map<Endpoint, String> m = new HashMap<>();
        endpointOwners.forEach((e, a) -> {
            String n = names.get(a);
            if (n == null && a.equals(localAddress)) {
                n = nodeName;
            }
            if (n != null) {
                m.put(e, n);
            }
        });
        publishedDirectory = Map.copyOf(m);
    }

    /** Node names of the current view's members, this node included; readable from any thread. */
    public List<String> members() {
        return publishedMembers;
    }

    // ------------------------------------------------------------------ sending

    /** Test hook (ZenMonitor's gen_module spy): sees every send before membership filtering. */
    private volatile java.util.function.BiConsumer<Address, WireMessage> sendObserver;

    /** Installs a spy that sees every message this node sends (tests only); {@code null} removes it. */
    public void observeSends(java.util.function.BiConsumer<Address, WireMessage> observer) {
        sendObserver = observer;
    }

    @Override
    public void send(Address to, WireMessage message) {
        java.util.function.BiConsumer<Address, WireMessage> spy = sendObserver;
        if (spy != null) {
            spy.accept(to, message);
        }
        if (to == null) {
            return;
        }
        if (to.equals(localAddress)) {
            Address self = localAddress;
            loop.execute(() -> route(self, nodeName, message));
            return;
        }
        if (!members.contains(to) && !(message instanceof WireMessage.Pong)) {
            // not in the view: dropped, as ZenMonitor's send without auto-connect. A PONG still goes: the
            // pinger reached us, so it is a member whose view change we have not applied yet.
            return;
        }
        transmit(to, message);
    }

    private void transmit(Address to, WireMessage message) {
        try {
            byte[] bytes = codec.encode(message);
            channel.send(new BytesMessage(to, bytes));
            metrics.wireSent.increment();
            metrics.wireSentBytes.add(bytes.length);
        } catch (Exception e) {
            metrics.wireSendErrors.increment();
            LOG.debug("{}: send of {} to {} failed: {}", nodeName, message.type(), to, e.toString());
        }
    }

    // ------------------------------------------------------------------ endpoints

    /** Advertises an RMI endpoint this node listens on. */
    public void advertise(Endpoint e) {
        loop.execute(() -> {
            if (ownEndpoints.add(e)) {
                own(e);
                directoryChanged();
                reportEndpoints(members);
            }
        });
    }

    /** Stops advertising an endpoint. */
    public void withdraw(Endpoint e) {
        loop.execute(() -> {
            if (ownEndpoints.remove(e)) {
                endpointOwners.remove(e, localAddress);
                directoryChanged();
                reportEndpoints(members);
            }
        });
    }

    private void own(Endpoint e) {
        endpointOwners.put(e, localAddress);
    }

    /**
     * Sends this node's whole endpoint list, empty or not, to each of {@code to} but itself. Always by
     * unicast: JGroups keeps unicasts from one sender in order, so the last list a peer receives is the
     * last one sent; a multicast could overtake or be overtaken by the unicast sent to a joiner.
     */
    private void reportEndpoints(List<Address> to) {
        WireMessage.Endpoints report = new WireMessage.Endpoints(List.copyOf(ownEndpoints));
        for (Address a : to) {
            if (!a.equals(localAddress) && zenMember(a)) {
                transmit(a, report);
            }
        }
    }

    private static boolean zenMember(Address a) {
        return a instanceof ExtendedUUID u && u.get(NODE_KEY) != null;
    }

    private void onEndpoints(Address from, List<Endpoint> endpoints) {
        if (!members.contains(from)) {
            // Views install on each member at its own moment: a member that saw us join reports its
            // endpoints before our view may include it. Kept (its latest report only) until a view does.
            holdEarlyEndpoints(from, endpoints);
            return;
        }
        applyEndpoints(from, endpoints);
        directoryChanged();
    }

    private void applyEndpoints(Address from, List<Endpoint> endpoints) {
        List<Endpoint> previous = endpointsByOwner.put(from, endpoints);
        if (previous != null) {
            for (Endpoint e : previous) {
                endpointOwners.remove(e, from);
            }
        }
        for (Endpoint e : endpoints) {
            endpointOwners.put(e, from); // the latest claim wins (a restarted node may reuse a port)
        }
        reported.add(from);
    }

    /**
     * Whether every zen member of the current view has reported its endpoints to this node: then an
     * endpoint that is not in the directory is advertised by no live member of the view. Loop only.
     */
    @Override
    public boolean endpointsComplete() {
        for (Address a : zenMembers) {
            if (!a.equals(localAddress) && !reported.contains(a)) {
                return false;
            }
        }
        return true;
    }

    private void directoryChanged() {
        publishDirectory();
        Local l = local;
        if (l != null) {
            l.onDirectoryChanged();
        }
    }

    /** Most senders whose ENDPOINTS are held until a view includes them. */
    static final int MAX_EARLY_ENDPOINTS = 1024;
    /** Sender → (latest report, views seen without the sender). */
    private final HashMap<Address, EarlyEndpoints> earlyEndpoints = new HashMap<>();

    private static final class EarlyEndpoints {
        List<Endpoint> endpoints;
        int views;
    }

    private void holdEarlyEndpoints(Address from, List<Endpoint> endpoints) {
        EarlyEndpoints held = earlyEndpoints.get(from);
        if (held == null) {
            if (earlyEndpoints.size() >= MAX_EARLY_ENDPOINTS) {
                dropped(from, "ENDPOINTS from a non-member while " + MAX_EARLY_ENDPOINTS + " senders are already held");
                return;
            }
            held = new EarlyEndpoints();
            earlyEndpoints.put(from, held);
        }
        held.endpoints = endpoints;
    }

    private void replayEarlyEndpoints() {
        for (var it = earlyEndpoints.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (members.contains(e.getKey())) {
                applyEndpoints(e.getKey(), e.getValue().endpoints);
                it.remove();
            } else if (++e.getValue().views >= EARLY_VIEWS) {
                dropped(e.getKey(), "ENDPOINTS from a sender that did not join");
                it.remove();
            }
        }
    }

    /** Loop only: ENDPOINTS reports held for senders not yet in the view (tests check none linger). */
    public int earlyEndpointsHeld() {
        return earlyEndpoints.size();
    }

    // ------------------------------------------------------------------ receiving

    @Override
    public void receive(Message msg) {
        WireMessage m = decode(msg);
        if (m != null) {
            Address src = msg.getSrc();
            loop.execute(() -> route(src, null, m));
        }
    }

    @Override
    public void receive(MessageBatch batch) {
        List<Address> srcs = new ArrayList<>(batch.size());
        List<WireMessage> decoded = new ArrayList<>(batch.size());
        for (Message msg : batch) {
            WireMessage m = decode(msg);
            if (m != null) {
                srcs.add(msg.getSrc() != null ? msg.getSrc() : batch.getSender());
                decoded.add(m);
            }
        }
        if (!decoded.isEmpty()) {
            loop.execute(() -> {
                for (int i = 0; i < decoded.size(); i++) {
                    route(srcs.get(i), null, decoded.get(i));
                }
            });
        }
    }

    private WireMessage decode(Message msg) {
        try {
            if (!msg.hasArray()) {
                dropped(msg.getSrc(), "not a byte message: " + msg.getClass().getSimpleName());
                return null;
            }
            WireMessage m = codec.decode(msg.getArray(), msg.getOffset(), msg.getLength());
            metrics.wireReceived.increment();
            return m;
        } catch (MalformedMessageException e) {
            dropped(msg.getSrc(), e.reason() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            dropped(msg.getSrc(), e.toString());
        }
        return null;
    }

    private void dropped(Address from, String why) {
        metrics.wireDropped.increment();
        long now = System.nanoTime();
        if (now - lastDropLog >= TimeUnit.SECONDS.toNanos(DROP_LOG_INTERVAL_SECONDS)) {
            lastDropLog = now;
            LOG.warn("{}: dropped a message from {} ({}); further drops in the next {} s are only counted in zen.wire.dropped",
                    nodeName, from, why, DROP_LOG_INTERVAL_SECONDS);
        }
    }

    private String nameOf(Address a) {
        String n = names.get(a);
        if (n != null) {
            return n;
        }
        if (a instanceof ExtendedUUID u) {
            byte[] v = u.get(NODE_KEY);
            if (v != null) {
                return new String(v, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** {@code nodes.allow}/{@code nodes.deny}: PING and PROCESS from nodes outside them are refused. */
    private volatile io.zenmonitor.config.NodePatterns nodes = io.zenmonitor.config.NodePatterns.ALL;

    /**
     * Sets the allow and deny lists (before {@link #connect}). A node outside them gets no PONG, so its
     * Connector marks this node incompatible and its monitors end with NODEDOWN {@code incompatible}; a
     * PROCESS from it is dropped. Both are counted in {@code zen.proxy.refused}.
     */
    public void nodes(io.zenmonitor.config.NodePatterns patterns) {
        nodes = java.util.Objects.requireNonNull(patterns, "patterns");
    }

    /** Loop only. */
    void route(Address from, String fromNode, WireMessage m) {
        if (fromNode == null) {
            fromNode = nameOf(from);
        }
        if ((m instanceof WireMessage.Ping || m instanceof WireMessage.Process || m instanceof WireMessage.StatusQuery)
                && !from.equals(localAddress)
                && !nodes.permitsAll() && !nodes.permits(fromNode)) {
            metrics.proxyRefused.increment();
            return;
        }
        if (m instanceof WireMessage.Ping p) {
            proxy.ping(from, p);
        } else if (m instanceof WireMessage.Pong p) {
            local.onPong(fromNode, from, p);
        } else if (m instanceof WireMessage.Process p) {
            if (members.contains(from) || from.equals(localAddress)) {
                proxy.process(from, p);
            } else {
                holdEarly(from, p);
            }
        } else if (m instanceof WireMessage.Dead d) {
            local.onDead(fromNode, from, d);
        } else if (m instanceof WireMessage.Endpoints e) {
            onEndpoints(from, e.endpoints());
        } else if (m instanceof WireMessage.Bye) {
            proxy.subscriberDown(from);
            local.onBye(fromNode, from);
            send(from, new WireMessage.ByeAck());
        } else if (m instanceof WireMessage.ByeAck) {
            byeAcked(from);
        } else if (m instanceof WireMessage.StatusQuery q) {
            send(from, new WireMessage.Status(q.nonce(), statusFigures()));
        } else if (m instanceof WireMessage.Status st) {
            CompletableFuture<Map<String, Long>> f = statusWaiters.remove(st.nonce());
            if (f != null) {
                f.complete(st.figures());
            }
        }
    }

    // ------------------------------------------------------------------ status (the status command)

    private volatile java.util.function.Supplier<Map<String, Long>> statusSource = Map::of;
    private final java.util.concurrent.ConcurrentHashMap<Long, CompletableFuture<Map<String, Long>>> statusWaiters =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong statusNonces = new java.util.concurrent.atomic.AtomicLong();

    /** What this node answers a STATUS_QUERY with (at most {@link WireMessage.Status#MAX_FIGURES} figures). */
    public void statusSource(java.util.function.Supplier<Map<String, Long>> source) {
        statusSource = java.util.Objects.requireNonNull(source, "source");
    }

    private Map<String, Long> statusFigures() {
        Map<String, Long> all = statusSource.get();
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (var e : all.entrySet()) {
            if (out.size() == WireMessage.Status.MAX_FIGURES) {
                break;
            }
            if (e.getKey().getBytes(StandardCharsets.UTF_8).length <= WireMessage.Status.MAX_NAME_BYTES) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /**
     * Asks {@code node} for its figures; completes with them, or exceptionally when the node is not a
     * member or does not answer within {@code timeoutMillis}. Any thread.
     */
    public CompletableFuture<Map<String, Long>> queryStatus(String node, long timeoutMillis) {
        CompletableFuture<Map<String, Long>> f = new CompletableFuture<>();
        long nonce = statusNonces.incrementAndGet();
        statusWaiters.put(nonce, f);
        f.whenComplete((v, t) -> statusWaiters.remove(nonce));
        loop.execute(() -> {
            Address a = byName.get(node);
            if (a == null) {
                f.completeExceptionally(new IllegalArgumentException("zen: " + node + " is not a member"));
            } else {
                send(a, new WireMessage.StatusQuery(nonce));
            }
        });
        return f.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------------ early messages

    /** Most PROCESS messages held for senders that are not in this node's view yet. */
    static final int MAX_EARLY_MESSAGES = 256;
    /** View changes an early sender may miss before its messages are dropped. */
    static final int EARLY_VIEWS = 2;

    private final HashMap<Address, Early> early = new HashMap<>();
    private int earlyCount;

    private static final class Early {
        final List<WireMessage.Process> messages = new ArrayList<>(1);
        int views;
    }

    /**
     * A PROCESS from a sender we do not see as a member: views are installed on each member at its own
     * moment, so after a join or a merge a peer may subscribe before our view includes it. Applying it
     * now would create subscriptions nobody cleans up if the sender never becomes a member; dropping it
     * would lose them silently. So it is held (bounded) and replayed when a view includes the sender, or
     * dropped and counted after {@value #EARLY_VIEWS} views without it.
     */
    private void holdEarly(Address from, WireMessage.Process p) {
        if (earlyCount >= MAX_EARLY_MESSAGES) {
            dropped(from, "PROCESS from a non-member while " + MAX_EARLY_MESSAGES + " are already held");
            return;
        }
        early.computeIfAbsent(from, a -> new Early()).messages.add(p);
        earlyCount++;
    }

    /** Loop only: PROCESS messages held for senders not yet in the view (tests check none linger). */
    public int earlyHeld() {
        return earlyCount;
    }

    private void replayEarly() {
        if (early.isEmpty()) {
            return;
        }
        for (var it = early.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Early held = e.getValue();
            if (members.contains(e.getKey())) {
                for (WireMessage.Process p : held.messages) {
                    proxy.process(e.getKey(), p); // held only after route's allow/deny check
                }
            } else if (++held.views < EARLY_VIEWS) {
                continue;
            } else {
                for (int i = 0; i < held.messages.size(); i++) {
                    dropped(e.getKey(), "PROCESS from a sender that did not join");
                }
            }
            earlyCount -= held.messages.size();
            it.remove();
        }
    }

    /** Transport addresses of members, kept while they are members: a departed one is probed there. */
    private final HashMap<Address, java.net.InetSocketAddress> physical = new HashMap<>();
    private final Departures departures;

    /** {@code partition.quorum}: see {@link Departures}. */
    public void partitionQuorum(int quorum) {
        departures.quorum(quorum);
    }

    private void rememberPhysical(Address a) {
        if (channel == null || !(channel.getProtocolStack().getTransport() instanceof org.jgroups.protocols.BasicTCP)) {
            return; // only a TCP transport port answers a connect; other transports probe advertised endpoints
        }
        try {
            Object pa = channel.down(new org.jgroups.Event(org.jgroups.Event.GET_PHYSICAL_ADDRESS, a));
            if (pa instanceof org.jgroups.stack.IpAddress ip && ip.getIpAddress() != null) {
                physical.put(a, new java.net.InetSocketAddress(ip.getIpAddress(), ip.getPort()));
            }
        } catch (RuntimeException e) {
            LOG.debug("{}: no physical address for {}: {}", nodeName, a, e.toString());
        }
    }

    private List<java.net.InetSocketAddress> portsOf(Address a, List<Endpoint> advertised) {
        List<java.net.InetSocketAddress> ports = new ArrayList<>(2);
        java.net.InetSocketAddress p = physical.get(a);
        if (p != null) {
            ports.add(p);
        }
        if (advertised != null) {
            for (Endpoint e : advertised) {
                ports.add(java.net.InetSocketAddress.createUnresolved(e.host(), e.port()));
            }
        }
        return ports;
    }

    @Override
    public void viewAccepted(View view) {
        loop.execute(() -> applyView(view));
    }

    private void applyView(View view) {
        List<Address> next = view.getMembers();
        Set<Address> nextSet = new HashSet<>(next);
        List<Address> departed = new ArrayList<>();
        for (Address a : members) {
            if (!nextSet.contains(a)) {
                departed.add(a);
            }
        }
        List<Address> joined = new ArrayList<>();
        Set<Address> previous = new HashSet<>(members);
        for (Address a : next) {
            if (!previous.contains(a) && !a.equals(localAddress)) {
                joined.add(a);
            }
        }
        Map<Address, String> departedNames = new HashMap<>();
        for (Address a : departed) {
            departedNames.put(a, nameOf(a));
        }
        members = List.copyOf(next);
        for (Address a : joined) {
            rememberPhysical(a);
        }
        names.clear();
        byName.clear();
        zenMembers.clear();
        List<String> published = new ArrayList<>(next.size());
        for (Address a : next) {
            String n = null;
            if (a instanceof ExtendedUUID u && u.get(NODE_KEY) != null) {
                n = new String(u.get(NODE_KEY), StandardCharsets.UTF_8);
                zenMembers.add(a);
            } else {
                n = NameCache.get(a);
            }
            if (n != null) {
                names.put(a, n);
                byName.put(n, a); // a later member (a newer incarnation) wins a duplicate name
                published.add(n);
            }
        }
        publishedMembers = List.copyOf(published);
        Map<String, Map<String, String>> attrs = new HashMap<>();
        for (Address a : next) {
            if (a instanceof ExtendedUUID u && names.get(a) != null) {
                attrs.put(names.get(a), decodeAttributes(u.get(ATTRIBUTES_KEY)));
            }
        }
        publishedAttributes = Map.copyOf(attrs);
        for (Address a : departed) {
            String n = departedNames.get(a);
            List<Endpoint> eps = endpointsByOwner.remove(a);
            if (eps != null) {
                for (Endpoint e : eps) {
                    endpointOwners.remove(e, a);
                }
            }
            reported.remove(a);
            proxy.subscriberDown(a);
            if (!superseded.remove(a)) {
                classifyDeparture(n, a, portsOf(a, eps), next.size());
            }
            physical.remove(a);
            byeAcked(a);
        }
        supersede(next);
        replayEarlyEndpoints();
        directoryChanged();
        replayEarly();
        if (view instanceof MergeView) {
            Set<String> merged = new HashSet<>(published);
            merged.remove(nodeName);
            local.onMerge(merged);
        }
        // every member reports to every joiner, so a joiner knows when it has heard from all (endpointsComplete)
        reportEndpoints(joined);
        if (!departed.isEmpty() || !joined.isEmpty()) {
            LOG.debug("{}: view {} ({} joined, {} left)", nodeName, view.getViewId(), joined.size(), departed.size());
        }
    }

    private void classifyDeparture(String n, Address a, List<java.net.InetSocketAddress> ports, int viewSize) {
        departures.classify(viewSize, ports, reason -> {
            if (loop.inLoop()) {
                local.onNodeDown(n, a, reason);
            } else {
                loop.execute(() -> local.onNodeDown(n, a, reason));
            }
        });
    }

    /**
     * A member whose node name a later member of the view also has is a previous incarnation of a node
     * that restarted before failure detection removed the old one: for monitoring it is gone now (its
     * Connector must not hand the new incarnation's monitors the old one's death). Its departure is
     * classified as usual (a live duplicate, a misconfiguration, answers its probes and so reads as
     * unreachable rather than crashed), and its Proxy state stays until it really leaves the view.
     */
    private void supersede(List<Address> view) {
        for (Address a : view) {
            String n = names.get(a);
            if (n == null || !zenMember(a) || a.equals(localAddress)) {
                continue;
            }
            Address current = byName.get(n);
            if (current != null && !current.equals(a) && superseded.add(a)) {
                LOG.info("{}: {} joined again as {} while {} is still in the view: treating {} as its previous incarnation",
                        nodeName, n, current, a, a);
                List<Endpoint> eps = endpointsByOwner.get(a);
                classifyDeparture(n, a, portsOf(a, eps), view.size());
            }
        }
    }

    // ------------------------------------------------------------------ goodbye

    /**
     * Loop only: sends BYE to every zen member and arms the latch {@link #awaitByeAcks} waits on.
     */
    public void sayGoodbye() {
        awaitingByeAck = new HashSet<>();
        for (Address a : zenMembers) {
            if (!a.equals(localAddress)) {
                awaitingByeAck.add(a);
            }
        }
        byeAcks = new CountDownLatch(awaitingByeAck.isEmpty() ? 0 : 1);
        for (Address a : awaitingByeAck) {
            transmit(a, new WireMessage.Bye());
        }
    }

    private void byeAcked(Address from) {
        if (awaitingByeAck.remove(from) && awaitingByeAck.isEmpty()) {
            byeAcks.countDown();
        }
    }

    /** Waits (off the loop) until every member acknowledged BYE, or the timeout. */
    public boolean awaitByeAcks(long timeoutMillis) throws InterruptedException {
        return byeAcks.await(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** Leaves the cluster and closes the channel. */
    public void close() {
        departures.close();
        if (channel != null) {
            try {
                channel.disconnect();
            } finally {
                channel.close();
            }
        }
    }
}
