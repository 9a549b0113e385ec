package dev.bulwark.circuitbreaker;

import dev.bulwark.event.PolicyEvent;
import dev.bulwark.internal.Check;
import java.time.Instant;

/** A circuit breaker moved from one state to another. Published once per transition. */
public record StateChanged(
    String policyName, CircuitBreaker.State from, CircuitBreaker.State to, Instant wallTime)
    implements PolicyEvent {

  /**
   * Checks the components: none may be null.
   *
   * @throws NullPointerException naming the first null component
   */
  public StateChanged {
    Check.notNull("policyName", policyName);
    Check.notNull("from", from);
    Check.notNull("to", to);
    Check.notNull("wallTime", wallTime);
  }
}
