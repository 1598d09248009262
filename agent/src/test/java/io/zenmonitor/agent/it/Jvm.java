package io.zenmonitor.agent.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A child JVM driven through its stdin and stdout: {@link #send}, {@link #expect}, {@link #ask}. Stdout and
 * stderr are read by two threads into one list ({@link #lines()}); only stdout lines can be {@link #expect}ed.
 *
 * <p>Always close it (try-with-resources, or a {@link Jvms} group): {@link #close()} kills the process
 * ({@code destroyForcibly()}, SIGKILL on Unix) and reaps it. As a second line of defence the legacy mains exit
 * when their stdin ends, which happens when this JVM dies.
 *
 * <p>The child's environment is this JVM's minus {@code ZEN_*}, {@code JAVA_TOOL_OPTIONS} and
 * {@code JDK_JAVA_OPTIONS}, so a developer's shell cannot change what a test configures. Set
 * {@code -Dzen.it.echo=true} to copy every child line to this JVM's stdout as it arrives.
 */
public final class Jvm implements AutoCloseable {

    /** Default wait for one answer to a command. */
    public static final Duration ANSWER = Duration.ofSeconds(20);

    private static final boolean ECHO = Boolean.getBoolean("zen.it.echo");

    private final String name;
    private final List<String> command;
    private final Process process;
    private final Writer stdin;
    private final LinkedBlockingQueue<String> stdoutQueue = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();
    private final List<String> stderr = new ArrayList<>();
    private final List<Thread> readers = new ArrayList<>();
    private volatile long killedAtNanos;

    private Jvm(String name, List<String> command, Process process) {
        this.name = name;
        this.command = List.copyOf(command);
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        readers.add(reader(process.getInputStream(), false));
        readers.add(reader(process.getErrorStream(), true));
    }

    private Thread reader(InputStream in, boolean isErr) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    synchronized (all) {
                        all.add(l);
                        if (isErr) {
                            stderr.add(l);
                        }
                    }
                    if (!isErr) {
                        stdoutQueue.add(l);
                    }
                    if (ECHO) {
                        System.out.println("[" + name + (isErr ? " err] " : "] ") + l);
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "jvm-" + name + (isErr ? "-stderr" : "-stdout"));
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Starts describing a child JVM that runs {@code java} from {@code javaHome}. */
    public static Builder java(Path javaHome) {
        return new Builder(javaHome);
    }

    // ------------------------------------------------------------------------------------------------ protocol

    /** Sends one command line to the child's stdin. */
    public synchronized void send(String cmd) {
        try {
            stdin.write(cmd + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new AssertionError(name + ": cannot send '" + cmd + "' (process " + state() + ")" + tail(), e);
        }
    }

    /**
     * Waits for the next stdout line starting with {@code prefix} (lines in between are skipped, they stay in
     * {@link #lines()}) and returns the whole line.
     */
    public String expect(String prefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (;;) {
                long left = deadline - System.nanoTime();
                String l = left <= 0 ? null : stdoutQueue.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
                if (l == null) {
                    if (System.nanoTime() - deadline >= 0) {
                        throw new AssertionError(name + " did not print '" + prefix + "' within " + timeout + " (process " + state() + ")" + tail());
                    }
                    if (!process.isAlive() && stdoutQueue.isEmpty() && !readers.get(0).isAlive()) {
                        throw new AssertionError(name + " exited (status " + process.exitValue() + ") before printing '" + prefix + "'" + tail());
                    }
                    continue;
                }
                if (l.startsWith(prefix)) {
                    return l;
                }
                if (l.startsWith("ERR ")) {
                    throw new AssertionError(name + " answered '" + l + "' while '" + prefix + "' was expected" + tail());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(name + ": interrupted while waiting for '" + prefix + "'", e);
        }
    }

    /** Sends {@code cmd}, waits for the answer line starting with {@code key} and returns the rest of it, trimmed. */
    public synchronized String ask(String cmd, String key) {
        send(cmd);
        String line = expect(key + " ", ANSWER);
        return line.substring(key.length() + 1).trim();
    }

    /** {@link #ask} for an integer answer such as {@code COUNT 2100}. */
    public long askLong(String cmd, String key) {
        String v = ask(cmd, key);
        try {
            return Long.parseLong(v.split("\\s+")[0]);
        } catch (NumberFormatException e) {
            throw new AssertionError(name + " answered '" + key + " " + v + "' to '" + cmd + "': not a number");
        }
    }

    /**
     * The attribute of the first platform MBean in the child matching {@code pattern} (the legacy mains'
     * {@code attr} command), or empty when none matches.
     */
    public Optional<String> attr(String pattern, String attribute) {
        String v = ask("attr " + pattern + " " + attribute, "ATTR");
        return v.equals("-") ? Optional.empty() : Optional.of(v);
    }

    // ------------------------------------------------------------------------------------------------ process

    /** Kills the process (SIGKILL) and waits for it to be reaped. Remembers when, for {@link #killedAtNanos()}. */
    public void kill() {
        if (killedAtNanos == 0) {
            killedAtNanos = System.nanoTime();
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError(name + " (pid " + process.pid() + ") still alive 30 s after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(name + ": interrupted while reaping", e);
        }
    }

    /** {@link System#nanoTime()} just before the first {@link #kill()}, or 0. */
    public long killedAtNanos() {
        return killedAtNanos;
    }

    /** Waits for the process to exit by itself (for example after {@code quit}) and returns its status. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + " did not exit within " + timeout + tail());
            }
            for (Thread r : readers) {
                r.join(TimeUnit.SECONDS.toMillis(10)); // the rest of its output
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(name + ": interrupted while waiting for exit", e);
        }
    }

    /** Always kills and reaps the process; safe to call more than once. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + process.pid() + ") still alive 30 s after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                stdin.close();
            } catch (IOException e) {
                // already closed by the dying process
            }
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public String name() {
        return name;
    }

    public List<String> command() {
        return command;
    }

    /** Every line the child printed so far, stdout and stderr, in arrival order. */
    public List<String> lines() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /** The stderr lines so far. */
    public List<String> stderrLines() {
        synchronized (all) {
            return List.copyOf(stderr);
        }
    }

    /** Lines (stdout and stderr) matching {@code p}. */
    public List<String> lines(Predicate<String> p) {
        return lines().stream().filter(p).collect(Collectors.toList());
    }

    private String state() {
        return process.isAlive() ? "alive, pid " + process.pid() : "exited with " + process.exitValue();
    }

    /** The last lines of output, for failure messages. */
    public String tail() {
        List<String> l = lines();
        List<String> last = l.subList(Math.max(0, l.size() - 40), l.size());
        return "\n--- " + name + " command: " + String.join(" ", command)
                + "\n--- last " + last.size() + " of " + l.size() + " lines of " + name + ":\n  " + String.join("\n  ", last);
    }

    @Override
    public String toString() {
        return name + "(pid " + process.pid() + ")";
    }

    // ------------------------------------------------------------------------------------------------ builder

    /** Describes a child JVM; {@link #start()} launches it. */
    public static final class Builder {
        private final Path javaHome;
        private String name = "jvm";
        private String classPath = legacyClassPath();
        private final List<String> jvmArgs = new ArrayList<>(List.of(
                "-Xmx256m",
                "-Djava.net.preferIPv4Stack=true",
                "-Djava.rmi.server.hostname=127.0.0.1"));
        private String mainClass;
        private final List<String> args = new ArrayList<>();

        private Builder(Path javaHome) {
            this.javaHome = javaHome;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** The class path; {@link Jvm#legacyClassPath()} unless set. */
        public Builder classPath(String classPath) {
            this.classPath = classPath;
            return this;
        }

        /** Adds {@code -javaagent:<jar>=<args>} ({@code args} may be null: no {@code =}). */
        public Builder agent(Path jar, String agentArgs) {
            jvmArgs.add("-javaagent:" + jar.toAbsolutePath() + (agentArgs == null || agentArgs.isEmpty() ? "" : "=" + agentArgs));
            return this;
        }

        /** Adds {@code -D<key>=<value>}. */
        public Builder sysProp(String key, String value) {
            jvmArgs.add("-D" + key + "=" + value);
            return this;
        }

        /** Adds a raw JVM option. */
        public Builder jvmArg(String arg) {
            jvmArgs.add(arg);
            return this;
        }

        public Builder main(Class<?> mainClass, Object... args) {
            this.mainClass = mainClass.getName();
            this.args.clear();
            Arrays.stream(args).map(String::valueOf).forEach(this.args::add);
            return this;
        }

        public Jvm start() {
            if (mainClass == null) {
                throw new IllegalStateException("no main class for " + name);
            }
            List<String> cmd = new ArrayList<>();
            cmd.add(javaHome.resolve("bin").resolve("java").toString());
            cmd.addAll(jvmArgs);
            cmd.add("-cp");
            cmd.add(classPath);
            cmd.add(mainClass);
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("ZEN_") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
            try {
                return new Jvm(name, cmd, pb.start());
            } catch (IOException e) {
                throw new AssertionError("cannot start " + name + ": " + String.join(" ", cmd), e);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ class paths

    /**
     * The directory (or jar) holding the legacy application's classes, and nothing else: the application under
     * test sees only its own classes and the JDK, never zen, JGroups or slf4j from the test class path, so the
     * agent cannot lean on them by accident.
     */
    public static String legacyClassPath() {
        try {
            return Path.of(io.zenmonitor.agent.it.legacy.Board.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** This JVM's class path (failsafe must run with {@code useManifestOnlyJar=false} for it to be usable). */
    public static String testClassPath() {
        return System.getProperty("java.class.path");
    }

    // ------------------------------------------------------------------------------------------------ JDKs

    /** A JDK to run the children on; {@link #home()} skips the test (an assumption) when it is absent. */
    public record Jdk(String label, Path path) {

        /** The JDK's home; aborts the current test through an assumption when this JDK is not installed. */
        public Path home() {
            Assumptions.assumeTrue(path != null, () -> label + " is not installed here: skipped");
            return path;
        }

        @Override
        public String toString() {
            return path == null ? label + " (absent)" : label;
        }
    }

    /**
     * This JDK, and a JDK 25 (Temurin) in a sibling directory of {@code java.home} whose {@code release} file
     * says {@code JAVA_VERSION="25} (or at {@code -Dzen.it.jdk25=<home>}); the latter is returned even when
     * absent, so that the test shows up as skipped.
     */
    public static Stream<Jdk> jdks() {
        Path self = Path.of(System.getProperty("java.home")).toAbsolutePath();
        Jdk current = new Jdk("JDK " + Runtime.version().feature(), self);
        if (Runtime.version().feature() == 25) {
            return Stream.of(current);
        }
        return Stream.of(current, new Jdk("JDK 25", jdk25(self).orElse(null)));
    }

    static Optional<Path> jdk25(Path self) {
        String explicit = System.getProperty("zen.it.jdk25");
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            return isJdk(p, "25") ? Optional.of(p) : Optional.empty();
        }
        Path parent = self.getParent();
        if (parent == null) {
            return Optional.empty();
        }
        try (Stream<Path> siblings = Files.list(parent)) {
            return siblings.filter(p -> !p.toAbsolutePath().equals(self))
                    .filter(p -> isJdk(p, "25"))
                    .sorted()
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean isJdk(Path home, String feature) {
        if (!Files.isExecutable(home.resolve("bin").resolve("java"))) {
            return false;
        }
        try (Stream<String> release = Files.lines(home.resolve("release"))) {
            return release.anyMatch(l -> l.startsWith("JAVA_VERSION=\"" + feature + "\"") || l.startsWith("JAVA_VERSION=\"" + feature + "."));
        } catch (IOException e) {
            return false;
        }
    }
}
