package dev.bulwark.ratelimit;

import dev.bulwark.RejectedException;
import dev.bulwark.internal.Check;
import java.time.Duration;

/**
 * A {@link RateLimiter} refused a call: no permit was free within the caller's {@code maxWait}, or
 * the limiter is holding every caller back because the server asked it to. {@link #policyName()}
 * names the limiter and {@link #retryAfter()} says how long until a permit is free, as seen when
 * the call was refused (other callers may take it first).
 *
 * <p>Thread-safe (immutable once thrown).
 */
public class RateLimitedException extends RejectedException {
  private static final long serialVersionUID = 1L;

  /**
   * The limiter {@code policyName} refused a call; a permit is free after {@code retryAfter}.
   *
   * @throws NullPointerException if an argument is null
   */
  public RateLimitedException(String policyName, Duration retryAfter) {
    super(
        Check.notNull("policyName", policyName),
        policyName
            + ": rate limit exceeded; a permit is free in "
            + Check.notNull("retryAfter", retryAfter),
        retryAfter.toNanos());
  }

  RateLimitedException(String policyName, long retryAfterNanos, long maxWaitNanos, boolean held) {
    super(policyName, message(policyName, retryAfterNanos, maxWaitNanos, held), retryAfterNanos);
  }

  private static String message(
      String policyName, long retryAfterNanos, long maxWaitNanos, boolean held) {
    String why =
        held
            ? "holding callers back as the server asked"
            : "rate limit exceeded, no permit within maxWait " + Duration.ofNanos(maxWaitNanos);
    return policyName + ": " + why + "; a permit is free in " + Duration.ofNanos(retryAfterNanos);
  }
}
