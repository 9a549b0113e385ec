package dev.bulwark.test;

import dev.bulwark.policy.Policy;
import dev.bulwark.test.internal.Check;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Calls that misbehave on purpose, for testing policies: fail a number of times then succeed,
 * always fail, take time on a {@link ManualClock}, or hang until the test releases them. Every
 * fault counts its calls, so a test can say how often the protected code really ran.
 *
 * {@snippet :
 * Fault<String> flaky = Faults.failTimes(2, new IOException("reset"), "ok");
 * assertThat(retry.call(flaky)).isEqualTo("ok");
 * assertThat(flaky.calls()).isEqualTo(3);
 *
 * Faults.failTimes(breaker, 4, new IOException("boom")); // four failures through the breaker
 *
 * Hang<String> stuck = Faults.hang("late");
 * Future<String> call = executor.submit(() -> bulkhead.call(stuck));
 * assertThat(stuck.awaitEntered(Duration.ofSeconds(5))).isTrue();
 * stuck.release();
 * }
 *
 * <p>Thread-safe: each fault may be called from many threads at once.
 */
public final class Faults {

  /** How long a {@link #hang} waits for its release unless told otherwise. */
  public static final Duration DEFAULT_HANG_BOUND = Duration.ofSeconds(30);

  private Faults() {}

  /**
   * A call that returns {@code value} every time.
   *
   * <p>Thread-safe.
   */
  public static <T> Fault<T> returning(T value) {
    return new Fault<>(call -> value);
  }

  /**
   * A call that throws {@code failure} every time (the same instance, so a test can check it
   * reached the caller unwrapped).
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if {@code failure} is null
   */
  public static <T> Fault<T> failing(Throwable failure) {
    Check.notNull("failure", failure);
    return new Fault<>(
        call -> {
          throw failure;
        });
  }

  /**
   * A call that throws {@code failure} on its first {@code times} calls, then returns {@code
   * value}.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if {@code failure} is null
   * @throws IllegalArgumentException if {@code times} is negative
   */
  public static <T> Fault<T> failTimes(int times, Throwable failure, T value) {
    Check.inRange("times", times, 0, Integer.MAX_VALUE);
    Check.notNull("failure", failure);
    return new Fault<>(
        call -> {
          if (call < times) {
            throw failure;
          }
          return value;
        });
  }

  /**
   * A call that takes {@code duration} on {@code clock}: it advances the clock inside the call,
   * then returns {@code value}, so a policy timing the call (a breaker's slow-call detection, a
   * hedge's latency) sees it as slow without any real waiting.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if {@code clock} or {@code duration} is null
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  public static <T> Fault<T> slow(ManualClock clock, Duration duration, T value) {
    Check.notNull("clock", clock);
    Check.nonNegative("duration", duration);
    return new Fault<>(
        call -> {
          clock.advance(duration);
          return value;
        });
  }

  /**
   * A call that counts itself and then runs {@code call}, for behaviour the other faults do not
   * cover.
   *
   * <p>Thread-safe if {@code call} is.
   *
   * @throws NullPointerException if {@code call} is null
   */
  public static <T> Fault<T> counting(Callable<T> call) {
    Check.notNull("call", call);
    return new Fault<>(index -> call.call());
  }

  /**
   * A call that blocks until {@link Hang#release()}, then returns {@code value}; it gives up with
   * an {@link IllegalStateException} after {@link #DEFAULT_HANG_BOUND}, so a forgotten release
   * fails the test instead of hanging it. It honours interrupts.
   *
   * <p>Thread-safe.
   */
  public static <T> Hang<T> hang(T value) {
    return hang(value, DEFAULT_HANG_BOUND);
  }

  /**
   * A call that blocks until {@link Hang#release()}, at most {@code bound}, then returns {@code
   * value}.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if {@code bound} is null
   * @throws IllegalArgumentException if {@code bound} is not positive
   */
  public static <T> Hang<T> hang(T value, Duration bound) {
    return new Hang<>(value, Check.positive("bound", bound));
  }

