package dev.bulwark.retry;

import dev.bulwark.internal.Check;
import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How long a {@link Retry} waits before each new attempt: none, fixed, or exponential up to a cap,
 * optionally spread by {@link Jitter}.
 *
 * <pre>{@code
 * Backoff backoff = Backoff.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(10))
 *     .withJitter(Backoff.Jitter.FULL);
 * }</pre>
 *
 * <p>The exponential base delay after attempt {@code n} is {@code initial × multiplier^(n-1)}. The
 * cap applies <em>before</em> jitter: a client whose base has reached the cap still waits a random
 * part of it, so a fleet of clients that all failed long ago does not retry in lock-step (capping
 * after jitter, as some libraries do, makes every capped client wait exactly the cap). Delays are
 * computed in floating point and clamped, so they never overflow or turn negative, whatever the
 * attempt number.
 *
 * <p>Immutable. Thread-safe.
 */
public final class Backoff {

  /**
   * How a delay is spread at random, so that clients that failed together do not retry together.
   * {@code d} below is the base delay, already capped.
   *
   * <p>Thread-safe.
   */
  public enum Jitter {
    /** Exactly {@code d}. */
    NONE,
    /** Uniform in {@code [0, d]}: the widest spread; the AWS-recommended choice. */
    FULL,
    /** {@code d/2} plus uniform in {@code [0, d/2]}: never shorter than half the base. */
    EQUAL,
    /**
     * {@code min(cap, uniform[initial, 3 × previous delay])}, as AWS describes it: each delay
     * depends on the previous one rather than on the attempt number, and the multiplier is unused.
     */
    DECORRELATED
  }

  private static final Backoff NONE = new Backoff(0, 1.0, 0, Jitter.NONE);

  private final long initialNanos;
  private final double multiplier;
  private final long maxNanos;
  private final Jitter jitter;

  private Backoff(long initialNanos, double multiplier, long maxNanos, Jitter jitter) {
    this.initialNanos = initialNanos;
    this.multiplier = multiplier;
    this.maxNanos = maxNanos;
    this.jitter = jitter;
  }

  /**
   * No wait at all: the next attempt starts at once. A rejection's {@code retryAfter} is then
   * ignored too, since the cap is zero.
   *
   * <p>Thread-safe.
   */
  public static Backoff none() {
    return NONE;
  }

  /**
   * The same {@code delay} before every attempt (with {@link Jitter}, spread below it).
   *
   * <p>Thread-safe.
   *
   * @param delay in [0, 365 days]
   * @throws IllegalArgumentException if {@code delay} is out of range
   * @throws NullPointerException if {@code delay} is null
   */
  public static Backoff fixed(Duration delay) {
    long nanos = Check.nonNegative("delay", delay).toNanos();
    return new Backoff(nanos, 1.0, nanos, Jitter.NONE);
  }

