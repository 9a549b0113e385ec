package dev.bulwark.ratelimit;

import dev.bulwark.internal.Check;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * How many calls a {@link RateLimiter} lets through, by which algorithm, and how long a caller may
 * wait for a permit.
 *
 * {@snippet :
 * RateLimiterConfig config =
 *     RateLimiterConfig.builder()
 *         .limit(100)
 *         .period(Duration.ofSeconds(1)) // 100 permits per second
 *         .burst(20) // at most 20 at once after a quiet spell
 *         .maxWait(Duration.ofMillis(50)) // wait up to 50 ms for a permit, else fail at once
 *         .build();
 * }
 *
 * <p>Immutable; thread-safe.
 */
public final class RateLimiterConfig {

  /** How permits are counted. Immutable; thread-safe. */
  public enum Algorithm {
    /**
     * Permits refill continuously at {@code limit} per {@code period}, up to {@code burst} saved
     * for later: smooth, and never more than {@code limit × elapsed / period + burst} in any span
     * of time.
     */
    TOKEN_BUCKET,
    /**
     * At most {@code limit} permits in each window of {@code period}; windows are aligned to the
     * limiter's creation by its monotonic clock. Simple and predictable, but up to twice the limit
     * can pass in one period that straddles a window boundary.
     */
    FIXED_WINDOW
  }

  private static final RateLimiterConfig DEFAULTS = builder().build();

  private final Algorithm algorithm;
  private final int limit;
  private final Duration period;
  private final int burst;
  private final boolean burstSet;
  private final Duration maxWait;
  private final boolean holdOnServerBusy;

  private RateLimiterConfig(Builder b) {
    this.algorithm = b.algorithm;
    this.limit = b.limit;
    this.period = b.period;
    this.burst = b.burst == 0 ? b.limit : b.burst;
    this.burstSet = b.burst != 0;
    this.maxWait = b.maxWait;
    this.holdOnServerBusy = b.holdOnServerBusy;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The defaults: a token bucket of 100 permits per second, burst 100, no waiting, not holding on
   * {@link ServerBusyException}.
   */
  public static RateLimiterConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.algorithm = algorithm;
    b.limit = limit;
    b.period = period;
    b.burst = burstSet ? burst : 0;
    b.maxWait = maxWait;
    b.holdOnServerBusy = holdOnServerBusy;
    return b;
  }

  /** How permits are counted. Default {@link Algorithm#TOKEN_BUCKET}. */
  public Algorithm algorithm() {
    return algorithm;
  }

  /** Permits per {@link #period()}. Default 100. */
  public int limit() {
    return limit;
  }

  /** The span of time {@link #limit()} applies to; for a fixed window, its length. Default 1 s. */
  public Duration period() {
    return period;
  }

  /**
   * The most permits a token bucket saves up and hands out at once. Default {@link #limit()}; for
   * {@link Algorithm#FIXED_WINDOW} always {@link #limit()}.
   */
  public int burst() {
    return burst;
  }

  /**
   * How long a caller may wait for a permit; a caller that cannot get one within it is rejected at
   * once, without waiting. Default zero: never wait.
   */
  public Duration maxWait() {
    return maxWait;
  }

  /**
   * Whether a {@link ServerBusyException} from a call through the limiter holds back every caller
   * of the limiter for the delay the server asked for (see {@link RateLimiter#holdFor}). Default
   * false.
   */
  public boolean holdOnServerBusy() {
    return holdOnServerBusy;
  }

  /** The time between two permits, rounded up to a whole nanosecond. */
  long intervalNanos() {
    long periodNanos = period.toNanos();
    return (periodNanos + limit - 1) / limit;
  }

  /**
   * The names of the settings, as the builder spells them, in which {@code other} differs from this
   * configuration; empty if they are equal. A burst that follows the limit counts as changed when
   * its value does.
   */
  Set<String> changedSettings(RateLimiterConfig other) {
    Set<String> changed = new LinkedHashSet<>();
    if (algorithm != other.algorithm) {
      changed.add("algorithm");
    }
    if (limit != other.limit) {
      changed.add("limit");
    }
    if (!period.equals(other.period)) {
      changed.add("period");
    }
    if (burst != other.burst || burstSet != other.burstSet) {
      changed.add("burst");
    }
    if (!maxWait.equals(other.maxWait)) {
      changed.add("maxWait");
    }
    if (holdOnServerBusy != other.holdOnServerBusy) {
      changed.add("holdOnServerBusy");
    }
    return changed;
  }

