package dev.bulwark.hedge;

import dev.bulwark.policy.Policy.Next;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * A synchronous hedged call: each attempt is a task on the executor, and the caller waits for the
 * result. A losing task is cancelled with an interrupt.
 */
final class SyncHedgedCall<T> extends HedgedCall<T> implements Callable<T> {
  private final Callable<T> call;
  private final Next next;
  private final Executor executor;

  SyncHedgedCall(
      RacingHedge hedge,
      Callable<T> call,
      Next next,
      Executor executor,
      long startNanos,
      long delayNanos) {
    super(hedge, startNanos, delayNanos);
    this.call = call;
    this.next = next;
    this.executor = executor;
  }

  /** One attempt, run by a task on the executor. */
  @Override
  public T call() throws Exception {
    return next.proceed(call);
  }

  @Override
  Future<?> launch(int attempt) {
    Attempt task = new Attempt(attempt);
    try {
      executor.execute(task);
    } catch (RuntimeException e) { // rejected by the executor: a failed attempt
      task.reject(e);
    }
    return task;
  }

  /** An attempt's task: reports its outcome once, when it ends or is cancelled. */
  private final class Attempt extends FutureTask<T> {
    private final int attempt;

    Attempt(int attempt) {
      super(SyncHedgedCall.this);
      this.attempt = attempt;
    }

    void reject(RuntimeException e) {
      setException(e);
    }

    @Override
    protected void done() {
      if (isCancelled()) {
        attemptDone(attempt, null, new CancellationException());
        return;
      }
      try {
        attemptDone(attempt, get(), null);
      } catch (ExecutionException e) {
        attemptDone(attempt, null, e.getCause());
      } catch (InterruptedException e) { // cannot happen: get() does not wait once done
        Thread.currentThread().interrupt();
        attemptDone(attempt, null, e);
      }
    }
  }
}
