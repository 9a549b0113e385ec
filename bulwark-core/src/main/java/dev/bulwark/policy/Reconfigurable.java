package dev.bulwark.policy;

/**
 * A policy whose configuration can be replaced while it serves calls, so an operator can tune a
 * threshold, a rate or a size without a restart and without losing the policy's state (a breaker's
 * recent outcomes, a limiter's tokens, a bulkhead's calls in flight).
 *
 * <p>Only what can change safely changes live; each implementation says which settings those are. A
 * replacement that differs in a setting that cannot change live is refused as a whole, naming that
 * setting, and the policy keeps its current configuration.
 *
 * <p>Implementations are thread-safe.
 *
 * @param <C> the configuration type
 */
public interface Reconfigurable<C> {

  /** The configuration in force now. */
  C config();

  /**
   * Replaces the configuration; the next call sees the new one. Publishes {@link
   * dev.bulwark.event.ConfigChanged} when anything changed, and nothing when {@code config} equals
   * the one in force.
   *
   * @throws NullPointerException if {@code config} is null
   * @throws IllegalArgumentException if {@code config} differs in a setting that cannot change
   *     while the policy runs; the message names it, and nothing is applied
   */
  void reconfigure(C config);
}
