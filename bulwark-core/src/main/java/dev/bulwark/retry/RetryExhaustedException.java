package dev.bulwark.retry;

import dev.bulwark.internal.Check;
import dev.bulwark.internal.Failures;
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
   *
   * @throws NullPointerException if {@code policyName} or {@code lastFailure} is null
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
   *
   * @throws NullPointerException if {@code policyName} or {@code lastFailure} is null
   */
  public RetryExhaustedException(
      String policyName, int attempts, Throwable lastFailure, boolean budgetExhausted) {
    super(
        Check.notNull("policyName", policyName),
        "retry '"
            + policyName
            + "' gave up after "
            + attempts
            + " attempts"
            + (budgetExhausted ? ", its retry budget exhausted: " : ": ")
            + Check.notNull("lastFailure", lastFailure),
        lastFailure,
        true);
    this.attempts = attempts;
    this.budgetExhausted = budgetExhausted;
  }

  /**
   * The failure a call really ended with, as rules that classify failures must see it: {@code
   * failure} with the wrappers of futures ({@code CompletionException}, {@code ExecutionException})
   * and of spent retries (this exception, around its last attempt's failure) taken off. A circuit
   * breaker outside a retry records or ignores by this, and a fallback's handling rules match it,
   * so an {@code IOException} retried three times counts as an {@code IOException}. What the caller
   * receives is not changed: the wrapper still reaches it.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if {@code failure} is null
   */
  public static Throwable failureOf(Throwable failure) {
    Throwable t = Failures.unwrap(Check.notNull("failure", failure));
    for (int depth = 0; depth < 8 && t instanceof RetryExhaustedException; depth++) {
      Throwable last = t.getCause();
      if (last == null) {
        return t;
      }
      t = Failures.unwrap(last); // a retry inside a retry wraps once per level
    }
    return t;
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
