package dev.bulwark.event;

import dev.bulwark.internal.Check;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A fallback replaced a call's outcome: the caller got a degraded value from {@code rung}. {@code
 * failure} is what the call threw, or null when its result was one to replace; {@code age} is how
 * old the served value is, or null if the rung does not know.
 */
public record FallbackServed(
    String policyName,
    String rung,
    @Nullable Throwable failure,
    @Nullable Duration age,
    Instant wallTime)
    implements DegradedOutcome {

  /**
   * Checks the components: only those documented as nullable may be null.
   *
   * @throws NullPointerException naming the first null component that may not be null
   */
  public FallbackServed {
    Check.notNull("policyName", policyName);
    Check.notNull("rung", rung);
    Check.notNull("wallTime", wallTime);
  }
}
