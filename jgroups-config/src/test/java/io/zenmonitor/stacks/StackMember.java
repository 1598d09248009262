package io.zenmonitor.stacks;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jgroups.JChannel;
import org.jgroups.Receiver;
import org.jgroups.View;

/**
 * A child-JVM cluster member for {@link LoopbackKillIT}: joins a stack ({@code zen/stacks/loopback.xml} by default) and prints every view
 * with a wall-clock timestamp, one line each ({@code <epochMillis> VIEW <view>}), so the parent can read what the
 * member saw.
 *
 * <p>Usage: {@code StackMember <cluster> <name> <stackDir> [<stack resource>]}. {@code stackDir} becomes
 * {@code zen.stack.dir}, so that test runs never share discovery files. The stack defaults to loopback.xml; other
 * stacks take their site values as {@code -Dzen.stack.*} options of the child JVM.
 *
 * <p>Lifetime: the member runs until its standard input reaches end-of-file (the parent closed the pipe or died) or
 * until {@link #MAX_LIFETIME_SECONDS} have passed, whichever comes first, so that an orphan never outlives a broken
 * build for long. The parent normally ends it with {@code destroyForcibly()}.
 */
public final class StackMember {
  /** Upper bound on the life of an orphaned member. */
  static final long MAX_LIFETIME_SECONDS = 180;

  private StackMember() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3 && args.length != 4) {
      System.err.println("usage: StackMember <cluster> <name> <stackDir> [<stack resource>]");
      System.exit(2);
    }
    String cluster = args[0];
    String name = args[1];
    System.setProperty("zen.stack.dir", args[2]);

    ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "stack-member-watchdog");
      t.setDaemon(true);
      return t;
    });
    watchdog.schedule(() -> {
      System.out.println(System.currentTimeMillis() + " EXIT max lifetime reached");
      Runtime.getRuntime().halt(3);
    }, MAX_LIFETIME_SECONDS, TimeUnit.SECONDS);

    long start = System.nanoTime();
    String stack = args.length == 4 ? args[3] : "zen/stacks/loopback.xml";
    try (JChannel channel = new JChannel(stack).name(name)) {
      channel.setReceiver(new Receiver() {
        @Override
        public void viewAccepted(View view) {
          System.out.println(System.currentTimeMillis() + " VIEW " + view);
        }
      });
      channel.connect(cluster);
      System.out.println(System.currentTimeMillis() + " CONNECTED after "
          + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms as " + channel.getAddress()
          + " on Java " + Runtime.version());
      waitForEndOfInput(System.in);
      System.out.println(System.currentTimeMillis() + " EXIT stdin closed");
    }
    System.exit(0);
  }

  private static void waitForEndOfInput(InputStream in) {
    try {
      while (in.read() != -1) {
        // ignore input; only end-of-file matters
      }
    } catch (IOException e) {
      // the pipe broke: the parent is gone
    }
  }
}
