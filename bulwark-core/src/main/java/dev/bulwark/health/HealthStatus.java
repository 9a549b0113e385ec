package dev.bulwark.health;

/**
 * How healthy a set of watched policies is, from best to worst; {@link #compareTo} orders by
 * severity.
 *
 * <p>Thread-safe.
 */
public enum HealthStatus {
  /** Every breaker closed (or disabled), no failure and no fallback in the recent window. */
  HEALTHY,
  /** Failures or fallbacks in the recent window, or a breaker half-open: working, but not well. */
  DEGRADED,
  /** A breaker is open or forced open: calls to what it protects are being refused. */
  CRITICAL
}
