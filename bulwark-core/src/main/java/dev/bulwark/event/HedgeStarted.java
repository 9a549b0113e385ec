package dev.bulwark.event;

import dev.bulwark.internal.Check;
import java.time.Duration;
import java.time.Instant;

/**
 * A hedging policy started attempt number {@code attempt} of a call (the primary attempt is 1, so
 * the first hedge is 2) because the call had not answered {@code elapsed} after it began.
 */
public record HedgeStarted(String policyName, int attempt, Duration elapsed, Instant wallTime)
    implements PolicyEvent {

  /**
   * Checks the components: only those documented as nullable may be null.
   *
   * @throws NullPointerException naming the first null component that may not be null
   */
  public HedgeStarted {
    Check.notNull("policyName", policyName);
    Check.notNull("elapsed", elapsed);
    Check.notNull("wallTime", wallTime);
  }
}
