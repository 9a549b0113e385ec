package dev.bulwark.event;

import dev.bulwark.internal.Check;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A retry policy stopped after {@code attempts} attempts because its shared retry budget refused
 * another retry (retries already make up the budget's share of recent calls). {@code lastFailure}
 * is what the last attempt threw, or null if its result was one to retry. Published instead of
 * {@link RetriesExhausted}.
 */
public record RetryBudgetExhausted(
    String policyName, int attempts, @Nullable Throwable lastFailure, Instant wallTime)
    implements PolicyEvent {

  /**
   * Checks the components: only those documented as nullable may be null.
   *
   * @throws NullPointerException naming the first null component that may not be null
   */
  public RetryBudgetExhausted {
    Check.notNull("policyName", policyName);
    Check.notNull("wallTime", wallTime);
  }
}
