package dev.bulwark.health;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/** Records the status changes a monitor announces, and whether two ever overlapped. Thread-safe. */
final class Changes implements HealthMonitor.StatusListener {
  final List<HealthReport> reports = new CopyOnWriteArrayList<>();
  private final List<String> changes = new CopyOnWriteArrayList<>();
  private final AtomicInteger inside = new AtomicInteger();
  private final AtomicInteger overlaps = new AtomicInteger();

  static Changes listeningTo(HealthMonitor monitor) {
    Changes changes = new Changes();
    monitor.onStatusChange(changes);
    return changes;
  }

  @Override
  public void onStatusChange(HealthStatus from, HealthStatus to, HealthReport report) {
    if (inside.incrementAndGet() != 1) {
      overlaps.incrementAndGet();
    }
    try {
      changes.add(from + ">" + to);
      reports.add(report);
    } finally {
      inside.decrementAndGet();
    }
  }

  /** The changes as "FROM>TO" strings, in the order they were announced. */
  List<String> all() {
    return List.copyOf(changes);
  }

  /** How many times a listener call began while another was still running. */
  int overlaps() {
    return overlaps.get();
  }

  /** True if each change starts where the one before ended, the first at HEALTHY. */
  boolean formAChain() {
    String at = "HEALTHY";
    for (String change : changes) {
      if (!change.startsWith(at + ">")) {
        return false;
      }
      at = change.substring(change.indexOf('>') + 1);
    }
    return true;
  }

  long countTo(HealthStatus status) {
    return changes.stream().filter(c -> c.endsWith(">" + status)).collect(Collectors.counting());
  }
}
