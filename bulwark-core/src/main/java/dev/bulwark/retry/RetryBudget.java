package dev.bulwark.retry;

import dev.bulwark.internal.Check;
import dev.bulwark.time.Clock;

/**
 * A cap on retries shared by the calls to one resource, so that retries cannot multiply the load on
 * a service that is already failing: over the last {@link RetryBudgetConfig#window() window},
 * retries stay within {@link RetryBudgetConfig#ratio() ratio} × calls, plus a small reserve of
 * {@link RetryBudgetConfig#minRetriesPerSecond() minRetriesPerSecond} × window so that a quiet
 * service can still retry. Give one instance to every {@link Retry} that calls the resource, with
 * {@link RetryConfig.Builder#budget}.
 *
 * {@snippet :
 * RetryBudget inventoryBudget = RetryBudget.of(RetryBudgetConfig.ofDefaults()); // 20% + 10/s
 * RetryConfig config = RetryConfig.builder().maxAttempts(4).budget(inventoryBudget).build();
 * Retry reads = Retry.of("inventory-reads", config);
 * Retry writes = Retry.of("inventory-writes", config); // the same budget
 * }
 *
 * <p><b>The guarantee.</b> The window is kept as 10 buckets of a tenth of it each: the bucket now
 * filling and the 9 before it, so it spans between 9/10 of the window and the whole window, and a
 * whole bucket ages out at once. A retry is granted only if, counting everything in those buckets
 * and this retry, {@code retries <= floor(ratio × calls) + floor(minRetriesPerSecond × window
 * seconds)}, with the ratio kept to a millionth. The check and the grant are one atomic step, so
 * racing retries never overdraw it: the inequality holds at every grant, exactly. (Once calls age
 * out, retries may exceed what the remaining calls allow; then nothing more is granted until they
 * age out too.) A call deposited concurrently with a grant may be missed by it, which only ever
 * grants less.
 *
 * <p><b>Limits.</b> Each bucket counts up to 2<sup>32</sup> − 1 calls (more are not counted, so the
 * budget grants less) and 2<sup>31</sup> − 1 retries (more are refused). Buckets are told apart by
 * their number modulo 2<sup>32</sup>: a budget left without a single call for a multiple of
 * 2<sup>32</sup> buckets (13.6 years with the shortest window) may see old counts again.
 *
 * <p>{@link #deposit()} reads the clock once and does one compare-and-set; {@link #tryWithdraw()} a
 * few more. Neither takes a lock or allocates.
 *
 * <p>Thread-safe.
 */
public interface RetryBudget {

  /**
   * A budget with {@code config} on the system clock.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if {@code config} is null
   */
  static RetryBudget of(RetryBudgetConfig config) {
    return of(config, Clock.system());
  }

  /**
   * A budget with {@code config} that reads {@code clock}.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if an argument is null
   */
  static RetryBudget of(RetryBudgetConfig config, Clock clock) {
    return new BucketedRetryBudget(Check.notNull("config", config), Check.notNull("clock", clock));
  }

  /**
   * A budget with {@link RetryBudgetConfig#ofDefaults()} on the system clock.
   *
   * <p>Thread-safe.
   */
  static RetryBudget ofDefaults() {
    return of(RetryBudgetConfig.ofDefaults());
  }

  /** This budget's configuration. Thread-safe. */
  RetryBudgetConfig config();

  /**
   * Counts one call (a first attempt), which adds {@code ratio} of a retry to the budget for a
   * window. A {@link Retry} with this budget calls it once per call. Thread-safe.
   */
  void deposit();

  /**
   * Takes one retry from the budget if it holds one, as described above. A {@link Retry} with this
   * budget calls it before each retry, and stops retrying when it returns false.
   *
   * <p>Thread-safe.
   *
   * @return true if the retry may be made (and was counted), false if the budget is exhausted
   */
  boolean tryWithdraw();

  /**
   * The calls and retries counted in the window now, and how many more retries it would grant.
   * Thread-safe; read while calls run, the counts are each exact but not taken at one instant.
   */
  Snapshot snapshot();

  /**
   * A budget's counts at one moment.
   *
   * @param calls calls deposited in the window
   * @param retries retries granted in the window
   * @param availableRetries retries that would be granted now, if no call came in meanwhile
   */
  record Snapshot(long calls, long retries, long availableRetries) {}
}
