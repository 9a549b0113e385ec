package dev.bulwark.benchmarks;

import dev.bulwark.Pipeline;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.RetryConfig;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The libraries a benchmark compares, each adapting one scenario to a plain {@link Callable}, so
 * that every library runs the same call in the same JMH run.
 *
 * <p>Every library is configured alike: a count-based window of 100 calls, a 50% failure-rate
 * threshold, 3 attempts with a 100 ms initial backoff. Where a library can leave the stack trace
 * out of its rejection exception (Resilience4j's {@code writableStackTraceEnabled}), it does, as
 * Bulwark does by default; Failsafe cannot.
 */
public enum Library {
  /** The bare call: the baseline every other row pays on top of. */
  NONE {
    @Override
    <T> Callable<T> closedBreaker(Callable<T> call) {
      return call;
    }

    @Override
    <T> Callable<T> openBreaker(Callable<T> call) {
      return call;
    }

    @Override
    <T> Callable<T> retry(Callable<T> call) {
      return call;
    }

    @Override
    <T> Callable<T> breakerAndRetry(Callable<T> call) {
      return call;
    }
  },

  BULWARK {
    @Override
    <T> Callable<T> closedBreaker(Callable<T> call) {
      return Pipeline.of(bulwarkBreaker()).decorate(call);
    }

    @Override
    <T> Callable<T> openBreaker(Callable<T> call) {
      dev.bulwark.circuitbreaker.CircuitBreaker breaker = bulwarkBreaker();
      trip(Pipeline.of(breaker).decorate(failing()));
      return Pipeline.of(breaker).decorate(call);
    }

    @Override
    <T> Callable<T> retry(Callable<T> call) {
      return Pipeline.of(bulwarkRetry()).decorate(call);
    }

    @Override
    <T> Callable<T> breakerAndRetry(Callable<T> call) {
      return Pipeline.of(bulwarkBreaker(), bulwarkRetry()).decorate(call);
    }

    private dev.bulwark.circuitbreaker.CircuitBreaker bulwarkBreaker() {
      return dev.bulwark.circuitbreaker.CircuitBreaker.of(
          "bench",
          CircuitBreakerConfig.builder()
              .windowSize(WINDOW)
              .minimumCalls(WINDOW)
              .failureRateThreshold(50)
              .openDuration(Duration.ofHours(1))
              .build());
    }

    private dev.bulwark.retry.Retry bulwarkRetry() {
      return dev.bulwark.retry.Retry.of(
          "bench",
          RetryConfig.builder()
              .maxAttempts(3)
              .backoff(Backoff.exponential(Duration.ofMillis(100), 2, Duration.ofSeconds(10)))
              .build());
    }
  },

  RESILIENCE4J {
    @Override
    <T> Callable<T> closedBreaker(Callable<T> call) {
      return io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateCallable(r4jBreaker(), call);
    }

    @Override
    <T> Callable<T> openBreaker(Callable<T> call) {
      io.github.resilience4j.circuitbreaker.CircuitBreaker breaker = r4jBreaker();
      trip(io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateCallable(breaker, failing()));
      return io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateCallable(breaker, call);
    }

    @Override
    <T> Callable<T> retry(Callable<T> call) {
      return io.github.resilience4j.retry.Retry.decorateCallable(r4jRetry(), call);
    }

    @Override
    <T> Callable<T> breakerAndRetry(Callable<T> call) {
      // Resilience4j's documented order puts retry outside the breaker; ours is the other way
      // round. Either way, one successful call goes through both once.
      return io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateCallable(
          r4jBreaker(), io.github.resilience4j.retry.Retry.decorateCallable(r4jRetry(), call));
    }

    private io.github.resilience4j.circuitbreaker.CircuitBreaker r4jBreaker() {
      return io.github.resilience4j.circuitbreaker.CircuitBreaker.of(
          "bench",
          io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
              .slidingWindowType(SlidingWindowType.COUNT_BASED)
              .slidingWindowSize(WINDOW)
              .minimumNumberOfCalls(WINDOW)
              .failureRateThreshold(50)
              .waitDurationInOpenState(Duration.ofHours(1))
              .writableStackTraceEnabled(false)
              .build());
    }

    private io.github.resilience4j.retry.Retry r4jRetry() {
      return io.github.resilience4j.retry.Retry.of(
          "bench",
          io.github.resilience4j.retry.RetryConfig.custom()
              .maxAttempts(3)
              .intervalFunction(
                  io.github.resilience4j.core.IntervalFunction.ofExponentialBackoff(
                      Duration.ofMillis(100), 2, Duration.ofSeconds(10)))
              .build());
    }
  },

  FAILSAFE {
    @Override
    <T> Callable<T> closedBreaker(Callable<T> call) {
      return adapt(Failsafe.with(failsafeBreaker()), call);
    }

    @Override
    <T> Callable<T> openBreaker(Callable<T> call) {
      dev.failsafe.CircuitBreaker<Object> breaker = failsafeBreaker();
      trip(adapt(Failsafe.with(breaker), failing()));
      return adapt(Failsafe.with(breaker), call);
    }

    @Override
    <T> Callable<T> retry(Callable<T> call) {
      return adapt(Failsafe.with(failsafeRetry()), call);
    }

    @Override
    <T> Callable<T> breakerAndRetry(Callable<T> call) {
      return adapt(Failsafe.with(failsafeBreaker()).compose(failsafeRetry()), call);
    }

    private dev.failsafe.CircuitBreaker<Object> failsafeBreaker() {
      return dev.failsafe.CircuitBreaker.builder()
          .withFailureThreshold(WINDOW / 2, WINDOW) // 50 of the last 100 executions
          .withDelay(Duration.ofHours(1))
          .build();
    }

    private dev.failsafe.RetryPolicy<Object> failsafeRetry() {
      return dev.failsafe.RetryPolicy.builder()
          .withMaxAttempts(3)
          .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(10), 2)
          .build();
    }

    @SuppressWarnings("unchecked")
    private <T> Callable<T> adapt(FailsafeExecutor<Object> executor, Callable<T> call) {
      return () -> (T) executor.get(call::call);
    }
  };

  static final int WINDOW = 100;

  /** A successful call through a closed breaker. */
  abstract <T> Callable<T> closedBreaker(Callable<T> call);

  /** A call on a breaker that is open: it is rejected (for {@link #NONE}, it just runs). */
  abstract <T> Callable<T> openBreaker(Callable<T> call);

  /** A call through a retry policy that succeeds on the first attempt. */
  abstract <T> Callable<T> retry(Callable<T> call);

  /** A successful call through a breaker and a retry together. */
  abstract <T> Callable<T> breakerAndRetry(Callable<T> call);

  static <T> Callable<T> failing() {
    return () -> {
      throw new IllegalStateException("down");
    };
  }

  /** Fails calls until the breaker rejects one; fails loudly if it never opens. */
  static void trip(Callable<?> failing) {
    for (int i = 0; i < 10 * WINDOW; i++) {
      try {
        failing.call();
      } catch (IllegalStateException expected) {
        // a recorded failure
      } catch (Exception rejected) {
        return; // the breaker is open
      }
    }
    throw new IllegalStateException("the breaker did not open after " + 10 * WINDOW + " failures");
  }
}
