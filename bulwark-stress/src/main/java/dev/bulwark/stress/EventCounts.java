package dev.bulwark.stress;

import dev.bulwark.event.CallRejected;
import dev.bulwark.event.EventSource;
import dev.bulwark.event.OutcomeIgnored;
import dev.bulwark.event.PolicyEvent;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts every event one policy publishes, by event type (and, for {@code CallRejected}, by the
 * rejection's type too: {@code "CallRejected/BulkheadFullException"}, and for {@code
 * OutcomeIgnored} by what was ignored: {@code "OutcomeIgnored/success"} or {@code "/failure"}), so
 * the soak can match what a policy says it did to what its callers saw.
 *
 * <p>Thread-safe.
 */
final class EventCounts {
  private final String policy;
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  private EventCounts(String policy) {
    this.policy = policy;
  }

  /** Subscribes to every event of {@code source}. */
  static EventCounts of(String policy, EventSource source) {
    EventCounts counts = new EventCounts(policy);
    source.subscribe(counts::count);
    return counts;
  }

  private void count(PolicyEvent event) {
    String type = event.getClass().getSimpleName();
    counts.computeIfAbsent(type, k -> new LongAdder()).increment();
    if (event instanceof CallRejected rejected) {
      String why = rejected.rejection().getClass().getSimpleName();
      counts.computeIfAbsent(type + "/" + why, k -> new LongAdder()).increment();
    } else if (event instanceof OutcomeIgnored ignored) {
      // A breaker ignores successes too (a call let through before it changed state).
      String what = ignored.failure() == null ? "success" : "failure";
      counts.computeIfAbsent(type + "/" + what, k -> new LongAdder()).increment();
    }
  }

  /** How many events of {@code type} (a simple class name, or "CallRejected/Exception"). */
  long get(String type) {
    LongAdder adder = counts.get(type);
    return adder == null ? 0 : adder.sum();
  }

  String policy() {
    return policy;
  }

  /** Every count, sorted by type. */
  Map<String, Long> all() {
    Map<String, Long> sorted = new TreeMap<>();
    counts.forEach((k, v) -> sorted.put(k, v.sum()));
    return sorted;
  }

  @Override
  public String toString() {
    return policy + " " + all();
  }
}
