package dev.bulwark.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.circuitbreaker.CircuitBreakerConfig.WindowType;
import dev.bulwark.event.CallPermitted;
import dev.bulwark.event.FailureRecorded;
import dev.bulwark.event.OutcomeIgnored;
import dev.bulwark.event.SuccessRecorded;
import dev.bulwark.test.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Whatever happens, every permitted call's outcome is recorded exactly once. */
class CircuitBreakerProperties {
  private static final int SUCCESS = 0;
  private static final int FAILURE = 1;
  private static final int IGNORED = 2;
  private static final int SLOW = 3;
  private static final int TIME_STEP = 4;
  private static final int START_HELD = 5;
  private static final int FINISH_HELD = 6;

  @Property(tries = 300)
  void everyPermittedCallIsRecordedExactlyOnceAndCountsStayInBounds(
      @ForAll @Size(max = 120) List<@IntRange(min = 0, max = 6) Integer> actions,
      @ForAll boolean timeWindow,
      @ForAll @IntRange(min = 1, max = 20) int windowSize,
      @ForAll @IntRange(min = 1, max = 20) int minimumCalls,
      @ForAll @IntRange(min = 0, max = 3) int consecutiveFailures,
      @ForAll @IntRange(min = 1, max = 3) int halfOpenMaxCalls,
      @ForAll @IntRange(min = 1, max = 3) int successThreshold,
      @ForAll @IntRange(min = 1, max = 3) int multiplier)
      throws Exception {
    ManualClock clock = ManualClock.nearOverflow();
    CircuitBreakerConfig config =
        CircuitBreakerConfig.builder()
            .windowType(timeWindow ? WindowType.TIME : WindowType.COUNT)
            .windowSize(windowSize)
            .windowDuration(Duration.ofSeconds(20))
            .minimumCalls(timeWindow ? minimumCalls : Math.min(minimumCalls, windowSize))
            .consecutiveFailures(consecutiveFailures)
            .slowCallDuration(Duration.ofSeconds(1))
            .slowCallRateThreshold(50)
            .openDuration(Duration.ofSeconds(5))
            .openDurationMultiplier(multiplier)
            .maxOpenDuration(Duration.ofSeconds(30))
            .halfOpenMaxCalls(halfOpenMaxCalls)
            .successThreshold(successThreshold)
            .halfOpenMaxWait(Duration.ofSeconds(10))
            .ignoreExceptions(IllegalArgumentException.class)
            .build();
    CircuitBreaker breaker = CircuitBreaker.of("p", config, clock);
    Recorder recorder = Recorder.listeningTo(breaker);
    Deque<CompletableFuture<String>> held = new ArrayDeque<>();
    Deque<CompletableFuture<String>> results = new ArrayDeque<>();

    int step = 0;
    for (int action : actions) {
      step++;
      try {
        switch (action) {
          case SUCCESS:
            breaker.call(() -> "ok");
            break;
          case FAILURE:
            breaker.call(
                () -> {
                  throw new IOException("down");
                });
            break;
          case IGNORED:
            breaker.call(
                () -> {
                  throw new IllegalArgumentException("bad input");
                });
            break;
          case SLOW:
            breaker.call(
                () -> {
                  clock.advance(Duration.ofSeconds(2));
                  return "slow";
                });
            break;
          case TIME_STEP:
            clock.advance(Duration.ofSeconds(3));
            break;
          case START_HELD:
            CompletableFuture<String> pending = new CompletableFuture<>();
            held.add(pending);
            results.add(breaker.callAsync(() -> pending).toCompletableFuture());
            break;
          case FINISH_HELD:
            if (!held.isEmpty()) {
              finish(held.poll(), step);
            }
            break;
          default:
            throw new AssertionError(action);
        }
      } catch (IOException | IllegalArgumentException | CircuitBreakerOpenException expected) {
        // the call's own outcome, or a rejection
      }
      checkBounds(breaker.snapshot(), timeWindow, windowSize);
    }
    while (!held.isEmpty()) {
      finish(held.poll(), ++step);
    }
    for (CompletableFuture<String> result : results) {
      assertThat(result).isDone();
    }

    long permitted = recorder.count(CallPermitted.class);
    long outcomes =
        recorder.count(SuccessRecorded.class)
            + recorder.count(FailureRecorded.class)
            + recorder.count(OutcomeIgnored.class);
    assertThat(outcomes).isEqualTo(permitted);
  }

  private static void finish(CompletableFuture<String> pending, int step) {
    switch (step % 3) {
      case 0:
        pending.complete("late");
        break;
      case 1:
        pending.completeExceptionally(new IOException("late failure"));
        break;
      default:
        pending.completeExceptionally(new IllegalArgumentException("late bad input"));
        break;
    }
  }

  private static void checkBounds(CircuitBreaker.Snapshot s, boolean timeWindow, int windowSize) {
    if (!timeWindow) {
      assertThat(s.bufferedCalls()).isBetween(0, windowSize);
    }
    assertThat(s.failedCalls()).isBetween(0, s.bufferedCalls());
    assertThat(s.slowCalls()).isBetween(0, s.bufferedCalls());
    assertThat(s.successfulCalls()).isEqualTo(s.bufferedCalls() - s.failedCalls());
    for (float rate : new float[] {s.failureRate(), s.slowCallRate()}) {
      if (rate != -1f) {
        assertThat(rate).isBetween(0f, 100f);
      }
    }
    assertThat(s.timeUntilProbe()).isBetween(Duration.ZERO, Duration.ofSeconds(30));
  }
}