  /** True if {@code o} is a configuration with the same settings. */
  @Override
  public boolean equals(Object o) {
    return o instanceof RateLimiterConfig && changedSettings((RateLimiterConfig) o).isEmpty();
  }

  @Override
  public int hashCode() {
    return Objects.hash(algorithm, limit, period, burst, burstSet, maxWait, holdOnServerBusy);
  }

  @Override
  public String toString() {
    return "RateLimiterConfig[algorithm="
        + algorithm
        + ", limit="
        + limit
        + ", period="
        + period
        + ", burst="
        + burst
        + ", maxWait="
        + maxWait
        + ", holdOnServerBusy="
        + holdOnServerBusy
        + "]";
  }

  /**
   * Builds a {@link RateLimiterConfig}. Setters check their own value; {@link #build()} checks how
   * values fit.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private Algorithm algorithm = Algorithm.TOKEN_BUCKET;
    private int limit = 100;
    private Duration period = Duration.ofSeconds(1);
    private int burst; // 0 = the limit
    private Duration maxWait = Duration.ZERO;
    private boolean holdOnServerBusy;

    private Builder() {}

    /**
     * How permits are counted. Default {@link Algorithm#TOKEN_BUCKET}.
     *
     * @throws NullPointerException if {@code algorithm} is null
     */
    public Builder algorithm(Algorithm algorithm) {
      this.algorithm = Check.notNull("algorithm", algorithm);
      return this;
    }

    /**
     * Permits per {@link #period}, at least 1 and at most one per nanosecond of the period. Default
     * 100.
     *
     * @throws IllegalArgumentException if {@code permits} is below 1
     */
    public Builder limit(int permits) {
      this.limit = Check.inRange("limit", permits, 1, Integer.MAX_VALUE);
      return this;
    }

    /**
     * The span of time the limit applies to, in (0, 365 days]. Default 1 s.
     *
     * @throws IllegalArgumentException if {@code period} is not positive or is too long
     */
    public Builder period(Duration period) {
      this.period = Check.positive("period", period);
      return this;
    }

    /**
     * The most permits a token bucket saves up for a burst, at least 1. Default: the limit. Only
     * for {@link Algorithm#TOKEN_BUCKET}.
     *
     * @throws IllegalArgumentException if {@code permits} is below 1
     */
    public Builder burst(int permits) {
      this.burst = Check.inRange("burst", permits, 1, Integer.MAX_VALUE);
      return this;
    }

    /**
     * How long a caller may wait for a permit, in [0, 365 days]. Default zero: reject at once.
     *
     * @throws IllegalArgumentException if {@code wait} is negative or too long
     */
    public Builder maxWait(Duration wait) {
      this.maxWait = Check.nonNegative("maxWait", wait);
      return this;
    }

    /**
     * Whether a {@link ServerBusyException} from a call holds back every caller of the limiter for
     * the server's delay. Default false.
     */
    public Builder holdOnServerBusy(boolean hold) {
      this.holdOnServerBusy = hold;
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalArgumentException if the limit is more than one permit per nanosecond of the
     *     period, if a burst is set for a fixed window, or if the bucket would take more than 365
     *     days to refill
     */
    public RateLimiterConfig build() {
      long periodNanos = period.toNanos();
      if (limit > periodNanos) {
        throw new IllegalArgumentException(
            "limit must be in [1, "
                + periodNanos
                + "] (one permit per nanosecond of period "
                + period
                + "), was "
                + limit);
      }
      if (algorithm == Algorithm.FIXED_WINDOW && burst != 0 && burst != limit) {
        throw new IllegalArgumentException(
            "burst must equal limit (" + limit + ") for a FIXED_WINDOW rate limiter, was " + burst);
      }
      long intervalNanos = (periodNanos + limit - 1) / limit;
      long maxBurst = Check.MAX_DURATION.toNanos() / intervalNanos;
      int effectiveBurst = burst == 0 ? limit : burst;
      if (effectiveBurst > maxBurst) {
        throw new IllegalArgumentException(
            "burst must be in [1, "
                + maxBurst
                + "] (a full bucket must refill within "
                + Check.MAX_DURATION
                + " at limit/period), was "
                + effectiveBurst);
      }
      return new RateLimiterConfig(this);
    }
  }
}
