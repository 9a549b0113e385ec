package dev.bulwark.retry;

import dev.bulwark.internal.Failures;
import dev.bulwark.internal.Relay;
import dev.bulwark.internal.Stages;
import dev.bulwark.policy.Policy.AsyncNext;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/*
 * One asynchronous call through a LoopingRetry: the same decisions as the synchronous loop, taken
 * in a callback when each attempt completes, with the next attempt scheduled on the Scheduler
 * rather than slept for. No thread ever blocks, and the stack does not grow with the attempts, even
 * when they complete at once: every later attempt starts from a scheduled task.
 *
 * Steps run one after the other, possibly on different threads: run() starts an attempt, accept()
 * judges it and schedules the next run(). The mutable fields are written by one step and read by
 * the next; the hand-over (a future's completion, a scheduler submission) orders those accesses,
 * so they need no volatile. The result future completes exactly once: every path that ends the
 * call records its outcome and then completes it, and no step follows a completion.
 *
 * Cancelling the result (the caller gave up, or an outer timeout fired) cancels the attempt in
 * flight, so the work it started (an HTTP exchange, a query) is aborted rather than left running:
 * the result is a Relay whose upstream is each attempt in turn (Relay says why whichever of
 * linking and cancelling comes second sees the other). A backoff is claimed once: judge() sets
 * `backingOff` before it schedules run(); run() and a cancel during the wait race to CAS it back,
 * and the winner owns the call from there. A cancel that wins stops the timer and records the
 * call; a run() that loses starts nothing. A cancel during an attempt finds nothing to claim, and
 * the attempt's completion (cancelled by the relay) records the call. So exactly once.
 *
 * No attempt starts on the scheduler's thread: the backoff timer only hands run() to the
 * scheduler's completion executor, so a supplier (or a callback on the result) that blocks holds
 * back nobody's deadline.
 */
final class AsyncAttempts<T> implements Runnable, BiConsumer<T, Throwable> {
  private static final VarHandle BACKING_OFF;

  static {
    try {
      BACKING_OFF =
          MethodHandles.lookup().findVarHandle(AsyncAttempts.class, "backingOff", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final LoopingRetry retry;
  private final LoopingRetry.Plan plan; // read once when the call started, kept to its end
  private final Supplier<CompletionStage<T>> call;
  private final AsyncNext next;
  private final boolean timed;
  private final long startNanos;
  private final Result result = new Result();
  private int attempt;
  private long previousDelayNanos;
  private volatile @Nullable Future<?> backoff; // the timer of the wait before the next attempt
  private volatile boolean backingOff; // BACKING_OFF is its VarHandle; see the design comment
  private @Nullable Runnable
      resume; // hands run() to the completion executor; made at the first retry

  AsyncAttempts(
      LoopingRetry retry,
      LoopingRetry.Plan plan,
      Supplier<CompletionStage<T>> call,
      AsyncNext next,
      boolean timed,
      long startNanos) {
    this.retry = retry;
    this.plan = plan;
    this.call = call;
    this.next = next;
    this.timed = timed;
    this.startNanos = startNanos;
  }

  CompletableFuture<T> result() {
    return result;
  }

  /** The caller's future; its cancel reaches the attempt in flight or stops the backoff. */
  private final class Result extends Relay<T> {
    @Override
    protected void cancelled() {
      if (BACKING_OFF.compareAndSet(AsyncAttempts.this, true, false)) { // won against run()
        Future<?> timer = backoff;
        if (timer != null) {
          timer.cancel(false);
        }
        retry.recordFailure(attempt, new CancellationException(), timed, startNanos);
      }
    }
  }

  /** Starts the next attempt. */
  @Override
  public void run() {
    if (attempt > 0 && !BACKING_OFF.compareAndSet(this, true, false)) {
      return; // a cancel during the wait claimed it, and recorded the call
    }
    if (result.isDone()) { // cancelled by the caller while waiting: start nothing more
      retry.recordFailure(attempt, new CancellationException(), timed, startNanos);
      return;
    }
    attempt++;
    AttemptDeadline<T> deadline =
        plan.hasAttemptTimeout()
            ? AttemptDeadline.start(retry, plan.attemptTimeoutNanos(attempt))
            : null;
    CompletionStage<T> stage;
    try {
      stage = next.proceed(call);
      if (stage == null) {
        stage = CompletableFuture.failedFuture(new NullPointerException("null stage"));
      }
    } catch (Throwable t) { // a supplier that throws is a failed attempt
      stage = CompletableFuture.failedFuture(t);
    }
    result.upstream(stage); // the attempt itself, not the deadline's view of it
    if (deadline != null) {
      stage = deadline.watch(stage);
    }
    stage.whenComplete(this);
  }

  /** The attempt finished: ends the call, or schedules the next attempt. */
  @Override
  public void accept(T value, Throwable error) {
    Throwable failure = error == null ? null : Failures.unwrap(error);
    try {
      judge(value, failure);
    } catch (Throwable t) { // a predicate or the scheduler failed: never leave the caller hanging
      if (!result.isDone()) {
        retry.recordFailure(attempt, t, timed, startNanos);
        result.relay(null, t);
      }
    }
  }

  private void judge(@Nullable T value, @Nullable Throwable failure) {
    if (result.isDone()) { // cancelled by the caller during the attempt: nothing more to try
      retry.recordFailure(
          attempt, failure == null ? new CancellationException() : failure, timed, startNanos);
      return;
    }
    boolean retryable = failure == null ? plan.retriesResult(value) : plan.retries(failure);
    if (!retryable) {
      if (failure == null) {
        retry.recordSuccess(attempt, timed, startNanos);
        result.relay(value, null);
      } else {
        retry.recordFailure(attempt, failure, timed, startNanos);
        result.relay(null, failure);
      }
      return;
    }
    long delayNanos =
        retry.delayBeforeRetry(plan, attempt, previousDelayNanos, failure, value, startNanos);
    if (delayNanos < 0) {
      retry.giveUp(attempt, failure, delayNanos, timed, startNanos);
      if (failure == null) {
        result.relay(value, null);
      } else {
        result.relay(null, retry.exhausted(attempt, failure, delayNanos));
      }
      return;
    }
    retry.publishScheduled(attempt + 1, delayNanos, failure);
    previousDelayNanos = delayNanos;
    if (resume == null) {
      resume = () -> Stages.execute(retry.scheduler().completionExecutor(), this);
    }
    backingOff = true;
    Future<?> timer = retry.scheduler().schedule(resume, delayNanos);
    backoff = timer;
    if (!backingOff && result.isDone()) {
      timer.cancel(false); // a cancel claimed the wait before the timer was known
    }
  }
}
