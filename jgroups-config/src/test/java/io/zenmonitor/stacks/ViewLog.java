package io.zenmonitor.stacks;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.jgroups.JChannel;
import org.jgroups.Receiver;
import org.jgroups.View;

/**
 * Records every view a channel installs together with its {@link System#nanoTime()} of arrival, so that tests
 * measure when a view really arrived rather than when a poll happened to notice it.
 */
final class ViewLog implements Receiver {
  record Entry(long nanos, View view) {}

  private final List<Entry> entries = new CopyOnWriteArrayList<>();

  static ViewLog on(JChannel channel) {
    ViewLog log = new ViewLog();
    View current = channel.getView();
    if (current != null) {
      log.entries.add(new Entry(System.nanoTime(), current));
    }
    channel.setReceiver(log);
    return log;
  }

  @Override
  public void viewAccepted(View view) {
    entries.add(new Entry(System.nanoTime(), view));
  }

  View latest() {
    return entries.isEmpty() ? null : entries.get(entries.size() - 1).view();
  }

  /** Waits until the latest view matches and returns it. */
  View awaitView(Predicate<View> condition, Duration atMost) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(10)).until(() -> {
      View v = latest();
      return v != null && condition.test(v);
    });
    return latest();
  }

  /** Arrival time of the first recorded occurrence of {@code view}. */
  long arrivalNanos(View view) {
    return entries.stream().filter(e -> e.view().equals(view)).findFirst().orElseThrow().nanos();
  }

  List<Entry> entries() {
    return List.copyOf(entries);
  }
}
