package dev.bulwark.benchmarks;

import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.policy.Pipeline;
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

    @Override
    <T> Callable<T> bulkhead(Callable<T> call) {
      return call;
    }

    @Override
    <T> Callable<T> rateLimiter(Callable<T> call) {
      return call;
    }

    @Override
    <T> Callable<T> chain(Callable<T> call) {
      return call;
    }

    @Override
    <T> Callable<T> chainWithTimeout(Callable<T> call) {
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

    @Override
    <T> Callable<T> bulkhead(Callable<T> call) {
      return Pipeline.of(bulwarkBulkhead()).decorate(call);
    }

    @Override
    <T> Callable<T> rateLimiter(Callable<T> call) {
      return Pipeline.of(bulwarkLimiter()).decorate(call);
    }

    @Override
    <T> Callable<T> chain(Callable<T> call) {
      return Pipeline.of(bulwarkBulkhead(), bulwarkLimiter(), bulwarkBreaker(), bulwarkRetry())
          .decorate(call);
    }

    @Override
    <T> Callable<T> chainWithTimeout(Callable<T> call) {
      return Pipeline.of(
              bulwarkBulkhead(),
              bulwarkLimiter(),
              bulwarkBreaker(),
              bulwarkRetry(),
              dev.bulwark.timeout.Timeout.of(
                  "bench",
                  dev.bulwark.timeout.TimeoutConfig.builder()
                      .timeout(Duration.ofSeconds(1))
                      .build()))
          .decorate(call);
    }

    private dev.bulwark.bulkhead.Bulkhead bulwarkBulkhead() {
      return dev.bulwark.bulkhead.Bulkhead.of(
          "bench", dev.bulwark.bulkhead.BulkheadConfig.builder().maxConcurrentCalls(25).build());
    }

    private dev.bulwark.ratelimit.RateLimiter bulwarkLimiter() {
      return dev.bulwark.ratelimit.RateLimiter.of(
          "bench",
          dev.bulwark.ratelimit.RateLimiterConfig.builder()
              .limit(LIMIT_PER_SECOND)
              .period(Duration.ofSeconds(1))
              .build());
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
      return io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateCallable(
          r4jBreaker(), call);
    }

    @Override
    <T> Callable<T> openBreaker(Callable<T> call) {
      io.github.resilience4j.circuitbreaker.CircuitBreaker breaker = r4jBreaker();
      trip(
          io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateCallable(
              breaker, failing()));
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

    @Override
    <T> Callable<T> bulkhead(Callable<T> call) {
      return io.github.resilience4j.bulkhead.Bulkhead.decorateCallable(r4jBulkhead(), call);
    }

    @Override
    <T> Callable<T> rateLimiter(Callable<T> call) {
      return io.github.resilience4j.ratelimiter.RateLimiter.decorateCallable(r4jLimiter(), call);
    }

    @Override
    <T> Callable<T> chain(Callable<T> call) {
      Callable<T> inner = io.github.resilience4j.retry.Retry.decorateCallable(r4jRetry(), call);
      inner =
          io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateCallable(
              r4jBreaker(), inner);
      inner = io.github.resilience4j.ratelimiter.RateLimiter.decorateCallable(r4jLimiter(), inner);
      return io.github.resilience4j.bulkhead.Bulkhead.decorateCallable(r4jBulkhead(), inner);
    }

    private io.github.resilience4j.bulkhead.Bulkhead r4jBulkhead() {
      return io.github.resilience4j.bulkhead.Bulkhead.of(
          "bench",
          io.github.resilience4j.bulkhead.BulkheadConfig.custom()
              .maxConcurrentCalls(25)
              .maxWaitDuration(Duration.ZERO)
              .writableStackTraceEnabled(false)
              .build());
    }

    private io.github.resilience4j.ratelimiter.RateLimiter r4jLimiter() {
      return io.github.resilience4j.ratelimiter.RateLimiter.of(
          "bench",
          io.github.resilience4j.ratelimiter.RateLimiterConfig.custom()
              .limitForPeriod(LIMIT_PER_SECOND)
              .limitRefreshPeriod(Duration.ofSeconds(1))
              .timeoutDuration(Duration.ZERO)
              .writableStackTraceEnabled(false)
              .build());
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

    @Override
    <T> Callable<T> bulkhead(Callable<T> call) {
      return adapt(Failsafe.with(dev.failsafe.Bulkhead.of(25)), call);
    }

    @Override
    <T> Callable<T> rateLimiter(Callable<T> call) {
      return adapt(Failsafe.with(failsafeLimiter()), call);
    }

    @Override
    <T> Callable<T> chain(Callable<T> call) {
      return adapt(
          Failsafe.with(dev.failsafe.Bulkhead.of(25))
              .compose(failsafeLimiter())
              .compose(failsafeBreaker())
              .compose(failsafeRetry()),
          call);
    }

    @Override
    <T> Callable<T> chainWithTimeout(Callable<T> call) {
      return adapt(
          Failsafe.with(dev.failsafe.Bulkhead.of(25))
              .compose(failsafeLimiter())
              .compose(failsafeBreaker())
              .compose(failsafeRetry())
              .compose(dev.failsafe.Timeout.builder(Duration.ofSeconds(1)).withInterrupt().build()),
          call);
    }

    private dev.failsafe.RateLimiter<Object> failsafeLimiter() {
      return dev.failsafe.RateLimiter.smoothBuilder(LIMIT_PER_SECOND, Duration.ofSeconds(1))
          .build();
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

    private <T> Callable<T> adapt(FailsafeExecutor<Object> executor, Callable<T> call) {
      return () -> executor.get(call::call);
    }
  };

  static final int WINDOW = 100;
  static final int LIMIT_PER_SECOND = 1_000_000_000;

  /** A successful call through a closed breaker. */
  abstract <T> Callable<T> closedBreaker(Callable<T> call);

  /** A call on a breaker that is open: it is rejected (for {@link #NONE}, it just runs). */
  abstract <T> Callable<T> openBreaker(Callable<T> call);

  /** A call through a retry policy that succeeds on the first attempt. */
  abstract <T> Callable<T> retry(Callable<T> call);

  /** A successful call through a breaker and a retry together. */
  abstract <T> Callable<T> breakerAndRetry(Callable<T> call);

  /** A call through a bulkhead of 25 concurrent calls that never fills. */
  abstract <T> Callable<T> bulkhead(Callable<T> call);

  /** A call through a rate limiter so generous (10^9 a second) that it never refuses. */
  abstract <T> Callable<T> rateLimiter(Callable<T> call);

  /** The chain bulkhead, rate limiter, breaker, retry: the documented order, outermost first. */
  abstract <T> Callable<T> chain(Callable<T> call);

  /**
   * The same chain with a 1 s timeout innermost; Resilience4j has no timeout for a synchronous call
   * (its TimeLimiter needs a Future), so it is left out of this one.
   */
  <T> Callable<T> chainWithTimeout(Callable<T> call) {
    throw new UnsupportedOperationException(this + " cannot time out a synchronous call");
  }

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
