package dev.bulwark.retry;

import dev.bulwark.policy.BulwarkException;

/**
 * A {@link Retry} tried a call more than once and gave up: its attempts or its time budget ran out,
 * or its shared {@link RetryBudget} refused another retry ({@link #budgetExhausted()}). The cause
 * is what the last attempt failed with.
 *
 * <p>Not a rejection: the call was tried, and failed. A failure that is not retried, or one that
 * ends a call after a single attempt (with {@code maxAttempts} 1, or a time budget too short for
 * any wait), reaches the caller unwrapped instead.
 *
 * <p>Thread-safe (immutable once thrown).
 */
public class RetryExhaustedException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  private final int attempts;
  private final boolean budgetExhausted;

  /**
   * The retry named {@code policyName} gave up after {@code attempts} attempts, the last of which
   * failed with {@code lastFailure}.
   *
   * <p>Thread-safe.
   */
  public RetryExhaustedException(String policyName, int attempts, Throwable lastFailure) {
    this(policyName, attempts, lastFailure, false);
  }

  /**
   * The retry named {@code policyName} gave up after {@code attempts} attempts, the last of which
   * failed with {@code lastFailure}; {@code budgetExhausted} if it stopped because its {@link
   * RetryBudget} refused another retry.
   *
   * <p>Thread-safe.
   */
  public RetryExhaustedException(
      String policyName, int attempts, Throwable lastFailure, boolean budgetExhausted) {
    super(
        policyName,
        "retry '"
            + policyName
            + "' gave up after "
            + attempts
            + " attempts"
            + (budgetExhausted ? ", its retry budget exhausted: " : ": ")
            + lastFailure,
        lastFailure,
        true);
    this.attempts = attempts;
    this.budgetExhausted = budgetExhausted;
  }

  /** How many attempts were made, counting the first. Thread-safe. */
  public int attempts() {
    return attempts;
  }

  /**
   * True if the retry stopped because its {@link RetryBudget} refused another retry, false if its
   * attempts or time ran out. Thread-safe.
   */
  public boolean budgetExhausted() {
    return budgetExhausted;
  }
}
