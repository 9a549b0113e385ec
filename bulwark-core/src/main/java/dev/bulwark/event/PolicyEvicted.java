package dev.bulwark.event;

import dev.bulwark.internal.Check;
import dev.bulwark.policy.Policy;
import java.time.Instant;

/**
 * A registry dropped {@code policy}, named {@code policyName}, to keep its size bounded: the next
 * lookup of that name creates a fresh instance. Published once per instance dropped.
 *
 * <p>Immutable; thread-safe.
 */
public record PolicyEvicted(String policyName, Policy policy, Reason reason, Instant wallTime)
    implements PolicyEvent {

  /**
   * Checks the components: only those documented as nullable may be null.
   *
   * @throws NullPointerException naming the first null component that may not be null
   */
  public PolicyEvicted {
    Check.notNull("policyName", policyName);
    Check.notNull("policy", policy);
    Check.notNull("reason", reason);
    Check.notNull("wallTime", wallTime);
  }

  /** Why a registry dropped a policy. */
  public enum Reason {
    /** Nobody looked it up for longer than the registry's idle eviction time. */
    IDLE,
    /** The registry was full: it dropped its least recently used instances to make room. */
    CAPACITY
  }
}
