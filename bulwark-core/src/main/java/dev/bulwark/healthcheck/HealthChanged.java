package dev.bulwark.healthcheck;

import dev.bulwark.event.PolicyEvent;
import dev.bulwark.internal.Check;
import java.time.Instant;

/**
 * A health check's verdict switched, from healthy to unhealthy or back, once its threshold of
 * consecutive results was reached. Published once per switch.
 *
 * @param policyName the check's name
 * @param healthy the verdict now
 * @param result the result that switched it
 * @param wallTime when, by the check's clock
 */
public record HealthChanged(
    String policyName, boolean healthy, HealthCheck.Result result, Instant wallTime)
    implements PolicyEvent {

  /**
   * Checks the components: none may be null.
   *
   * @throws NullPointerException naming the first null component
   */
  public HealthChanged {
    Check.notNull("policyName", policyName);
    Check.notNull("result", result);
    Check.notNull("wallTime", wallTime);
  }
}
