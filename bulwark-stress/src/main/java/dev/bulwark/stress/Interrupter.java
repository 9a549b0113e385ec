package dev.bulwark.stress;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * A thread that interrupts randomly chosen workers every millisecond or so, as a hostile
 * application would (a shutdown, a cancelled request, an executor's {@code cancel(true)}).
 *
 * <p>Each worker registers a {@link Target}. Because the interrupter counts each interrupt before
 * and after it delivers it, a worker can tell, after a call, whether an interrupt it finds still
 * set can have come from this thread at all; one that cannot was leaked by a policy (a timeout's
 * own interrupt left behind, for example), and the soak reports it.
 *
 * <p>Thread-safe.
 */
final class Interrupter {
  private final List<Target> targets = new CopyOnWriteArrayList<>();
  private final LongAdder delivered = new LongAdder();
  private final long meanPauseNanos;
  private volatile boolean stopped;
  private @Nullable Thread thread;

  /** An interrupter pausing {@code meanPauseNanos} on average between interrupts. */
  Interrupter(long meanPauseNanos) {
    this.meanPauseNanos = meanPauseNanos;
  }

  /** Registers the current thread as one to interrupt. */
  Target register() {
    Target target = new Target(Thread.currentThread());
    targets.add(target);
    return target;
  }

  void unregister(Target target) {
    targets.remove(target);
  }

  void start(long seed) {
    thread =
        new Thread(
            () -> {
              SplittableRandom random = new SplittableRandom(seed);
              while (!stopped) {
                LockSupport.parkNanos(1 + random.nextLong(2 * meanPauseNanos));
                List<Target> now = targets;
                if (now.isEmpty()) {
                  continue;
                }
                Target target;
                try {
                  target = now.get(random.nextInt(now.size()));
                } catch (IndexOutOfBoundsException removedMeanwhile) {
                  continue;
                }
                target.begun.incrementAndGet();
                target.thread.interrupt();
                target.ended.incrementAndGet();
                delivered.increment();
              }
            },
            "soak-interrupter");
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops interrupting and waits for the thread to end. */
  void stop() throws InterruptedException {
    stopped = true;
    if (thread != null) {
      thread.join(5_000);
    }
  }

  long delivered() {
    return delivered.sum();
  }

  /**
   * One thread that may be interrupted, with the counts that let it recognise a leaked interrupt.
   */
  static final class Target {
    private final Thread thread;
    private final AtomicLong begun = new AtomicLong();
    private final AtomicLong ended = new AtomicLong();

    private Target(Thread thread) {
      this.thread = thread;
    }

    /**
     * Clears the thread's interrupt flag before a call; returns the mark to pass to {@link
     * #leakedSince}. Read before clearing: an interrupt counted in the mark was delivered before
     * the clear.
     */
    long beforeCall() {
      long mark = ended.get();
      Thread.interrupted();
      return mark;
    }

    /**
     * After a call: true if the thread's interrupt flag is set although the interrupter began no
     * interrupt since {@code mark}, so some code inside the call left its own interrupt behind.
     * Clears the flag either way.
     */
    boolean leakedSince(long mark) {
      boolean set = Thread.interrupted();
      return set && begun.get() == mark;
    }
  }
}
