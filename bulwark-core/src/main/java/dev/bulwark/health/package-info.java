/**
 * Health of a set of policies: {@link dev.bulwark.health.HealthMonitor} reports {@code HEALTHY},
 * {@code DEGRADED} or {@code CRITICAL} with a reason per component, built only from what policies
 * publish (breakers' states and snapshots, and events), and tells listeners when the status
 * changes.
 *
 * <p>Health depends on no policy but the circuit breaker and the health check (whose verdict it
 * reads). Any other policy contributes through its {@link dev.bulwark.event.EventSource}, watched
 * with {@link dev.bulwark.health.HealthMonitor#watch(String, dev.bulwark.event.EventSource)}: a
 * {@link dev.bulwark.event.FailureRecorded} counts as a failure, and an event implementing {@link
 * dev.bulwark.event.DegradedOutcome} (a fallback served, a stale value returned) counts as a
 * degraded outcome.
 */
package dev.bulwark.health;
