package dev.bulwark.event;

import dev.bulwark.internal.Check;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A policy saw a call fail with an exception it is told to ignore (a validation or authentication
 * error is not the remote service failing), and counted it neither way. A circuit breaker also
 * ignores any outcome of a call let through before it changed state; {@code failure} is then what
 * that call threw, or null if it returned.
 */
public record OutcomeIgnored(String policyName, @Nullable Throwable failure, Instant wallTime)
    implements PolicyEvent {

  /**
   * Checks the components: only those documented as nullable may be null.
   *
   * @throws NullPointerException naming the first null component that may not be null
   */
  public OutcomeIgnored {
    Check.notNull("policyName", policyName);
    Check.notNull("wallTime", wallTime);
  }
}
