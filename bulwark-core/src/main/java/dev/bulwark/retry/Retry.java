package dev.bulwark.retry;

import dev.bulwark.event.EventSource;
import dev.bulwark.internal.Check;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Reconfigurable;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;

/**
 * Tries a call again when it fails with a failure worth retrying, waiting a {@link Backoff} between
 * attempts, within a number of attempts and an optional time budget; see {@link RetryConfig}.
 *
 * <pre>{@code
 * Retry retry = Retry.of("inventory", RetryConfig.builder().maxAttempts(4).build());
 * Stock stock = Pipeline.of(breaker, retry).call(() -> inventory.stock(sku));
 * }</pre>
 *
 * <p><b>Outcomes.</b> A success, or a result not matched by {@code retryOnResult}, is returned as
 * is. A failure that is not retried (see {@link RetryConfig#abortOn()}) is thrown at once,
 * unwrapped. When the attempts or the time budget run out, a failure is thrown as the cause of a
 * {@link RetryExhaustedException} if the call was tried more than once, and unwrapped if it was
 * tried once; a retried result is returned.
 *
 * <p><b>Waiting.</b> A synchronous call waits on the caller's thread, through {@link
 * Scheduler#sleep}. If the thread is interrupted while waiting, the retry stops: the interrupt
 * status is restored (so code that catches every {@code Exception} still sees it) and the {@code
 * InterruptedException} is thrown, with the last failure attached as suppressed. An asynchronous
 * call never blocks a thread: each later attempt is scheduled on the {@link Scheduler} and its
 * supplier runs on the scheduler's {@link Scheduler#completionExecutor() completion executor},
 * never on its timer thread; it should still start its work and return. Cancelling the returned
 * stage cancels the attempt in flight, or ends the wait before the next one (no attempt follows).
 *
 * <p><b>How long it waits.</b> The {@link RetryConfig#backoff() backoff}, unless the server said
 * how long: a {@code ServerBusyException} in the failure or its causes, or a retried result read by
 * {@link RetryConfig#serverDelay()}; that delay replaces the backoff, capped by {@link
 * RetryConfig#maxServerDelay()} (see {@link RetryConfig#respectServerDelay()}). When an inner
 * policy rejects an attempt and knows when a call may pass ({@code RejectedException.retryAfter}),
 * the retry waits at least that long, capped by the backoff's {@link Backoff#max() max}. A wait
 * that would end at or past {@link RetryConfig#maxDuration()} is not begun: the call gives up at
 * once, as if out of attempts.
 *
 * <p><b>Retry budget.</b> With a {@link RetryConfig#budget() budget}, each call deposits into it
 * once and each retry must withdraw from it, after every other check has passed (a refused retry
 * costs nothing; a withdrawn one is spent even if its wait is then interrupted or cancelled). When
 * the budget refuses, the retry stops at once: the caller gets what it would get had the attempts
 * run out (a failure unwrapped after one attempt, a {@link RetryExhaustedException} with {@link
 * RetryExhaustedException#budgetExhausted()} true after several, a retried result as is), a {@code
 * RetryBudgetExhausted} event is published instead of {@code RetriesExhausted}, and {@link
 * Statistics#budgetExhausted()} counts it.
 *
 * <p><b>Per-attempt timeout.</b> With {@link RetryConfig#attemptTimeout()}, a synchronous attempt
 * that runs too long has its thread interrupted; it then fails with a {@code
 * TimeoutExceededException} (which is retried) whatever it returned or threw, and the interrupt
 * status is cleared. An asynchronous attempt completes with that exception at its deadline and its
 * future is cancelled.
 *
 * <p>Thread-safe.
 */
public interface Retry extends Policy, Reconfigurable<RetryConfig> {

  /**
   * The registry's description of retries: settings, snapshot, eviction, pipeline rank; pass it to
   * {@code Resilience.get(KIND, name)}.
   */
  PolicyKind<Retry, RetryConfig, RetryConfig.Builder> KIND = RetryKind.KIND;

  /**
   * A retry named {@code name} that reads the system clock and waits with the system scheduler.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static Retry of(String name, RetryConfig config) {
    return of(name, config, Clock.system(), Scheduler.system());
  }

  /**
   * A retry named {@code name} that reads {@code clock} and waits with {@code scheduler}.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static Retry of(String name, RetryConfig config, Clock clock, Scheduler scheduler) {
    return new LoopingRetry(
        Check.name(name),
        Check.notNull("config", config),
        Check.notNull("clock", clock),
        Check.notNull("scheduler", scheduler));
  }

  /**
   * A retry named {@code name} with {@link RetryConfig#ofDefaults()}, the system clock and the
   * system scheduler.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static Retry ofDefaults(String name) {
    return of(name, RetryConfig.ofDefaults());
  }

  /**
   * The configuration in force now: the one made with, or the latest {@link #reconfigure}.
   * Thread-safe.
   */
  @Override
  RetryConfig config();

  /**
   * Replaces the configuration while the retry serves calls; every setting may change. A call reads
   * the configuration once, when it starts, and keeps it to its end: a call already in progress
   * finishes with the attempts, backoff, time budget, attempt timeouts, predicates and retry budget
   * it started with, and the next call uses {@code config}. The counts of {@link #statistics()}
   * carry on. Publishes a {@link dev.bulwark.event.ConfigChanged} naming the settings that differ,
   * and nothing if {@code config} equals the one in force.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if {@code config} is null
   */
  @Override
  void reconfigure(RetryConfig config);

  /**
   * Where to listen to this retry's events: {@code RetryScheduled} before each wait (with the delay
   * actually used), {@code RetriesExhausted} when it gives up, {@code RetryBudgetExhausted} when
   * its budget refuses a retry, one {@code SuccessRecorded} or {@code FailureRecorded} per call for
   * its final outcome, and {@code ConfigChanged} when it is reconfigured. Thread-safe.
   */
  EventSource events();

  /** Counts of calls by outcome since this retry was created. Thread-safe. */
  Statistics statistics();

  /**
   * Counts of calls through a {@link Retry} by final outcome, and of attempts. Read while calls
   * run, the counts are each exact but not taken at one instant.
   *
   * @param successfulWithoutRetry calls that succeeded on the first attempt
   * @param successfulWithRetry calls that succeeded on a later attempt
   * @param failedWithoutRetry calls that failed after one attempt (not retried, or nothing left)
   * @param failedWithRetry calls that failed, or ended with a retried result, after several
   * @param totalAttempts attempts made by every call that finished
   * @param budgetExhausted calls that stopped because the retry budget refused a retry (each also
   *     counted as failed, with or without retry)
   */
  record Statistics(
      long successfulWithoutRetry,
      long successfulWithRetry,
      long failedWithoutRetry,
      long failedWithRetry,
      long totalAttempts,
      long budgetExhausted) {}
}
