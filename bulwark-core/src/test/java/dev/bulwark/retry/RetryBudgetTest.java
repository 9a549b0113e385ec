package dev.bulwark.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.retry.RetryBudget.Snapshot;
import dev.bulwark.test.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
  private final ManualClock clock = ManualClock.nearOverflow(); // nano time wraps mid-test

  private RetryBudget budget(double ratio, double minRetriesPerSecond) {
    return RetryBudget.of(
        RetryBudgetConfig.builder()
            .ratio(ratio)
            .minRetriesPerSecond(minRetriesPerSecond)
            .window(Duration.ofSeconds(10))
            .build(),
        clock);
  }

  private static int withdrawAll(RetryBudget budget) {
    int granted = 0;
    while (budget.tryWithdraw()) {
      granted++;
    }
    return granted;
  }

  @Test
  void defaultsAllowTwentyPercentOfTenSecondsOfCallsPlusTenRetriesPerSecond() {
    RetryBudgetConfig config = RetryBudgetConfig.ofDefaults();
    assertThat(config.ratio()).isEqualTo(0.2);
    assertThat(config.window()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.minRetriesPerSecond()).isEqualTo(10.0);

    RetryBudget budget = RetryBudget.of(config, clock);
    assertThat(budget.snapshot()).isEqualTo(new Snapshot(0, 0, 100));
    for (int i = 0; i < 1_000; i++) {
      budget.deposit();
    }
    assertThat(budget.snapshot()).isEqualTo(new Snapshot(1_000, 0, 300));
    assertThat(withdrawAll(budget)).isEqualTo(300);
    assertThat(budget.snapshot()).isEqualTo(new Snapshot(1_000, 300, 0));
  }

  @Test
  void grantsTheRatioOfCallsAndRoundsDown() {
    RetryBudget budget = budget(0.2, 0);

    for (int i = 0; i < 4; i++) {
      budget.deposit();
    }
    assertThat(budget.tryWithdraw()).isFalse(); // 4 × 0.2 = 0.8: not yet a whole retry
    budget.deposit();
    assertThat(budget.tryWithdraw()).isTrue();
    assertThat(budget.tryWithdraw()).isFalse();
    assertThat(budget.snapshot()).isEqualTo(new Snapshot(5, 1, 0));
  }

  @Test
  void theMinimumRateLetsAQuietServiceRetry() {
    RetryBudget budget = budget(0.2, 0.5); // 5 retries per 10 s window, with no calls at all

    assertThat(withdrawAll(budget)).isEqualTo(5);
    assertThat(budget.snapshot()).isEqualTo(new Snapshot(0, 5, 0));
  }

  @Test
  void callsAndRetriesAgeOutOfTheWindowATenthAtATime() {
    RetryBudget budget = budget(1.0, 0);
    budget.deposit();
    budget.deposit();
    clock.advance(Duration.ofSeconds(5));
    budget.deposit();
    assertThat(withdrawAll(budget)).isEqualTo(3);

    clock.advance(Duration.ofMillis(4_999)); // still in the 10th bucket after the first two calls
    assertThat(budget.snapshot()).isEqualTo(new Snapshot(3, 3, 0));

    clock.advance(Duration.ofMillis(1)); // the first bucket ages out, with its two calls
    assertThat(budget.snapshot()).isEqualTo(new Snapshot(1, 3, 0));
    budget.deposit();
    assertThat(budget.tryWithdraw()).isFalse(); // the retries have not aged out yet

    clock.advance(Duration.ofSeconds(5)); // the last retries age out too
    assertThat(budget.snapshot()).isEqualTo(new Snapshot(1, 0, 1));
    assertThat(budget.tryWithdraw()).isTrue();
  }

  @Test
  void anIdleBudgetForgetsEverythingAfterAWindow() {
    RetryBudget budget = budget(0.5, 0);
    for (int i = 0; i < 10; i++) {
      budget.deposit();
    }
    assertThat(withdrawAll(budget)).isEqualTo(5);

    clock.advance(Duration.ofDays(40));

    assertThat(budget.snapshot()).isEqualTo(new Snapshot(0, 0, 0));
    budget.deposit();
    budget.deposit();
    assertThat(withdrawAll(budget)).isEqualTo(1);
  }

  @Test
  void concurrentWithdrawalsNeverGrantMoreThanTheBudget() throws Exception {
    RetryBudget budget = budget(0.0, 100); // exactly 1000 retries per window
    int threads = 4;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> granted = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        granted.add(
            pool.submit(
                () -> {
                  start.await();
                  int mine = 0;
                  for (int i = 0; i < 1_000; i++) {
                    budget.deposit(); // contends with the withdrawals, adds nothing at ratio 0
                    mine += budget.tryWithdraw() ? 1 : 0;
                  }
                  return mine;
                }));
      }
      int total = 0;
      for (Future<Integer> f : granted) {
        total += f.get(30, TimeUnit.SECONDS);
      }
      assertThat(total).isEqualTo(1_000);
    } finally {
      pool.shutdownNow();
    }
    assertThat(budget.snapshot()).isEqualTo(new Snapshot(4_000, 1_000, 0));
  }

  @Test
  void configRejectsValuesOutOfRangeNamingTheField() {
    RetryBudgetConfig.Builder builder = RetryBudgetConfig.builder();

    assertThatThrownBy(() -> builder.ratio(-0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ratio must be in [0.0, 1000.0], was -0.1");
    assertThatThrownBy(() -> builder.ratio(Double.NaN))
        .hasMessage("ratio must be in [0.0, 1000.0], was NaN");
    assertThatThrownBy(() -> builder.window(Duration.ofMillis(999)))
        .hasMessage("window must be in [PT1S, PT1H], was PT0.999S");
    assertThatThrownBy(() -> builder.window(Duration.ofHours(2)))
        .hasMessage("window must be in [PT1S, PT1H], was PT2H");
    assertThatThrownBy(() -> builder.window(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> builder.minRetriesPerSecond(-1))
        .hasMessage("minRetriesPerSecond must be in [0.0, 1000000.0], was -1.0");
    assertThatThrownBy(() -> RetryBudget.of(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> RetryBudget.of(RetryBudgetConfig.ofDefaults(), null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void toBuilderKeepsEveryValue() {
    RetryBudgetConfig config =
        RetryBudgetConfig.builder()
            .ratio(0.5)
            .window(Duration.ofSeconds(30))
            .minRetriesPerSecond(2)
            .build();

    RetryBudgetConfig copy = config.toBuilder().build();

    assertThat(copy.ratio()).isEqualTo(0.5);
    assertThat(copy.window()).isEqualTo(Duration.ofSeconds(30));
    assertThat(copy.minRetriesPerSecond()).isEqualTo(2.0);
    assertThat(copy).hasToString(config.toString());
  }
}
