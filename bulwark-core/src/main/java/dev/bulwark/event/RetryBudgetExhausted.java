package dev.bulwark.event;

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
    implements PolicyEvent {}
