package dev.bulwark.event;

import dev.bulwark.internal.Check;
import java.time.Duration;
import java.time.Instant;

/**
 * A policy counted a call as a success. {@code duration} is zero when the policy does not time
 * calls.
 */
public record SuccessRecorded(String policyName, Duration duration, Instant wallTime)
    implements PolicyEvent {

  /**
   * Checks the components: only those documented as nullable may be null.
   *
   * @throws NullPointerException naming the first null component that may not be null
   */
  public SuccessRecorded {
    Check.notNull("policyName", policyName);
    Check.notNull("duration", duration);
    Check.notNull("wallTime", wallTime);
  }
}