  /**
   * A delay that starts at {@code initial} and is multiplied by {@code multiplier} after each
   * failed attempt, up to {@code max}.
   *
   * <p>Thread-safe.
   *
   * @param initial the delay after the first attempt, in (0, 365 days]
   * @param multiplier growth per attempt, in [1.0, 1000.0]
   * @param max the cap, in [initial, 365 days]
   * @throws IllegalArgumentException if a value is out of range, naming it
   * @throws NullPointerException if a duration is null
   */
  public static Backoff exponential(Duration initial, double multiplier, Duration max) {
    long initialNanos = Check.positive("initial", initial).toNanos();
    Check.inRange("multiplier", multiplier, 1.0, 1000.0);
    Check.positive("max", max);
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "max must be in [initial (" + initial + "), " + Check.MAX_DURATION + "], was " + max);
    }
    return new Backoff(initialNanos, multiplier, max.toNanos(), Jitter.NONE);
  }

  /**
   * This backoff with its delays spread by {@code jitter}.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if {@code jitter} is null
   */
  public Backoff withJitter(Jitter jitter) {
    Check.notNull("jitter", jitter);
    return jitter == this.jitter ? this : new Backoff(initialNanos, multiplier, maxNanos, jitter);
  }

  /** The delay after the first attempt, before jitter. Thread-safe. */
  public Duration initial() {
    return Duration.ofNanos(initialNanos);
  }

  /** How much the base delay grows per attempt; 1.0 for a fixed backoff. Thread-safe. */
  public double multiplier() {
    return multiplier;
  }

  /** The longest delay this backoff ever returns. Thread-safe. */
  public Duration max() {
    return Duration.ofNanos(maxNanos);
  }

  /** The longest delay, in nanoseconds. */
  long maxNanos() {
    return maxNanos;
  }

  /** How delays are spread. Default {@link Jitter#NONE}. Thread-safe. */
  public Jitter jitter() {
    return jitter;
  }

  /**
   * The delay, in nanoseconds, before the attempt after {@code attempt}.
   *
   * <p>Thread-safe if {@code random} is used by one thread only.
   *
   * @param attempt the number of the attempt that just failed; the first is 1
   * @param previousDelayNanos the delay waited before {@code attempt}, or 0 before the first; only
   *     {@link Jitter#DECORRELATED} uses it
   * @param random where jitter is drawn from; not used by {@link Jitter#NONE}, but required
   * @return a delay in [0, {@link #max()}]; with {@link Jitter#DECORRELATED}, in [{@link
   *     #initial()}, {@link #max()}]
   * @throws NullPointerException if {@code random} is null
   * @throws IllegalArgumentException if {@code attempt} is below 1
   */
  public long delayNanos(int attempt, long previousDelayNanos, RandomGenerator random) {
    Check.notNull("random", random);
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be in [1, 2147483647], was " + attempt);
    }
    switch (jitter) {
      case NONE:
        return base(attempt);
      case FULL:
        return uniform(0, base(attempt), random);
      case EQUAL:
        long d = base(attempt);
        return uniform(d - d / 2, d, random); // ceil(d/2) + [0, floor(d/2)]: never above d
      case DECORRELATED:
        // previous clamped into [initial, max] first: the first attempt passes 0, and a caller may
        // pass anything; max <= 365 days, so 3 * previous cannot overflow.
        long previous = Math.min(Math.max(previousDelayNanos, initialNanos), maxNanos);
        return Math.min(maxNanos, uniform(initialNanos, previous * 3, random));
      default:
        throw new AssertionError(jitter);
    }
  }

  /** initial × multiplier^(attempt-1), capped; in double so a huge attempt saturates. */
  private long base(int attempt) {
    if (multiplier == 1.0 || attempt == 1) {
      return initialNanos;
    }
    // Math.pow is semi-monotonic, so base never decreases as attempt grows; infinity clamps too.
    double exact = initialNanos * Math.pow(multiplier, attempt - 1);
    return exact >= maxNanos ? maxNanos : (long) exact;
  }

  /** Uniform in [low, high], both inclusive; high - low is far below Long.MAX_VALUE here. */
  private static long uniform(long low, long high, RandomGenerator random) {
    return high <= low ? low : low + random.nextLong(high - low + 1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Backoff
        && ((Backoff) o).initialNanos == initialNanos
        && Double.compare(((Backoff) o).multiplier, multiplier) == 0
        && ((Backoff) o).maxNanos == maxNanos
        && ((Backoff) o).jitter == jitter;
  }

  @Override
  public int hashCode() {
    return Objects.hash(initialNanos, multiplier, maxNanos, jitter);
  }

  @Override
  public String toString() {
    if (maxNanos == 0) {
      return "Backoff.none()";
    }
    return "Backoff[initial="
        + initial()
        + ", multiplier="
        + multiplier
        + ", max="
        + max()
        + ", jitter="
        + jitter
        + "]";
  }
}
