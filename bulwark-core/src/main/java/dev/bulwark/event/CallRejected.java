package dev.bulwark.event;

import dev.bulwark.policy.RejectedException;
import java.time.Instant;

/** A policy refused a call; {@code rejection} says why and when a call may pass again. */
public record CallRejected(String policyName, RejectedException rejection, Instant wallTime)
    implements PolicyEvent {}
