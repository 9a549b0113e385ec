package dev.bulwark.time;

import java.util.concurrent.Future;

/**
 * Runs tasks later and makes the current thread wait: how policies wait (retry delays, timeouts)
 * without busy loops, and how tests make them wait without sleeping (see {@code
 * dev.bulwark.test.ManualScheduler}).
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
   * The system scheduler: one shared daemon thread for delayed tasks, and real sleeping. Tasks it
   * runs should hand long work to an executor of their own.
   */
  static Scheduler system() {
    return SystemScheduler.INSTANCE;
  }
}
