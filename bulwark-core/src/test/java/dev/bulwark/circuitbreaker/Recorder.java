package dev.bulwark.circuitbreaker;

import dev.bulwark.event.PolicyEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Collects a breaker's events for assertions. Thread-safe. */
final class Recorder {
  final List<PolicyEvent> events = new CopyOnWriteArrayList<>();

  static Recorder listeningTo(CircuitBreaker breaker) {
    Recorder recorder = new Recorder();
    breaker.events().subscribe(recorder.events::add);
    return recorder;
  }

  long count(Class<? extends PolicyEvent> type) {
    return events.stream().filter(type::isInstance).count();
  }

  /** Transitions as "FROM>TO" strings, in order. */
  List<String> transitions() {
    return events.stream()
        .filter(StateChanged.class::isInstance)
        .map(StateChanged.class::cast)
        .map(e -> e.from() + ">" + e.to())
        .collect(Collectors.toList());
  }
}
