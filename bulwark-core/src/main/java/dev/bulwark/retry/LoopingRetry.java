package dev.bulwark.retry;

import dev.bulwark.event.ConfigChanged;
import dev.bulwark.event.EventSource;
import dev.bulwark.event.FailureRecorded;
import dev.bulwark.event.RetriesExhausted;
import dev.bulwark.event.RetryBudgetExhausted;
import dev.bulwark.event.RetryScheduled;
import dev.bulwark.event.SuccessRecorded;
import dev.bulwark.internal.Check;
import dev.bulwark.policy.RejectedException;
import dev.bulwark.ratelimit.ServerBusyException;
import dev.bulwark.spi.EventBus;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import dev.bulwark.timeout.TimeoutExceededException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/*
 * The retry keeps no state between calls except its counters, so there is nothing to CAS: each
 * call's progress (attempt number, previous delay, start time) lives on the caller's stack for a
 * synchronous call and in one AsyncAttempts object for an asynchronous one. Counters are
 * LongAdders, so concurrent calls never contend on one cache line, and each call adds to them once,
 * when it finishes: its outcome is recorded exactly once, on the path that ends it.
 *
 * The configuration is flattened into one immutable Plan (arrays, nanos, a null for "none") held in
 * one volatile field, so the hot path reads final fields and allocates nothing: a first-try success
 * costs one volatile read of the plan, one call, a null check, two LongAdder additions and one
 * volatile read of the listener array. The start time is read only when a time budget or a
 * listener needs it.
 *
 * Reconfiguration replaces the plan by CAS (the reconfigurer whose CAS lands publishes
 * ConfigChanged). A call reads the plan once, when it starts, and keeps it to the end: its
 * attempts, backoff, time budget, attempt timeouts, predicates and retry budget are the ones it
 * started with, so a call in progress is never judged by a mix of two configurations. Every
 * setting changes live; the next call takes the new plan.
 *
 * A shared RetryBudget is the one piece of state shared between calls; it is lock-free on its own
 * (see BucketedRetryBudget). Each call deposits once, before its first attempt, and withdraws once
 * per retry, last of all the checks, so a retry refused for any other reason costs no budget.
 */
final class LoopingRetry implements Retry {
  /** What {@link #delayBeforeRetry} returns when the attempts or the time budget are used up. */
  static final long EXHAUSTED = -1;

  /** What {@link #delayBeforeRetry} returns when the retry budget refuses the retry. */
  static final long BUDGET_EXHAUSTED = -2;

  /** How deep a failure's cause chain is searched for a server's delay. */
  private static final int MAX_CAUSE_DEPTH = 8;

  private static final VarHandle PLAN;

