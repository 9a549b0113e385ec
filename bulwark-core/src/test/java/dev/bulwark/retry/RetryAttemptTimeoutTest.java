package dev.bulwark.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.event.RetryScheduled;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import dev.bulwark.timeout.TimeoutExceededException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RetryAttemptTimeoutTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  private Retry retry(RetryConfig.Builder config) {
    return Retry.of("api", config.build(), clock, scheduler);
  }

  /** An attempt that takes {@code duration}, simulated by moving the manual clock. */
  private Script.Step takes(Duration duration, String value) {
    return () -> {
      scheduler.advance(duration);
      return value;
    };
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aProgressiveTimeoutCutsASlowAttemptThenGivesTheNextOneLonger(CallMode mode)
      throws Exception {
    Retry retry =
        retry(
            RetryConfig.builder()
                .backoff(Backoff.fixed(Duration.ofMillis(100)))
                .attemptTimeout(Duration.ofSeconds(1))
                .attemptTimeoutMultiplier(2.0));
    List<RetryScheduled> retries = new CopyOnWriteArrayList<>();
    retry.events().subscribe(RetryScheduled.class, retries::add);
    Duration slow = Duration.ofMillis(1500);
    Script script = Script.of(takes(slow, "too late"), takes(slow, "in time"));

    Object value = mode.call(retry, scheduler, script);

    assertThat(value).isEqualTo("in time"); // 1.5 s: over attempt 1's 1 s, under attempt 2's 2 s
    assertThat(script.calls()).isEqualTo(2);
    assertThat(retries).hasSize(1);
    assertThat(retries.get(0).failure())
        .isInstanceOfSatisfying(
            TimeoutExceededException.class,
            e -> {
              assertThat(e.timeout()).isEqualTo(Duration.ofSeconds(1));
              assertThat(e.policyName()).isEqualTo("api");
            });
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    assertThat(scheduler.pendingTasks()).isZero(); // attempt 2's timer was cancelled
    assertThat(retry.statistics()).isEqualTo(new Retry.Statistics(0, 1, 0, 0, 2, 0));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void theTimeoutNeverGrowsPastItsCap(CallMode mode) {
    Retry retry =
        retry(
            RetryConfig.builder()
                .maxAttempts(4)
                .backoff(Backoff.none())
                .attemptTimeout(Duration.ofSeconds(1))
                .attemptTimeoutMultiplier(3.0)
                .maxAttemptTimeout(Duration.ofSeconds(2)));
    List<RetryScheduled> retries = new CopyOnWriteArrayList<>();
    retry.events().subscribe(RetryScheduled.class, retries::add);
    Script script = Script.of(takes(Duration.ofSeconds(5), "never in time"));

    assertThatThrownBy(() -> mode.call(retry, scheduler, script))
        .isInstanceOf(RetryExhaustedException.class)
        .cause()
        .isInstanceOfSatisfying(
            TimeoutExceededException.class,
            e -> assertThat(e.timeout()).isEqualTo(Duration.ofSeconds(2)));
    assertThat(retries)
        .extracting(r -> ((TimeoutExceededException) r.failure()).timeout())
        .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2));
  }

  @Test
  void anAttemptThatFinishesInTimeLeavesNoTimerAndNoInterruptBehind() throws Exception {
    Retry retry = retry(RetryConfig.builder().attemptTimeout(Duration.ofSeconds(1)));

    assertThat(retry.call(() -> "quick")).isEqualTo("quick");
    scheduler.advance(Duration.ofSeconds(5));

    assertThat(scheduler.pendingTasks()).isZero();
    assertThat(Thread.interrupted()).isFalse();
  }

  @Test
  void anAsyncAttemptPastItsDeadlineIsCancelled() {
    Retry retry =
        retry(
            RetryConfig.builder()
                .maxAttempts(2)
                .backoff(Backoff.none())
                .attemptTimeout(Duration.ofSeconds(1)));
    List<CompletableFuture<String>> attempts = new CopyOnWriteArrayList<>();

    CompletionStage<String> result =
        retry.callAsync(
            () -> {
              CompletableFuture<String> neverCompletes = new CompletableFuture<>();
              attempts.add(neverCompletes);
              return neverCompletes;
            });
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(attempts).hasSize(2);
    assertThat(result.toCompletableFuture()).isNotDone();
    scheduler.advance(Duration.ofSeconds(1));

    assertThat(attempts).allMatch(CompletableFuture::isCancelled);
    assertThatThrownBy(() -> result.toCompletableFuture().join())
        .cause()
        .isInstanceOfSatisfying(
            RetryExhaustedException.class, e -> assertThat(e.attempts()).isEqualTo(2))
        .cause()
        .isInstanceOf(TimeoutExceededException.class);
  }
}
