package dev.bulwark.http;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.hedge.Hedge;
import dev.bulwark.policy.Pipeline;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.retry.Retry;
import dev.bulwark.timeout.Timeout;
import org.jspecify.annotations.Nullable;

/*
 * The policies of one host (or route) and the two pipelines through them, built once per host and
 * kept by the client. This is the one place that says in which order a call meets them:
 *
 *   limiter > breaker > total timeout > retry (each attempt under its own timeout) > hedge > attempt
 *
 * The limiter first, so a held-back caller costs the breaker nothing; the breaker outside the retry,
 * so it counts one outcome per call (judged by the last attempt's real failure, not the retry's
 * wrapper); the total timeout outside the retry, so it bounds waits and attempts together; the
 * hedge inside the retry, so each attempt is raced and its own timeout bounds the race. A request
 * that is not repeatable goes through another retry (connection failures only) and no hedge.
 *
 * Every policy is the registry's, under the route's name, so per-name configs and environment
 * settings reach it and listings, resets and health see it. About once a second the
 * client checks that these are still the registry's instances (which also keeps them from idle
 * eviction), and builds a new HostPolicies when one was evicted and replaced.
 */
final class HostPolicies {
  final String route;
  final RateLimiter limiter;
  final CircuitBreaker breaker;
  final Timeout timeout;
  final Retry retry;
  final Retry unrepeatableRetry;
  final @Nullable Hedge hedge; // null: no hedging
  final long timeoutNanos;
  volatile long checkedNanos; // when the client last found these to be the registry's
  private final Pipeline repeatable;
  private final Pipeline unrepeatable;

  HostPolicies(
      String route,
      RateLimiter limiter,
      CircuitBreaker breaker,
      Timeout timeout,
      Retry retry,
      Retry unrepeatableRetry,
      @Nullable Hedge hedge) {
    this.route = route;
    this.limiter = limiter;
    this.breaker = breaker;
    this.timeout = timeout;
    this.retry = retry;
    this.unrepeatableRetry = unrepeatableRetry;
    this.hedge = hedge;
    this.timeoutNanos = timeout.config().timeout().toNanos();
    this.repeatable =
        hedge == null
            ? Pipeline.of(limiter, breaker, timeout, retry)
            : Pipeline.of(limiter, breaker, timeout, retry, hedge);
    this.unrepeatable = Pipeline.of(limiter, breaker, timeout, unrepeatableRetry);
  }

  /** The pipeline of a request that may ({@code repeatable}) or may not be sent twice. */
  Pipeline pipeline(boolean repeatable) {
    return repeatable ? this.repeatable : unrepeatable;
  }

  /** The retry a request goes through. */
  Retry retry(boolean repeatable) {
    return repeatable ? retry : unrepeatableRetry;
  }
}
