package dev.bulwark.event;

import dev.bulwark.internal.Check;
import dev.bulwark.policy.RejectedException;
import java.time.Instant;

/** A policy refused a call; {@code rejection} says why and when a call may pass again. */
public record CallRejected(String policyName, RejectedException rejection, Instant wallTime)
    implements PolicyEvent {

  /**
   * Checks the components: only those documented as nullable may be null.
   *
   * @throws NullPointerException naming the first null component that may not be null
   */
  public CallRejected {
    Check.notNull("policyName", policyName);
    Check.notNull("rejection", rejection);
    Check.notNull("wallTime", wallTime);
  }
}
