package dev.bulwark.circuitbreaker;

import dev.bulwark.internal.Check;
import dev.bulwark.policy.RejectedException;
import java.time.Duration;

/**
 * A {@link CircuitBreaker} refused a call without running it: it is open, forced open, or half-open
 * with every probe slot taken.
 *
 * <p>{@link #retryAfter()} is the time until the next probe when {@code OPEN}; unknown when {@code
 * FORCED_OPEN} (only {@code reset()} lets calls through) and when {@code HALF_OPEN} (a slot frees
 * as soon as a probe finishes, usually within the call's own latency, so any bound would mislead a
 * retry into waiting far too long).
 *
 * <p>Thread-safe (immutable once thrown).
 */
public final class CircuitBreakerOpenException extends RejectedException {
  private static final long serialVersionUID = 1L;

  private final CircuitBreaker.State state;

  /**
   * A rejection by the breaker named {@code breakerName} while in {@code state}.
   *
   * @param retryAfterNanos time until a call may pass, or negative if unknown
   * @throws NullPointerException if the name or state is null
   */
  public CircuitBreakerOpenException(
      String breakerName, CircuitBreaker.State state, long retryAfterNanos) {
    // The message is built when someone reads it, not here: an open breaker rejects calls at the
    // rate they arrive, and most rejections are caught and never printed.
    super(Check.notNull("breakerName", breakerName), null, retryAfterNanos);
    this.state = Check.notNull("state", state);
  }

  @Override
  public String getMessage() {
    return message(policyName(), state, retryAfterNanos());
  }

  /** The state the breaker was in when it refused the call. */
  public CircuitBreaker.State state() {
    return state;
  }

  private static String message(String name, CircuitBreaker.State state, long retryAfterNanos) {
    String head = "circuit breaker '" + name + "' is " + state + "; ";
    switch (state) {
      case OPEN:
        return head + "next probe in " + Duration.ofNanos(Math.max(0, retryAfterNanos));
      case HALF_OPEN:
        return head + "every probe slot is taken; a call may pass when a probe finishes";
      case FORCED_OPEN:
        return head + "calls pass again only after reset()";
      default:
        return head + "call refused";
    }
  }
}
