package dev.bulwark.time;

import dev.bulwark.internal.Check;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The system scheduler. Its single daemon thread is started on first use and only runs the short
 * tasks policies give it (completing a future, starting the next attempt, interrupting a call).
 *
 * <p>Most of what policies schedule is a deadline that is cancelled long before it is due: a
 * timeout of seconds around a call of microseconds. The executor's thread wakes whenever a new task
 * becomes the earliest one; cancelled tasks are removed at once, so between calls the queue was
 * empty and every deadline set woke the thread, a context switch per deadline (two per HTTP call
 * with a total and a per-attempt timeout, about 10% of a loopback request). So while any task is
 * pending, a no-op tick runs every {@link #TICK_NANOS}: it is always due soonest, and a deadline
 * further away joins the queue without waking anyone. When the tick finds the queue empty it stops;
 * the next task scheduled starts it again.
 *
 * <p>The timer thread runs no user code. What a task decides that may run some (completing a
 * caller's future, starting a delayed attempt, publishing an event) the policy hands to {@link
 * #completionExecutor()}. By default that is a cached pool of daemon threads, not the common
 * ForkJoinPool: callbacks chained on a future may block (the very thing this protects against), and
 * the common pool has one thread on a two-CPU machine and adds none for a thread blocked outside a
 * ManagedBlocker, so one blocked callback would hold every later completion back (the JDK itself
 * gives CompletableFuture a thread per task when the common pool is that small). A cached pool
 * reuses its idle threads, so a steady load costs no thread creation; a blocking callback holds one
 * thread of it, and only its own.
 */
final class SystemScheduler implements Scheduler {
  /** The system scheduler with the default completion pool. */
  static final SystemScheduler INSTANCE = new SystemScheduler(null);

  /** How often the tick runs while any task is pending: 100 ms. */
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private static final class Holder {
    static final ScheduledThreadPoolExecutor EXECUTOR = newExecutor();
    static final AtomicBoolean TICKING = new AtomicBoolean();

    private static ScheduledThreadPoolExecutor newExecutor() {
      ScheduledThreadPoolExecutor executor =
          new ScheduledThreadPoolExecutor(
              1,
              runnable -> {
                Thread thread = new Thread(runnable, "bulwark-scheduler");
                thread.setDaemon(true);
                return thread;
              });
      executor.setRemoveOnCancelPolicy(true); // cancelled deadlines must not pile up
      return executor;
    }

    /** Starts the tick unless it runs; the thread that flips the flag starts it. */
    static void tickWhilePending() {
      if (!TICKING.get() && TICKING.compareAndSet(false, true)) {
        EXECUTOR.schedule(Holder::tick, TICK_NANOS, TimeUnit.NANOSECONDS);
      }
    }

    /** Keeps a task due soonest while anything else is pending. */
    private static void tick() {
      if (EXECUTOR.getQueue().isEmpty()) {
        TICKING.set(false);
        if (EXECUTOR.getQueue().isEmpty() || !TICKING.compareAndSet(false, true)) {
          return; // nothing pending; or a task came meanwhile and its scheduler restarted us
        }
      }
      EXECUTOR.schedule(Holder::tick, TICK_NANOS, TimeUnit.NANOSECONDS);
    }
  }

  /** The default completion executor, started on first use. */
  private static final class Completions {
    static final ThreadPoolExecutor POOL = newPool();

    private static ThreadPoolExecutor newPool() {
      AtomicInteger count = new AtomicInteger();
      return new ThreadPoolExecutor(
          0,
          Integer.MAX_VALUE,
          30,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          runnable -> {
            Thread thread = new Thread(runnable, "bulwark-completion-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
          });
    }
  }

  private final @Nullable Executor completionExecutor; // null: the default pool, made lazily

  SystemScheduler(@Nullable Executor completionExecutor) {
    this.completionExecutor = completionExecutor;
  }

  @Override
  public Executor completionExecutor() {
    return completionExecutor != null ? completionExecutor : Completions.POOL;
  }

  @Override
  public Future<?> schedule(Runnable task, long delayNanos) {
    Check.notNull("task", task);
    Future<?> scheduled =
        Holder.EXECUTOR.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    Holder.tickWhilePending();
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

  /** Tasks in the queue, the tick included; for tests. */
  int queuedTasks() {
    return Holder.EXECUTOR.getQueue().size();
  }

  @Override
  public String toString() {
    return completionExecutor == null
        ? "Scheduler.system()"
        : "Scheduler.system(" + completionExecutor + ")";
  }
}
