package dev.bulwark.time;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The system scheduler. Its single daemon thread is started on first use and only runs the short
 * tasks policies give it (completing a future, starting the next attempt, interrupting a call).
 *
 * <p>Most of what policies schedule is a deadline that is cancelled long before it is due: a
 * timeout of seconds around a call of microseconds. The executor's thread wakes whenever a new task
 * becomes the earliest one, and with cancelled tasks removed at once the queue is empty between
 * calls, so every deadline set would wake it, twice a call for a call with a timeout and a retry
 * deadline, a context switch each. So cancelled tasks stay in the queue and a sweep, every {@link
 * #SWEEP_NANOS} while anything is pending, removes them: the sweep is always due soonest, a
 * deadline further away is queued without waking anyone, and at most one sweep period of cancelled
 * tasks is ever kept. When the queue holds nothing but the sweep, the sweep stops; the next task
 * scheduled starts it again.
 */
enum SystemScheduler implements Scheduler {
  INSTANCE;

  /** How often cancelled tasks are swept out while any task is pending: 100 ms. */
  static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private static final class Holder {
    static final ScheduledThreadPoolExecutor EXECUTOR = newExecutor();
    static final AtomicBoolean SWEEPING = new AtomicBoolean();

    private static ScheduledThreadPoolExecutor newExecutor() {
      ScheduledThreadPoolExecutor executor =
          new ScheduledThreadPoolExecutor(
              1,
              runnable -> {
                Thread thread = new Thread(runnable, "bulwark-scheduler");
                thread.setDaemon(true);
                return thread;
              });
      executor.setRemoveOnCancelPolicy(false); // the sweep removes them, in bulk
      return executor;
    }

    /** Starts the sweep unless it runs; the thread that flips the flag starts it. */
    static void sweepWhilePending() {
      if (!SWEEPING.get() && SWEEPING.compareAndSet(false, true)) {
        EXECUTOR.schedule(Holder::sweep, SWEEP_NANOS, TimeUnit.NANOSECONDS);
      }
    }

    /** Removes cancelled tasks; runs again in a period while anything else is pending. */
    private static void sweep() {
      EXECUTOR.purge();
      if (EXECUTOR.getQueue().isEmpty()) {
        SWEEPING.set(false);
        if (EXECUTOR.getQueue().isEmpty() || !SWEEPING.compareAndSet(false, true)) {
          return; // nothing pending; or a task came meanwhile and its scheduler restarted us
        }
      }
      EXECUTOR.schedule(Holder::sweep, SWEEP_NANOS, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public Future<?> schedule(Runnable task, long delayNanos) {
    Future<?> scheduled =
        Holder.EXECUTOR.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    Holder.sweepWhilePending();
    return scheduled;
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

  /** Tasks in the queue, cancelled ones not yet swept out included; for tests. */
  int queuedTasks() {
    return Holder.EXECUTOR.getQueue().size();
  }

  @Override
  public String toString() {
    return "Scheduler.system()";
  }
}
