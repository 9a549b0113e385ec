package dev.bulwark.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One stretch of the flaky service's script. From {@code start} (time since the run began) until
 * the next phase starts, each request draws a number {@code u} uniform in [0, 1): below {@code
 * errorRate} it gets a 5xx; below {@code errorRate + slowRate} it gets a good answer only after
 * {@code slowLatency}; below {@code errorRate + slowRate + throttleRate} it gets a 429 with {@code
 * Retry-After}; otherwise a good answer after {@code latency}. A phase whose error rate is 1 is an
 * outage: every request gets a 503 without {@code Retry-After}.
 *
 * @param name what the phase is called in the printed script
 * @param start when the phase begins, measured from the start of the run
 * @param errorRate the share of requests answered 500 or 503
 * @param slowRate the share of requests answered well but only after {@code slowLatency}
 * @param throttleRate the share of requests answered 429 Too Many Requests
 * @param latency how long a good answer takes
 * @param slowLatency how long a slow answer takes
 */
public record Phase(
    String name,
    Duration start,
    double errorRate,
    double slowRate,
    double throttleRate,
    Duration latency,
    Duration slowLatency) {

  /** Checks every field. */
  public Phase {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(slowLatency, "slowLatency");
    if (start.isNegative() || latency.isNegative() || slowLatency.isNegative()) {
      throw new IllegalArgumentException(
          "start, latency and slowLatency must not be negative in phase " + name);
    }
    checkRate("errorRate", errorRate, name);
    checkRate("slowRate", slowRate, name);
    checkRate("throttleRate", throttleRate, name);
    double sum = errorRate + slowRate + throttleRate;
    if (sum > 1) {
      throw new IllegalArgumentException(
          "errorRate + slowRate + throttleRate must be at most 1, was "
              + sum
              + " in phase "
              + name);
    }
  }

  /** A phase that answers every request well after {@code latency}, but for {@code errorRate}. */
  public static Phase steady(String name, Duration start, double errorRate, Duration latency) {
    return new Phase(name, start, errorRate, 0, 0, latency, latency);
  }

  private static void checkRate(String field, double rate, String phase) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException(
          field + " must be in [0, 1], was " + rate + " in phase " + phase);
    }
  }

  /** True if every request fails: the service is down. */
  public boolean isDown() {
    return errorRate >= 1;
  }

  /** One line for the printed script, such as "degraded: 20% 5xx, 10% slow (1500 ms)". */
  public String describe() {
    if (isDown()) {
      return name + ": every request gets a 503 without Retry-After";
    }
    List<String> parts = new ArrayList<>();
    if (errorRate > 0) {
      parts.add(String.format(Locale.ROOT, "%.0f%% 5xx", errorRate * 100));
    }
    if (slowRate > 0) {
      parts.add(
          String.format(
              Locale.ROOT, "%.0f%% slow (%d ms)", slowRate * 100, slowLatency.toMillis()));
    }
    if (throttleRate > 0) {
      parts.add(
          String.format(
              Locale.ROOT,
              "%.0f%% 429 with Retry-After (1 s, or an HTTP date)",
              throttleRate * 100));
    }
    parts.add(String.format(Locale.ROOT, "otherwise ~%d ms", latency.toMillis()));
    StringBuilder line = new StringBuilder(name).append(": ").append(String.join(", ", parts));
    return line.toString();
  }
}
