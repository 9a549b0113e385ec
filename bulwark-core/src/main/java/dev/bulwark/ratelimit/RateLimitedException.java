package dev.bulwark.ratelimit;

import dev.bulwark.internal.Check;
import dev.bulwark.policy.RejectedException;
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

  private final long maxWaitNanos; // negative: not known (built by the public constructor)
  private final boolean held;

  /**
   * The limiter {@code policyName} refused a call; a permit is free after {@code retryAfter}.
   *
   * @throws NullPointerException if an argument is null
   */
  public RateLimitedException(String policyName, Duration retryAfter) {
    this(
        Check.notNull("policyName", policyName),
        Check.notNull("retryAfter", retryAfter).toNanos(),
        -1,
        false);
  }

  RateLimitedException(String policyName, long retryAfterNanos, long maxWaitNanos, boolean held) {
    // The message is built only if read (see getMessage()): a limiter under load refuses calls at
    // the rate they arrive, and most refusals are caught and never printed.
    super(policyName, null, retryAfterNanos);
    this.maxWaitNanos = maxWaitNanos;
    this.held = held;
  }

  @Override
  public String getMessage() {
    return message(policyName(), retryAfterNanos(), maxWaitNanos, held);
  }

  private static String message(
      String policyName, long retryAfterNanos, long maxWaitNanos, boolean held) {
    String why =
        held
            ? "holding callers back as the server asked"
            : maxWaitNanos < 0
                ? "rate limit exceeded"
                : "rate limit exceeded, no permit within maxWait " + Duration.ofNanos(maxWaitNanos);
    return policyName + ": " + why + "; a permit is free in " + Duration.ofNanos(retryAfterNanos);
  }
}
