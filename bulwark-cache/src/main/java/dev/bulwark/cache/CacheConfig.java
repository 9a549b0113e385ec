package dev.bulwark.cache;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How long a {@link ResilientCache} keeps values fresh, how long it may serve them stale, and how
 * it refreshes them. Each setting below is listed with its name, type, default and range; the
 * setter of the same name checks the range. In a {@code Resilience} registry every setting but
 * {@code keyPrefix} is also read from {@code BULWARK_CACHE_[<NAME>_]<SETTING>} variables and {@code
 * bulwark.cache.*} properties, as declared by {@link ResilientCache#KIND} (see {@code
 * docs/configuration.md}).
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>type</th><th>default</th><th>range</th><th>meaning</th></tr>
 *   <tr><td>ttl</td><td>Duration</td><td>5 min</td><td>(0, 365 d]</td>
 *       <td>how long a loaded value is fresh (the Redis level keeps it this long, plus the stale
 *       windows)</td></tr>
 *   <tr><td>localTtl</td><td>Duration</td><td>min(ttl, 60 s) with Redis, ttl without</td>
 *       <td>(0, ttl]</td><td>how long the process level serves a value before asking Redis
 *       again; bounds how long another instance's write stays unseen</td></tr>
 *   <tr><td>staleIfError</td><td>Duration</td><td>5 min</td><td>[0, 365 d]</td>
 *       <td>how long past its ttl a value may still be served when the load fails</td></tr>
 *   <tr><td>staleWhileRevalidate</td><td>Duration</td><td>0 (off)</td><td>[0, 365 d]</td>
 *       <td>how long past its ttl a value is served at once while a load refreshes it in the
 *       background</td></tr>
 *   <tr><td>negativeTtl</td><td>Duration</td><td>0 (off)</td><td>[0, 365 d]</td>
 *       <td>how long a load that found nothing (returned null) is remembered</td></tr>
 *   <tr><td>earlyRefreshBeta</td><td>double</td><td>0 (off)</td><td>[0, 10]</td>
 *       <td>probabilistic early expiration (XFetch): a hit refreshes a value in the background
 *       with a probability that grows as its expiry nears, scaled by how long its load took;
 *       1 is the usual choice</td></tr>
 *   <tr><td>refreshAhead</td><td>Duration</td><td>none</td><td>(0, ttl)</td>
 *       <td>a hit on a value older than this refreshes it in the background</td></tr>
 *   <tr><td>maximumSize</td><td>long</td><td>10,000</td><td>[1, 2^40]</td>
 *       <td>entries the process level keeps (least recently/frequently used go first)</td></tr>
 *   <tr><td>lease</td><td>Duration</td><td>0 (off)</td><td>[0, 60 s]</td>
 *       <td>with Redis: an instance that misses takes a Redis lease of this length before
 *       loading; others wait up to that long for its value (or serve stale) instead of loading
 *       too</td></tr>
 *   <tr><td>version</td><td>int</td><td>1</td><td>[1, 1,000,000]</td>
 *       <td>part of every Redis key: bump it when a value's shape changes</td></tr>
 *   <tr><td>keyPrefix</td><td>String</td><td>"bulwark:" + cache name</td><td>not blank</td>
 *       <td>the Redis key namespace, before the version</td></tr>
 * </table>
 *
 * <p>Immutable; thread-safe.
 */
public final class CacheConfig {

  private final Duration ttl;
  private final @Nullable Duration localTtl;
  private final Duration staleIfError;
  private final Duration staleWhileRevalidate;
  private final Duration negativeTtl;
  private final double earlyRefreshBeta;
  private final @Nullable Duration refreshAhead;
  private final long maximumSize;
  private final Duration lease;
  private final int version;
  private final @Nullable String keyPrefix;

  private CacheConfig(Builder b) {
    this.ttl = b.ttl;
    this.localTtl = b.localTtl;
    this.staleIfError = b.staleIfError;
    this.staleWhileRevalidate = b.staleWhileRevalidate;
    this.negativeTtl = b.negativeTtl;
    this.earlyRefreshBeta = b.earlyRefreshBeta;
    this.refreshAhead = b.refreshAhead;
    this.maximumSize = b.maximumSize;
    this.lease = b.lease;
    this.version = b.version;
    this.keyPrefix = b.keyPrefix;
  }

