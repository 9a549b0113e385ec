package dev.bulwark.event;

import dev.bulwark.internal.Check;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A call outlived its timeout and finished anyway: the caller already got a {@code
 * TimeoutExceededException}, so this outcome was dropped. {@code value} is what the call returned
 * (null if it failed or returned null) and {@code failure} what it threw (null if it returned);
 * {@code duration} is how long it ran in all.
 */
public record LateOutcome(
    String policyName,
    Duration timeout,
    Duration duration,
    @Nullable Object value,
    @Nullable Throwable failure,
    Instant wallTime)
    implements PolicyEvent {

  /**
   * Checks the components: only those documented as nullable may be null.
   *
   * @throws NullPointerException naming the first null component that may not be null
   */
  public LateOutcome {
    Check.notNull("policyName", policyName);
    Check.notNull("timeout", timeout);
    Check.notNull("duration", duration);
    Check.notNull("wallTime", wallTime);
  }
}
