package dev.bulwark.timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.event.CallRejected;
import dev.bulwark.event.LateOutcome;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A slow call is simulated by the call itself sleeping on the manual scheduler: the sleep moves
 * time past the deadline and runs the deadline task on the calling thread, so the interrupt lands
 * exactly where a real one would, with no real waiting.
 */
class TimeoutTest {
  private static final Duration LIMIT = Duration.ofSeconds(1);

  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final List<PolicyEvent> events = new CopyOnWriteArrayList<>();

  private Timeout timeout(boolean cancelRunningFuture) {
    Timeout timeout =
        Timeout.of(
            "quotes",
            TimeoutConfig.builder().timeout(LIMIT).cancelRunningFuture(cancelRunningFuture).build(),
            clock,
            scheduler);
    timeout.events().subscribe(events::add);
    return timeout;
  }

  private final Timeout timeout = timeout(true);

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void cutsASlowCallShortAtTheDeadline(CallMode mode) {
    assertThatThrownBy(
            () ->
                mode.call(
                    timeout,
                    scheduler,
                    () -> {
                      scheduler.sleep(Duration.ofSeconds(2).toNanos()); // too slow
                      return "late";
                    }))
        .isInstanceOfSatisfying(
            TimeoutExceededException.class,
            e -> {
              assertThat(e.policyName()).isEqualTo("quotes");
              assertThat(e.timeout()).isEqualTo(LIMIT);
              assertThat(e).hasMessage("quotes: call did not finish within PT1S");
            });
    assertThat(events)
        .first()
        .isInstanceOfSatisfying(
            CallRejected.class,
            e -> assertThat(e.rejection()).isInstanceOf(TimeoutExceededException.class));
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void aCallThatHonoursTheInterruptGivesItAsTheCauseAndTheFlagIsCleared() {
    assertThatThrownBy(
            () ->
                timeout.call(
                    () -> {
                      scheduler.sleep(Duration.ofMinutes(1).toNanos());
                      return "unreached";
                    }))
        .isInstanceOf(TimeoutExceededException.class)
        .hasCauseInstanceOf(InterruptedException.class);

    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    assertThat(events).hasSize(1).first().isInstanceOf(CallRejected.class);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aFastCallPassesAndLeavesNoPendingTask(CallMode mode) throws Exception {
    String value =
        mode.call(
            timeout,
            scheduler,
            () -> {
              scheduler.sleep(LIMIT.minusNanos(1).toNanos());
              return "quick";
            });

    assertThat(value).isEqualTo("quick");
    assertThat(scheduler.pendingTasks()).isZero();
    assertThat(events).isEmpty();
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aFailureBeforeTheDeadlinePassesThroughUnwrapped(CallMode mode) {
    IOException failure = new IOException("refused");

    assertThatThrownBy(
            () ->
                mode.call(
                    timeout,
                    scheduler,
                    () -> {
                      throw failure;
                    }))
        .isSameAs(failure);
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void aLateResultOfACallThatSwallowsTheInterruptIsReportedNotReturned() {
    assertThatThrownBy(
            () ->
                timeout.call(
                    () -> {
                      try {
                        scheduler.sleep(Duration.ofSeconds(3).toNanos());
                      } catch (InterruptedException swallowed) {
                        // a careless call carries on
                      }
                      scheduler.sleep(Duration.ofSeconds(2).toNanos());
                      return "stale";
                    }))
        .isInstanceOf(TimeoutExceededException.class)
        .hasNoCause();

    assertThat(events).hasSize(2);
    assertThat(events.get(0))
        .isInstanceOfSatisfying(
            LateOutcome.class,
            e -> {
              assertThat(e.value()).isEqualTo("stale");
              assertThat(e.failure()).isNull();
              assertThat(e.timeout()).isEqualTo(LIMIT);
              // the first sleep ends at the 1 s deadline's interrupt; the careless call then
              // sleeps 2 s more
              assertThat(e.duration()).isEqualTo(Duration.ofSeconds(3));
            });
    assertThat(events.get(1)).isInstanceOf(CallRejected.class);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void aLateFailureIsReportedAndTheCallerStillGetsTheTimeout() {
    IOException lateFailure = new IOException("reset after the deadline");

    assertThatThrownBy(
            () ->
                timeout.call(
                    () -> {
                      try {
                        scheduler.sleep(Duration.ofSeconds(2).toNanos());
                      } catch (InterruptedException swallowed) {
                        // ignores it
                      }
                      throw lateFailure;
                    }))
        .isInstanceOf(TimeoutExceededException.class);

    assertThat(events.get(0))
        .isInstanceOfSatisfying(
            LateOutcome.class, e -> assertThat(e.failure()).isSameAs(lateFailure));
  }

  @Test
  void interruptsACallBlockedOnAnotherThread() throws Exception {
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch never = new CountDownLatch(1);
      Future<Boolean> blocked =
          thread.submit(
              () ->
                  timeout.call(
                      () -> {
                        started.countDown();
                        return never.await(10, TimeUnit.SECONDS); // a bounded stand-in for I/O
                      }));
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

      scheduler.advance(LIMIT); // the deadline task interrupts the blocked thread

      assertThatThrownBy(() -> blocked.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(TimeoutExceededException.class)
          .hasCauseInstanceOf(InterruptedException.class);
      Future<Boolean> flagAfterwards = thread.submit(() -> Thread.currentThread().isInterrupted());
      assertThat(flagAfterwards.get(10, TimeUnit.SECONDS))
          .as("the interrupt we caused was cleared")
          .isFalse();
    } finally {
      thread.shutdownNow();
    }
  }

  @Test
  void anAsynchronousCallIsCutAtTheDeadlineAndItsFutureCancelled() {
    CompletableFuture<String> work = new CompletableFuture<>();

    CompletionStage<String> stage = timeout.callAsync(() -> work);
    scheduler.advance(LIMIT.minusNanos(1));
    assertThat(stage.toCompletableFuture()).isNotDone();
    scheduler.advance(Duration.ofNanos(1));

    assertThatThrownBy(() -> stage.toCompletableFuture().join())
        .cause()
        .isInstanceOf(TimeoutExceededException.class);
    assertThat(work).isCancelled();
    assertThat(events).hasSize(1).first().isInstanceOf(CallRejected.class);
  }

  @Test
  void aLateAsynchronousOutcomeIsReportedWhenTheFutureIsLeftRunning() {
    Timeout lenient = timeout(false);
    CompletableFuture<String> work = new CompletableFuture<>();
    CompletionStage<String> stage = lenient.callAsync(() -> work);

    scheduler.advance(Duration.ofSeconds(2));
    assertThat(work).as("left running").isNotDone();
    work.complete("eventually");

    assertThatThrownBy(() -> stage.toCompletableFuture().join())
        .cause()
        .isInstanceOf(TimeoutExceededException.class);
    assertThat(events).hasSize(2);
    assertThat(events.get(1))
        .isInstanceOfSatisfying(
            LateOutcome.class,
            e -> {
              assertThat(e.value()).isEqualTo("eventually");
              assertThat(e.duration()).isEqualTo(Duration.ofSeconds(2));
            });
  }

  @Test
  void aQuickAsynchronousCallCancelsItsDeadline() {
    CompletableFuture<String> work = new CompletableFuture<>();
    CompletionStage<String> stage = timeout.callAsync(() -> work);

    work.complete("quick");

    assertThat(stage.toCompletableFuture().join()).isEqualTo("quick");
    assertThat(scheduler.pendingTasks()).isZero();
    assertThat(events).isEmpty();
  }

  @Test
  void theDefaultIsOneSecondAndCancellingRunningFutures() {
    Timeout defaults = Timeout.ofDefaults("db");

    assertThat(defaults.name()).isEqualTo("db");
    assertThat(defaults.config().timeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(defaults.config().cancelRunningFuture()).isTrue();
    assertThat(TimeoutConfig.ofDefaults().toBuilder().cancelRunningFuture(false).build())
        .hasToString("TimeoutConfig[timeout=PT1S, cancelRunningFuture=false]");
  }

  @Test
  void aBadConfigurationFailsWithAMessageNamingTheFieldAndRange() {
    assertThatThrownBy(() -> TimeoutConfig.builder().timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be in (0, PT8760H], was PT0S");
    assertThatThrownBy(() -> TimeoutConfig.builder().timeout(Duration.ofDays(366)))
        .hasMessage("timeout must be in (0, PT8760H], was PT8784H");
    assertThatThrownBy(() -> TimeoutConfig.builder().timeout(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeout must not be null");
    assertThatThrownBy(() -> Timeout.of("t", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("config must not be null");
  }
}
