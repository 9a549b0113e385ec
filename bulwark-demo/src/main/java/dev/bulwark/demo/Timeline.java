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
   * The showcase's script, 27 s: healthy 0-4 s (1% 5xx), degraded 4-9 s (20% 5xx, 10% answered only
   * after 1.5 s), rate limited 9-13 s (35% 429 with Retry-After), outage 13-21 s (every request a
   * 503 without Retry-After), then recovered (1% 5xx) until 27 s.
   */
  public static Timeline standard() {
    Duration fast = Duration.ofMillis(5);
    Duration slow = Duration.ofMillis(1500);
    return new Timeline(
        List.of(
            Phase.steady("healthy", Duration.ZERO, 0.01, fast),
            new Phase("degraded", Duration.ofSeconds(4), 0.20, 0.10, 0, fast, slow),
            new Phase("rate limited", Duration.ofSeconds(9), 0, 0, 0.35, fast, slow),
            Phase.steady("outage", Duration.ofSeconds(13), 1.0, fast),
            Phase.steady("recovered", Duration.ofSeconds(21), 0.01, fast)),
        Duration.ofSeconds(27));
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
