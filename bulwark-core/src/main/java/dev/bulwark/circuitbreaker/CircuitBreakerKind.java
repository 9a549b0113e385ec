package dev.bulwark.circuitbreaker;

import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.Setting;

/** The registry's description of circuit breakers, and their settings. */
final class CircuitBreakerKind {
  private CircuitBreakerKind() {}

  static final PolicyKind<CircuitBreaker, CircuitBreakerConfig, CircuitBreakerConfig.Builder> KIND =
      PolicyKind.builder(
              "breaker",
              "circuit breaker",
              CircuitBreakerConfig.ofDefaults(),
              (name, config, clock, scheduler) -> CircuitBreaker.of(name, config, clock),
              CircuitBreakerConfig::toBuilder,
              CircuitBreakerConfig.Builder::build)
          .settings(
              Setting.<CircuitBreakerConfig.Builder>ofInt(
                      "FAILURE_THRESHOLD",
                      "consecutiveFailures",
                      0,
                      1_000_000,
                      CircuitBreakerConfig.Builder::consecutiveFailures)
                  .doc("failures in a row that open it")
                  .defaultValue("`0` (off)"),
              Setting.<CircuitBreakerConfig.Builder>ofDecimal(
                      "FAILURE_RATE",
                      "failureRateThreshold",
                      0,
                      true,
                      100,
                      (b, v) -> b.failureRateThreshold((float) v))
                  .doc("failed calls in percent of the window that open it")
                  .defaultValue("`50`"),
              Setting.<CircuitBreakerConfig.Builder>ofDuration(
                      "SLOW_CALL_DURATION",
                      "slowCallDuration",
                      false,
                      CircuitBreakerConfig.Builder::slowCallDuration)
                  .doc("a call at least this long is slow")
                  .defaultValue("`0` (off)"),
              Setting.<CircuitBreakerConfig.Builder>ofDecimal(
                      "SLOW_CALL_RATE",
                      "slowCallRateThreshold",
                      0,
                      true,
                      100,
                      (b, v) -> b.slowCallRateThreshold((float) v))
                  .doc("slow calls in percent of the window that open it")
                  .defaultValue("`100`"),
              Setting.<CircuitBreakerConfig.Builder>ofInt(
                      "WINDOW_SIZE",
                      "windowSize",
                      1,
                      100_000,
                      CircuitBreakerConfig.Builder::windowSize)
                  .doc("calls remembered when computing the rates")
                  .defaultValue("`100`"),
              Setting.<CircuitBreakerConfig.Builder>ofInt(
                      "MINIMUM_CALLS",
                      "minimumCalls",
                      1,
                      100_000,
                      CircuitBreakerConfig.Builder::minimumCalls)
                  .doc("calls in the window before a rate can open it")
                  .defaultValue("`20`")
                  .note("at most `WINDOW_SIZE`"),
              Setting.<CircuitBreakerConfig.Builder>ofDuration(
                      "OPEN_DURATION",
                      "openDuration",
                      true,
                      CircuitBreakerConfig.Builder::openDuration)
                  .doc("how long it stays open before letting a probe through")
                  .defaultValue("`30s`"),
              Setting.<CircuitBreakerConfig.Builder>ofDecimal(
                      "OPEN_DURATION_MULTIPLIER",
                      "openDurationMultiplier",
                      1,
                      false,
                      100,
                      CircuitBreakerConfig.Builder::openDurationMultiplier)
                  .doc("growth of the open duration each time a probe fails")
                  .defaultValue("`1`"),
              Setting.<CircuitBreakerConfig.Builder>ofDuration(
                      "MAX_OPEN_DURATION",
                      "maxOpenDuration",
                      true,
                      CircuitBreakerConfig.Builder::maxOpenDuration)
                  .doc("cap of the growing open duration")
                  .defaultValue("`5m` (or `OPEN_DURATION` if longer)")
                  .note("at least `OPEN_DURATION`"),
              Setting.<CircuitBreakerConfig.Builder>ofInt(
                      "HALF_OPEN_MAX_CALLS",
                      "halfOpenMaxCalls",
                      1,
                      10_000,
                      CircuitBreakerConfig.Builder::halfOpenMaxCalls)
                  .doc("probe calls let through at once while half-open")
                  .defaultValue("`1`"),
              Setting.<CircuitBreakerConfig.Builder>ofInt(
                      "SUCCESS_THRESHOLD",
                      "successThreshold",
                      1,
                      1_000_000,
                      CircuitBreakerConfig.Builder::successThreshold)
                  .doc("successful probes that close it")
                  .defaultValue("`1`"))
          .snapshot(CircuitBreaker::snapshot)
          .busy(breaker -> breaker.state() != CircuitBreaker.State.CLOSED)
          .reset(CircuitBreaker::reset)
          .health(CircuitBreaker::events)
          .pipeline(400, true)
          .build();
}
