package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Test helpers: a fleet instance connected and warmed up before a test uses it. */
final class Fleets {
  private static final Clock SYSTEM = Clock.system();

  private Fleets() {}

  /**
   * Builds the fleet, waits (10 s at most) until it is connected, and warms it up: a cold JVM's
   * first commands can take longer than a short command timeout (class loading, Netty's first
   * writes), so a few go to a key of their own and no test's policy falls back for that.
   */
  static RedisFleet connected(RedisFleet.Builder builder) {
    RedisFleet fleet = builder.build();
    long deadline = SYSTEM.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!fleet.isConnected()) {
      assertThat(SYSTEM.nanoTime() - deadline).as("connected within 10 s").isNegative();
      LockSupport.parkNanos(1_000_000);
    }
    RateLimiter warmUp =
        fleet.rateLimiter("warm-up", RateLimiterConfig.builder().limit(1000).build());
    for (int i = 0; i < 5; i++) {
      warmUp.tryAcquire();
    }
    return fleet;
  }
}
