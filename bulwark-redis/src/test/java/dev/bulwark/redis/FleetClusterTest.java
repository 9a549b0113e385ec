package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.retry.RetryBudget;
import dev.bulwark.retry.RetryBudgetConfig;
import dev.bulwark.test.redis.RedisCluster;
import dev.bulwark.test.redis.RedisExtension;
import dev.bulwark.test.redis.RedisServer;
import dev.bulwark.time.Clock;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fleet's limiter and budget on a three-master Redis Cluster, and each falling back while the
 * owner of its key's slot is down.
 */
class FleetClusterTest {
  @RegisterExtension static final RedisExtension redis = RedisExtension.cluster();

  private static final RateLimiterConfig TEN_PER_MINUTE =
      RateLimiterConfig.builder().limit(10).period(Duration.ofMinutes(1)).build();

  private final List<RedisFleet> fleets = new ArrayList<>();

  @AfterEach
  void close() {
    fleets.forEach(RedisFleet::close);
  }

  private RedisFleet instance(FallbackMode mode) {
    List<String> seeds = new ArrayList<>();
    for (URI uri : redis.redisCluster().uris()) {
      seeds.add(uri.toString());
    }
    RedisFleet fleet =
        Fleets.connected(
            RedisFleet.cluster(seeds).commandTimeout(Duration.ofMillis(200)).fallback(mode));
    fleets.add(fleet);
    return fleet;
  }

  @Test
  void threeInstancesShareALimitAndABudgetOnTheCluster() {
    List<RateLimiter> limiters = new ArrayList<>();
    List<RetryBudget> budgets = new ArrayList<>();
    RetryBudgetConfig half = RetryBudgetConfig.builder().ratio(0.5).minRetriesPerSecond(0).build();
    for (int i = 0; i < 3; i++) {
      RedisFleet fleet = instance(FallbackMode.DENY_ALL);
      limiters.add(fleet.rateLimiter("orders", TEN_PER_MINUTE));
      budgets.add(fleet.retryBudget("orders", half));
    }

    int admitted = 0;
    for (int round = 0; round < 10; round++) {
      for (RateLimiter limiter : limiters) {
        admitted += limiter.tryAcquire() ? 1 : 0;
      }
    }
    for (RetryBudget budget : budgets) {
      for (int i = 0; i < 4; i++) {
        budget.deposit();
      }
      budget.snapshot(); // carries this instance's calls to Redis
    }
    int retries = 0;
    for (int round = 0; round < 10; round++) {
      for (RetryBudget budget : budgets) {
        retries += budget.tryWithdraw() ? 1 : 0;
      }
    }

    assertThat(admitted).isEqualTo(10);
    assertThat(retries).isEqualTo(6); // half of 3 × 4 calls
  }

  @Test
  void theSlotOwnerKilledMeansFallbackThenRecovery() {
    RedisFleet fleet = instance(FallbackMode.ALLOW_ALL);
    GcraRateLimiter limiter = (GcraRateLimiter) fleet.rateLimiter("payments", TEN_PER_MINUTE);
    assertThat(limiter.tryAcquire()).isTrue();
    RedisServer owner = owner("bulwark:rl:{payments}");

    owner.stop();
    try {
      assertThat(limiter.tryAcquire()).isTrue(); // ALLOW_ALL: the owner does not answer
      assertThat(limiter.onRedis()).isFalse();
    } finally {
      owner.restart();
    }

    await(limiter::onRedis, "back on Redis within 10 s of the owner's restart");
    await(
        () -> !limiter.tryAcquire() || limiter.onRedis(),
        "the limiter answers through Redis again");
  }

  @Test
  void theSlotOwnerOfTheBudgetsKeyKilledMeansTheLocalBudgetThenRedisAgain() {
    RedisFleet fleet = instance(FallbackMode.DENY_ALL);
    FleetRetryBudget budget =
        (FleetRetryBudget)
            fleet.retryBudget(
                "refunds",
                RetryBudgetConfig.builder()
                    .ratio(0.5)
                    .minRetriesPerSecond(0)
                    .window(Duration.ofMinutes(1))
                    .build());
    for (int i = 0; i < 4; i++) {
      budget.deposit(); // counted locally too: the local budget would grant 2 retries
    }
    assertThat(budget.tryWithdraw()).isTrue(); // Redis: 4 calls, 1 of 2 retries
    RedisServer owner = owner("bulwark:rb:{refunds}");

    owner.stop();
    try {
      assertThat(budget.tryWithdraw()).isTrue(); // the local budget decides, nothing is thrown
      assertThat(budget.onRedis()).isFalse();
    } finally {
      owner.restart();
    }

    await(budget::onRedis, "back on Redis within 10 s of the owner's restart");
    // the restarted owner lost the count: 2 new calls give the fleet 1 retry, where the local
    // budget (6 calls, 1 retry taken) would still grant 2
    budget.deposit();
    budget.deposit();
    assertThat(budget.tryWithdraw()).isTrue();
    assertThat(budget.tryWithdraw()).isFalse();
    assertThat(budget.onRedis()).isTrue();
    assertThat(owner.command("EXISTS", "bulwark:rb:{refunds}")).isEqualTo(1L);
  }

  private static RedisServer owner(String key) {
    RedisCluster cluster = redis.redisCluster();
    long slot = (Long) cluster.nodes().get(0).command("CLUSTER", "KEYSLOT", key);
    int index = (int) (slot * RedisCluster.MASTERS / 16_384);
    while (index > 0 && index * 16_384 / RedisCluster.MASTERS > slot) {
      index--;
    }
    while (index + 1 < RedisCluster.MASTERS
        && (index + 1) * 16_384 / RedisCluster.MASTERS <= slot) {
      index++;
    }
    return cluster.nodes().get(index);
  }

  private static void await(BooleanSupplier condition, String what) {
    Clock clock = Clock.system();
    long deadline = clock.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(clock.nanoTime() - deadline).as(what).isNegative();
      LockSupport.parkNanos(5_000_000);
    }
  }
}
