package io.zenmonitor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A child JVM running {@link ChildNodeMain}, started with the test's own class path. Always close it:
 * close kills the process with {@code destroyForcibly()} and reaps it.
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Writer stdin;
    private final List<String> output = new ArrayList<>();

    private ChildJvm(Process process) {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    synchronized (output) {
                        output.add(l);
                    }
                    lines.add(l);
                }
            } catch (IOException e) {
                // process gone
            }
        }, "child-" + process.pid() + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@link ChildNodeMain} with {@code java} from {@code javaHome}. */
    public static ChildJvm start(Path javaHome, String cluster, String name, String stack, int count) throws IOException {
        return start(javaHome, cluster, name, stack, count, List.of());
    }

    /** As {@link #start(Path, String, String, String, int)}, with extra JVM options (e.g. {@code -Dzen.stack.port=7800}). */
    public static ChildJvm start(Path javaHome, String cluster, String name, String stack, int count, List<String> jvmOptions)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaHome.resolve("bin/java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-Xmx256m");
        cmd.add("-Djava.net.preferIPv4Stack=true");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ChildNodeMain.class.getName());
        cmd.add(cluster);
        cmd.add(name);
        cmd.add(stack);
        cmd.add(Integer.toString(count));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        return new ChildJvm(pb.start());
    }

    /** Waits for a line starting with {@code prefix} and returns it. */
    public String expect(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            long left = deadline - System.nanoTime();
            String l = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (l == null) {
                throw new AssertionError("child " + process.pid() + " did not print " + prefix + " within " + timeout + "; output: " + output());
            }
            if (l.startsWith(prefix)) {
                return l;
            }
        }
    }

    public void send(String command) throws IOException {
        stdin.write(command + "\n");
        stdin.flush();
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    public List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    /** Kills the process (kill -9) and waits for it. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    /** JDK homes to test on: this one, and a JDK 25 installed beside it when there is one. */
    public static List<Path> jdks() {
        List<Path> homes = new ArrayList<>();
        Path self = Path.of(System.getProperty("java.home"));
        homes.add(self);
        jdk25(self).ifPresent(homes::add);
        return homes;
    }

    /** A JDK 25 in a sibling directory of {@code home} whose {@code release} file says so. */
    public static Optional<Path> jdk25(Path home) {
        Path parent = home.toAbsolutePath().getParent();
        if (parent == null) {
            return Optional.empty();
        }
        try (Stream<Path> siblings = Files.list(parent)) {
            return siblings.filter(p -> !p.equals(home))
                    .filter(p -> Files.isExecutable(p.resolve("bin/java")))
                    .filter(p -> {
                        try {
                            return Files.readAllLines(p.resolve("release")).stream().anyMatch(l -> l.startsWith("JAVA_VERSION=\"25"));
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .sorted()
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
