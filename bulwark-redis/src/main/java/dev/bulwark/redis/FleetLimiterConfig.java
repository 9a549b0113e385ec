package dev.bulwark.redis;

import dev.bulwark.ratelimit.RateLimiterConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * A {@link FleetLimiter} as the registry builds it: where Redis is, how long a command may take,
 * what to do without Redis, and the limit the fleet shares. Read from {@code BULWARK_REDIS_*}
 * variables and {@code bulwark.redis.*} properties ({@code BULWARK_REDIS_URI}, {@code
 * BULWARK_REDIS_PARTNER_LIMIT} for the limiter named "partner"). {@link #toString()} never shows
 * the URI's credentials.
 *
 * <p>Immutable; thread-safe.
 */
public final class FleetLimiterConfig {
  private static final FleetLimiterConfig DEFAULTS = builder().build();

  private final String uri;
  private final Duration commandTimeout;
  private final FallbackMode fallback;
  private final int expectedInstances;
  private final int lease;
  private final RateLimiterConfig limiter;

  private FleetLimiterConfig(Builder b, RateLimiterConfig limiter) {
    this.uri = b.uri;
    this.commandTimeout = b.commandTimeout;
    this.fallback = b.fallback;
    this.expectedInstances = b.expectedInstances;
    this.lease = b.lease;
    this.limiter = limiter;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The defaults: Redis at {@code redis://localhost:6379}, 250 ms command timeout, {@link
   * FallbackMode#LOCAL_SHARE} for 1 expected instance, 100 permits per second.
   */
  public static FleetLimiterConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.uri = uri;
    b.commandTimeout = commandTimeout;
    b.fallback = fallback;
    b.expectedInstances = expectedInstances;
    b.lease = lease;
    b.limiter = limiter.toBuilder();
    return b;
  }

  /** Where Redis is, as Lettuce reads it; may hold credentials. Default redis://localhost:6379. */
  public String uri() {
    return uri;
  }

  /** The most a command may take before the limiter falls back. Default 250 ms. */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /** What the limiter does without Redis. Default {@link FallbackMode#LOCAL_SHARE}. */
  public FallbackMode fallback() {
    return fallback;
  }

  /** How many instances share the limit. Default 1. */
  public int expectedInstances() {
    return expectedInstances;
  }

  /**
   * Permits one round trip to Redis may take for this instance to hand out locally (see {@link
   * RedisFleet#rateLimiter(String, RateLimiterConfig, int)} for the trade-off). Default 1: no
   * lease.
   */
  public int lease() {
    return lease;
  }

  /** The limit the fleet shares. Default {@link RateLimiterConfig#ofDefaults()}. */
  public RateLimiterConfig limiter() {
    return limiter;
  }

  /** True if {@code o} is a configuration with the same settings. */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof FleetLimiterConfig)) {
      return false;
    }
    FleetLimiterConfig c = (FleetLimiterConfig) o;
    return uri.equals(c.uri)
        && commandTimeout.equals(c.commandTimeout)
        && fallback == c.fallback
        && expectedInstances == c.expectedInstances
        && lease == c.lease
        && limiter.equals(c.limiter);
  }

  @Override
  public int hashCode() {
    return Objects.hash(uri, commandTimeout, fallback, expectedInstances, lease, limiter);
  }

  /** The settings, the URI without user and password. */
  @Override
  public String toString() {
    return "FleetLimiterConfig[uri="
        + withoutCredentials(uri)
        + ", commandTimeout="
        + commandTimeout
        + ", fallback="
        + fallback
        + ", expectedInstances="
        + expectedInstances
        + ", lease="
        + lease
        + ", limiter="
        + limiter
        + "]";
  }

  /** {@code uri} with anything between "://" and "@" replaced by "***". */
  static String withoutCredentials(String uri) {
    int scheme = uri.indexOf("://");
    int at = uri.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return uri;
    }
    return uri.substring(0, scheme + 3) + "***" + uri.substring(at);
  }

  /**
   * Builds a {@link FleetLimiterConfig}. Setters check their own value; {@link #build()} checks how
   * values fit.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private String uri = "redis://localhost:6379";
    private Duration commandTimeout = Duration.ofMillis(250);
    private FallbackMode fallback = FallbackMode.LOCAL_SHARE;
    private int expectedInstances = 1;
    private int lease = 1;
    private RateLimiterConfig.Builder limiter = RateLimiterConfig.builder();

    private Builder() {}

    /**
     * Where Redis is: {@code redis://host:port}, {@code rediss://user:password@host:port/db} for
     * TLS and AUTH.
     *
     * @throws NullPointerException if {@code uri} is null
     * @throws IllegalArgumentException if {@code uri} is blank
     */
    public Builder uri(String uri) {
      Check.notNull("uri", uri);
      if (uri.isBlank()) {
        throw new IllegalArgumentException("uri must not be blank");
      }
      this.uri = uri.trim();
      return this;
    }

    /**
     * The most a command may take, in [1 ms, 1 min]. Default 250 ms.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder commandTimeout(Duration timeout) {
      Check.notNull("commandTimeout", timeout);
      if (timeout.compareTo(Duration.ofMillis(1)) < 0
          || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException(
            "commandTimeout must be in [PT0.001S, PT1M], was " + timeout);
      }
      this.commandTimeout = timeout;
      return this;
    }

    /**
     * What to do without Redis. Default {@link FallbackMode#LOCAL_SHARE}.
     *
     * @throws NullPointerException if {@code mode} is null
     */
    public Builder fallback(FallbackMode mode) {
      this.fallback = Check.notNull("fallback", mode);
      return this;
    }

    /**
     * How many instances share the limit, in [1, 100,000]. Default 1.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder expectedInstances(int instances) {
      this.expectedInstances = Check.inRange("expectedInstances", instances, 1, 100_000);
      return this;
    }

    /**
     * Permits one round trip may take, handed out locally, in [1, 10,000] and at most the burst.
     * Default 1: no lease.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder lease(int permits) {
      this.lease = Check.inRange("lease", permits, 1, 10_000);
      return this;
    }

    /**
     * Permits per period for the whole fleet, at least 1. Default 100.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder limit(int permits) {
      limiter.limit(permits);
      return this;
    }

    /**
     * The period of the limit, in (0, 365 days]. Default 1 s.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder period(Duration period) {
      limiter.period(period);
      return this;
    }

    /**
     * Permits the fleet may take at once after a quiet time, at least 1. Default the limit.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder burst(int permits) {
      limiter.burst(permits);
      return this;
    }

    /**
     * How long a call may wait for a permit, in [0, 365 days]. Default zero.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxWait(Duration wait) {
      limiter.maxWait(wait);
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalArgumentException if the limit is more than one permit per microsecond of the
     *     period, the lease more than the burst, or the limiter's settings do not fit (see {@link
     *     RateLimiterConfig.Builder#build})
     */
    public FleetLimiterConfig build() {
      RateLimiterConfig built = limiter.build();
      GcraRateLimiter.checkLimit(built);
      Check.inRange("lease", lease, 1, built.burst(), "burst");
      return new FleetLimiterConfig(this, built);
    }
  }
}
