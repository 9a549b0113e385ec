package dev.bulwark.event;

import java.time.Duration;
import java.time.Instant;

/**
 * A policy began holding back every call for {@code duration}, usually because a server asked for a
 * pause (HTTP 429 or 503 with {@code Retry-After}). Published only when the hold ends later than
 * any hold before it.
 */
public record CallsHeldBack(String policyName, Duration duration, Instant wallTime)
    implements PolicyEvent {}
