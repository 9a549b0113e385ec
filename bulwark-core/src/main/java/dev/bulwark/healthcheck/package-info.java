/**
 * Active health checks: a {@link dev.bulwark.healthcheck.HealthCheck} probes a dependency on the
 * scheduler, answers {@code isHealthy()} from memory, and steers the dependency's circuit breaker
 * (open while it is down, half-open as soon as it is back).
 */
package dev.bulwark.healthcheck;
