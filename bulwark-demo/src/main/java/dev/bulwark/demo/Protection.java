package dev.bulwark.demo;

import dev.bulwark.Pipeline;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The protected client's policies: a circuit breaker around a retry, in one pipeline. The breaker
 * is outermost, so it counts one outcome per request (not one per attempt) and, once open, stops
 * the retries from reaching the service at all.
 *
 * <p>Thread-safe.
 */
final class Protection {
  static final String NAME = "inventory";

  private final CircuitBreaker breaker;
  private final Retry retry;
  private final Pipeline pipeline;

  private Protection(CircuitBreaker breaker, Retry retry) {
    this.breaker = breaker;
    this.retry = retry;
    this.pipeline = Pipeline.of(breaker, retry);
  }

  /**
   * The showcase's settings: the breaker opens after 5 failed requests in a row or half of the last
   * 20, stays open 1 s, and closes after 2 good probes; the retry makes up to 3 attempts with fully
   * jittered exponential backoff from 50 ms, doubling, capped at 400 ms.
   *
   * @param random where the retry draws its jitter from
   */
  static Protection standard(
      Clock clock, Scheduler scheduler, Supplier<? extends RandomGenerator> random) {
    Objects.requireNonNull(random, "random");
    CircuitBreakerConfig breakerConfig =
        CircuitBreakerConfig.builder()
            .consecutiveFailures(5)
            .failureRateThreshold(50)
            .windowSize(20)
            .minimumCalls(10)
            .openDuration(Duration.ofSeconds(1))
            .halfOpenMaxCalls(2)
            .successThreshold(2)
            .build();
    RetryConfig retryConfig =
        RetryConfig.builder()
            .maxAttempts(3)
            .backoff(
                Backoff.exponential(Duration.ofMillis(50), 2.0, Duration.ofMillis(400))
                    .withJitter(Backoff.Jitter.FULL))
            .random(random)
            .build();
    return new Protection(
        CircuitBreaker.of(NAME, breakerConfig, clock),
        Retry.of(NAME, retryConfig, clock, scheduler));
  }

  /** The breaker, then the retry. */
  Pipeline pipeline() {
    return pipeline;
  }

  /** The circuit breaker, to listen to its state changes. */
  CircuitBreaker breaker() {
    return breaker;
  }

  /** The settings in one line, read back from the policies' own configuration. */
  String describe() {
    CircuitBreakerConfig b = breaker.config();
    RetryConfig r = retry.config();
    Backoff backoff = r.backoff();
    return String.format(
        Locale.ROOT,
        "circuit breaker: opens after %d failed requests in a row or %.0f%% of the last %d,%n"
            + "                 stays open %.1f s, closes after %d good probes%n"
            + "               around retry: %d attempts, backoff from %d ms x%.0f up to %d ms,"
            + " %s jitter",
        b.consecutiveFailures(),
        b.failureRateThreshold(),
        b.windowSize(),
        b.openDuration().toMillis() / 1e3,
        b.successThreshold(),
        r.maxAttempts(),
        backoff.initial().toMillis(),
        backoff.multiplier(),
        backoff.max().toMillis(),
        backoff.jitter().name().toLowerCase(Locale.ROOT));
  }
}
