package dev.bulwark.event;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A policy saw a call fail with an exception it is told to ignore (a validation or authentication
 * error is not the remote service failing), and counted it neither way.
 */
public record OutcomeIgnored(String policyName, @Nullable Throwable failure, Instant wallTime)
    implements PolicyEvent {}
