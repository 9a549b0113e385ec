package dev.bulwark.retry;

import dev.bulwark.time.Scheduler;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/*
 * The deadline of one synchronous attempt: a scheduled task that interrupts the calling thread.
 * Created only when attempts have a timeout.
 *
 * The race to settle is between the timer firing and the attempt finishing. One CAS on `state`
 * decides it: RUNNING -> STOPPED by the caller (the attempt finished in time; the task is cancelled
 * and, if it runs anyway, does nothing) or RUNNING -> FIRING by the timer (the attempt is late).
 * The timer interrupts the thread and only then publishes FIRED; a caller that lost the CAS waits
 * for FIRED before clearing the interrupt status, so the timer's interrupt can never land after the
 * caller cleared it and leak into the caller's later code. That wait spans one Thread.interrupt()
 * call, a handful of instructions, so it spins rather than parks.
 */
final class InterruptingTimer implements Runnable {
  private static final int RUNNING = 0;
  private static final int FIRING = 1;
  private static final int FIRED = 2;
  private static final int STOPPED = 3;
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(InterruptingTimer.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Thread thread;
  private final long timeoutNanos;
  private volatile int state = RUNNING; // STATE is its VarHandle
  private @Nullable Future<?> task; // written and read by the calling thread only

  private InterruptingTimer(Thread thread, long timeoutNanos) {
    this.thread = thread;
    this.timeoutNanos = timeoutNanos;
  }

  /** Starts a timer that interrupts the current thread after {@code timeoutNanos}. */
  static InterruptingTimer start(Scheduler scheduler, long timeoutNanos) {
    InterruptingTimer timer = new InterruptingTimer(Thread.currentThread(), timeoutNanos);
    timer.task = scheduler.schedule(timer, timeoutNanos);
    return timer;
  }

  long timeoutNanos() {
    return timeoutNanos;
  }

  /** The deadline passed: interrupts the attempt, unless it already finished. */
  @Override
  public void run() {
    if (STATE.compareAndSet(this, RUNNING, FIRING)) { // wins against stop(): the attempt is late
      thread.interrupt();
      state = FIRED;
    }
  }

  /**
   * Stops the timer; called by the attempt's thread once the attempt finished.
   *
   * @return true if the deadline passed first: the thread was interrupted by this timer and its
   *     interrupt status has been cleared
   */
  boolean stop() {
    if (STATE.compareAndSet(this, RUNNING, STOPPED)) { // wins against run(): finished in time
      Future<?> scheduled = task; // set by start(), before the attempt ran
      if (scheduled != null) {
        scheduled.cancel(false);
      }
      return false;
    }
    while (state != FIRED) {
      Thread.onSpinWait(); // the timer is between its CAS and interrupt(): nanoseconds
    }
    Thread.interrupted();
    return true;
  }
}
