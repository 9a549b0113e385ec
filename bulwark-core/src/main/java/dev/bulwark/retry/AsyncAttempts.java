package dev.bulwark.retry;

import dev.bulwark.internal.Failures;
import dev.bulwark.policy.Policy.AsyncNext;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
 * flight, so the work it started (an HTTP exchange, a query) is aborted rather than left running.
 * The attempt in flight is the one volatile field: run() writes it and then checks the result, the
 * canceller completes the result and then reads it, so whichever comes second sees the other.
 */
final class AsyncAttempts<T> implements Runnable, BiConsumer<T, Throwable> {
  private final LoopingRetry retry;
  private final Supplier<CompletionStage<T>> call;
  private final AsyncNext next;
  private final boolean timed;
  private final long startNanos;
  private final CompletableFuture<T> result = new CompletableFuture<>();
  private int attempt;
  private long previousDelayNanos;
  private volatile @Nullable CompletionStage<T> inFlight;

  AsyncAttempts(
      LoopingRetry retry,
      Supplier<CompletionStage<T>> call,
      AsyncNext next,
      boolean timed,
      long startNanos) {
    this.retry = retry;
    this.call = call;
    this.next = next;
    this.timed = timed;
    this.startNanos = startNanos;
  }

  CompletableFuture<T> result() {
    result.whenComplete(
        (value, error) -> {
          if (result.isCancelled()) {
            cancel(inFlight);
          }
        });
    return result;
  }

  private static void cancel(@Nullable CompletionStage<?> stage) {
    if (stage == null) {
      return;
    }
    try {
      stage.toCompletableFuture().cancel(true);
    } catch (UnsupportedOperationException e) {
      // a stage that cannot be a future cannot be cancelled; its outcome is ignored
    }
  }

  /** Starts the next attempt. */
  @Override
  public void run() {
    if (result.isDone()) { // cancelled by the caller while waiting: start nothing more
      retry.recordFailure(attempt, new CancellationException(), timed, startNanos);
      return;
    }
    attempt++;
    AttemptDeadline<T> deadline =
        retry.hasAttemptTimeout()
            ? AttemptDeadline.start(retry, retry.attemptTimeoutNanos(attempt))
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
    inFlight = stage; // the attempt itself, not the deadline's view of it
    if (result.isCancelled()) { // cancelled while this attempt was starting
      cancel(stage);
    }
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
        result.completeExceptionally(t);
      }
    }
  }

  private void judge(@Nullable T value, @Nullable Throwable failure) {
    if (result.isDone()) { // cancelled by the caller during the attempt: nothing more to try
      retry.recordFailure(
          attempt, failure == null ? new CancellationException() : failure, timed, startNanos);
      return;
    }
    boolean retryable = failure == null ? retry.retriesResult(value) : retry.retries(failure);
    if (!retryable) {
      if (failure == null) {
        retry.recordSuccess(attempt, timed, startNanos);
        result.complete(value);
      } else {
        retry.recordFailure(attempt, failure, timed, startNanos);
        result.completeExceptionally(failure);
      }
      return;
    }
    long delayNanos =
        retry.delayBeforeRetry(attempt, previousDelayNanos, failure, value, startNanos);
    if (delayNanos < 0) {
      retry.giveUp(attempt, failure, delayNanos, timed, startNanos);
      if (failure == null) {
        result.complete(value);
      } else {
        result.completeExceptionally(retry.exhausted(attempt, failure, delayNanos));
      }
      return;
    }
    retry.publishScheduled(attempt + 1, delayNanos, failure);
    previousDelayNanos = delayNanos;
    retry.scheduler().schedule(this, delayNanos);
  }
}
