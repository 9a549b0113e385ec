package dev.bulwark.event;

import dev.bulwark.internal.Check;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A retry policy will make attempt number {@code nextAttempt} (the first attempt is 1) after {@code
 * delay}. {@code failure} is what the previous attempt threw, or null if its result was retried.
 */
public record RetryScheduled(
    String policyName,
    int nextAttempt,
    Duration delay,
    @Nullable Throwable failure,
    Instant wallTime)
    implements PolicyEvent {

  /**
   * Checks the components: only those documented as nullable may be null.
   *
   * @throws NullPointerException naming the first null component that may not be null
   */
  public RetryScheduled {
    Check.notNull("policyName", policyName);
    Check.notNull("delay", delay);
    Check.notNull("wallTime", wallTime);
  }
}
