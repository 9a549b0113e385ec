package dev.bulwark;

import dev.bulwark.policy.BulwarkException;
import dev.bulwark.policy.RejectedException;

/**
 * A {@link Resilience} registry could not create a policy: it already holds its maximum number of
 * instances of that kind and none can be dropped, because every one of them is busy (an open or
 * half-open breaker, a rate limiter holding callers back). Names the policy asked for, the kind and
 * the bound.
 *
 * <p>This is not a rejection by a policy (it is not a {@link RejectedException}): no policy saw the
 * call. It usually means per-entity names are unbounded (one breaker per request id, say) or the
 * bound is too small for the number of entities that fail at once.
 *
 * <p>Thread-safe (immutable once thrown).
 */
public final class RegistryFullException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  private final int maxInstances;

  RegistryFullException(String policyName, String kind, int maxInstances) {
    super(
        policyName,
        "cannot create "
            + kind
            + " '"
            + policyName
            + "': the registry holds maxInstances ("
            + maxInstances
            + ") "
            + kind
            + " instances and none can be evicted (each is open, half-open or holding callers"
            + " back); raise maxInstances (BULWARK_MAX_INSTANCES) or bound the names",
        null,
        true);
    this.maxInstances = maxInstances;
  }

  /** The bound that was reached: the most instances of one kind the registry holds. */
  public int maxInstances() {
    return maxInstances;
  }
}
