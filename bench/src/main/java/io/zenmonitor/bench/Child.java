package io.zenmonitor.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM of the harness, driven through stdin and stdout (the pattern of the agent ITs' {@code Jvm}):
 * {@link #send}, {@link #expect}. Always closed: {@link #close()} kills it ({@code destroyForcibly()}) and
 * reaps it. The children also exit when their stdin ends, so a harness killed by surprise leaves none behind.
 */
public final class Child implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Writer stdin;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();
    private final boolean echo;

    private Child(String name, Process process, boolean echo) {
        this.name = name;
        this.process = process;
        this.echo = echo;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    synchronized (all) {
                        all.add(l);
                    }
                    lines.add(l);
                    if (this.echo) {
                        System.out.println("  [" + name + "] " + l);
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "child-" + name);
        t.setDaemon(true);
        t.start();
    }

    /** Starts {@code java <jvmArgs> -cp <classPath> <main> <args>} with this JVM's java, stderr merged into stdout. */
    public static Child start(String name, List<String> jvmArgs, String classPath, String main, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString()); // this JVM's java
        cmd.add("-Djava.net.preferIPv4Stack=true");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(main);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("ZEN_") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
        try {
            return new Child(name, pb.start(), Boolean.getBoolean("zen.bench.echo"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + ": " + cmd, e);
        }
    }

    public void send(String command) {
        try {
            stdin.write(command + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new IllegalStateException(name + ": cannot send '" + command + "'" + tail(), e);
        }
    }

    /** The next line starting with {@code prefix}; lines in between are skipped. */
    public String expect(String prefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (;;) {
                long left = deadline - System.nanoTime();
                String l = left <= 0 ? null : lines.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
                if (l == null) {
                    if (System.nanoTime() - deadline >= 0) {
                        throw new IllegalStateException(name + " did not print '" + prefix + "' within " + timeout + tail());
                    }
                    if (!process.isAlive() && lines.isEmpty()) {
                        TimeUnit.MILLISECONDS.sleep(100); // the reader's last lines
                        if (lines.isEmpty()) {
                            throw new IllegalStateException(name + " exited (" + process.exitValue() + ") before '" + prefix + "'" + tail());
                        }
                    }
                    continue;
                }
                if (l.startsWith(prefix)) {
                    return l;
                }
                if (l.startsWith("FAILED")) {
                    throw new IllegalStateException(name + ": " + l + tail());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted", e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the child to exit by itself. */
    public void awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " did not exit within " + timeout + tail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String tail() {
        List<String> l;
        synchronized (all) {
            l = List.copyOf(all);
        }
        return "\n--- last lines of " + name + ":\n  " + String.join("\n  ", l.subList(Math.max(0, l.size() - 30), l.size()));
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
