package dev.bulwark.event;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A retry policy will make attempt number {@code nextAttempt} (the first attempt is 1) after {@code
 * delay}. {@code failure} is what the previous attempt threw, or null if its result was retried.
 */
public record RetryScheduled(
    String policyName,
    int nextAttempt,
    Duration delay,
    @Nullable Throwable failure,
    Instant wallTime)
    implements PolicyEvent {}
