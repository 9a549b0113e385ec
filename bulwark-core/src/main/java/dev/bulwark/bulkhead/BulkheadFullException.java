package dev.bulwark.bulkhead;

import dev.bulwark.internal.Check;
import dev.bulwark.policy.RejectedException;
import java.time.Duration;

/**
 * A {@link Bulkhead} refused a call: all its permits were in use and none freed within its {@link
 * BulkheadConfig#maxWait() maxWait}. A call may pass as soon as a call in flight finishes, which
 * the bulkhead cannot foretell, so {@link #retryAfter()} is empty.
 *
 * <p>Thread-safe (immutable once thrown).
 */
public class BulkheadFullException extends RejectedException {
  private static final long serialVersionUID = 1L;

  private final int maxConcurrentCalls;
  private final long waitedNanos;

  /**
   * The bulkhead {@code policyName}, limited to {@code maxConcurrentCalls}, rejected a call after
   * it waited {@code waitedNanos} nanoseconds (zero if it did not wait).
   *
   * @throws NullPointerException if {@code policyName} is null
   */
  public BulkheadFullException(String policyName, int maxConcurrentCalls, long waitedNanos) {
    super(
        Check.notNull("policyName", policyName),
        null,
        -1); // the message is built only if read: see getMessage()
    this.maxConcurrentCalls = maxConcurrentCalls;
    this.waitedNanos = Math.max(0, waitedNanos);
  }

  @Override
  public String getMessage() {
    return "bulkhead '"
        + policyName()
        + "' is full: all "
        + maxConcurrentCalls
        + " permits in use"
        + (waitedNanos > 0
            ? ", none freed within " + Duration.ofNanos(waitedNanos)
            : ", rejected without waiting")
        + "; a call may pass when a call in flight finishes";
  }

  /** The limit of the bulkhead that refused the call. */
  public int maxConcurrentCalls() {
    return maxConcurrentCalls;
  }

  /** How long the call waited for a permit before it was refused; zero if it did not wait. */
  public Duration waited() {
    return Duration.ofNanos(waitedNanos);
  }
}
