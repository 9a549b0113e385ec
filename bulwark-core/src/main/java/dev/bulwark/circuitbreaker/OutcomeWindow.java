package dev.bulwark.circuitbreaker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The outcomes a breaker remembers while closed (or half-open, or disabled). One window serves one
 * phase: a transition that needs an empty window makes a new one, so a late writer can only touch a
 * window nobody reads any more, and counts never drift.
 *
 * <p>Totals come back packed in one long ({@link #pack}) so evaluating a rate allocates nothing.
 *
 * <p>Thread-safe.
 */
abstract class OutcomeWindow {
  /** Outcome bit: the call failed. */
  static final int FAILURE = 1;

  /** Outcome bit: the call was slow. */
  static final int SLOW = 2;

  private static final int BITS = 21;
  private static final long MASK = (1L << BITS) - 1;
  private static final VarHandle CONSECUTIVE;

  static {
    try {
      CONSECUTIVE =
          MethodHandles.lookup()
              .findVarHandle(OutcomeWindow.class, "consecutiveFailures", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile int consecutiveFailures;

  static OutcomeWindow of(CircuitBreakerConfig config, long nowNanos) {
    return config.windowType() == CircuitBreakerConfig.WindowType.COUNT
        ? new CountWindow(config.windowSize())
        : new TimeWindow(config.windowNanos(), nowNanos);
  }

  /** Remembers one outcome ({@link #FAILURE} and {@link #SLOW} bits) seen at {@code nowNanos}. */
  abstract void record(int outcome, long nowNanos);

  /** True if the window may hold a failure or a slow call: only then can a success trip it. */
  abstract boolean mayHoldFailures();

  /** Calls, failures and slow calls in the window at {@code nowNanos}, packed. */
  abstract long totals(long nowNanos);

  /** Failures in a row, after adding this one. */
  final int addConsecutiveFailure() {
    return (int) CONSECUTIVE.getAndAdd(this, 1) + 1;
  }

  /** Ends a run of failures; writes only if there was one, so clean traffic only reads. */
  final void clearConsecutiveFailures() {
    if (consecutiveFailures != 0) {
      consecutiveFailures = 0;
    }
  }

  final int consecutiveFailures() {
    return consecutiveFailures;
  }

  static long pack(long calls, long failures, long slow) {
    return (calls << (2 * BITS)) | (failures << BITS) | slow;
  }

  static int calls(long totals) {
    return (int) (totals >>> (2 * BITS));
  }

  static int failures(long totals) {
    return (int) ((totals >>> BITS) & MASK);
  }

  static int slow(long totals) {
    return (int) (totals & MASK);
  }
}