  /**
   * Runs {@code times} calls through {@code policy}, each failing with {@code failure}, and checks
   * that each reached the caller as that failure.
   *
   * <p>Thread-safe as far as {@code policy} is.
   *
   * @throws NullPointerException if {@code policy} or {@code failure} is null
   * @throws IllegalArgumentException if {@code times} is negative
   * @throws AssertionError if a call returned, or failed with anything else (a rejection, say)
   */
  public static void failTimes(Policy policy, int times, Throwable failure) {
    Check.notNull("policy", policy);
    Check.inRange("times", times, 0, Integer.MAX_VALUE);
    Fault<Object> failing = failing(failure);
    for (int i = 0; i < times; i++) {
      Object value;
      try {
        value = policy.call(failing);
      } catch (Throwable thrown) {
        if (thrown == failure) {
          continue;
        }
        throw new AssertionError(
            "call "
                + (i + 1)
                + " of "
                + times
                + " through "
                + policy.name()
                + " failed with "
                + thrown
                + " instead of "
                + failure,
            thrown);
      }
      throw new AssertionError(
          "call "
              + (i + 1)
              + " of "
              + times
              + " through "
              + policy.name()
              + " returned "
              + value
              + " instead of failing with "
              + failure);
    }
  }

  /** What a fault does on its {@code call}-th call (counting from 0). */
  @FunctionalInterface
  private interface Behaviour<T> {
    T run(int call) throws Throwable;
  }

  /**
   * A scripted call that counts how often it ran. Use it as a {@link Callable}, or through {@link
   * #async()} as an asynchronous call.
   *
   * <p>Thread-safe.
   */
  public static final class Fault<T> implements Callable<T> {
    private final Behaviour<T> behaviour;
    private final AtomicInteger calls = new AtomicInteger();

    private Fault(Behaviour<T> behaviour) {
      this.behaviour = behaviour;
    }

    /**
     * Runs the fault once: returns its value or throws its failure, as scripted.
     *
     * @throws Exception the scripted failure (an {@link Error} is thrown as it is)
     */
    @Override
    public T call() throws Exception {
      int call = calls.getAndIncrement();
      try {
        return behaviour.run(call);
      } catch (Exception | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException("a fault threw a bare Throwable", t);
      }
    }

    /**
     * The same fault as an asynchronous call: each {@code get()} runs it once and returns a stage
     * completed with its value or failure. Shares this fault's count.
     */
    public Supplier<CompletionStage<T>> async() {
      return () -> {
        try {
          return CompletableFuture.completedFuture(call());
        } catch (Exception | Error e) {
          return CompletableFuture.failedFuture(e);
        }
      };
    }

    /** How many times the fault ran so far, synchronously or asynchronously. */
    public int calls() {
      return calls.get();
    }

    @Override
    public String toString() {
      return "Fault[calls=" + calls() + "]";
    }
  }

  /**
   * A call that blocks until the test releases it. Each call waits, interruptibly, for {@link
   * #release()}, at most its bound, then returns the value; once released, every later call returns
   * at once.
   *
   * <p>Thread-safe.
   */
  public static final class Hang<T> implements Callable<T> {
    private final T value;
    private final Duration bound;
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger calls = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock(); // no monitor: virtual threads may wait
    private final Condition entered = lock.newCondition();

    private Hang(T value, Duration bound) {
      this.value = value;
      this.bound = bound;
    }

    /**
     * Waits for {@link #release()} and returns the value.
     *
     * @throws InterruptedException if the calling thread is interrupted while it waits
     * @throws IllegalStateException if not released within the bound
     */
    @Override
    public T call() throws InterruptedException {
      lock.lock();
      try {
        calls.incrementAndGet();
        entered.signalAll();
      } finally {
        lock.unlock();
      }
      if (!released.await(bound.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException("the hanging call was not released within " + bound);
      }
      return value;
    }

    /** Lets every waiting and later call return. */
    public void release() {
      released.countDown();
    }

    /** True once {@link #release()} was called. */
    public boolean isReleased() {
      return released.getCount() == 0;
    }

    /** How many calls have entered so far (whether still waiting or not). */
    public int calls() {
      return calls.get();
    }

    /**
     * Waits until at least one call has entered.
     *
     * @return true if one has; false if {@code timeout} passed first
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public boolean awaitEntered(Duration timeout) throws InterruptedException {
      return awaitEntered(1, timeout);
    }

    /**
     * Waits until at least {@code count} calls have entered.
     *
     * @return true if they have; false if {@code timeout} passed first
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public boolean awaitEntered(int count, Duration timeout) throws InterruptedException {
      long leftNanos = Check.nonNegative("timeout", timeout).toNanos();
      lock.lock();
      try {
        while (calls.get() < count) {
          if (leftNanos <= 0) {
            return false;
          }
          leftNanos = entered.awaitNanos(leftNanos);
        }
        return true;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public String toString() {
      return "Hang[calls=" + calls() + ", released=" + isReleased() + "]";
    }
  }
}
