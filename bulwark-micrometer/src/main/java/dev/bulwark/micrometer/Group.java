package dev.bulwark.micrometer;

import dev.bulwark.policy.Policy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one {@code name} label value of one kind: usually one policy, or every policy
 * counted under {@code "other"}. Gauges and function counters read the members when scraped; event
 * counters are made on first use and kept here so they go with the group. Thread-safe: members and
 * meters are concurrent sets, changed under {@link BulwarkMetrics}'s lock and read by scrapes and
 * event listeners.
 */
final class Group {
  final String kind;
  final String label;
  final Set<Policy> members = ConcurrentHashMap.newKeySet();
  private final MeterRegistry registry;
  private final Tags tags;
  private final Set<Meter> meters = ConcurrentHashMap.newKeySet();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private volatile boolean removed;

  Group(String kind, String label, MeterRegistry registry, Tags tags) {
    this.kind = kind;
    this.label = label;
    this.registry = registry;
    this.tags = tags;
  }

  /** The sum of {@code value} over the members. */
  @SuppressWarnings("unchecked")
  <P extends Policy> double sum(ToDoubleFunction<P> value) {
    double sum = 0;
    for (Policy member : members) {
      sum += value.applyAsDouble((P) member);
    }
    return sum;
  }

  /** The largest {@code value} among the members; NaN if none. */
  @SuppressWarnings("unchecked")
  <P extends Policy> double max(ToDoubleFunction<P> value) {
    double max = Double.NaN;
    for (Policy member : members) {
      double v = value.applyAsDouble((P) member);
      if (Double.isNaN(max) || v > max) {
        max = v;
      }
    }
    return max;
  }

  void gauge(String name, String description, String unit, ToDoubleFunction<Group> value) {
    add(gaugeBuilder(name, description, unit, value).tags(tags).register(registry));
  }

  void gauge(
      String name,
      String description,
      String unit,
      String tagKey,
      String tagValue,
      ToDoubleFunction<Group> value) {
    add(
        gaugeBuilder(name, description, unit, value)
            .tags(tags)
            .tag(tagKey, tagValue)
            .register(registry));
  }

  private Gauge.Builder<Group> gaugeBuilder(
      String name, String description, String unit, ToDoubleFunction<Group> value) {
    Gauge.Builder<Group> b =
        Gauge.builder(name, this, value).description(description).strongReference(true);
    return unit.isEmpty() ? b : b.baseUnit(unit);
  }

  void functionCounter(
      String name,
      String description,
      String tagKey,
      String tagValue,
      ToDoubleFunction<Group> value) {
    FunctionCounter.Builder<Group> b =
        FunctionCounter.builder(name, this, value).description(description).tags(tags);
    if (!tagKey.isEmpty()) {
      b = b.tag(tagKey, tagValue);
    }
    add(b.register(registry));
  }

  /** A function counter without an extra tag, in {@code unit}. */
  void functionCounter(
      String name, String description, String unit, ToDoubleFunction<Group> value) {
    add(
        FunctionCounter.builder(name, this, value)
            .description(description)
            .baseUnit(unit)
            .tags(tags)
            .register(registry));
  }

  /** The counter {@code name} with the extra tag, made on first use. */
  Counter counter(String name, String description, String tagKey, String tagValue) {
    Counter counter = counters.get(name + '\0' + tagValue);
    if (counter == null) {
      counter =
          counters.computeIfAbsent(
              name + '\0' + tagValue,
              key -> {
                Counter.Builder b = Counter.builder(name).description(description).tags(tags);
                return (tagKey.isEmpty() ? b : b.tag(tagKey, tagValue)).register(registry);
              });
      add(counter);
    }
    return counter;
  }

  /** The timer {@code name} with outcome {@code outcome}, made on first use. */
  void time(String name, String description, String outcome, long nanos) {
    Timer timer = timers.get(outcome);
    if (timer == null) {
      timer =
          timers.computeIfAbsent(
              outcome,
              key ->
                  Timer.builder(name)
                      .description(description)
                      .tags(tags)
                      .tag("outcome", outcome)
                      .register(registry));
      add(timer);
    }
    timer.record(nanos, TimeUnit.NANOSECONDS);
  }

  private void add(Meter meter) {
    meters.add(meter);
    if (removed) { // an event raced with the removal: take it out again
      registry.remove(meter);
    }
  }

  void removeMeters() {
    removed = true;
    for (Meter meter : meters) {
      registry.remove(meter);
    }
    meters.clear();
  }
}
