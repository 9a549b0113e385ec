package dev.bulwark.event;

import dev.bulwark.internal.Check;
import dev.bulwark.policy.Policy;
import java.time.Instant;

/**
 * A registry created {@code policy} under the name {@code policyName}: a metrics or health module
 * can subscribe to its events here. Published once per instance, after it is registered.
 *
 * <p>Immutable; thread-safe.
 */
public record PolicyAdded(String policyName, Policy policy, Instant wallTime)
    implements PolicyEvent {

  /**
   * Checks the components: only those documented as nullable may be null.
   *
   * @throws NullPointerException naming the first null component that may not be null
   */
  public PolicyAdded {
    Check.notNull("policyName", policyName);
    Check.notNull("policy", policy);
    Check.notNull("wallTime", wallTime);
  }
}
