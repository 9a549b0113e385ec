package dev.bulwark.demo;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The flaky service's script: phases in order of their start, the first starting at zero, and how
 * long the whole run lasts.
 *
 * @param phases the phases, first one starting at zero, starts strictly increasing
 * @param length how long a run against this script lasts; after the last phase starts
 */
public record Timeline(List<Phase> phases, Duration length) {

  /** Checks that the phases are in order and the run outlasts the last one's start. */
  public Timeline {
    phases = List.copyOf(phases);
    Objects.requireNonNull(length, "length");
    if (phases.isEmpty() || !phases.get(0).start().isZero()) {
      throw new IllegalArgumentException("the first phase must start at zero");
    }
    for (int i = 1; i < phases.size(); i++) {
      if (phases.get(i).start().compareTo(phases.get(i - 1).start()) <= 0) {
        throw new IllegalArgumentException(
            "phase " + phases.get(i).name() + " must start after " + phases.get(i - 1).name());
      }
    }
    if (length.compareTo(phases.get(phases.size() - 1).start()) <= 0) {
      throw new IllegalArgumentException("length must be after the last phase starts");
    }
  }

  /**
   * The showcase's script: healthy 0-4 s (5% errors), degraded 4-8 s (30% errors, slow), outage
   * 8-16 s (every call fails after a 500 ms connect timeout), then recovered until 20 s.
   */
  public static Timeline standard() {
    Duration fast = Duration.ofMillis(20);
    Duration connectTimeout = Duration.ofMillis(500);
    return new Timeline(
        List.of(
            new Phase("healthy", Duration.ZERO, 0.05, fast, fast),
            new Phase("degraded", Duration.ofSeconds(4), 0.30, Duration.ofMillis(200), fast),
            new Phase("outage", Duration.ofSeconds(8), 1.0, fast, connectTimeout),
            new Phase("recovered", Duration.ofSeconds(16), 0.01, fast, fast)),
        Duration.ofSeconds(20));
  }

  /** The index of the phase under way at {@code elapsedNanos} since the run began. */
  public int phaseIndexAt(long elapsedNanos) {
    for (int i = phases.size() - 1; i > 0; i--) {
      if (elapsedNanos - phases.get(i).start().toNanos() >= 0) {
        return i;
      }
    }
    return 0;
  }

  /** The phase under way at {@code elapsedNanos} since the run began. */
  public Phase phaseAt(long elapsedNanos) {
    return phases.get(phaseIndexAt(elapsedNanos));
  }

  /** When phase {@code index} ends: the next one's start, or the end of the run. */
  public Duration end(int index) {
    return index + 1 < phases.size() ? phases.get(index + 1).start() : length;
  }

  /** The index of the first phase in which the service is down, if any. */
  public Optional<Integer> outageIndex() {
    for (int i = 0; i < phases.size(); i++) {
      if (phases.get(i).isDown()) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }
}
