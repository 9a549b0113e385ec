package dev.bulwark.event;

/**
 * An event saying that a policy handed the caller a substitute for the real outcome: a fallback
 * value, a stale cached value, a default. The caller did not see a failure, but the call was not a
 * plain success either, so health checks and metrics count these apart from successes.
 *
 * <p>Implemented by the events of policies that replace outcomes; anything that watches events (for
 * example {@code dev.bulwark.health.HealthMonitor}) recognises them by this type alone, without
 * depending on the policy that published them.
 *
 * <p>Immutable; thread-safe.
 */
public interface DegradedOutcome extends PolicyEvent {}
