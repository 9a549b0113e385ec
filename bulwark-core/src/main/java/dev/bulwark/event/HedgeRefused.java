package dev.bulwark.event;

import dev.bulwark.internal.Check;
import java.time.Instant;

/**
 * A hedging policy did not start attempt number {@code attempt} of a call (the first hedge is 2)
 * because hedges already make up its allowed share of recent calls; the call goes on with the
 * attempts already running and starts no more hedges.
 */
public record HedgeRefused(String policyName, int attempt, Instant wallTime)
    implements PolicyEvent {

  /**
   * Checks the components: only those documented as nullable may be null.
   *
   * @throws NullPointerException naming the first null component that may not be null
   */
  public HedgeRefused {
    Check.notNull("policyName", policyName);
    Check.notNull("wallTime", wallTime);
  }
}
