package dev.bulwark.healthcheck;

import dev.bulwark.event.PolicyEvent;
import dev.bulwark.internal.Check;
import java.time.Duration;
import java.time.Instant;

/**
 * A health check's probe answered, failed or timed out: one event per result, for metrics and logs.
 *
 * @param policyName the check's name
 * @param result what it answered (a failure or timeout is an unhealthy result saying so)
 * @param took how long the probe ran, up to the timeout
 * @param wallTime when, by the check's clock
 */
public record CheckCompleted(
    String policyName, HealthCheck.Result result, Duration took, Instant wallTime)
    implements PolicyEvent {

  /**
   * Checks the components: none may be null.
   *
   * @throws NullPointerException naming the first null component
   */
  public CheckCompleted {
    Check.notNull("policyName", policyName);
    Check.notNull("result", result);
    Check.notNull("took", took);
    Check.notNull("wallTime", wallTime);
  }
}
