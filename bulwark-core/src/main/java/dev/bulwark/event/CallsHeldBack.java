package dev.bulwark.event;

import dev.bulwark.internal.Check;
import java.time.Duration;
import java.time.Instant;

/**
 * A policy began holding back every call for {@code duration}, usually because a server asked for a
 * pause (HTTP 429 or 503 with {@code Retry-After}). Published only when the hold ends later than
 * any hold before it.
 */
public record CallsHeldBack(String policyName, Duration duration, Instant wallTime)
    implements PolicyEvent {

  /**
   * Checks the components: only those documented as nullable may be null.
   *
   * @throws NullPointerException naming the first null component that may not be null
   */
  public CallsHeldBack {
    Check.notNull("policyName", policyName);
    Check.notNull("duration", duration);
    Check.notNull("wallTime", wallTime);
  }
}
