package dev.bulwark.event;

import dev.bulwark.internal.Check;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A policy counted a call as a failure: {@code failure} is what it threw, or null when its result
 * was classified as a failure (for example an HTTP 503 response) or it was only too slow.
 */
public record FailureRecorded(
    String policyName, Duration duration, @Nullable Throwable failure, Instant wallTime)
    implements PolicyEvent {

  /**
   * Checks the components: only those documented as nullable may be null.
   *
   * @throws NullPointerException naming the first null component that may not be null
   */
  public FailureRecorded {
    Check.notNull("policyName", policyName);
    Check.notNull("duration", duration);
    Check.notNull("wallTime", wallTime);
  }
}
