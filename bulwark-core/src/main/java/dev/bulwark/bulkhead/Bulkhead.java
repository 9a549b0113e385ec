package dev.bulwark.bulkhead;

import dev.bulwark.event.EventSource;
import dev.bulwark.internal.Check;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Reconfigurable;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;

/**
 * Limits how many calls run at once, so one slow dependency cannot take every thread with it.
 *
 * <p>A call takes a permit before it runs and gives it back when it finishes, whatever its outcome
 * (an asynchronous call gives it back when its stage completes). When all {@link
 * BulkheadConfig#maxConcurrentCalls() permits} are in use, a call is rejected with a {@link
 * BulkheadFullException} at once, or, if {@link BulkheadConfig#maxWait() maxWait} is positive,
 * waits for a permit first come first served and is rejected if none frees in time. A synchronous
 * call waits by parking its thread (no lock held, so a virtual thread is not pinned); an
 * asynchronous one waits without blocking anything.
 *
 * <p>The waiting bound is measured by the bulkhead's {@link Scheduler}: a task scheduled at the
 * deadline rejects the waiter. With a manual scheduler in tests, a synchronous waiter must run on
 * another thread than the one that advances time.
 *
 * <p>Cancelling the future an asynchronous call returned cancels the call inside; a call cancelled
 * while it waits for a permit leaves the queue at once, giving its place to the next, and never
 * runs. Its permit comes back when the call inside has completed, however the caller's future
 * ended.
 *
 * <p>Both settings change live ({@link #reconfigure}): a larger {@code maxConcurrentCalls} admits
 * waiting calls at once; a smaller one never stops running calls, but admits new ones only once
 * fewer than the new limit run; a new {@code maxWait} applies to calls that start waiting after the
 * change.
 *
 * <p>Events: {@code CallPermitted} for each permit granted, {@code CallRejected} for each
 * rejection, {@code ConfigChanged} for each change of configuration.
 *
 * <p>Thread-safe.
 */
public interface Bulkhead extends Policy, Reconfigurable<BulkheadConfig> {

  /**
   * The registry's description of bulkheads: settings, snapshot, eviction, pipeline rank; pass it
   * to {@code Resilience.get(KIND, name)}.
   */
  PolicyKind<Bulkhead, BulkheadConfig, BulkheadConfig.Builder> KIND = BulkheadKind.KIND;

  /**
   * A bulkhead named {@code name} with {@code config}, on the system clock and scheduler.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static Bulkhead of(String name, BulkheadConfig config) {
    return of(name, config, Clock.system(), Scheduler.system());
  }

  /**
   * A bulkhead named {@code name} with {@code config}, reading time from {@code clock} and waiting
   * through {@code scheduler}.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static Bulkhead of(String name, BulkheadConfig config, Clock clock, Scheduler scheduler) {
    return new CountingBulkhead(
        Check.name(name),
        Check.notNull("config", config),
        Check.notNull("clock", clock),
        Check.notNull("scheduler", scheduler));
  }

  /**
   * A bulkhead named {@code name} with the {@link BulkheadConfig#ofDefaults() default
   * configuration}.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static Bulkhead ofDefaults(String name) {
    return of(name, BulkheadConfig.ofDefaults());
  }

  /** The configuration this bulkhead enforces now. */
  @Override
  BulkheadConfig config();

  /**
   * Replaces the limits while calls run; both settings change live, so this never refuses a valid
   * configuration. Calls in flight keep their permits: after a smaller {@code maxConcurrentCalls},
   * {@link Snapshot#inFlight()} may exceed the limit until enough of them finish. Publishes one
   * {@code ConfigChanged} naming the changed settings, and nothing if {@code config} has the limits
   * in force.
   *
   * @throws NullPointerException if {@code config} is null
   */
  @Override
  void reconfigure(BulkheadConfig config);

  /** Where this bulkhead's events can be listened to. */
  EventSource events();

  /** The permits in use, free and waited for now, and how many calls were rejected so far. */
  Snapshot snapshot();

  /**
   * Takes a permit if one is free and nobody waits for one, without waiting. Pair a {@code true}
   * with exactly one {@link #releasePermission()}, in a {@code finally}.
   *
   * @return true if the caller now holds a permit; false (after publishing a rejection) otherwise
   */
  boolean tryAcquirePermission();

  /**
   * Takes a permit, waiting up to {@link BulkheadConfig#maxWait() maxWait} for one, first come
   * first served. Pair a normal return with exactly one {@link #releasePermission()}, in a {@code
   * finally}.
   *
   * @throws BulkheadFullException if no permit freed in time
   * @throws InterruptedException if the thread was interrupted while waiting (it then holds no
   *     permit)
   */
  void acquirePermission() throws InterruptedException;

  /**
   * Gives back a permit taken by {@link #tryAcquirePermission()} or {@link #acquirePermission()},
   * handing it to the longest waiting call if there is one.
   *
   * @throws IllegalStateException if no permit is held: more releases than acquisitions
   */
  void releasePermission();

  /**
   * A bulkhead's counts at one moment; the fields are read one by one, so under load they may not
   * add up exactly.
   *
   * @param maxConcurrentCalls the limit
   * @param inFlight permits in use; above the limit for a while after it was lowered
   * @param waitingCalls calls waiting for a permit
   * @param rejectedCalls calls rejected since the bulkhead was built
   */
  record Snapshot(int maxConcurrentCalls, int inFlight, int waitingCalls, long rejectedCalls) {

    /** Permits free now: {@code maxConcurrentCalls - inFlight}, or zero while above the limit. */
    public int availablePermits() {
      return Math.max(0, maxConcurrentCalls - inFlight);
    }
  }
}