  /** A builder with every default. Not thread-safe. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults: 5 min fresh, 5 min stale-if-error, nothing else on. */
  public static CacheConfig ofDefaults() {
    return builder().build();
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.ttl = ttl;
    b.localTtl = localTtl;
    b.staleIfError = staleIfError;
    b.staleWhileRevalidate = staleWhileRevalidate;
    b.negativeTtl = negativeTtl;
    b.earlyRefreshBeta = earlyRefreshBeta;
    b.refreshAhead = refreshAhead;
    b.maximumSize = maximumSize;
    b.lease = lease;
    b.version = version;
    b.keyPrefix = keyPrefix;
    return b;
  }

  /** How long a loaded value is fresh. Default 5 minutes. */
  public Duration ttl() {
    return ttl;
  }

  /**
   * How long the process level serves a value before asking the next level; empty means the
   * default: min(ttl, 60 s) when the cache has a Redis level, ttl when it has none.
   */
  public Optional<Duration> localTtl() {
    return Optional.ofNullable(localTtl);
  }

  /** How long past its ttl a value is served when the load fails. Default 5 minutes. */
  public Duration staleIfError() {
    return staleIfError;
  }

  /** How long past its ttl a value is served while refreshed in the background. Default 0. */
  public Duration staleWhileRevalidate() {
    return staleWhileRevalidate;
  }

  /** How long "not found" (a null load) is remembered. Default 0: not remembered. */
  public Duration negativeTtl() {
    return negativeTtl;
  }

  /** XFetch's beta; 0 (the default) turns probabilistic early refresh off. */
  public double earlyRefreshBeta() {
    return earlyRefreshBeta;
  }

  /** The age after which a hit refreshes its value in the background; empty (default) is off. */
  public Optional<Duration> refreshAhead() {
    return Optional.ofNullable(refreshAhead);
  }

  /** Entries the process level keeps. Default 10,000. */
  public long maximumSize() {
    return maximumSize;
  }

  /** The cross-instance load lease; zero (the default) is off. */
  public Duration lease() {
    return lease;
  }

  /** The value-shape version in every Redis key. Default 1. */
  public int version() {
    return version;
  }

  /** The Redis key prefix; empty means "bulwark:" + the cache's name. */
  public Optional<String> keyPrefix() {
    return Optional.ofNullable(keyPrefix);
  }

  @Override
  public String toString() {
    return "CacheConfig[ttl="
        + ttl
        + ", localTtl="
        + localTtl
        + ", staleIfError="
        + staleIfError
        + ", staleWhileRevalidate="
        + staleWhileRevalidate
        + ", negativeTtl="
        + negativeTtl
        + ", earlyRefreshBeta="
        + earlyRefreshBeta
        + ", refreshAhead="
        + refreshAhead
        + ", maximumSize="
        + maximumSize
        + ", lease="
        + lease
        + ", version="
        + version
        + ", keyPrefix="
        + keyPrefix
        + "]";
  }

  /** Not thread-safe. Setters check their own value; {@link #build()} checks how values fit. */
  public static final class Builder {
    private Duration ttl = Duration.ofMinutes(5);
    private @Nullable Duration localTtl;
    private Duration staleIfError = Duration.ofMinutes(5);
    private Duration staleWhileRevalidate = Duration.ZERO;
    private Duration negativeTtl = Duration.ZERO;
    private double earlyRefreshBeta;
    private @Nullable Duration refreshAhead;
    private long maximumSize = 10_000;
    private Duration lease = Duration.ZERO;
    private int version = 1;
    private @Nullable String keyPrefix;

    private Builder() {}

    /**
     * How long a loaded value is fresh.
     *
     * @throws IllegalArgumentException if not in (0, 365 days]
     */
    public Builder ttl(Duration ttl) {
      this.ttl = upTo("ttl", Check.positive("ttl", ttl));
      return this;
    }

    /**
     * How long the process level serves a value before asking Redis again.
     *
     * @throws IllegalArgumentException if not positive (build() also checks it is at most ttl)
     */
    public Builder localTtl(Duration localTtl) {
      this.localTtl = upTo("localTtl", Check.positive("localTtl", localTtl));
      return this;
    }

