package dev.bulwark.internal;

import static java.lang.System.Logger.Level.WARNING;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** Helpers for the stages and hand-offs of asynchronous calls. Not API: may change any day. */
public final class Stages {
  private static final System.Logger LOG = System.getLogger(Stages.class.getName());

  private Stages() {}

  /** Cancels {@code stage} if it is (or can be turned into) a future; a no-op otherwise. */
  public static void cancel(CompletionStage<?> stage) {
    if (stage == null) {
      return;
    }
    try {
      stage.toCompletableFuture().cancel(true);
    } catch (UnsupportedOperationException e) {
      // a stage that cannot be a future cannot be cancelled; its outcome is waited for as usual
    }
  }

  /**
   * Runs {@code task} on {@code executor}: how a scheduled task hands the work that may run user
   * code (completing a future, starting an attempt, publishing an event) off the scheduler's
   * thread. An executor that refuses the task (shut down, saturated) cannot be allowed to leave a
   * call hanging, so the task then runs on the calling thread, and a warning is logged.
   */
  public static void execute(Executor executor, Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      LOG.log(
          WARNING, () -> "completion executor " + executor + " refused a task; running it here", e);
      task.run();
    }
  }
}
