package dev.bulwark.bulkhead;

import dev.bulwark.test.ManualScheduler;
import dev.bulwark.time.Scheduler;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A manual scheduler that signals each task scheduled on it, so a test can wait (bounded, never
 * sleeping) until a waiting caller on another thread has queued and scheduled its deadline (the
 * bulkhead queues a waiter first, then schedules its deadline).
 */
final class SignallingScheduler implements Scheduler {
  private final ManualScheduler delegate;
  private final Semaphore scheduled = new Semaphore(0);

  SignallingScheduler(ManualScheduler delegate) {
    this.delegate = delegate;
  }

  @Override
  public Future<?> schedule(Runnable task, long delayNanos) {
    Future<?> future = delegate.schedule(task, delayNanos);
    scheduled.release();
    return future;
  }

  @Override
  public void sleep(long delayNanos) throws InterruptedException {
    delegate.sleep(delayNanos);
  }

  /** Waits up to 10 seconds for one more task to be scheduled; fails the test otherwise. */
  void awaitScheduled() throws InterruptedException {
    if (!scheduled.tryAcquire(10, TimeUnit.SECONDS)) {
      throw new AssertionError("no task was scheduled within 10 seconds");
    }
  }
}
