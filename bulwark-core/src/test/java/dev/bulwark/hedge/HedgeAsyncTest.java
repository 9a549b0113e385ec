package dev.bulwark.hedge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.bulwark.event.HedgeRefused;
import dev.bulwark.event.HedgeStarted;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HedgeAsyncTest {
  private static final Duration DELAY = Duration.ofMillis(100);

  private final ManualClock clock = ManualClock.nearOverflow(); // nano time wraps mid-test
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final Attempts<String> attempts = new Attempts<>();
  private final List<PolicyEvent> events = new CopyOnWriteArrayList<>();

  private Hedge hedge(HedgeConfig.Builder config) {
    Hedge hedge = Hedge.of("search", config.build(), clock, scheduler);
    hedge.events().subscribe(events::add);
    return hedge;
  }

  /** One hedge after DELAY, and a load cap that never refuses a lone call's hedges. */
  private static HedgeConfig.Builder hedgeOnce() {
    return HedgeConfig.builder().delay(DELAY).maxExtraLoad(10);
  }

  @Test
  void startsNoHedgeWhenThePrimaryAnswersBeforeTheDelay() {
    Hedge hedge = hedge(hedgeOnce());
    CompletableFuture<String> result = hedge.callAsync(attempts).toCompletableFuture();

    scheduler.advance(DELAY.minusNanos(1));
    attempts.attempt(0).complete("primary");
    scheduler.advance(Duration.ofSeconds(10));

    assertThat(result).isCompletedWithValue("primary");
    assertThat(attempts.count()).isEqualTo(1);
    assertThat(scheduler.pendingTasks()).isZero(); // the timer was cancelled, not just outrun
    assertThat(hedge.statistics().hedgesStarted()).isZero();
    assertThat(hedge.statistics().successfulCalls()).isEqualTo(1);
    assertThat(events).isEmpty();
  }

  @Test
  void aSlowPrimaryIsHedgedAfterTheDelayAndLosesToTheHedge() {
    Hedge hedge = hedge(hedgeOnce());
    CompletableFuture<String> result = hedge.callAsync(attempts).toCompletableFuture();

    scheduler.advance(DELAY.minusNanos(1));
    assertThat(attempts.count()).isEqualTo(1);
    scheduler.advance(Duration.ofNanos(1));
    assertThat(attempts.count()).isEqualTo(2);

    attempts.attempt(1).complete("hedge");

    assertThat(result).isCompletedWithValue("hedge");
    assertThat(attempts.attempt(0)).isCancelled(); // the very future the supplier returned
    assertThat(scheduler.pendingTasks()).isZero();
    Hedge.Statistics stats = hedge.statistics();
    assertThat(stats.hedgesStarted()).isEqualTo(1);
    assertThat(stats.hedgesWon()).isEqualTo(1);
    assertThat(stats.successfulCalls()).isEqualTo(1);
    assertThat(events).containsExactly(new HedgeStarted("search", 2, DELAY, clock.wallTime()));
  }

  @Test
  void aPrimaryWinningAfterTheHedgeStartedCancelsTheHedge() {
    Hedge hedge = hedge(hedgeOnce());
    CompletableFuture<String> result = hedge.callAsync(attempts).toCompletableFuture();
    scheduler.advance(DELAY);

    attempts.attempt(0).complete("primary");

    assertThat(result).isCompletedWithValue("primary");
    assertThat(attempts.attempt(1)).isCancelled();
    assertThat(hedge.statistics().hedgesStarted()).isEqualTo(1);
    assertThat(hedge.statistics().hedgesWon()).isZero();
  }

  @Test
  void startsAtMostMaxHedgesEachOneDelayAfterTheOneBefore() {
    Hedge hedge = hedge(hedgeOnce().maxHedges(2));
    CompletableFuture<String> result = hedge.callAsync(attempts).toCompletableFuture();

    scheduler.advance(DELAY);
    assertThat(attempts.count()).isEqualTo(2);
    scheduler.advance(DELAY.minusNanos(1));
    assertThat(attempts.count()).isEqualTo(2);
    scheduler.advance(Duration.ofNanos(1));
    assertThat(attempts.count()).isEqualTo(3);
    assertThat(scheduler.pendingTasks()).isZero(); // no third timer
    scheduler.advance(DELAY.multipliedBy(10));
    assertThat(attempts.count()).isEqualTo(3);

    attempts.attempt(2).complete("second hedge");

    assertThat(result).isCompletedWithValue("second hedge");
    assertThat(attempts.attempt(0)).isCancelled();
    assertThat(attempts.attempt(1)).isCancelled();
    assertThat(events)
        .extracting(e -> ((HedgeStarted) e).attempt(), e -> ((HedgeStarted) e).elapsed())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(2, DELAY),
            org.assertj.core.groups.Tuple.tuple(3, DELAY.multipliedBy(2)));
  }

  @Test
  void theLoadCapRefusesHedgesBeyondItsShareOfCallsAndCountsTheRefusals() {
    Hedge hedge = hedge(HedgeConfig.builder().delay(DELAY).maxExtraLoad(0.25));
    List<Attempts<String>> calls = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 8; i++) { // 8 slow calls in one window: floor(0.25 × 8) = 2 hedges
      Attempts<String> call = new Attempts<>();
      calls.add(call);
      hedge.callAsync(call);
    }

    scheduler.advance(DELAY);

    assertThat(calls).filteredOn(c -> c.count() == 2).hasSize(2);
    assertThat(calls).filteredOn(c -> c.count() == 1).hasSize(6);
    Hedge.Statistics stats = hedge.statistics();
    assertThat(stats.hedgesStarted()).isEqualTo(2);
    assertThat(stats.hedgesRefused()).isEqualTo(6);
    assertThat(events).filteredOn(HedgeRefused.class::isInstance).hasSize(6);
    assertThat(events)
        .filteredOn(HedgeRefused.class::isInstance)
        .allSatisfy(e -> assertThat(((HedgeRefused) e).attempt()).isEqualTo(2));
    assertThat(scheduler.pendingTasks()).isZero(); // a refused call sets no further timer
  }

  @Test
  void aLoneCallIsNotHedgedUnderTheDefaultTenPercentCap() {
    Hedge hedge = hedge(HedgeConfig.builder().delay(DELAY));
    hedge.callAsync(attempts);

    scheduler.advance(DELAY);

    assertThat(attempts.count()).isEqualTo(1);
    assertThat(hedge.statistics().hedgesRefused()).isEqualTo(1);
  }

  @Test
  void whenEveryAttemptFailsTheCallFailsWithTheLastFailureAndTheOthersSuppressed() {
    Hedge hedge = hedge(hedgeOnce());
    CompletableFuture<String> result = hedge.callAsync(attempts).toCompletableFuture();
    scheduler.advance(DELAY);
    IOException primary = new IOException("primary failed");
    IOException hedged = new IOException("hedge failed");

    attempts.attempt(0).completeExceptionally(primary);
    assertThat(result).isNotDone(); // the hedge is still running
    attempts.attempt(1).completeExceptionally(hedged);

    assertThatThrownBy(result::join).hasCause(hedged);
    assertThat(hedged.getSuppressed()).containsExactly(primary);
    assertThat(hedge.statistics().failedCalls()).isEqualTo(1);
    assertThat(hedge.statistics().successfulCalls()).isZero();
  }

  @Test
  void aFailedPrimaryDoesNotEndTheCallWhileItsHedgeRuns() {
    Hedge hedge = hedge(hedgeOnce());
    CompletableFuture<String> result = hedge.callAsync(attempts).toCompletableFuture();
    scheduler.advance(DELAY);

    attempts.attempt(0).completeExceptionally(new IOException("primary failed"));
    attempts.attempt(1).complete("hedge");

    assertThat(result).isCompletedWithValue("hedge");
    assertThat(hedge.statistics().hedgesWon()).isEqualTo(1);
  }

  @Test
  void aPrimaryFailingBeforeTheDelayFailsTheCallAtOnceWithoutHedging() {
    Hedge hedge = hedge(hedgeOnce());
    CompletableFuture<String> result = hedge.callAsync(attempts).toCompletableFuture();
    IOException failure = new IOException("refused");

    attempts.attempt(0).completeExceptionally(failure);

    assertThatThrownBy(result::join).hasCause(failure);
    assertThat(failure.getSuppressed()).isEmpty();
    assertThat(scheduler.pendingTasks()).isZero();
    scheduler.advance(DELAY);
    assertThat(attempts.count()).isEqualTo(1);
    assertThat(hedge.statistics().hedgesRefused()).isZero();
  }

  @Test
  void cancellingTheCallCancelsEveryAttemptAndTheTimer() {
    Hedge hedge = hedge(hedgeOnce().maxHedges(2));
    CompletableFuture<String> result = hedge.callAsync(attempts).toCompletableFuture();
    scheduler.advance(DELAY);

    result.cancel(true);

    assertThat(attempts.attempt(0)).isCancelled();
    assertThat(attempts.attempt(1)).isCancelled();
    assertThat(scheduler.pendingTasks()).isZero();
    scheduler.advance(DELAY.multipliedBy(5));
    assertThat(attempts.count()).isEqualTo(2);
    Hedge.Statistics stats = hedge.statistics();
    assertThat(stats.cancelledCalls()).isEqualTo(1);
    assertThat(stats.failedCalls()).isZero();
    assertThat(stats.successfulCalls()).isZero();
  }

  @Test
  void aLateResultFromALoserThatIgnoresCancellationIsDropped() {
    Hedge hedge = hedge(hedgeOnce());
    CompletableFuture<String> stubborn = new Stubborn<>();
    Attempts<String> hedges = new Attempts<>();
    int[] calls = {0};
    CompletableFuture<String> result =
        hedge.callAsync(() -> calls[0]++ == 0 ? stubborn : hedges.get()).toCompletableFuture();
    scheduler.advance(DELAY);

    hedges.attempt(0).complete("hedge");
    stubborn.complete("late primary");

    assertThat(result).isCompletedWithValue("hedge");
    assertThat(hedge.statistics().successfulCalls()).isEqualTo(1);
    assertThat(hedge.statistics().hedgesWon()).isEqualTo(1);
  }

  @Test
  void aSupplierThatThrowsIsAFailedAttempt() {
    Hedge hedge = hedge(hedgeOnce());
    IllegalStateException broken = new IllegalStateException("broken");

    CompletableFuture<String> result =
        hedge
            .<String>callAsync(
                () -> {
                  throw broken;
                })
            .toCompletableFuture();

    assertThatThrownBy(result::join).isInstanceOf(CompletionException.class).hasCause(broken);
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void beforeMinSamplesTheFixedDelayIsUsedThenThePercentileOfRecentLatencies() {
    Hedge hedge =
        hedge(
            HedgeConfig.builder()
                .delayPercentile(90.0)
                .delay(Duration.ofSeconds(1))
                .minSamples(10)
                .maxExtraLoad(10));
    for (int i = 1; i <= 9; i++) { // 9 samples: 10, 20, ..., 90 ms
      answerAfter(hedge, Duration.ofMillis(10L * i));
    }
    clock.advance(Duration.ofSeconds(1)); // the delay is recomputed once per tenth of the window
    assertThat(hedge.statistics().delay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(hedge.statistics().latencySamples()).isEqualTo(9);
    assertThatHedgeStartsAfter(hedge, Duration.ofSeconds(1));

    answerAfter(hedge, Duration.ofMillis(100)); // the 10th sample: p90 is 90 ms
    clock.advance(Duration.ofSeconds(1));

    Duration delay = hedge.statistics().delay();
    assertThat((double) delay.toNanos())
        .isCloseTo(Duration.ofMillis(90).toNanos(), within(Duration.ofMillis(90).toNanos() / 32.0));
    assertThatHedgeStartsAfter(hedge, delay);
  }

  @Test
  void thePercentileDelayIsNeverBelowMinDelay() {
    Hedge hedge =
        hedge(
            HedgeConfig.builder()
                .delayPercentile(50.0)
                .minDelay(Duration.ofMillis(5))
                .minSamples(3)
                .maxExtraLoad(10));
    for (int i = 0; i < 3; i++) {
      answerAfter(hedge, Duration.ofMillis(1));
    }
    clock.advance(Duration.ofSeconds(1));

    assertThat(hedge.statistics().delay()).isEqualTo(Duration.ofMillis(5));
  }

  @Test
  void latenciesOlderThanTwoWindowsNoLongerCount() {
    Hedge hedge =
        hedge(
            HedgeConfig.builder()
                .delayPercentile(50.0)
                .minSamples(3)
                .window(Duration.ofSeconds(10))
                .maxExtraLoad(10));
    for (int i = 0; i < 3; i++) {
      answerAfter(hedge, Duration.ofMillis(10));
    }
    assertThat(hedge.statistics().latencySamples()).isEqualTo(3);

    clock.advance(Duration.ofSeconds(20));

    assertThat(hedge.statistics().latencySamples()).isZero();
    assertThat(hedge.statistics().delay()).isEqualTo(Duration.ofSeconds(1));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aFastCallPassesThroughInEveryModeWithoutHedging(CallMode mode) throws Exception {
    Hedge hedge = hedge(hedgeOnce());

    assertThat(mode.call(hedge, scheduler, () -> "fast")).isEqualTo("fast");

    assertThat(scheduler.pendingTasks()).isZero();
    assertThat(hedge.statistics())
        .extracting(Hedge.Statistics::successfulCalls, Hedge.Statistics::hedgesStarted)
        .containsExactly(1L, 0L);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aFailingCallFailsUnwrappedInEveryMode(CallMode mode) {
    Hedge hedge = hedge(hedgeOnce());
    IOException failure = new IOException("down");

    assertThatThrownBy(
            () ->
                mode.call(
                    hedge,
                    scheduler,
                    () -> {
                      throw failure;
                    }))
        .isSameAs(failure);
    assertThat(hedge.statistics().failedCalls()).isEqualTo(1);
  }

  @Test
  void cancellingTheCallAfterATimerIsScheduledLeavesNothingPending() {
    Hedge hedge = hedge(hedgeOnce());
    CompletableFuture<String> result = hedge.callAsync(attempts).toCompletableFuture();
    assertThat(scheduler.pendingTasks()).isEqualTo(1);

    result.cancel(true);

    assertThat(scheduler.pendingTasks()).isZero();
    assertThat(attempts.attempt(0)).isCancelled();
  }

  /** A call through {@code hedge} whose primary answers after {@code latency}. */
  private void answerAfter(Hedge hedge, Duration latency) {
    Attempts<String> call = new Attempts<>();
    CompletableFuture<String> result = hedge.callAsync(call).toCompletableFuture();
    clock.advance(latency); // the clock alone: the hedge's timer must not fire
    call.attempt(0).complete("ok");
    assertThat(result).isCompletedWithValue("ok");
  }

  private void assertThatHedgeStartsAfter(Hedge hedge, Duration delay) {
    Attempts<String> call = new Attempts<>();
    CompletableFuture<String> result = hedge.callAsync(call).toCompletableFuture();
    scheduler.advance(delay.minusNanos(1));
    assertThat(call.count()).isEqualTo(1);
    scheduler.advance(Duration.ofNanos(1));
    assertThat(call.count()).isEqualTo(2);
    result.cancel(true); // cancelled attempts leave no latency sample
    assertThat(call.attempt(0)).isCancelled();
  }

  /** A future that refuses to be cancelled, like a call that cannot be stopped. */
  private static final class Stubborn<T> extends CompletableFuture<T> {
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      return false;
    }
  }

  @Test
  void theCallersCancellationExceptionIsNotCountedAsAFailure() {
    Hedge hedge = hedge(hedgeOnce());
    CompletableFuture<String> result = hedge.callAsync(attempts).toCompletableFuture();

    result.completeExceptionally(new CancellationException("caller gave up"));

    assertThat(attempts.attempt(0)).isCancelled();
    assertThat(hedge.statistics().cancelledCalls()).isEqualTo(1);
  }
}
