package dev.bulwark.circuitbreaker;

import dev.bulwark.circuitbreaker.CircuitBreaker.State;

/**
 * One immutable state of a {@link LocalCircuitBreaker}, swapped whole by CAS.
 *
 * <p>{@code epoch} grows by one with every new state except probe bookkeeping inside one half-open
 * phase; a call remembers the epoch it was let through in, and its outcome drives decisions only
 * while the epoch is unchanged. The closed state is one object for the whole closed phase: a
 * successful call only reads it.
 *
 * <p>Immutable; thread-safe.
 */
final class BreakerState {
  final State phase;
  final long epoch;
  final OutcomeWindow window;

  /** OPEN: when probes may start. */
  final long openUntilNanos;

  /** Re-opens since the breaker last closed; the open wait grows with it. */
  final int reopens;

  /** HALF_OPEN: probes let through and not yet reported. */
  final int probesInFlight;

  /** HALF_OPEN: probes that succeeded. */
  final int probeSuccesses;

  /** HALF_OPEN: when the latest probe was let through. */
  final long lastProbeNanos;

  private BreakerState(
      State phase,
      long epoch,
      OutcomeWindow window,
      long openUntilNanos,
      int reopens,
      int probesInFlight,
      int probeSuccesses,
      long lastProbeNanos) {
    this.phase = phase;
    this.epoch = epoch;
    this.window = window;
    this.openUntilNanos = openUntilNanos;
    this.reopens = reopens;
    this.probesInFlight = probesInFlight;
    this.probeSuccesses = probeSuccesses;
    this.lastProbeNanos = lastProbeNanos;
  }

  static BreakerState closed(long epoch, OutcomeWindow window) {
    return new BreakerState(State.CLOSED, epoch, window, 0, 0, 0, 0, 0);
  }

  static BreakerState disabled(long epoch, OutcomeWindow window) {
    return new BreakerState(State.DISABLED, epoch, window, 0, 0, 0, 0, 0);
  }

  /** Forced open; keeps the window for snapshots and the re-open count. */
  BreakerState forcedOpen() {
    return new BreakerState(State.FORCED_OPEN, epoch + 1, window, 0, reopens, 0, 0, 0);
  }

  /** Open until {@code openUntilNanos}; keeps the window that tripped, for snapshots. */
  BreakerState open(long openUntilNanos, int reopens) {
    return new BreakerState(State.OPEN, epoch + 1, window, openUntilNanos, reopens, 0, 0, 0);
  }

  /** Half-open with one probe, the caller's, already let through. */
  BreakerState halfOpen(OutcomeWindow probes, long nowNanos) {
    return new BreakerState(State.HALF_OPEN, epoch + 1, probes, 0, reopens, 1, 0, nowNanos);
  }

  /** Half-open with no probe let through yet: its wait was ended early. */
  BreakerState halfOpenEarly(OutcomeWindow probes, long nowNanos) {
    return new BreakerState(State.HALF_OPEN, epoch + 1, probes, 0, reopens, 0, 0, nowNanos);
  }

  BreakerState probeTaken(long nowNanos) {
    return new BreakerState(
        phase, epoch, window, 0, reopens, probesInFlight + 1, probeSuccesses, nowNanos);
  }

  /**
   * Probes in flight too long are written off: a new epoch (their late outcomes are then stale)
   * with one probe, the caller's, let through; successes so far are kept.
   */
  BreakerState stuckProbesReleased(long nowNanos) {
    return new BreakerState(phase, epoch + 1, window, 0, reopens, 1, probeSuccesses, nowNanos);
  }

  BreakerState probeSucceeded() {
    return new BreakerState(
        phase,
        epoch,
        window,
        0,
        reopens,
        Math.max(0, probesInFlight - 1), // the standalone API may report without a permission
        probeSuccesses + 1,
        lastProbeNanos);
  }

  BreakerState probeReleased() {
    return new BreakerState(
        phase, epoch, window, 0, reopens, probesInFlight - 1, probeSuccesses, lastProbeNanos);
  }

  @Override
  public String toString() {
    return phase + "#" + epoch;
  }
}
