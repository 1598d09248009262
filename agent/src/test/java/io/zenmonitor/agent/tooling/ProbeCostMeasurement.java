package io.zenmonitor.agent.tooling;

import io.zenmonitor.Endpoint;
import io.zenmonitor.config.NodePatterns;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Issue 9's cost figure (a measurement, not a test): the server-side CPU and sockets of server-only mode with
 * N client endpoints probed at the default {@code probe.interval} (1 s).
 *
 * <p>A child JVM opens N listening sockets on 127.0.0.1 and accepts and closes every connection (the clients).
 * This JVM is the server: an {@link EndpointProber} with the real {@link NioConnector}, ticked by a thread
 * that behaves like the agent's drainer (park up to 100 ms, woken by results). After a warm-up it reports this
 * process's CPU time per second of wall time, probes per second, the most sockets open at once and the
 * TIME_WAIT sockets on 127.0.0.1.
 *
 * <pre>
 * mvn -B -q -pl agent -am test-compile
 * java -cp "agent/target/test-classes:agent/target/classes:$(cat agent/target/cp.txt)" \
 *     io.zenmonitor.agent.tooling.ProbeCostMeasurement [endpoints=10000] [seconds=30]
 * </pre>
 * ({@code agent/target/cp.txt} from {@code mvn -q -pl agent dependency:build-classpath -Dmdep.outputFile=target/cp.txt}.)
 */
public final class ProbeCostMeasurement {

    private ProbeCostMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("clients")) {
            clients(Integer.parseInt(args[1]));
            return;
        }
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), ProbeCostMeasurement.class.getName(), "clients",
                Integer.toString(n)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream()));
            List<Integer> ports = new ArrayList<>(n);
            String line;
            while ((line = in.readLine()) != null && !line.equals("READY")) {
                ports.add(Integer.parseInt(line));
            }
            run(ports, seconds);
        } finally {
            child.destroyForcibly();
            child.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static void run(List<Integer> ports, int seconds) throws Exception {
        NioConnector connector = new NioConnector();
        Thread[] driver = new Thread[1];
        EndpointProber<Integer> prober = new EndpointProber<>(new EndpointProber.Rules(TimeUnit.SECONDS.toNanos(1), 2,
                TimeUnit.SECONDS.toNanos(60)), NodePatterns.ALL, connector, System::nanoTime, i -> true,
                (ep, verdict, items) -> System.out.println("unexpected: " + ep + " " + verdict), () -> LockSupport.unpark(driver[0]));
        for (int p : ports) {
            prober.watch(new Endpoint("127.0.0.1", p), p);
        }
        int[] maxInFlight = {0};
        long[] ticks = {0};
        driver[0] = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                prober.tick();
                ticks[0]++;
                maxInFlight[0] = Math.max(maxInFlight[0], prober.inFlight());
                LockSupport.parkNanos(HookDrainer.IDLE_PARK_NANOS);
            }
        }, "drainer");
        driver[0].start();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Thread.sleep(10_000); // warm-up: JIT, first round of probes
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        long probes0 = prober.probes;
        maxInFlight[0] = 0;
        int maxFds = 0;
        int maxTimeWait = 0;
        for (int s = 0; s < seconds; s++) {
            Thread.sleep(1_000);
            maxFds = Math.max(maxFds, fds());
            maxTimeWait = Math.max(maxTimeWait, timeWait());
        }
        long wall = System.nanoTime() - t0;
        long cpu = os.getProcessCpuTime() - cpu0;
        long probes = prober.probes - probes0;
        driver[0].interrupt();
        connector.close();
        System.out.printf("endpoints=%d seconds=%d probes/s=%.0f server CPU=%.1f%% of one core (%.1f us per probe)"
                        + " max sockets in flight=%d max open fds=%d max TIME_WAIT on loopback=%d open=%d refused=%d no-answer=%d"
                        + " cores=%d jdk=%s%n",
                ports.size(), seconds, probes * 1e9 / wall, 100.0 * cpu / wall, cpu / 1e3 / Math.max(1, probes),
                maxInFlight[0], maxFds, maxTimeWait, prober.open, prober.refused, prober.noAnswer,
                Runtime.getRuntime().availableProcessors(), Runtime.version());
    }

    private static int fds() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        } catch (Exception e) {
            return -1;
        }
    }

    /** TIME_WAIT sockets (state 06) in /proc/net/tcp: all of them on this machine, an upper bound for ours. */
    private static int timeWait() {
        try {
            return (int) Files.readAllLines(Path.of("/proc/net/tcp")).stream().skip(1)
                    .filter(l -> l.trim().split("\\s+")[3].equals("06")).count();
        } catch (Exception e) {
            return -1;
        }
    }

    /** The child: N listeners on 127.0.0.1 that accept and close at once, like RMI's accept loop dropping a probe. */
    private static void clients(int n) throws Exception {
        Selector selector = Selector.open();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int i = 0; i < n; i++) {
            ServerSocketChannel s = ServerSocketChannel.open();
            s.bind(new InetSocketAddress(loopback, 0), 128);
            s.configureBlocking(false);
            s.register(selector, SelectionKey.OP_ACCEPT);
            System.out.println(((InetSocketAddress) s.getLocalAddress()).getPort());
        }
        System.out.println("READY");
        System.out.flush();
        while (true) {
            selector.select();
            for (SelectionKey k : selector.selectedKeys()) {
                SocketChannel c;
                while ((c = ((ServerSocketChannel) k.channel()).accept()) != null) {
                    c.close();
                }
            }
            selector.selectedKeys().clear();
        }
    }
}
