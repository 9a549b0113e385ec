package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.retry.RetryBudget;
import dev.bulwark.retry.RetryBudgetConfig;
import dev.bulwark.test.redis.RedisExtension;
import dev.bulwark.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A retry budget counted across instances through a real redis-server. */
class FleetRetryBudgetTest {
  @RegisterExtension static final RedisExtension redis = RedisExtension.server();

  private static final RetryBudgetConfig HALF =
      RetryBudgetConfig.builder()
          .ratio(0.5)
          .minRetriesPerSecond(0)
          .window(Duration.ofMinutes(1))
          .build();

  private final List<RedisFleet> fleets = new ArrayList<>();

  @AfterEach
  void close() {
    fleets.forEach(RedisFleet::close);
  }

  private RetryBudget instance() {
    RedisFleet fleet =
        Fleets.connected(
            RedisFleet.builder(redis.redis().uri().toString())
                .commandTimeout(Duration.ofMillis(200)));
    fleets.add(fleet);
    return fleet.retryBudget("inventory", HALF);
  }

  @Test
  void callsOnOneInstanceFundRetriesOnAnotherAndTheFleetNeverOverdraws() {
    RetryBudget a = instance();
    RetryBudget b = instance();
    for (int i = 0; i < 10; i++) {
      a.deposit();
    }

    int granted = a.tryWithdraw() ? 1 : 0; // carries a's ten calls to Redis
    for (int i = 0; i < 10; i++) {
      granted += b.tryWithdraw() ? 1 : 0;
      granted += a.tryWithdraw() ? 1 : 0;
    }

    assertThat(granted).isEqualTo(5); // half of ten calls, across both instances
    RetryBudget.Snapshot snapshot = b.snapshot();
    assertThat(snapshot.calls()).isEqualTo(10);
    assertThat(snapshot.retries()).isEqualTo(5);
    assertThat(snapshot.availableRetries()).isZero();
  }

  @Test
  void withoutRedisTheLocalBudgetDecidesAndRedisDecidesAgainWhenBack() {
    RetryBudget budget = instance();
    for (int i = 0; i < 4; i++) {
      budget.deposit();
    }
    redis.redis().stop();

    assertThat(budget.tryWithdraw()).isTrue(); // the local budget saw the four calls too
    assertThat(budget.tryWithdraw()).isTrue();
    assertThat(budget.tryWithdraw()).isFalse();
    assertThat(((FleetRetryBudget) budget).onRedis()).isFalse();

    redis.redis().restart();
    long deadline = Clock.system().nanoTime() + 5_000_000_000L;
    while (!((FleetRetryBudget) budget).onRedis()) {
      assertThat(Clock.system().nanoTime() - deadline).as("back on Redis within 5 s").isNegative();
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
    budget.deposit();
    budget.deposit();
    assertThat(budget.tryWithdraw()).isTrue(); // a fresh Redis: two calls fund one retry
    assertThat(budget.tryWithdraw()).isFalse();
  }
}
