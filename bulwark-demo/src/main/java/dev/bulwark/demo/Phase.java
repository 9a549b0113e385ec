package dev.bulwark.demo;

import java.time.Duration;
import java.util.Objects;

/**
 * One stretch of the flaky service's script: from {@code start} (time since the run began) until
 * the next phase starts, a call fails with probability {@code errorRate}; a call that succeeds
 * takes about {@code latency} (between half and one and a half times it), a call that fails takes
 * {@code failureLatency}.
 *
 * @param name what the phase is called in the printed script
 * @param start when the phase begins, measured from the start of the run
 * @param errorRate the share of calls that fail, from 0 (none) to 1 (all)
 * @param latency the typical time a successful call takes
 * @param failureLatency the time a failing call takes before it fails
 */
public record Phase(
    String name, Duration start, double errorRate, Duration latency, Duration failureLatency) {

  /** Checks every field. */
  public Phase {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(failureLatency, "failureLatency");
    if (start.isNegative() || latency.isNegative() || failureLatency.isNegative()) {
      throw new IllegalArgumentException(
          "start, latency and failureLatency must not be negative in phase " + name);
    }
    if (!(errorRate >= 0 && errorRate <= 1)) {
      throw new IllegalArgumentException(
          "errorRate must be in [0, 1], was " + errorRate + " in phase " + name);
    }
  }

  /** True if every call fails: the service is down. */
  public boolean isDown() {
    return errorRate >= 1;
  }

  /** One line for the printed script, such as "degraded: 30% errors, ~200 ms". */
  public String describe() {
    if (isDown()) {
      return name
          + ": every call fails after "
          + failureLatency.toMillis()
          + " ms (connect timeout)";
    }
    return String.format(
        "%s: %.0f%% errors, ~%d ms per call", name, errorRate * 100, latency.toMillis());
  }
}
