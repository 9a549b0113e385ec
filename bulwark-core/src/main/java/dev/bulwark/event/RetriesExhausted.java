package dev.bulwark.event;

import dev.bulwark.internal.Check;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A retry policy gave up after {@code attempts} attempts. {@code lastFailure} is what the last
 * attempt threw, or null if its result was one to retry.
 */
public record RetriesExhausted(
    String policyName, int attempts, @Nullable Throwable lastFailure, Instant wallTime)
    implements PolicyEvent {

  /**
   * Checks the components: only those documented as nullable may be null.
   *
   * @throws NullPointerException naming the first null component that may not be null
   */
  public RetriesExhausted {
    Check.notNull("policyName", policyName);
    Check.notNull("wallTime", wallTime);
  }
}
