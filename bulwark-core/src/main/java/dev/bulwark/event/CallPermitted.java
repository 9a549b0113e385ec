package dev.bulwark.event;

import dev.bulwark.internal.Check;
import java.time.Instant;

/** A policy let a call through. */
public record CallPermitted(String policyName, Instant wallTime) implements PolicyEvent {

  /**
   * Checks the components: only those documented as nullable may be null.
   *
   * @throws NullPointerException naming the first null component that may not be null
   */
  public CallPermitted {
    Check.notNull("policyName", policyName);
    Check.notNull("wallTime", wallTime);
  }
}
