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
 * <p>A change takes effect at one instant, without stopping calls: each decision a call makes is
 * taken under the old configuration or the new one, never a mix of the two, and each implementation
 * says which reading of the configuration a call keeps (a retry keeps the one its call started
 * with; a breaker judges each outcome by the one in force when it is recorded). Reconfiguring may
 * allocate; calls still do not.
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
   * dev.bulwark.event.ConfigChanged} once when anything changed (built only if someone listens for
   * it), and nothing when {@code config} equals the one in force. Of racing reconfigurations, each
   * is applied whole, one after the other, and each published change names what it changed from the
   * configuration it replaced.
   *
   * @throws NullPointerException if {@code config} is null
   * @throws IllegalArgumentException if {@code config} differs in a setting that cannot change
   *     while the policy runs; the message names it, and nothing is applied
   */
  void reconfigure(C config);
}
