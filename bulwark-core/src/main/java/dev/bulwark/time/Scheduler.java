package dev.bulwark.time;

import java.util.concurrent.Executor;
import java.util.concurrent.Future;

/**
 * Runs tasks later and makes the current thread wait: how policies wait (retry delays, timeouts)
 * without busy loops, and how tests make them wait without sleeping (see {@code
 * dev.bulwark.test.ManualScheduler}).
 *
 * <p>Scheduled tasks only decide (a deadline passed, a wait is over) and signal (interrupt or
 * unpark a waiting thread); whatever may run user code (completing a future a caller chained
 * callbacks on, starting an attempt's supplier, publishing an event to listeners) they hand to
 * {@link #completionExecutor()}. So a callback that blocks cannot delay anybody's deadline.
 *
 * <p>Implementations must be thread-safe.
 */
public interface Scheduler {

  /**
   * Runs {@code task} once, after {@code delayNanos} (at once if zero or negative), on a thread of
   * the scheduler's choosing. The task must be short and must not block.
   *
   * @return a handle that cancels the task if it has not started
   * @throws NullPointerException if {@code task} is null
   */
  Future<?> schedule(Runnable task, long delayNanos);

  /**
   * Blocks the calling thread for {@code delayNanos} (returns at once if zero or negative).
   *
   * @throws InterruptedException if the thread is interrupted while waiting; its interrupt status
   *     is then cleared, as {@link Thread#sleep} does
   */
  void sleep(long delayNanos) throws InterruptedException;

  /**
   * Where policies run what a scheduled task decided: completing the futures they returned to
   * callers (and so the callbacks chained on them), starting a delayed attempt, publishing events.
   * Never the thread that runs scheduled tasks, if that thread is shared.
   *
   * <p>The default runs the work at once on the calling thread, which suits a scheduler whose tasks
   * run on a thread of the caller's (a test's); a scheduler with a shared timer thread must
   * override it, as {@link #system()} does.
   */
  default Executor completionExecutor() {
    return Runnable::run;
  }

  /**
   * The system scheduler: one shared daemon thread for delayed tasks, and real sleeping. What its
   * tasks decide is completed on a shared pool of daemon threads named {@code
   * bulwark-completion-N}, created as needed and ended after 30 s idle, so a blocking callback
   * holds one of them and never the scheduler's thread nor another call's completion.
   */
  static Scheduler system() {
    return SystemScheduler.INSTANCE;
  }

  /**
   * The system scheduler's timer thread and sleeping, with the work its tasks decide completed on
   * {@code completionExecutor} (an application's own pool, or a virtual-thread-per-task executor).
   * The executor should not run tasks on the calling thread, and should not queue them behind long
   * work: a deadline's completion waits for a free thread of it. If it refuses a task, the task
   * runs on the scheduler's thread rather than leave a call hanging.
   *
   * @throws NullPointerException if {@code completionExecutor} is null
   */
  static Scheduler system(Executor completionExecutor) {
    if (completionExecutor == null) {
      throw new NullPointerException("completionExecutor must not be null");
    }
    return new SystemScheduler(completionExecutor);
  }
}
