package io.zenmonitor.demo.chat;

import java.io.IOException;
import java.io.InputStream;

/** The demo's processes end when their parent goes away: their stdin (a pipe from the parent) ends. */
final class Stdin {

    private Stdin() {
    }

    /** Starts a daemon thread that exits the JVM (status 0) when stdin ends or says {@code quit}. */
    static void exitWhenClosed() {
        Thread t = new Thread(() -> {
            InputStream in = System.in;
            StringBuilder line = new StringBuilder();
            try {
                int c;
                while ((c = in.read()) >= 0) {
                    if (c == '\n') {
                        if (line.toString().trim().equals("quit")) {
                            break;
                        }
                        line.setLength(0);
                    } else if (line.length() < 64) {
                        line.append((char) c);
                    }
                }
            } catch (IOException e) {
                // the parent is gone
            }
            System.exit(0);
        }, "stdin-watch");
        t.setDaemon(true);
        t.start();
    }

    /** Prints one protocol line for the harness. */
    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
