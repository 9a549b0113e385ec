package dev.bulwark.cache;

import dev.bulwark.Resilience;
import dev.bulwark.event.EventSource;
import dev.bulwark.fallback.Aged;
import dev.bulwark.policy.Pipeline;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A cache in front of something that can fail: a short-lived copy in the process (on Caffeine), a
 * longer one in Redis shared by every instance (on Lettuce), and loads that run through a {@link
 * Pipeline} (breaker, retry, timeout), one per key at a time.
 *
 * <ul>
 *   <li>{@link #get} answers from the process level, else from Redis (promoting the value to the
 *       process), else loads. Concurrent misses of one key in the process share one load; with a
 *       {@link CacheConfig#lease() lease}, instances share one load through Redis too.
 *   <li>A value past its ttl is still served for {@link CacheConfig#staleWhileRevalidate()} while
 *       it is refreshed in the background, and for {@link CacheConfig#staleIfError()} when the load
 *       fails.
 *   <li>Redis down or hung never reaches a caller: every operation then uses the process level and
 *       the loader (see {@link RedisLevel}).
 *   <li>{@link #invalidate} on one instance evicts the process copies of every instance (Redis
 *       pub/sub); a value another instance wrote is seen at the latest when the local copy's {@link
 *       CacheConfig#localTtl()} ends.
 * </ul>
 *
 * {@snippet :
 * ResilientCache<String, String> prices =
 *     ResilientCache.builder("prices", Codec.string())
 *         .config(CacheConfig.builder().ttl(Duration.ofMinutes(5)).build())
 *         .redis(redisLevel) // optional
 *         .resilience(resilience) // loads go through resilience.pipeline("prices")
 *         .build();
 * String price = prices.get("sku-1", sku -> priceService.fetch(sku));
 * }
 *
 * <p>Thread-safe.
 *
 * @param <K> the key's type; its {@code String.valueOf} (or the builder's key encoder) names it in
 *     Redis
 * @param <V> the value's type
 */
public interface ResilientCache<K, V> extends AutoCloseable {

  /**
   * The registry's kind of caches, id {@code "cache"}: {@code resilience.get(ResilientCache.KIND,
   * "users")} is the {@link NamedCache} named "users", configured by {@code
   * BULWARK_CACHE_[USERS_]<SETTING>} (the settings of {@link CacheConfig}, listed in {@code
   * docs/configuration.md}). Registered in every registry while bulwark-cache is on the class path;
   * {@code Resilience.builder().kind(ResilientCache.KIND)} registers it explicitly.
   */
  PolicyKind<NamedCache, CacheConfig, CacheConfig.Builder> KIND = CacheKind.KIND;

  /**
   * The registry's cache named {@code name} ({@code resilience.get(KIND, name)}), typed, with its
   * loads running through {@code resilience.pipeline(name)} from now on. The types are not checked:
   * use one key type and one value type per name.
   *
   * {@snippet :
   * ResilientCache<String, User> users = ResilientCache.named(resilience, "users");
   * User user = users.get(id, userService::find); // through the "users" breaker and retry
   * }
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws dev.bulwark.RegistryFullException if it must be created and the registry is full
   */
  @SuppressWarnings("unchecked")
  static <K, V> ResilientCache<K, V> named(Resilience resilience, String name) {
    Check.notNull("resilience", resilience);
    Check.name(name);
    RegistryCache cache = (RegistryCache) resilience.get(KIND, name);
    cache.pipeline(resilience.pipeline(name));
    return (ResilientCache<K, V>) (ResilientCache<?, ?>) cache;
  }

  /**
   * Loads the value of a key at its source; returns null for "not found".
   *
   * @param <K> the key's type
   * @param <V> the value's type
   */
  @FunctionalInterface
  interface Loader<K, V> {
    /** The value of {@code key}, or null if there is none. */
    @Nullable V load(K key) throws Exception;
  }

  /**
   * Loads the value of a key asynchronously; the stage completes with null for "not found".
   *
   * @param <K> the key's type
   * @param <V> the value's type
   */
  @FunctionalInterface
  interface AsyncLoader<K, V> {
    /** A stage that completes with the value of {@code key}, or null if there is none. */
    CompletionStage<V> load(K key);
  }

  /** The cache's name: in events, statistics, and the default Redis key prefix. */
  String name();

  /** Its configuration. */
  CacheConfig config();

  /**
   * The value of {@code key}: from the process level, else Redis, else {@code loader} through the
   * cache's pipeline. While a load for the key runs in this process, other callers wait for it
   * instead of loading too. When the load fails, a value at most {@code staleIfError} past its ttl
   * is served instead. Null if the loader found nothing.
   *
   * @throws Exception what the load threw (unwrapped) or a rejection of the pipeline, when there is
   *     no stale value to serve
   */
  @Nullable V get(K key, Loader<? super K, ? extends V> loader) throws Exception;

  /**
   * As {@link #get}, with the served value's age: zero for a value just loaded, more for a cached
   * or stale one.
   *
   * @throws Exception as {@link #get}
   */
  Aged<V> getAged(K key, Loader<? super K, ? extends V> loader) throws Exception;

  /**
   * As {@link #get}, asynchronously; {@code loader} runs through the pipeline's asynchronous path.
   * The future fails with what the load failed with when there is no stale value to serve; it never
   * fails because of Redis.
   */
  CompletableFuture<V> getAsync(K key, AsyncLoader<? super K, ? extends V> loader);

  /** The fresh value of {@code key} in the process level, or null; never loads or asks Redis. */
  @Nullable V getIfPresent(K key);

  /**
   * The newest value this cache can still give for {@code key}, fresh or stale (up to its stale
   * windows), with its age; null if none. Asks Redis (bounded by its command timeout) unless the
   * process copy is within its local ttl. Counts a hit on the level that answered, a fallback use,
   * and a stale value served if it is past its ttl. This is the cache as a rung of a {@code
   * Fallback} ladder:
   *
   * {@snippet :
   * FallbackConfig.<String>builder().thenAged("cache", failure -> cache.lastKnown(key))
   * }
   */
  @Nullable Aged<V> lastKnown(K key);

  /** Stores {@code value} for {@code key} with the cache's ttl, in both levels. */
  void put(K key, V value);

  /**
   * Stores {@code value} for {@code key}, fresh for {@code ttl} (for example a fallback value kept
   * briefly), in both levels.
   *
   * @throws IllegalArgumentException if {@code ttl} is not positive
   */
  void put(K key, V value, Duration ttl);

  /** Removes {@code key} from both levels and from every other instance's process level. */
  void invalidate(K key);

  /** Removes every key of this cache from both levels and every instance's process level. */
  void invalidateAll();

  /** The counters since the cache was built. */
  CacheStats stats();

  /** The cache's events ({@link CacheEvent}). */
  EventSource events();

  /** Stops listening for invalidations; the {@link RedisLevel} stays open (it may be shared). */
  @Override
  void close();

  /**
   * A builder for a cache named {@code name} whose values {@code codec} stores in Redis.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static <K, V> Builder<K, V> builder(String name, Codec<V> codec) {
    return new Builder<>(Check.name(name), Check.notNull("codec", codec));
  }

  /**
   * Not thread-safe.
   *
   * @param <K> the key's type
   * @param <V> the value's type
   */
  final class Builder<K, V> {
    final String name;
    final Codec<V> codec;
    CacheConfig config = CacheConfig.ofDefaults();
    boolean configGiven;
    @Nullable Resilience resilience;
    @Nullable RedisLevel redis;
    boolean processLevel = true;
    Pipeline pipeline = Pipeline.of();
    Clock clock = Clock.system();
    Scheduler scheduler = Scheduler.system();
    Executor executor = ForkJoinPool.commonPool();
    Function<? super K, String> keyEncoder = String::valueOf;

    Builder(String name, Codec<V> codec) {
      this.name = name;
      this.codec = codec;
    }

    /**
     * The configuration. Default the {@link #resilience registry's} config of the cache's name if a
     * registry is given, else {@link CacheConfig#ofDefaults()}.
     */
    public Builder<K, V> config(CacheConfig config) {
      this.config = Check.notNull("config", config);
      this.configGiven = true;
      return this;
    }

    /** The Redis level; none by default (the cache is then process-only). */
    public Builder<K, V> redis(RedisLevel redis) {
      this.redis = Check.notNull("redis", redis);
      return this;
    }

    /**
     * Whether to keep a process level. Default true; false makes a Redis-only cache (then a Redis
     * level is required).
     */
    public Builder<K, V> processLevel(boolean enabled) {
      this.processLevel = enabled;
      return this;
    }

    /** The pipeline every load runs through. Default none (loads run as they are). */
    public Builder<K, V> pipeline(Pipeline pipeline) {
      this.pipeline = Check.notNull("pipeline", pipeline);
      return this;
    }

    /**
     * Takes the load pipeline from {@code resilience.pipeline(name)}, the clock from {@code
     * resilience.clock()}, and, unless {@link #config} is called, the config from {@code
     * resilience.config(ResilientCache.KIND, name)} (the default cache config if none has the
     * name), so {@code BULWARK_CACHE_[<NAME>_]<SETTING>} settings apply. The cache is not held by
     * the registry.
     */
    public Builder<K, V> resilience(Resilience resilience) {
      Check.notNull("resilience", resilience);
      this.pipeline = resilience.pipeline(name);
      this.clock = resilience.clock();
      this.resilience = resilience;
      return this;
    }

    /** The clock for ttls and ages. Default the system's. */
    public Builder<K, V> clock(Clock clock) {
      this.clock = Check.notNull("clock", clock);
      return this;
    }

    /** The scheduler lease waits sleep on. Default the system's. */
    public Builder<K, V> scheduler(Scheduler scheduler) {
      this.scheduler = Check.notNull("scheduler", scheduler);
      return this;
    }

    /**
     * Where background refreshes, asynchronous continuations and the process level's upkeep
     * (Caffeine's evictions and removal events) run. Default the common pool; {@code Runnable::run}
     * runs them on the caller's thread, which makes evictions deterministic in tests.
     */
    public Builder<K, V> executor(Executor executor) {
      this.executor = Check.notNull("executor", executor);
      return this;
    }

    /** How a key is named in Redis. Default {@code String.valueOf}. */
    public Builder<K, V> keyEncoder(Function<? super K, String> encoder) {
      this.keyEncoder = Check.notNull("keyEncoder", encoder);
      return this;
    }

    /**
     * The cache.
     *
     * @throws IllegalStateException if it would have no level at all
     */
    public ResilientCache<K, V> build() {
      if (!processLevel && redis == null) {
        throw new IllegalStateException(
            "a cache needs a level: keep the process level or give it a Redis level");
      }
      Resilience registry = resilience;
      if (registry != null && !configGiven && registry.kinds().contains(KIND)) {
        config =
            registry
                .config(KIND, name)
                .or(() -> registry.config(KIND, "default"))
                .orElse(CacheConfig.ofDefaults());
      }
      return new TwoLevelCache<>(this);
    }
  }
}
