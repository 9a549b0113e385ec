package dev.bulwark.retry;

import dev.bulwark.internal.Stages;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/*
 * The deadline of one asynchronous attempt. Its outcome future completes with whichever comes
 * first, the attempt's own outcome or a TimeoutExceededException at the deadline: the future's
 * complete methods are the arbiter, so exactly one wins. When the deadline wins, the attempt's
 * future is cancelled.
 *
 * The timer is started before the attempt's supplier runs (the supplier's own time counts), so the
 * deadline may pass before the attempt's stage is known: watch() publishes the stage and then
 * checks the outcome, run() completes the outcome and then reads the stage; whichever order the
 * two threads interleave in, at least one of them sees the other and cancels the stage.
 *
 * The timer task runs no user code: completing the outcome runs the retry's judgement (predicates,
 * events, the caller's callbacks, maybe the next attempt), so the task only hands fire() to the
 * scheduler's completion executor.
 */
final class AttemptDeadline<T> implements Runnable, BiConsumer<T, Throwable> {
  private final LoopingRetry retry;
  private final long timeoutNanos;
  private final CompletableFuture<T> outcome = new CompletableFuture<>();
  private volatile @Nullable Future<?> timer;
  private volatile @Nullable CompletionStage<T> stage;

  private AttemptDeadline(LoopingRetry retry, long timeoutNanos) {
    this.retry = retry;
    this.timeoutNanos = timeoutNanos;
  }

  /** Starts the clock of an attempt that may take {@code timeoutNanos}. */
  static <T> AttemptDeadline<T> start(LoopingRetry retry, long timeoutNanos) {
    AttemptDeadline<T> deadline = new AttemptDeadline<>(retry, timeoutNanos);
    deadline.timer = retry.scheduler().schedule(deadline, timeoutNanos);
    return deadline;
  }

  /** The attempt's outcome, or a timeout at the deadline, whichever comes first. */
  CompletionStage<T> watch(CompletionStage<T> attempt) {
    this.stage = attempt;
    if (outcome.isDone()) {
      cancel(attempt); // the deadline passed while the supplier ran
    } else {
      attempt.whenComplete(this);
    }
    return outcome;
  }

  /** The deadline passed: on the scheduler's thread, hands the firing to the executor. */
  @Override
  public void run() {
    if (!outcome.isDone()) {
      Stages.execute(retry.scheduler().completionExecutor(), this::fire);
    }
  }

  private void fire() {
    if (outcome.completeExceptionally(retry.timedOut(timeoutNanos))) {
      CompletionStage<T> attempt = stage;
      if (attempt != null) {
        cancel(attempt);
      }
    }
  }

  /** The attempt finished. */
  @Override
  public void accept(T value, Throwable failure) {
    Future<?> t = timer;
    if (t != null) {
      t.cancel(false);
    }
    if (failure == null) {
      outcome.complete(value);
    } else {
      outcome.completeExceptionally(failure);
    }
  }

  private static void cancel(CompletionStage<?> attempt) {
    Stages.cancel(attempt); // a stage that cannot be a future runs on, ignored
  }
}
