package dev.bulwark.event;

import dev.bulwark.internal.Check;
import java.time.Instant;
import java.util.Set;

/**
 * A running policy took a new configuration; {@code changedSettings} names what changed, in the
 * builder's names ({@code "failureRateThreshold"}, {@code "limit"}). Published once per change.
 *
 * <p>Immutable; thread-safe.
 */
public record ConfigChanged(String policyName, Set<String> changedSettings, Instant wallTime)
    implements PolicyEvent {

  /**
   * Copies {@code changedSettings}, so the event stays immutable.
   *
   * @throws NullPointerException naming the null component; none may be null
   */
  public ConfigChanged {
    Check.notNull("policyName", policyName);
    changedSettings = Set.copyOf(Check.notNull("changedSettings", changedSettings));
    Check.notNull("wallTime", wallTime);
  }
}
