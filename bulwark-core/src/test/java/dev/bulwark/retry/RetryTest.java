package dev.bulwark.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.bulwark.event.FailureRecorded;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.event.RetriesExhausted;
import dev.bulwark.event.RetryScheduled;
import dev.bulwark.event.SuccessRecorded;
import dev.bulwark.policy.RejectedException;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.Faults;
import dev.bulwark.test.Faults.Fault;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.auth.login.LoginException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RetryTest {
  private static final Backoff EXPONENTIAL =
      Backoff.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(10));

  private final ManualClock clock = ManualClock.nearOverflow(); // nano time wraps mid-test
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  private Retry retry(RetryConfig.Builder config) {
    return Retry.of("api", config.build(), clock, scheduler);
  }

  private static RetryConfig.Builder config() {
    return RetryConfig.builder().backoff(EXPONENTIAL);
  }

  /** A rejection by an inner policy that knows when a call may pass. */
  static final class Refused extends RejectedException {
    private static final long serialVersionUID = 1L;

    Refused(Duration retryAfter) {
      super("inner", "inner: refused for " + retryAfter, retryAfter.toNanos());
    }
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void succeedsAfterTwoFailuresWaitingTheBackoffBetweenAttempts(CallMode mode) throws Exception {
    Retry retry = retry(config());
    Script script = Script.of(new IOException("reset"), new IOException("reset"), "ok");

    Object value = mode.call(retry, scheduler, script);

    assertThat(value).isEqualTo("ok");
    assertThat(script.calls()).isEqualTo(3);
    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(300));
    if (mode == CallMode.ASYNC) {
      assertThat(scheduler.sleeps()).isEmpty(); // no thread slept: attempts were scheduled
    } else {
      assertThat(scheduler.sleeps())
          .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }
    assertThat(retry.statistics()).isEqualTo(new Retry.Statistics(0, 1, 0, 0, 3, 0));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void givesUpAfterMaxAttemptsWithTheLastFailureAsCause(CallMode mode) {
    Retry retry = retry(config());
    IOException last = new IOException("connection reset");
    Script script = Script.of(new IOException("first"), new IOException("second"), last);

    Throwable thrown = catchThrowable(() -> mode.call(retry, scheduler, script));

    assertThat(thrown)
        .isInstanceOfSatisfying(
            RetryExhaustedException.class,
            e -> {
              assertThat(e.attempts()).isEqualTo(3);
              assertThat(e.policyName()).isEqualTo("api");
              assertThat(e)
                  .hasCause(last)
                  .hasMessage(
                      "retry 'api' gave up after 3 attempts: java.io.IOException: connection"
                          + " reset");
            });
    assertThat(script.calls()).isEqualTo(3);
    assertThat(retry.statistics()).isEqualTo(new Retry.Statistics(0, 0, 0, 1, 3, 0));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void neverRetriesAuthenticationFailuresWhichPassThroughUnwrapped(CallMode mode) {
    for (Exception failure :
        List.of(
            new LoginException("bad password"),
            new SecurityException("forbidden"),
            new GeneralSecurityException("bad certificate"))) {
      Retry retry = retry(config().maxAttempts(5));
      Script script = Script.of(failure, "unreached");

      assertThatThrownBy(() -> mode.call(retry, scheduler, script)).isSameAs(failure);
      assertThat(script.calls()).isEqualTo(1);
    }
    assertThat(clock.elapsed()).isZero();
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void abortOnWinsOverRetryOnAndPassesTheFailureThroughUnwrapped(CallMode mode) {
    Retry retry = retry(config().retryOn(IOException.class).abortOn(FileNotFoundException.class));
    FileNotFoundException missing = new FileNotFoundException("/config.yaml");
    Script script = Script.of(missing, "unreached");

    assertThatThrownBy(() -> mode.call(retry, scheduler, script)).isSameAs(missing);
    assertThat(script.calls()).isEqualTo(1);
    assertThat(retry.statistics()).isEqualTo(new Retry.Statistics(0, 0, 1, 0, 1, 0));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void neverRetriesAnError(CallMode mode) {
    Retry retry = retry(config());
    AssertionError bug = new AssertionError("bug");
    Script script = Script.of(bug, "unreached");

    assertThatThrownBy(() -> mode.call(retry, scheduler, script)).isSameAs(bug);
    assertThat(script.calls()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void retriesOnlyWhatRetryOnOrRetryIfAccept(CallMode mode) throws Exception {
    Retry onlyTimeouts = retry(config().retryIf(e -> e instanceof TimeoutException));
    IOException notATimeout = new IOException("reset");
    Script first = Script.of(notATimeout, "unreached");
    assertThatThrownBy(() -> mode.call(onlyTimeouts, scheduler, first)).isSameAs(notATimeout);

    Retry both =
        retry(
            config()
                .retryOn(TimeoutException.class)
                .retryIf(e -> e.getMessage().contains("transient")));
    Script second = Script.of(new TimeoutException(), new IOException("transient"), "ok");
    assertThat(mode.call(both, scheduler, second)).isEqualTo("ok");
    assertThat(second.calls()).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void checkedExceptionsReachTheCallerUnwrappedWhenNoRetryWasMade(CallMode mode) {
    Retry once = retry(config().maxAttempts(1));
    IOException failure = new IOException("connection reset");
    Script script = Script.of(failure);

    assertThatThrownBy(() -> mode.call(once, scheduler, script)).isSameAs(failure);
    assertThat(script.calls()).isEqualTo(1);
    assertThat(once.statistics()).isEqualTo(new Retry.Statistics(0, 0, 1, 0, 1, 0));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void retriesA503ResultThenReturnsTheLastResultWhenExhausted(CallMode mode) throws Exception {
    Retry retry = retry(config().retryOnResult(r -> Integer.valueOf(503).equals(r)));
    Script unavailable = Script.of(503);

    assertThat(mode.call(retry, scheduler, unavailable)).isEqualTo(503);
    assertThat(unavailable.calls()).isEqualTo(3);

    Script recovers = Script.of(503, 200);
    assertThat(mode.call(retry, scheduler, recovers)).isEqualTo(200);
    assertThat(recovers.calls()).isEqualTo(2);
    assertThat(retry.statistics()).isEqualTo(new Retry.Statistics(0, 1, 0, 1, 5, 0));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void maxDurationStopsBeforeAWaitThatWouldEndPastTheBudget(CallMode mode) {
    Retry retry =
        retry(
            config()
                .maxAttempts(10)
                .backoff(Backoff.fixed(Duration.ofMillis(400)))
                .maxDuration(Duration.ofSeconds(1)));
    IOException failure = new IOException("reset");
    Script script = Script.of(failure);

    // attempts at 0, 400 and 800 ms; a wait from 800 ms would end at 1200 ms, past the budget
    assertThatThrownBy(() -> mode.call(retry, scheduler, script))
        .isInstanceOfSatisfying(
            RetryExhaustedException.class, e -> assertThat(e.attempts()).isEqualTo(3))
        .hasCause(failure);
    assertThat(script.calls()).isEqualTo(3);
    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(800));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aBudgetTooShortForAnyWaitLeavesTheFailureUnwrapped(CallMode mode) {
    Retry retry =
        retry(
            config()
                .backoff(Backoff.fixed(Duration.ofMillis(100)))
                .maxDuration(Duration.ofMillis(100)));
    IOException failure = new IOException("reset");
    Script script = Script.of(failure);

    assertThatThrownBy(() -> mode.call(retry, scheduler, script)).isSameAs(failure);
    assertThat(script.calls()).isEqualTo(1);
    assertThat(clock.elapsed()).isZero();
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void waitsAsLongAsAnInnerRejectionAsksCappedByTheBackoffsMax(CallMode mode) throws Exception {
    Retry retry = retry(config());

    mode.call(retry, scheduler, Script.of(new Refused(Duration.ofSeconds(2)), "ok"));
    assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(2));

    mode.call(retry, scheduler, Script.of(new Refused(Duration.ofMinutes(5)), "ok"));
    assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(12)); // capped at 10 s

    mode.call(retry, scheduler, Script.of(new Refused(Duration.ofMillis(10)), "ok"));
    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(12_100)); // the longer backoff wins
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void countsEachKindOfOutcome(CallMode mode) throws Exception {
    Retry retry = retry(config());

    mode.call(retry, scheduler, Script.of("ok"));
    mode.call(retry, scheduler, Script.of(new IOException("once"), "ok"));
    catchThrowable(() -> mode.call(retry, scheduler, Script.of(new LoginException("denied"))));
    catchThrowable(() -> mode.call(retry, scheduler, Script.of(new IOException("always"))));

    assertThat(retry.statistics()).isEqualTo(new Retry.Statistics(1, 1, 1, 1, 1 + 2 + 1 + 3, 0));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void publishesEachRetryThenTheFinalOutcome(CallMode mode) {
    Retry retry = retry(config().backoff(Backoff.fixed(Duration.ofMillis(100))));
    List<PolicyEvent> events = new CopyOnWriteArrayList<>();
    retry.events().subscribe(events::add);
    IOException first = new IOException("1");
    IOException second = new IOException("2");
    IOException third = new IOException("3");

    catchThrowable(() -> mode.call(retry, scheduler, Script.of(first, second, third)));

    assertThat(events).hasSize(4);
    assertThat(events.get(0))
        .isEqualTo(
            new RetryScheduled(
                "api", 2, Duration.ofMillis(100), first, ManualClock.DEFAULT_WALL_TIME));
    assertThat(events.get(1))
        .isEqualTo(
            new RetryScheduled(
                "api",
                3,
                Duration.ofMillis(100),
                second,
                ManualClock.DEFAULT_WALL_TIME.plusMillis(100)));
    Instant end = ManualClock.DEFAULT_WALL_TIME.plusMillis(200);
    assertThat(events.get(2)).isEqualTo(new RetriesExhausted("api", 3, third, end));
    assertThat(events.get(3))
        .isEqualTo(new FailureRecorded("api", Duration.ofMillis(200), third, end));

    events.clear();
    catchThrowable(() -> mode.call(retry, scheduler, Script.of(first, "ok")));
    assertThat(events)
        .extracting(e -> e.getClass().getSimpleName())
        .containsExactly("RetryScheduled", "SuccessRecorded");
    assertThat(((SuccessRecorded) events.get(1)).duration()).isEqualTo(Duration.ofMillis(100));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aListenerThatThrowsDoesNotBreakTheRetry(CallMode mode) throws Exception {
    Retry retry = retry(config());
    AtomicInteger seen = new AtomicInteger();
    retry
        .events()
        .subscribe(
            event -> {
              seen.incrementAndGet();
              throw new IllegalStateException("listener bug");
            });

    Object value = mode.call(retry, scheduler, Script.of(new IOException("reset"), "ok"));

    assertThat(value).isEqualTo("ok");
    assertThat(seen).hasValue(2); // RetryScheduled, SuccessRecorded
  }

  @Test
  void anInterruptWhileWaitingStopsTheRetryAndKeepsTheThreadInterrupted() {
    Retry retry = retry(config().backoff(Backoff.fixed(Duration.ofMillis(100))));
    Thread caller = Thread.currentThread();
    scheduler.schedule(caller::interrupt, Duration.ofMillis(50).toNanos());
    IOException failure = new IOException("reset");
    Script script = Script.of(failure, "unreached");

    Throwable thrown = catchThrowable(() -> retry.call(script));

    boolean interrupted = Thread.interrupted(); // read and clear, so no other test is disturbed
    assertThat(thrown).isInstanceOf(InterruptedException.class);
    assertThat(thrown.getSuppressed()).containsExactly(failure);
    assertThat(interrupted).isTrue();
    assertThat(script.calls()).isEqualTo(1);
    assertThat(retry.statistics()).isEqualTo(new Retry.Statistics(0, 0, 1, 0, 1, 0));
  }

  @Test
  void anAsyncSupplierThatThrowsCountsAsAFailedAttempt() {
    Retry retry = retry(config());
    AtomicInteger calls = new AtomicInteger();

    CompletableFuture<String> result =
        retry
            .callAsync(
                () -> {
                  if (calls.getAndIncrement() == 0) {
                    throw new IllegalStateException("pool exhausted");
                  }
                  return CompletableFuture.completedFuture("ok");
                })
            .toCompletableFuture();
    scheduler.runAll();

    assertThat(result).isCompletedWithValue("ok");
    assertThat(calls).hasValue(2);
  }

  @Test
  void anAsyncFailureIsUnwrappedBeforeItIsJudged() {
    Retry retry = retry(config());
    LoginException denied = new LoginException("denied");
    Fault<String> call = Faults.failing(new CompletionException(denied));

    CompletionStage<String> result = retry.callAsync(call.async());
    scheduler.runAll();

    assertThatThrownBy(() -> result.toCompletableFuture().join()).hasCause(denied);
    assertThat(call.calls()).isEqualTo(1);
  }

  @Test
  void anAsyncCallCancelledWhileWaitingStartsNoMoreAttempts() {
    Retry retry = retry(config());
    Fault<String> call = Faults.failing(new IOException("reset"));

    CompletableFuture<String> result = retry.callAsync(call.async()).toCompletableFuture();
    result.cancel(false);
    scheduler.runAll();

    assertThat(call.calls()).isEqualTo(1);
    assertThat(retry.statistics()).isEqualTo(new Retry.Statistics(0, 0, 1, 0, 1, 0));
  }

  @Test
  void cancellingAnAsyncCallCancelsTheAttemptInFlight() {
    Retry retry = retry(config());
    CompletableFuture<String> attempt = new CompletableFuture<>();

    CompletableFuture<String> result = retry.callAsync(() -> attempt).toCompletableFuture();
    result.cancel(true);
    scheduler.runAll();

    assertThat(attempt).isCancelled();
    assertThat(retry.statistics().failedWithoutRetry() + retry.statistics().failedWithRetry())
        .isEqualTo(1);
  }

  @Test
  void cancellingAnAsyncCallCancelsTheAttemptInFlightUnderAnAttemptTimeout() {
    Retry retry = retry(config().attemptTimeout(Duration.ofSeconds(5)));
    CompletableFuture<String> attempt = new CompletableFuture<>();

    CompletableFuture<String> result = retry.callAsync(() -> attempt).toCompletableFuture();
    result.cancel(true);

    assertThat(attempt).isCancelled();
    assertThat(scheduler.pendingTasks()).isZero(); // the attempt's deadline was cancelled too
  }

  @Test
  void concurrentCallsAreEachCountedExactlyOnce() throws Exception {
    Retry retry = retry(config().backoff(Backoff.none()));
    int threads = 4;
    int callsPerThread = 2_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < callsPerThread; i++) {
                    retry.call(Script.of(new IOException("once"), "ok"));
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    long calls = (long) threads * callsPerThread;
    assertThat(retry.statistics()).isEqualTo(new Retry.Statistics(0, calls, 0, 0, 2 * calls, 0));
  }
}
