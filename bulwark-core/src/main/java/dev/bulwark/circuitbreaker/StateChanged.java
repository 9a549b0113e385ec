package dev.bulwark.circuitbreaker;

import dev.bulwark.event.PolicyEvent;
import java.time.Instant;

/** A circuit breaker moved from one state to another. Published once per transition. */
public record StateChanged(
    String policyName, CircuitBreaker.State from, CircuitBreaker.State to, Instant wallTime)
    implements PolicyEvent {}
