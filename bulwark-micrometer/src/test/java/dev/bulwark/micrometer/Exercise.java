package dev.bulwark.micrometer;

import dev.bulwark.Resilience;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.cache.ResilientCache;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.fallback.FallbackConfig;
import dev.bulwark.hedge.Hedge;
import dev.bulwark.hedge.HedgeConfig;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.redis.FleetLimiter;
import dev.bulwark.redis.FleetLimiterConfig;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import dev.bulwark.timeout.Timeout;
import dev.bulwark.timeout.TimeoutConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A registry on a manual clock, and calls that make every kind of policy publish every meter. */
final class Exercise {
  final ManualClock clock = ManualClock.create();
  final ManualScheduler scheduler = new ManualScheduler(clock);
  final Resilience resilience;

  Exercise() {
    this(Resilience.builder());
  }

  Exercise(dev.bulwark.ResilienceBuilder builder) {
    this.resilience = builder.clock(clock).scheduler(scheduler).build();
  }

  /** Creates one policy of every kind and drives each through the paths its meters count. */
  void everyKind() throws Exception {
    CircuitBreaker breaker =
        resilience.get(
            CircuitBreaker.KIND,
            "payments",
            CircuitBreakerConfig.builder()
                .windowSize(4)
                .minimumCalls(4)
                .slowCallDuration(Duration.ofSeconds(1))
                .build());
    breaker.call(() -> "ok");
    for (int i = 0; i < 4; i++) {
      failQuietly(breaker);
    }
    failQuietly(breaker); // refused: open

    Retry retry =
        resilience.get(Retry.KIND, "inventory", RetryConfig.builder().maxAttempts(2).build());
    retry.call(() -> "ok");
    failQuietly(retry);

    RateLimiter limiter = resilience.rateLimiter("search");
    limiter.call(() -> "ok");
    limiter.holdFor(Duration.ofSeconds(5));

    Bulkhead bulkhead = resilience.bulkhead("reports");
    bulkhead.call(() -> "ok");

    Timeout timeout =
        resilience.get(
            Timeout.KIND,
            "slow",
            TimeoutConfig.builder()
                .timeout(Duration.ofSeconds(1))
                .cancelRunningFuture(false)
                .build());
    CompletableFuture<String> late = new CompletableFuture<>();
    timeout.callAsync(() -> late);
    scheduler.advance(Duration.ofSeconds(1));
    late.complete("late");

    Hedge hedge =
        resilience.get(
            Hedge.KIND, "quotes", HedgeConfig.builder().delay(Duration.ofSeconds(1)).build());
    hedge.call(() -> "ok");

    Fallback<Object> fallback =
        resilience.get(
            Fallback.KIND,
            "prices",
            FallbackConfig.<Object>builder().otherwise("cached", e -> "stale").build());
    fallback.call(
        () -> {
          throw new IOException("down");
        });

    ResilientCache<String, String> users = ResilientCache.named(resilience, "users");
    users.get("ada", key -> key + "!"); // a miss and a load
    users.get("ada", key -> key + "!"); // a process hit

    cutOffFleetLimiter("partner").limiter().tryAcquire();
  }

  /**
   * A fleet limiter whose Redis does not answer (nothing listens on port 1), so its first command
   * fails and it decides by its local fallback from then on; close its connection with {@link
   * FleetLimiter#closeSharedFleets()}.
   */
  FleetLimiter cutOffFleetLimiter(String name) {
    return resilience.get(
        FleetLimiter.KIND,
        name,
        FleetLimiterConfig.builder().uri("redis://127.0.0.1:1").limit(10).build());
  }

  static void failQuietly(dev.bulwark.policy.Policy policy) {
    try {
      policy.call(
          () -> {
            throw new IOException("boom");
          });
    } catch (Exception expected) {
      // counted by the policy; the caller does not care here
    }
  }
}
