package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.event.CallRejected;
import dev.bulwark.event.FallbackServed;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.hedge.Hedge;
import dev.bulwark.hedge.HedgeConfig;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import dev.bulwark.timeout.Timeout;
import dev.bulwark.timeout.TimeoutConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Cancelling the future {@code callAsync} returned reaches the call inside, whichever policy is
 * outermost, and each policy treats the cancelled call as it would an interrupted synchronous one:
 * it stops waiting, starts nothing more, and gives back what it held.
 */
class CancellationTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final List<CompletableFuture<String>> calls = new ArrayList<>();
  private final Supplier<CompletionStage<String>> pending =
      () -> {
        CompletableFuture<String> call = new CompletableFuture<>();
        calls.add(call);
        return call;
      };

  /** Each policy kind, built so that the call under it is running when the caller cancels. */
  enum Outermost {
    BULKHEAD,
    CIRCUIT_BREAKER,
    RETRY,
    TIMEOUT,
    HEDGE,
    RATE_LIMITER,
    FALLBACK;

    Policy build(ManualClock clock, ManualScheduler scheduler) {
      switch (this) {
        case BULKHEAD:
          return Bulkhead.of("b", BulkheadConfig.ofDefaults(), clock, scheduler);
        case CIRCUIT_BREAKER:
          return CircuitBreaker.of("cb", CircuitBreakerConfig.ofDefaults(), clock);
        case RETRY:
          return Retry.of("r", RetryConfig.builder().maxAttempts(3).build(), clock, scheduler);
        case TIMEOUT:
          return Timeout.of("t", TimeoutConfig.ofDefaults(), clock, scheduler);
        case HEDGE:
          return Hedge.of(
              "h", HedgeConfig.builder().delay(Duration.ofSeconds(1)).build(), clock, scheduler);
        case RATE_LIMITER:
          return RateLimiter.of("rl", RateLimiterConfig.ofDefaults(), clock, scheduler);
        case FALLBACK:
          return Fallback.<String>of("f", failure -> "fallback");
        default:
          throw new AssertionError(this);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Outermost.class)
  void cancellingTheCallersFutureCancelsTheCallInside(Outermost kind) {
    Policy policy = kind.build(clock, scheduler);
    Pipeline pipeline = Pipeline.of(policy);

    CompletableFuture<String> result = pipeline.callAsync(pending).toCompletableFuture();
    assertThat(calls).hasSize(1);
    result.cancel(true);

    assertThat(result).isCancelled();
    assertThat(calls.get(0)).isCancelled();
    scheduler.advance(Duration.ofMinutes(10));
    assertThat(calls).as("nothing started after the cancel").hasSize(1);
    assertThat(scheduler.pendingTasks()).as("no timer left behind").isZero();
  }

  @ParameterizedTest
  @EnumSource(Outermost.class)
  void cancellationReachesTheCallThroughTheWholeRecommendedPipeline(Outermost kind) {
    Policy outer = kind.build(clock, scheduler);
    Bulkhead bulkhead = Bulkhead.of("inner-b", BulkheadConfig.ofDefaults(), clock, scheduler);
    CircuitBreaker breaker =
        CircuitBreaker.of("inner-cb", CircuitBreakerConfig.ofDefaults(), clock);
    Retry retry =
        Retry.of("inner-r", RetryConfig.builder().maxAttempts(3).build(), clock, scheduler);
    Timeout timeout = Timeout.of("inner-t", TimeoutConfig.ofDefaults(), clock, scheduler);
    List<Policy> policies = new ArrayList<>(List.of(outer));
    for (Policy p : List.<Policy>of(bulkhead, breaker, retry, timeout)) {
      if (p.getClass() != outer.getClass()) {
        policies.add(p);
      }
    }
    Pipeline pipeline = Pipeline.of(policies);

    CompletableFuture<String> result = pipeline.callAsync(pending).toCompletableFuture();
    result.cancel(true);
    scheduler.advance(Duration.ofMinutes(10));

    assertThat(calls).hasSize(1);
    assertThat(calls.get(0)).isCancelled();
    Bulkhead usedBulkhead = outer instanceof Bulkhead ? (Bulkhead) outer : bulkhead;
    CircuitBreaker usedBreaker = outer instanceof CircuitBreaker ? (CircuitBreaker) outer : breaker;
    Retry usedRetry = outer instanceof Retry ? (Retry) outer : retry;
    assertThat(usedBulkhead.snapshot().inFlight()).isZero();
    assertThat(usedBreaker.snapshot().bufferedCalls()).as("a cancel is no outcome").isZero();
    assertThat(usedRetry.statistics().totalAttempts()).isEqualTo(1);
  }

  @Test
  void aBulkheadGivesThePermitBackWhenItsCallerCancels() {
    Bulkhead bulkhead =
        Bulkhead.of("b", BulkheadConfig.builder().maxConcurrentCalls(1).build(), clock, scheduler);

    bulkhead.callAsync(pending).toCompletableFuture().cancel(true);

    assertThat(bulkhead.snapshot().inFlight()).isZero();
    assertThat(bulkhead.callAsync(() -> CompletableFuture.completedFuture("next")))
        .isCompletedWithValue("next");
  }

  @Test
  void aCallCancelledWhileQueuedForABulkheadNeverRunsAndGivesItsPlaceBack() {
    Bulkhead bulkhead =
        Bulkhead.of(
            "b",
            BulkheadConfig.builder().maxConcurrentCalls(1).maxWait(Duration.ofSeconds(5)).build(),
            clock,
            scheduler);
    bulkhead.callAsync(pending); // holds the only permit
    List<String> ran = new CopyOnWriteArrayList<>();
    CompletableFuture<String> queued =
        bulkhead
            .callAsync(
                () -> {
                  ran.add("cancelled one");
                  return CompletableFuture.completedFuture("unreached");
                })
            .toCompletableFuture();
    CompletionStage<String> behind =
        bulkhead.callAsync(
            () -> {
              ran.add("next in line");
              return CompletableFuture.completedFuture("ran");
            });

    queued.cancel(true);
    assertThat(bulkhead.snapshot().waitingCalls()).isEqualTo(1);
    calls.get(0).complete("first");

    assertThat(ran).containsExactly("next in line");
    assertThat(behind).isCompletedWithValue("ran");
    assertThat(bulkhead.snapshot()).isEqualTo(new Bulkhead.Snapshot(1, 0, 0, 0));
    assertThat(scheduler.pendingTasks()).as("the deadlines are cancelled").isZero();
  }

  @Test
  void aCallCancelledWhileWaitingForARateLimiterNeverRuns() {
    RateLimiter limiter =
        RateLimiter.of(
            "rl",
            RateLimiterConfig.builder()
                .limit(1)
                .period(Duration.ofSeconds(1))
                .burst(1)
                .maxWait(Duration.ofSeconds(5))
                .build(),
            clock,
            scheduler);
    limiter.callAsync(pending);
    CompletableFuture<String> waiting = limiter.callAsync(pending).toCompletableFuture();
    assertThat(limiter.snapshot().waitingCallers()).isEqualTo(1);

    waiting.cancel(true);
    scheduler.advance(Duration.ofSeconds(5));

    assertThat(calls).hasSize(1);
    assertThat(limiter.snapshot().waitingCallers()).isZero();
  }

  @Test
  void aRetryCancelledDuringItsBackoffMakesNoFurtherAttempt() {
    Retry retry =
        Retry.of(
            "r",
            RetryConfig.builder()
                .maxAttempts(3)
                .backoff(Backoff.fixed(Duration.ofSeconds(1)))
                .build(),
            clock,
            scheduler);
    CompletableFuture<String> result = retry.callAsync(pending).toCompletableFuture();
    calls.get(0).completeExceptionally(new IOException("reset"));
    assertThat(scheduler.pendingTasks()).isEqualTo(1);

    result.cancel(true);
    scheduler.advance(Duration.ofSeconds(10));

    assertThat(calls).hasSize(1);
    assertThat(retry.statistics().failedWithRetry() + retry.statistics().failedWithoutRetry())
        .as("the cancelled call is recorded once")
        .isEqualTo(1);
  }

  @Test
  void aCancelledTimeoutNeverFiresNorReportsALateOutcome() {
    Timeout timeout = Timeout.of("t", TimeoutConfig.ofDefaults(), clock, scheduler);
    List<PolicyEvent> events = new CopyOnWriteArrayList<>();
    timeout.events().subscribe(events::add);

    timeout.callAsync(pending).toCompletableFuture().cancel(true);
    scheduler.advance(Duration.ofSeconds(5));

    assertThat(events).isEmpty();
    assertThat(calls.get(0)).isCancelled();
  }

  @Test
  void aCancelledCallIsNotReplacedByTheFallback() {
    Fallback<String> fallback = Fallback.of("f", failure -> "fallback");
    List<PolicyEvent> served = new CopyOnWriteArrayList<>();
    fallback.events().subscribe(served::add);

    CompletableFuture<String> result = fallback.callAsync(pending).toCompletableFuture();
    result.cancel(true);

    assertThat(result).isCancelled();
    assertThat(served).noneMatch(FallbackServed.class::isInstance);
    assertThat(fallback.snapshot().served()).isZero();
  }

  @Test
  void aCancelledHedgedCallCancelsEveryAttemptAndStartsNoMore() {
    Hedge hedge =
        Hedge.of(
            "h",
            HedgeConfig.builder().delay(Duration.ofSeconds(1)).maxHedges(2).maxExtraLoad(1).build(),
            clock,
            scheduler);
    CompletableFuture<String> result = hedge.callAsync(pending).toCompletableFuture();
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(calls).hasSize(2);

    result.cancel(true);
    scheduler.advance(Duration.ofSeconds(10));

    assertThat(calls).hasSize(2).allMatch(CompletableFuture::isCancelled);
  }

  @Test
  void aTimedOutCallsRejectionIsCompletedByTheCompletionExecutorAfterTheTimerTask() {
    Timeout timeout = Timeout.of("t", TimeoutConfig.ofDefaults(), clock, scheduler);
    List<CallRejected> rejected = new CopyOnWriteArrayList<>();
    timeout.events().subscribe(CallRejected.class, rejected::add);
    CompletableFuture<String> result = timeout.callAsync(pending).toCompletableFuture();
    int before = scheduler.completionsRun();

    scheduler.advance(Duration.ofSeconds(1));

    assertThat(result).isCompletedExceptionally();
    assertThat(rejected).hasSize(1);
    assertThat(scheduler.completionsRun()).isEqualTo(before + 1);
  }
}
