package dev.bulwark.ratelimit;

import dev.bulwark.internal.Check;
import java.time.Duration;

/**
 * How {@link RetryAfter} turns a server's {@code Retry-After} header into a delay: what to use when
 * the header is missing or unreadable, how long a server may make us wait at most, and whether to
 * listen to the server at all.
 *
 * {@snippet :
 * RetryAfterConfig config =
 *     RetryAfterConfig.builder()
 *         .defaultDelay(Duration.ofSeconds(5)) // no usable header: wait 5 s
 *         .maxDelay(Duration.ofMinutes(1)) // "Retry-After: 86400" waits 1 min
 *         .build();
 * }
 *
 * <p>Immutable; thread-safe.
 */
public final class RetryAfterConfig {
  private static final RetryAfterConfig DEFAULTS = builder().build();

  private final Duration defaultDelay;
  private final Duration maxDelay;
  private final boolean respectRetryAfter;

  private RetryAfterConfig(Builder b) {
    this.defaultDelay = b.defaultDelay;
    this.maxDelay = b.maxDelay;
    this.respectRetryAfter = b.respectRetryAfter;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults: 30 s when the header is unusable, at most 300 s, the header respected. */
  public static RetryAfterConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    return new Builder()
        .defaultDelay(defaultDelay)
        .maxDelay(maxDelay)
        .respectRetryAfter(respectRetryAfter);
  }

  /**
   * The delay used when the header is missing, unreadable or negative, or when {@link
   * #respectRetryAfter()} is false. Default 30 s.
   */
  public Duration defaultDelay() {
    return defaultDelay;
  }

  /** The longest delay ever returned, whatever the server says. Default 300 s. */
  public Duration maxDelay() {
    return maxDelay;
  }

  /** Whether the server's header is used at all; if false, always {@link #defaultDelay()}. */
  public boolean respectRetryAfter() {
    return respectRetryAfter;
  }

  @Override
  public String toString() {
    return "RetryAfterConfig[defaultDelay="
        + defaultDelay
        + ", maxDelay="
        + maxDelay
        + ", respectRetryAfter="
        + respectRetryAfter
        + "]";
  }

  /**
   * Builds a {@link RetryAfterConfig}. Setters check their own value; {@link #build()} checks how
   * values fit.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private Duration defaultDelay = Duration.ofSeconds(30);
    private Duration maxDelay = Duration.ofSeconds(300);
    private boolean respectRetryAfter = true;

    private Builder() {}

    /**
     * The delay when the header is unusable, in [0, 365 days] and at most {@link #maxDelay}.
     * Default 30 s.
     *
     * @throws IllegalArgumentException if {@code delay} is negative or too long
     */
    public Builder defaultDelay(Duration delay) {
      this.defaultDelay = Check.nonNegative("defaultDelay", delay);
      return this;
    }

    /**
     * The longest delay ever returned, in (0, 365 days]. Default 300 s.
     *
     * @throws IllegalArgumentException if {@code delay} is not positive or too long
     */
    public Builder maxDelay(Duration delay) {
      this.maxDelay = Check.positive("maxDelay", delay);
      return this;
    }

    /** Whether to use the server's header; false always gives the default delay. Default true. */
    public Builder respectRetryAfter(boolean respect) {
      this.respectRetryAfter = respect;
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalArgumentException if {@code defaultDelay} exceeds {@code maxDelay}
     */
    public RetryAfterConfig build() {
      if (defaultDelay.compareTo(maxDelay) > 0) {
        throw new IllegalArgumentException(
            "defaultDelay must be in [PT0S, " + maxDelay + "] (maxDelay), was " + defaultDelay);
      }
      return new RetryAfterConfig(this);
    }
  }
}
