package dev.bulwark.event;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A policy counted a call as a failure: {@code failure} is what it threw, or null when its result
 * was classified as a failure (for example an HTTP 503 response) or it was only too slow.
 */
public record FailureRecorded(
    String policyName, Duration duration, @Nullable Throwable failure, Instant wallTime)
    implements PolicyEvent {}
