package dev.bulwark.stress.ratelimit;

import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Future;

/** A clock that never moves, so a stress test races for permits and nothing refills them. */
final class FrozenTime implements Clock, Scheduler {
  static final FrozenTime INSTANCE = new FrozenTime();
  private static final Instant WALL = Instant.parse("2026-01-01T00:00:00Z");

  private FrozenTime() {}

  /** A limiter on frozen time with {@code burst} permits and a refill too slow to matter. */
  static RateLimiter limiter(RateLimiterConfig.Algorithm algorithm, int burst) {
    RateLimiterConfig.Builder config =
        RateLimiterConfig.builder().algorithm(algorithm).limit(burst).period(Duration.ofHours(1));
    return RateLimiter.of("stress", config.build(), INSTANCE, INSTANCE);
  }

  @Override
  public long nanoTime() {
    return Long.MAX_VALUE - 10; // near overflow, as a real nanoTime may be
  }

  @Override
  public Instant wallTime() {
    return WALL;
  }

  @Override
  public Future<?> schedule(Runnable task, long delayNanos) {
    throw new UnsupportedOperationException("stress tests never wait");
  }

  @Override
  public void sleep(long delayNanos) {
    throw new UnsupportedOperationException("stress tests never wait");
  }
}
