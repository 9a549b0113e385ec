package dev.bulwark.retry;

import dev.bulwark.BulwarkException;

/**
 * A {@link Retry} tried a call more than once and gave up: its attempts or its time budget ran out.
 * The cause is what the last attempt failed with.
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

  /**
   * The retry named {@code policyName} gave up after {@code attempts} attempts, the last of which
   * failed with {@code lastFailure}.
   *
   * <p>Thread-safe.
   */
  public RetryExhaustedException(String policyName, int attempts, Throwable lastFailure) {
    super(
        policyName,
        "retry '" + policyName + "' gave up after " + attempts + " attempts: " + lastFailure,
        lastFailure,
        true);
    this.attempts = attempts;
  }

  /** How many attempts were made, counting the first. Thread-safe. */
  public int attempts() {
    return attempts;
  }
}
