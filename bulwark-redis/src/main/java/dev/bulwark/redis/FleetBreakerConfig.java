package dev.bulwark.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * A {@link FleetBreaker} as the registry builds it: where Redis is, how long a command may take,
 * and the quorum of peers whose reports open this instance's breaker. Read from {@code
 * BULWARK_FLEET_BREAKER_*} variables and {@code bulwark.fleet-breaker.*} properties ({@code
 * BULWARK_FLEET_BREAKER_PARTNER_QUORUM} for the breaker named "partner"). {@link #toString()} never
 * shows the URI's credentials.
 *
 * <p>Immutable; thread-safe.
 */
public final class FleetBreakerConfig {
  private static final FleetBreakerConfig DEFAULTS = builder().build();

  private final String uri;
  private final Duration commandTimeout;
  private final int quorum;
  private final Duration window;

  private FleetBreakerConfig(Builder b) {
    this.uri = b.uri;
    this.commandTimeout = b.commandTimeout;
    this.quorum = b.quorum;
    this.window = b.window;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The defaults: Redis at {@code redis://localhost:6379}, 250 ms command timeout, a quorum of 2
   * peers within 10 s.
   */
  public static FleetBreakerConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.uri = uri;
    b.commandTimeout = commandTimeout;
    b.quorum = quorum;
    b.window = window;
    return b;
  }

  /** Where Redis is, as Lettuce reads it; may hold credentials. Default redis://localhost:6379. */
  public String uri() {
    return uri;
  }

  /** The most a command may take. Default 250 ms. */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /** How many distinct peers must report the breaker open to open this one. Default 2. */
  public int quorum() {
    return quorum;
  }

  /** How long a peer's report counts. Default 10 s. */
  public Duration window() {
    return window;
  }

  /** True if {@code o} is a configuration with the same settings. */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof FleetBreakerConfig)) {
      return false;
    }
    FleetBreakerConfig c = (FleetBreakerConfig) o;
    return uri.equals(c.uri)
        && commandTimeout.equals(c.commandTimeout)
        && quorum == c.quorum
        && window.equals(c.window);
  }

  @Override
  public int hashCode() {
    return Objects.hash(uri, commandTimeout, quorum, window);
  }

  /** The settings, the URI without user and password. */
  @Override
  public String toString() {
    return "FleetBreakerConfig[uri="
        + FleetLimiterConfig.withoutCredentials(uri)
        + ", commandTimeout="
        + commandTimeout
        + ", quorum="
        + quorum
        + ", window="
        + window
        + "]";
  }

  /**
   * Builds a {@link FleetBreakerConfig}; setters check their own value.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private String uri = "redis://localhost:6379";
    private Duration commandTimeout = Duration.ofMillis(250);
    private int quorum = 2;
    private Duration window = Duration.ofSeconds(10);

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
      this.commandTimeout =
          RedisFleet.Builder.range(
              "commandTimeout", timeout, Duration.ofMillis(1), Duration.ofMinutes(1));
      return this;
    }

    /**
     * How many distinct peers (this instance not counted) must report the breaker open within the
     * window to open this one, in [1, 1000]. Default 2.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder quorum(int peers) {
      this.quorum = Check.inRange("quorum", peers, 1, 1_000);
      return this;
    }

    /**
     * How long a peer's report counts, in [1 ms, 1 day]. Default 10 s.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder window(Duration window) {
      this.window =
          RedisFleet.Builder.range("window", window, Duration.ofMillis(1), Duration.ofDays(1));
      return this;
    }

    /** The configuration. */
    public FleetBreakerConfig build() {
      return new FleetBreakerConfig(this);
    }
  }
}