    /**
     * How long past its ttl a value may be served when its load fails; zero turns it off.
     *
     * @throws IllegalArgumentException if not in [0, 365 days]
     */
    public Builder staleIfError(Duration staleIfError) {
      this.staleIfError = upTo("staleIfError", Check.nonNegative("staleIfError", staleIfError));
      return this;
    }

    /**
     * How long past its ttl a value is served at once while it is refreshed in the background.
     *
     * @throws IllegalArgumentException if not in [0, 365 days]
     */
    public Builder staleWhileRevalidate(Duration staleWhileRevalidate) {
      this.staleWhileRevalidate =
          upTo(
              "staleWhileRevalidate",
              Check.nonNegative("staleWhileRevalidate", staleWhileRevalidate));
      return this;
    }

    /**
     * How long a load that found nothing is remembered; zero turns negative caching off.
     *
     * @throws IllegalArgumentException if not in [0, 365 days]
     */
    public Builder negativeTtl(Duration negativeTtl) {
      this.negativeTtl = upTo("negativeTtl", Check.nonNegative("negativeTtl", negativeTtl));
      return this;
    }

    /**
     * XFetch's beta: above 0, a hit may refresh a value early, the more likely the nearer its
     * expiry and the slower its load.
     *
     * @throws IllegalArgumentException if not in [0, 10]
     */
    public Builder earlyRefreshBeta(double beta) {
      this.earlyRefreshBeta = Check.inRange("earlyRefreshBeta", beta, 0, 10);
      return this;
    }

    /**
     * A hit on a value older than {@code age} refreshes it in the background.
     *
     * @throws IllegalArgumentException if not positive (build() also checks it is below ttl)
     */
    public Builder refreshAhead(Duration age) {
      this.refreshAhead = upTo("refreshAhead", Check.positive("refreshAhead", age));
      return this;
    }

    /**
     * Entries the process level keeps.
     *
     * @throws IllegalArgumentException if not in [1, 2^40]
     */
    public Builder maximumSize(long entries) {
      if (entries < 1 || entries > (1L << 40)) {
        throw new IllegalArgumentException(
            "maximumSize must be in [1, " + (1L << 40) + "], was " + entries);
      }
      this.maximumSize = entries;
      return this;
    }

    /**
     * The cross-instance load lease; zero turns it off.
     *
     * @throws IllegalArgumentException if not in [0, 60 s]
     */
    public Builder lease(Duration lease) {
      Check.nonNegative("lease", lease);
      if (lease.compareTo(Duration.ofSeconds(60)) > 0) {
        throw new IllegalArgumentException("lease must be in [0, PT1M], was " + lease);
      }
      this.lease = lease;
      return this;
    }

    /**
     * The value-shape version in every Redis key.
     *
     * @throws IllegalArgumentException if not in [1, 1,000,000]
     */
    public Builder version(int version) {
      this.version = Check.inRange("version", version, 1, 1_000_000);
      return this;
    }

    /**
     * The Redis key prefix.
     *
     * @throws IllegalArgumentException if blank
     */
    public Builder keyPrefix(String prefix) {
      Check.notNull("keyPrefix", prefix);
      if (prefix.isBlank()) {
        throw new IllegalArgumentException("keyPrefix must not be blank");
      }
      this.keyPrefix = prefix;
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalArgumentException if localTtl exceeds ttl or refreshAhead is not below ttl
     */
    public CacheConfig build() {
      if (localTtl != null && localTtl.compareTo(ttl) > 0) {
        throw new IllegalArgumentException(
            "localTtl must be in (0, " + ttl + "] (ttl), was " + localTtl);
      }
      if (refreshAhead != null && refreshAhead.compareTo(ttl) >= 0) {
        throw new IllegalArgumentException(
            "refreshAhead must be in (0, " + ttl + ") (ttl), was " + refreshAhead);
      }
      return new CacheConfig(this);
    }

    private static Duration upTo(String field, Duration value) {
      if (value.compareTo(Check.MAX_DURATION) > 0) {
        throw new IllegalArgumentException(
            field + " must be at most " + Check.MAX_DURATION + ", was " + value);
      }
      return value;
    }
  }
}
