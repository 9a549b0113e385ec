package dev.bulwark.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.bulwark.event.FailureRecorded;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.event.RetryBudgetExhausted;
import dev.bulwark.event.RetryScheduled;
import dev.bulwark.retry.RetryBudget.Snapshot;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RetryWithBudgetTest {
  private final ManualClock clock = ManualClock.nearOverflow(); // nano time wraps mid-test
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  private RetryBudget budget(double ratio, double minRetriesPerSecond) {
    return RetryBudget.of(
        RetryBudgetConfig.builder()
            .ratio(ratio)
            .minRetriesPerSecond(minRetriesPerSecond)
            .window(Duration.ofSeconds(10))
            .build(),
        clock);
  }

  private Retry retry(String name, RetryBudget budget, int maxAttempts) {
    RetryConfig config =
        RetryConfig.builder()
            .maxAttempts(maxAttempts)
            .backoff(Backoff.fixed(Duration.ofMillis(10)))
            .budget(budget)
            .build();
    return Retry.of(name, config, clock, scheduler);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aBurstOfFailuresAcrossManyCallsGetsOnlyTheBudgetsShareOfRetries(CallMode mode) {
    RetryBudget budget = budget(0.2, 0);
    Retry retry = retry("api", budget, 3);
    Script outage = Script.of(new IOException("connection refused"));

    for (int call = 0; call < 100; call++) {
      catchThrowable(() -> mode.call(retry, scheduler, outage));
    }

    // without the budget: 300 attempts; with it, 100 calls and 20% more
    assertThat(outage.calls()).isEqualTo(120);
    assertThat(budget.snapshot()).isEqualTo(new Snapshot(100, 20, 0));
    assertThat(retry.statistics()).isEqualTo(new Retry.Statistics(0, 0, 80, 20, 120, 100));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void theMinimumRateLetsAQuietServiceRetry(CallMode mode) throws Exception {
    Retry retry = retry("api", budget(0.2, 0.5), 3); // 5 retries per window whatever the calls

    for (int call = 0; call < 2; call++) {
      Script flaky = Script.of(new IOException("reset"), new IOException("reset"), "ok");
      assertThat(mode.call(retry, scheduler, flaky)).isEqualTo("ok");
    }
    Script third = Script.of(new IOException("reset"), new IOException("reset"), "ok");
    Throwable thrown = catchThrowable(() -> mode.call(retry, scheduler, third));

    assertThat(thrown)
        .isInstanceOfSatisfying(
            RetryExhaustedException.class,
            e -> {
              assertThat(e.budgetExhausted()).isTrue();
              assertThat(e.attempts()).isEqualTo(2);
              assertThat(e)
                  .hasMessage(
                      "retry 'api' gave up after 2 attempts, its retry budget exhausted:"
                          + " java.io.IOException: reset");
            });
    assertThat(retry.statistics()).isEqualTo(new Retry.Statistics(0, 2, 0, 1, 8, 1));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aRetryRefusedAfterOneAttemptLeavesTheFailureUnwrapped(CallMode mode) throws Exception {
    Retry retry = retry("api", budget(0.0, 0.1), 3); // one retry per window
    IOException failure = new IOException("reset");

    assertThat(mode.call(retry, scheduler, Script.of(failure, "ok"))).isEqualTo("ok");
    Script refused = Script.of(failure, "unreached");
    assertThatThrownBy(() -> mode.call(retry, scheduler, refused)).isSameAs(failure);
    assertThat(refused.calls()).isEqualTo(1);
    assertThat(retry.statistics()).isEqualTo(new Retry.Statistics(0, 1, 1, 0, 3, 1));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void theWindowAgesOutSoRetriesResume(CallMode mode) throws Exception {
    Retry retry = retry("api", budget(0.0, 0.1), 3); // one retry per window
    IOException failure = new IOException("reset");
    assertThat(mode.call(retry, scheduler, Script.of(failure, "ok"))).isEqualTo("ok");
    assertThatThrownBy(() -> mode.call(retry, scheduler, Script.of(failure, "ok")))
        .isSameAs(failure);

    clock.advance(Duration.ofSeconds(10));

    Script later = Script.of(failure, "ok");
    assertThat(mode.call(retry, scheduler, later)).isEqualTo("ok");
    assertThat(later.calls()).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void twoRetriesSharingABudgetDrawFromTheSameShare(CallMode mode) throws Exception {
    RetryBudget shared = budget(0.5, 0);
    Retry reads = retry("reads", shared, 3);
    Retry writes = retry("writes", shared, 3);
    IOException failure = new IOException("reset");

    assertThat(mode.call(reads, scheduler, Script.of("ok"))).isEqualTo("ok");
    assertThat(mode.call(writes, scheduler, Script.of(failure, "ok"))).isEqualTo("ok");
    // two calls, one retry: the share is spent, whichever retry asks
    assertThatThrownBy(() -> mode.call(reads, scheduler, Script.of(failure, "ok")))
        .isSameAs(failure);

    assertThat(shared.snapshot()).isEqualTo(new Snapshot(3, 1, 0));
    assertThat(reads.statistics().budgetExhausted()).isEqualTo(1);
    assertThat(writes.statistics().budgetExhausted()).isZero();
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void publishesBudgetExhaustedInsteadOfRetriesExhausted(CallMode mode) {
    Retry retry = retry("api", budget(0.0, 0.1), 3);
    List<PolicyEvent> events = new CopyOnWriteArrayList<>();
    retry.events().subscribe(events::add);
    IOException first = new IOException("1");
    IOException second = new IOException("2");

    catchThrowable(() -> mode.call(retry, scheduler, Script.of(first, second, "unreached")));

    var end = ManualClock.DEFAULT_WALL_TIME.plusMillis(10);
    assertThat(events)
        .containsExactly(
            new RetryScheduled(
                "api", 2, Duration.ofMillis(10), first, ManualClock.DEFAULT_WALL_TIME),
            new RetryBudgetExhausted("api", 2, second, end),
            new FailureRecorded("api", Duration.ofMillis(10), second, end));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aRetriedResultRefusedByTheBudgetIsReturned(CallMode mode) throws Exception {
    RetryConfig config =
        RetryConfig.builder()
            .backoff(Backoff.none())
            .retryOnResult(r -> Integer.valueOf(503).equals(r))
            .budget(budget(0.0, 0))
            .build();
    Retry retry = Retry.of("api", config, clock, scheduler);
    Script unavailable = Script.of(503, 200);

    assertThat(mode.call(retry, scheduler, unavailable)).isEqualTo(503);
    assertThat(unavailable.calls()).isEqualTo(1);
    assertThat(retry.statistics().budgetExhausted()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aRetryStoppedForOtherReasonsSpendsNoBudget(CallMode mode) {
    RetryBudget budget = budget(0.0, 0.1);
    Retry once = retry("api", budget, 1);

    catchThrowable(() -> mode.call(once, scheduler, Script.of(new IOException("reset"))));

    assertThat(budget.snapshot()).isEqualTo(new Snapshot(1, 0, 1));
    assertThat(once.statistics().budgetExhausted()).isZero();
  }
}
