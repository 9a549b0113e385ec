package dev.bulwark.time;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The system scheduler. Its single daemon thread is started on first use and only runs the short
 * tasks policies give it (completing a future, starting the next attempt).
 */
enum SystemScheduler implements Scheduler {
  INSTANCE;

  private static final class Holder {
    static final ScheduledThreadPoolExecutor EXECUTOR = newExecutor();

    private static ScheduledThreadPoolExecutor newExecutor() {
      ScheduledThreadPoolExecutor executor =
          new ScheduledThreadPoolExecutor(
              1,
              runnable -> {
                Thread thread = new Thread(runnable, "bulwark-scheduler");
                thread.setDaemon(true);
                return thread;
              });
      executor.setRemoveOnCancelPolicy(true); // cancelled timeouts must not pile up
      return executor;
    }
  }

  @Override
  public Future<?> schedule(Runnable task, long delayNanos) {
    return Holder.EXECUTOR.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
  }

  @Override
  public void sleep(long delayNanos) throws InterruptedException {
    // parkNanos rather than Thread.sleep: it does not pin a virtual thread on any JDK, and it lets
    // us wait out the whole delay despite spurious wake-ups.
    long deadline = System.nanoTime() + delayNanos;
    for (long left = delayNanos; left > 0; left = deadline - System.nanoTime()) {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      LockSupport.parkNanos(this, left);
    }
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
  }

  @Override
  public String toString() {
    return "Scheduler.system()";
  }
}
