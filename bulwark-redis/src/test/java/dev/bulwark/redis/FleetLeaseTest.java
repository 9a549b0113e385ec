package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.test.redis.RedisExtension;
import dev.bulwark.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Leases: several permits per round trip, handed out locally, within the fleet's bound. */
class FleetLeaseTest {
  @RegisterExtension static final RedisExtension redis = RedisExtension.server();

  private static final Clock SYSTEM = Clock.system();
  // one permit per 600 ms after the burst of 100
  private static final RateLimiterConfig HUNDRED_PER_MINUTE =
      RateLimiterConfig.builder().limit(100).period(Duration.ofMinutes(1)).build();

  private final List<RedisFleet> fleets = new ArrayList<>();

  @AfterEach
  void close() {
    fleets.forEach(RedisFleet::close);
  }

  private RateLimiter instance(int lease) {
    RedisFleet fleet =
        Fleets.connected(
            RedisFleet.builder(redis.redis().uri().toString())
                .commandTimeout(Duration.ofSeconds(2))
                .fallback(FallbackMode.DENY_ALL));
    fleets.add(fleet);
    return fleet.rateLimiter("hot", HUNDRED_PER_MINUTE, lease);
  }

  @Test
  void threeInstancesLeasingTenPermitsAtOnceStayWithinTheFleetsLimit() {
    List<RateLimiter> limiters = List.of(instance(10), instance(10), instance(10));
    redis.redis().command("CONFIG", "RESETSTAT");
    long start = SYSTEM.nanoTime();

    int admitted = 0;
    for (RateLimiter limiter : limiters) { // 30 each: within the burst, 3 leases each
      for (int i = 0; i < 30; i++) {
        admitted += limiter.tryAcquire() ? 1 : 0;
      }
    }
    assertThat(admitted).isEqualTo(90);
    assertThat(scriptCalls()).as("round trips for 90 permits").isBetween(9L, 9L + 3);

    for (int round = 0; round < 100; round++) {
      for (RateLimiter limiter : limiters) {
        admitted += limiter.tryAcquire() ? 1 : 0;
      }
    }
    long elapsed = SYSTEM.nanoTime() - start;

    long refilled = elapsed / TimeUnit.MILLISECONDS.toNanos(600) + 1;
    assertThat(admitted).isLessThanOrEqualTo((int) (100 + refilled)).isGreaterThanOrEqualTo(100);
  }

  @Test
  void aLeaseIsAtMostTheBurst() {
    RedisFleet fleet = RedisFleet.builder(redis.redis().uri().toString()).build();
    fleets.add(fleet);

    assertThatThrownBy(() -> fleet.rateLimiter("hot", HUNDRED_PER_MINUTE, 101))
        .hasMessage("lease must be in [1, 100] (burst), was 101");
  }

  /** EVALSHA and EVAL calls Redis counted since the last CONFIG RESETSTAT. */
  private static long scriptCalls() {
    String stats = Objects.toString(redis.redis().command("INFO", "commandstats"));
    long calls = 0;
    Matcher m = Pattern.compile("cmdstat_eval(?:sha)?:calls=(\\d+)").matcher(stats);
    while (m.find()) {
      calls += Long.parseLong(m.group(1));
    }
    return calls;
  }
}
