package io.zenmonitor.demo.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One process the demo started: its output (stdout and stderr together) goes to a log file and, line by line,
 * to a handler. Every child is in {@link #ALL} until it is reaped, and a shutdown hook kills whatever is left
 * (Ctrl-C, an error in the harness). Children also exit by themselves when their stdin, a pipe from this JVM,
 * ends, which covers this JVM being killed with SIGKILL.
 */
final class Child implements AutoCloseable {

    /** Every child not yet reaped. */
    static final List<Child> ALL = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Child::killAll, "demo-cleanup"));
    }

    final String name;
    final Process process;
    private final Thread reader;

    private Child(String name, Process process, Path log, Consumer<String> handler) throws IOException {
        this.name = name;
        this.process = process;
        Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
        this.reader = new Thread(() -> {
            try (out; BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    out.write(line);
                    out.write('\n');
                    handler.accept(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "out-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code command}; its environment drops ZEN_* and JAVA_TOOL_OPTIONS so the shell cannot change the runs. */
    static Child start(String name, List<String> command, Path log, Consumer<String> handler) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("ZEN_") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
        Process p = pb.start();
        Child c = new Child(name, p, log, handler);
        ALL.add(c);
        return c;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** kill -9. */
    void kill() {
        process.destroyForcibly();
        reap(10);
    }

    /** SIGTERM: the JVM runs its shutdown hooks (the agent closes its node cleanly). Waits up to 20 s, then SIGKILL. */
    void terminate() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        reap(10);
    }

    private void reap(int seconds) {
        try {
            if (process.waitFor(seconds, TimeUnit.SECONDS)) {
                reader.join(TimeUnit.SECONDS.toMillis(2));
                ALL.remove(this);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        reap(30);
    }

    static void killAll() {
        for (Child c : ALL) {
            c.process.destroyForcibly();
        }
        for (Child c : ALL) {
            c.reap(10);
        }
    }
}
