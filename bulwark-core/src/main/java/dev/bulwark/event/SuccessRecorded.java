package dev.bulwark.event;

import java.time.Duration;
import java.time.Instant;

/**
 * A policy counted a call as a success. {@code duration} is zero when the policy does not time
 * calls.
 */
public record SuccessRecorded(String policyName, Duration duration, Instant wallTime)
    implements PolicyEvent {}
