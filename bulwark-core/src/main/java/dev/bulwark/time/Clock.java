package dev.bulwark.time;

import java.time.Instant;

/**
 * Bulwark's only source of time. Every policy reads time from the clock it was given, so tests can
 * drive time by hand (see {@code dev.bulwark.test.ManualClock}) instead of sleeping.
 *
 * <p>Implementations must be thread-safe.
 */
public interface Clock {

  /**
   * Monotonic nanoseconds from an arbitrary origin, for measuring durations and deadlines. May be
   * negative and may wrap: compare two readings by subtraction ({@code a - b < 0}), never with
   * {@code <}.
   */
  long nanoTime();

  /** Wall time, for event timestamps and HTTP dates; never for measuring durations. */
  Instant wallTime();

  /** The system's clock: {@link System#nanoTime()} and {@link Instant#now()}. */
  static Clock system() {
    return SystemClock.INSTANCE;
  }
}
