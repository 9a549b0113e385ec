package dev.bulwark.demo;

import dev.bulwark.test.ManualClock;
import dev.bulwark.time.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs many blocking users on real threads in virtual time, one at a time, so a multi-user load
 * test is deterministic: a discrete-event simulation whose events are threads waking up.
 *
 * <p>Each user thread runs only when it holds the turn. It gives the turn back when it sleeps
 * through this scheduler (or ends); the coordinator then moves the {@link ManualClock} to the
 * earliest wake-up (ties in the order they were registered), and hands the turn to that thread or
 * runs that scheduled task. Since exactly one user runs at any moment and the order of wake-ups
 * depends on virtual time alone, every run of the same scenario interleaves identically.
 *
 * <p>A thread that is not one of the users (the test's own) sleeps by advancing the clock. A user
 * that blocks on anything but this scheduler would stall the simulation: the coordinator then fails
 * after a real-time safety limit instead of hanging.
 */
final class LockstepScheduler implements Scheduler, LoadDriver.Launcher {
  private static final long STALL_LIMIT_SECONDS = 30;

  private final ManualClock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition turnChanged = lock.newCondition();
  private final PriorityQueue<Wakeup> queue = new PriorityQueue<>();
  private final Set<Thread> users = ConcurrentHashMap.newKeySet();
  private long sequence;
  private Thread holder; // the user thread allowed to run; null while the coordinator decides

  LockstepScheduler(ManualClock clock) {
    this.clock = clock;
  }

  private record Wakeup(long dueNanos, long seq, Thread thread, FutureTask<?> task)
      implements Comparable<Wakeup> {
    @Override
    public int compareTo(Wakeup other) {
      long d = dueNanos - other.dueNanos;
      return d != 0 ? (d < 0 ? -1 : 1) : Long.compare(seq, other.seq);
    }
  }

  @Override
  public Future<?> schedule(Runnable task, long delayNanos) {
    FutureTask<Void> future = new FutureTask<>(task, null);
    lock.lock();
    try {
      queue.add(new Wakeup(clock.nanoTime() + Math.max(0, delayNanos), sequence++, null, future));
    } finally {
      lock.unlock();
    }
    return future;
  }

  @Override
  public void sleep(long delayNanos) throws InterruptedException {
    Thread me = Thread.currentThread();
    if (!users.contains(me)) {
      clock.advanceNanos(Math.max(0, delayNanos));
      return;
    }
    lock.lock();
    try {
      queue.add(new Wakeup(clock.nanoTime() + Math.max(0, delayNanos), sequence++, me, null));
      holder = null;
      turnChanged.signalAll();
      awaitTurn(me);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void runAll(List<Runnable> tasks) throws InterruptedException {
    List<Thread> threads = new ArrayList<>(tasks.size());
    lock.lock();
    try {
      for (Runnable task : tasks) {
        Thread thread = new Thread(() -> runUser(task), "lockstep-user-" + threads.size());
        thread.setDaemon(true);
        users.add(thread);
        threads.add(thread);
        queue.add(new Wakeup(clock.nanoTime(), sequence++, thread, null));
      }
    } finally {
      lock.unlock();
    }
    threads.forEach(Thread::start);
    coordinate();
    for (Thread thread : threads) {
      thread.join();
      users.remove(thread);
    }
  }

  private void runUser(Runnable task) {
    Thread me = Thread.currentThread();
    lock.lock();
    try {
      awaitTurn(me);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } finally {
      lock.unlock();
    }
    try {
      task.run();
    } finally {
      lock.lock();
      try {
        holder = null;
        turnChanged.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private void awaitTurn(Thread me) throws InterruptedException {
    while (holder != me) {
      turnChanged.await();
    }
  }

  private void coordinate() throws InterruptedException {
    while (true) {
      Wakeup next;
      lock.lock();
      try {
        while (holder != null) {
          if (!turnChanged.await(STALL_LIMIT_SECONDS, TimeUnit.SECONDS) && holder != null) {
            throw new AssertionError(holder.getName() + " blocked outside the lockstep scheduler");
          }
        }
        next = queue.poll();
        if (next == null) {
          return;
        }
        long step = next.dueNanos() - clock.nanoTime();
        if (step > 0) {
          clock.advanceNanos(step);
        }
        if (next.thread() != null) {
          holder = next.thread();
          turnChanged.signalAll();
          continue;
        }
      } finally {
        lock.unlock();
      }
      next.task().run(); // no user runs meanwhile
    }
  }
}
