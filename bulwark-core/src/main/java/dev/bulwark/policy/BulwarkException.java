package dev.bulwark.policy;

import org.jspecify.annotations.Nullable;

/**
 * The base of every exception Bulwark itself throws. Exceptions thrown by a protected call are
 * never wrapped in one, except as the cause of a {@code RetryExhaustedException}.
 *
 * <p>Thread-safe (immutable once thrown).
 */
public abstract class BulwarkException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String policyName;

  /**
   * An exception from the policy named {@code policyName}.
   *
   * @param writableStackTrace false for a rejection, which is a decision rather than a bug: it
   *     makes throwing one cost nanoseconds instead of microseconds
   */
  protected BulwarkException(
      String policyName,
      @Nullable String message,
      @Nullable Throwable cause,
      boolean writableStackTrace) {
    super(message, cause, cause != null, writableStackTrace);
    this.policyName = policyName;
  }

  /** The name of the policy that threw this exception. */
  public String policyName() {
    return policyName;
  }
}