  static {
    try {
      PLAN = MethodHandles.lookup().findVarHandle(LoopingRetry.class, "plan", Plan.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String name;
  private final Clock clock;
  private final Scheduler scheduler;
  private final EventBus events = new EventBus();
  private volatile Plan plan; // see PLAN; read once per call

  private final LongAdder successfulWithoutRetry = new LongAdder();
  private final LongAdder successfulWithRetry = new LongAdder();
  private final LongAdder failedWithoutRetry = new LongAdder();
  private final LongAdder failedWithRetry = new LongAdder();
  // Attempts of every call except first-try successes: those made exactly one attempt each, so
  // totalAttempts = successfulWithoutRetry + this, and the commonest call adds to one counter.
  private final LongAdder attemptsOfOtherCalls = new LongAdder();
  private final LongAdder budgetExhausted = new LongAdder();

  LoopingRetry(String name, RetryConfig config, Clock clock, Scheduler scheduler) {
    this.name = name;
    this.clock = clock;
    this.scheduler = scheduler;
    this.plan = new Plan(config);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public RetryConfig config() {
    return plan.config;
  }

  @Override
  public void reconfigure(RetryConfig next) {
    Check.notNull("config", next);
    Plan fresh = new Plan(next);
    while (true) { // the reconfigurer whose CAS lands publishes; a loser compares with the winner
      Plan current = plan;
      if (current.config.equals(next)) {
        return;
      }
      if (PLAN.compareAndSet(this, current, fresh)) {
        if (events.hasListeners(ConfigChanged.class)) {
          events.publish(
              new ConfigChanged(name, current.config.changedSettings(next), clock.wallTime()));
        }
        return;
      }
    }
  }

  @Override
  public EventSource events() {
    return events.view();
  }

  @Override
  public Statistics statistics() {
    long firstTrySuccesses = successfulWithoutRetry.sum();
    return new Statistics(
        firstTrySuccesses,
        successfulWithRetry.sum(),
        failedWithoutRetry.sum(),
        failedWithRetry.sum(),
        firstTrySuccesses + attemptsOfOtherCalls.sum(),
        budgetExhausted.sum());
  }

  @Override
  @SuppressWarnings("NullAway") // a call may return null: its result is handed back as it came
  public <T> T execute(Callable<T> call, Next next) throws Exception {
    Check.notNull("call", call);
    Check.notNull("next", next);
    Plan p = plan; // this call's configuration, to its end
    boolean timed =
        p.maxDurationNanos != 0
            || events.hasListeners(SuccessRecorded.class)
            || events.hasListeners(FailureRecorded.class);
    long startNanos = timed ? clock.nanoTime() : 0L;
    if (p.budget != null) {
      p.budget.deposit();
    }
    long previousDelayNanos = 0;
    for (int attempt = 1; ; attempt++) {
      T result = null;
      Throwable failure = null;
      InterruptingTimer timer =
          p.attemptTimeoutNanos == 0
              ? null
              : InterruptingTimer.start(scheduler, p.attemptTimeoutNanos(attempt));
      try {
        result = next.proceed(call);
      } catch (Throwable t) {
        failure = t;
      }
      if (timer != null && timer.stop()) {
        failure = timedOut(timer.timeoutNanos());
        result = null;
      }

      boolean retryable;
      long delayNanos = 0;
      try {
        retryable = failure == null ? p.retriesResult(result) : p.retries(failure);
        if (retryable) {
          delayNanos =
              delayBeforeRetry(p, attempt, previousDelayNanos, failure, result, startNanos);
        }
      } catch (RuntimeException | Error e) { // a predicate or serverDelay failed: a bug
        recordFailure(attempt, e, timed, startNanos);
        throw e;
      }
      if (!retryable) {
        if (failure == null) {
          recordSuccess(attempt, timed, startNanos);
          return result;
        }
        recordFailure(attempt, failure, timed, startNanos);
        throw rethrow(failure);
      }

      if (delayNanos < 0) {
        giveUp(attempt, failure, delayNanos, timed, startNanos);
        if (failure == null) {
          return result; // the last retried result, as documented
        }
        throw rethrow(exhausted(attempt, failure, delayNanos));
      }
      publishScheduled(attempt + 1, delayNanos, failure);
      try {
        scheduler.sleep(delayNanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // restored, so code catching every Exception sees it
        if (failure != null) {
          e.addSuppressed(failure);
        }
        recordFailure(attempt, e, timed, startNanos);
        throw e;
      }
      previousDelayNanos = delayNanos;
    }
  }

  @Override
  public <T> CompletionStage<T> executeAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
    Check.notNull("call", call);
    Check.notNull("next", next);
    Plan p = plan; // this call's configuration, to its end
    boolean timed =
        p.maxDurationNanos != 0
            || events.hasListeners(SuccessRecorded.class)
            || events.hasListeners(FailureRecorded.class);
    AsyncAttempts<T> attempts =
        new AsyncAttempts<>(this, p, call, next, timed, timed ? clock.nanoTime() : 0L);
    if (p.budget != null) {
      p.budget.deposit();
    }
    attempts.run();
    return attempts.result();
  }

  // ---- decisions, shared by the synchronous loop and AsyncAttempts ----

  /**
   * The delay before the attempt after {@code attempt}, or {@link #EXHAUSTED} if the attempts are
   * used up or the wait would end at or past the time budget, or {@link #BUDGET_EXHAUSTED} if the
   * retry budget refuses it; the budget is asked last, and only it has a side effect. {@code
   * result} is the retried result when {@code failure} is null. Throws what serverDelay throws.
   */
  long delayBeforeRetry(
      Plan p,
      int attempt,
      long previousDelayNanos,
      @Nullable Throwable failure,
      @Nullable Object result,
      long startNanos) {
    if (attempt >= p.maxAttempts) {
      return EXHAUSTED;
    }
    long delayNanos = p.backoff.delayNanos(attempt, previousDelayNanos, p.random.get());
    long serverNanos = failure != null ? p.serverDelayNanos(failure) : p.serverDelayNanos(result);
    if (serverNanos >= 0) {
      delayNanos = serverNanos; // the server's word replaces the backoff
    } else if (failure instanceof RejectedException && !(failure instanceof ServerBusyException)) {
      long retryAfterNanos = ((RejectedException) failure).retryAfterNanos();
      if (retryAfterNanos >= 0) { // an inner policy's hint: wait at least that, within reason
        delayNanos = Math.max(delayNanos, Math.min(retryAfterNanos, p.backoff.maxNanos()));
      }
    }
    if (p.maxDurationNanos != 0
        && clock.nanoTime() + delayNanos - (startNanos + p.maxDurationNanos) >= 0) {
      return EXHAUSTED; // no wait that cannot lead to another attempt
    }
    if (p.budget != null && !p.budget.tryWithdraw()) {
      return BUDGET_EXHAUSTED;
    }
    return delayNanos;
  }

  TimeoutExceededException timedOut(long timeoutNanos) {
    return new TimeoutExceededException(name, Duration.ofNanos(timeoutNanos));
  }

  /**
   * What a call that ran out of attempts, time or budget ({@code why}, from {@link
   * #delayBeforeRetry}) fails with: the failure itself after one attempt.
   */
  Throwable exhausted(int attempts, Throwable failure, long why) {
    return attempts == 1
        ? failure
        : new RetryExhaustedException(name, attempts, failure, why == BUDGET_EXHAUSTED);
  }

  /** Records a call that stops retrying ({@code why}, from {@link #delayBeforeRetry}). */
  void giveUp(int attempts, @Nullable Throwable failure, long why, boolean timed, long startNanos) {
    if (why == BUDGET_EXHAUSTED) {
      budgetExhausted.increment();
      if (events.hasListeners(RetryBudgetExhausted.class)) {
        events.publish(new RetryBudgetExhausted(name, attempts, failure, clock.wallTime()));
      }
    } else if (events.hasListeners(RetriesExhausted.class)) {
      events.publish(new RetriesExhausted(name, attempts, failure, clock.wallTime()));
    }
    recordFailure(attempts, failure, timed, startNanos);
  }

  Scheduler scheduler() {
    return scheduler;
  }

  // ---- recording: each call ends through exactly one of recordSuccess and recordFailure ----

  void recordSuccess(int attempts, boolean timed, long startNanos) {
    if (attempts == 1) {
      successfulWithoutRetry.increment(); // the only write a first-try success makes
    } else {
      successfulWithRetry.increment();
      attemptsOfOtherCalls.add(attempts);
    }
    if (events.hasListeners(SuccessRecorded.class)) {
      events.publish(new SuccessRecorded(name, elapsed(timed, startNanos), clock.wallTime()));
    }
  }

  /** Records a failed call; {@code failure} is null when it ended with a retried result. */
  void recordFailure(int attempts, @Nullable Throwable failure, boolean timed, long startNanos) {
    (attempts == 1 ? failedWithoutRetry : failedWithRetry).increment();
    attemptsOfOtherCalls.add(attempts);
    if (events.hasListeners(FailureRecorded.class)) {
      events.publish(
          new FailureRecorded(name, elapsed(timed, startNanos), failure, clock.wallTime()));
    }
  }

  void publishScheduled(int nextAttempt, long delayNanos, @Nullable Throwable failure) {
    if (events.hasListeners(RetryScheduled.class)) {
      events.publish(
          new RetryScheduled(
              name, nextAttempt, Duration.ofNanos(delayNanos), failure, clock.wallTime()));
    }
  }

  private Duration elapsed(boolean timed, long startNanos) {
    return timed ? Duration.ofNanos(clock.nanoTime() - startNanos) : Duration.ZERO;
  }

  /** {@code failure} as an Exception to throw; an Error is thrown from here. */
  private static Exception rethrow(Throwable failure) {
    if (failure instanceof Exception) {
      return (Exception) failure;
    }
    if (failure instanceof Error) {
      throw (Error) failure;
    }
    throw LoopingRetry.<RuntimeException>sneaky(failure); // a Throwable of neither kind, unwrapped
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E sneaky(Throwable failure) throws E {
    throw (E) failure;
  }

  @Override
  public String toString() {
    return "Retry[" + name + "]";
  }

  /**
   * One configuration, flattened for the hot path: final fields, arrays, nanos, a null for "none".
   * Immutable; thread-safe.
   */
  static final class Plan {
    final RetryConfig config;
    final int maxAttempts;
    final long maxDurationNanos; // 0: no budget
    final Backoff backoff;
    final long attemptTimeoutNanos; // 0: no per-attempt timeout
    final double attemptTimeoutMultiplier;
    final long maxAttemptTimeoutNanos;
    final Class<?>[] retryOn;
    final Class<?>[] abortOn;
    final @Nullable Predicate<Throwable> retryIf; // null: none
    final @Nullable Predicate<Object> retryOnResult; // null: none
    final Supplier<? extends RandomGenerator> random;
    final long maxServerDelayNanos;
    final boolean respectServerDelay;
    final @Nullable Function<Object, Optional<Duration>> serverDelay; // null: none
    final @Nullable RetryBudget budget; // null: none

    Plan(RetryConfig config) {
      this.config = config;
      this.maxAttempts = config.maxAttempts();
      this.maxDurationNanos = config.maxDuration().map(Duration::toNanos).orElse(0L);
      this.backoff = config.backoff();
      this.attemptTimeoutNanos = config.attemptTimeout().map(Duration::toNanos).orElse(0L);
      this.attemptTimeoutMultiplier = config.attemptTimeoutMultiplier();
      this.maxAttemptTimeoutNanos = config.maxAttemptTimeout().orElse(Check.MAX_DURATION).toNanos();
      this.retryOn = toArray(config.retryOn());
      this.abortOn = toArray(config.abortOn());
      this.retryIf = config.retryIf().orElse(null);
      this.retryOnResult = config.retryOnResult().orElse(null);
      this.random = config.random();
      this.maxServerDelayNanos = config.maxServerDelay().toNanos();
      this.respectServerDelay = config.respectServerDelay();
      this.serverDelay = config.serverDelay().orElse(null);
      this.budget = config.budget().orElse(null);
    }

    private static Class<?>[] toArray(List<Class<? extends Throwable>> classes) {
      return classes.toArray(new Class<?>[0]);
    }

    /** True if a result is one to retry; throws what the predicate throws. */
    boolean retriesResult(@Nullable Object result) {
      return retryOnResult != null && retryOnResult.test(result);
    }

    /** True if {@code failure} (already unwrapped) is one to retry. */
    boolean retries(Throwable failure) {
      if (!(failure instanceof Exception)) {
        return false; // an Error, or a Throwable of neither kind: never retried
      }
      for (Class<?> abort : abortOn) {
        if (abort.isInstance(failure)) {
          return false;
        }
      }
      for (Class<?> retry : retryOn) {
        if (retry.isInstance(failure)) {
          return true;
        }
      }
      return retryIf != null && retryIf.test(failure);
    }

    /** The delay a server asked for in {@code failure} or its causes, capped; -1 if none. */
    long serverDelayNanos(Throwable failure) {
      if (!respectServerDelay) {
        return -1;
      }
      Throwable t = failure;
      for (int depth = 0; t != null && depth <= MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
        if (t instanceof ServerBusyException) {
          long retryAfterNanos = ((ServerBusyException) t).retryAfterNanos();
          return retryAfterNanos < 0 ? -1 : Math.min(retryAfterNanos, maxServerDelayNanos);
        }
      }
      return -1;
    }

    /** The delay a server asked for in a retried {@code result}, capped; -1 if none. */
    long serverDelayNanos(@Nullable Object result) {
      if (!respectServerDelay || serverDelay == null) {
        return -1;
      }
      Optional<Duration> asked = serverDelay.apply(result);
      if (asked == null || asked.isEmpty() || asked.get().isNegative()) {
        return -1;
      }
      Duration delay = asked.get();
      return delay.compareTo(config.maxServerDelay()) >= 0 ? maxServerDelayNanos : delay.toNanos();
    }

    /** True if attempts have a timeout. */
    boolean hasAttemptTimeout() {
      return attemptTimeoutNanos != 0;
    }

    /** The timeout of attempt number {@code attempt}: attemptTimeout × multiplier^(n-1), capped. */
    long attemptTimeoutNanos(int attempt) {
      if (attempt == 1 || attemptTimeoutMultiplier == 1.0) {
        return attemptTimeoutNanos;
      }
      double exact = attemptTimeoutNanos * Math.pow(attemptTimeoutMultiplier, attempt - 1);
      return exact >= maxAttemptTimeoutNanos ? maxAttemptTimeoutNanos : (long) exact;
    }
  }
}
