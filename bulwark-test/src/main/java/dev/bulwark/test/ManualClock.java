package dev.bulwark.test;

import dev.bulwark.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to, so time-based behaviour is tested without sleeping.
 *
 * <p>Monotonic time starts wherever asked; {@link #nearOverflow()} starts it just below {@code
 * Long.MAX_VALUE}, so code that compares nano times with {@code <} instead of subtraction fails its
 * tests. Wall time moves in step with monotonic time.
 *
 * {@snippet :
 * ManualClock clock = ManualClock.nearOverflow();
 * CircuitBreaker breaker = CircuitBreaker.of("db", config, clock);
 * clock.advance(Duration.ofSeconds(30)); // the open wait is over
 * }
 *
 * <p>Thread-safe.
 */
public final class ManualClock implements Clock {
  /** The wall time every manual clock starts at unless told otherwise. */
  public static final Instant DEFAULT_WALL_TIME = Instant.parse("2026-01-01T00:00:00Z");

  private final AtomicLong nanos;
  private final long originNanos;
  private final Instant originWall;

  private ManualClock(long startNanos, Instant startWall) {
    this.nanos = new AtomicLong(startNanos);
    this.originNanos = startNanos;
    this.originWall = Objects.requireNonNull(startWall, "startWall");
  }

  /** A clock at nano time 0 and wall time {@link #DEFAULT_WALL_TIME}. */
  public static ManualClock create() {
    return new ManualClock(0, DEFAULT_WALL_TIME);
  }

  /** A clock whose nano time overflows after one hour: catches comparisons that ignore wrap. */
  public static ManualClock nearOverflow() {
    return new ManualClock(Long.MAX_VALUE - Duration.ofHours(1).toNanos(), DEFAULT_WALL_TIME);
  }

  /** A clock at the given nano time and wall time. */
  public static ManualClock startingAt(long startNanos, Instant startWall) {
    return new ManualClock(startNanos, startWall);
  }

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  @Override
  public Instant wallTime() {
    return originWall.plusNanos(nanos.get() - originNanos);
  }

  /**
   * Moves time forward by {@code duration}.
   *
   * @throws IllegalArgumentException if {@code duration} is negative: monotonic time never goes
   *     back
   */
  public ManualClock advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative, was " + duration);
    }
    return advanceNanos(duration.toNanos());
  }

  /** Moves time forward by {@code deltaNanos} (not negative). */
  public ManualClock advanceNanos(long deltaNanos) {
    if (deltaNanos < 0) {
      throw new IllegalArgumentException("deltaNanos must not be negative, was " + deltaNanos);
    }
    nanos.addAndGet(deltaNanos); // may wrap, as System.nanoTime may
    return this;
  }

  /** How much time has passed since this clock was created. */
  public Duration elapsed() {
    return Duration.ofNanos(nanos.get() - originNanos);
  }

  @Override
  public String toString() {
    return "ManualClock[elapsed=" + elapsed() + "]";
  }
}
