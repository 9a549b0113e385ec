package dev.bulwark.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.fallback.Aged;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.redis.RedisExtension;
import dev.bulwark.test.redis.RedisServer;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Both levels on a real redis-server: hits, promotion, ttls, failures, invalidation, leases. */
class RedisLevelTest {

  @RegisterExtension static final RedisExtension redis = RedisExtension.server();

  private final List<AutoCloseable> closing = new ArrayList<>();
  private final AtomicInteger loads = new AtomicInteger();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private RedisLevel level() {
    return level(Duration.ofMillis(250));
  }

  private RedisLevel level(Duration commandTimeout) {
    RedisLevel level =
        RedisLevel.builder(redis.redis().uri().toString()).commandTimeout(commandTimeout).build();
    closing.add(level);
    await().atMost(Duration.ofSeconds(5)).until(level::isAvailable);
    return level;
  }

  private ResilientCache<String, String> cache(RedisLevel level, CacheConfig config) {
    ResilientCache<String, String> cache =
        ResilientCache.<String, String>builder("prices", Codec.string())
            .config(config)
            .redis(level)
            .build();
    closing.add(cache);
    return cache;
  }

  /**
   * Pub/sub keeps nothing: an invalidation published before Redis has both instances' subscriptions
   * never reaches the late one, so tests of invalidation across instances wait for both.
   */
  private static void awaitBothListening() {
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> subscribers(redis.redis(), "bulwark:prices:v1:#invalidations") >= 2);
  }

  static long subscribers(RedisServer server, String channel) {
    List<?> reply = (List<?>) server.command("PUBSUB", "NUMSUB", channel);
    return (Long) reply.get(1);
  }

  /** A load's write to Redis is not waited for: tests wait for it before another instance asks. */
  private static void awaitStored(String redisKey) {
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> redis.redis().command("EXISTS", redisKey).equals(1L));
  }

  private String load(String key) {
    return key + "#" + loads.incrementAndGet();
  }

  @Test
  void aValueLoadedByOneInstanceIsARedisHitForAnotherAndThenAProcessHit() throws Exception {
    ResilientCache<String, String> first = cache(level(), CacheConfig.ofDefaults());
    ResilientCache<String, String> second = cache(level(), CacheConfig.ofDefaults());

    assertThat(first.get("sku-1", this::load)).isEqualTo("sku-1#1");
    assertThat(first.stats().misses()).isEqualTo(1);
    assertThat(first.stats().loads()).isEqualTo(1);
    awaitStored("bulwark:prices:v1:sku-1");

    assertThat(second.get("sku-1", this::load)).isEqualTo("sku-1#1");
    assertThat(second.stats().redisHits()).isEqualTo(1);
    assertThat(second.stats().loads()).isZero();
    assertThat(second.get("sku-1", this::load)).isEqualTo("sku-1#1");
    assertThat(second.stats().processHits()).isEqualTo(1); // promoted
    assertThat(loads).hasValue(1);
    assertThat(redis.redis().command("EXISTS", "bulwark:prices:v1:sku-1")).isEqualTo(1L);
  }

  @Test
  void redisKeepsAValueForItsTtlPlusItsStaleWindowAndTheProcessForItsLocalTtl() throws Exception {
    ResilientCache<String, String> cache =
        cache(
            level(),
            CacheConfig.builder()
                .ttl(Duration.ofSeconds(3))
                .staleIfError(Duration.ofSeconds(2))
                .localTtl(Duration.ofMillis(200))
                .build());
    cache.get("a", this::load);
    awaitStored("bulwark:prices:v1:a");
    long pttl = (Long) redis.redis().command("PTTL", "bulwark:prices:v1:a");
    assertThat(pttl).isBetween(4_000L, 5_000L);

    // the process copy ends after 200 ms; the next get asks Redis, which still has it
    await()
        .atMost(Duration.ofSeconds(2))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              cache.get("a", this::load);
              return cache.stats().redisHits() == 1;
            });
    assertThat(loads).hasValue(1);
  }

  @Test
  void aShortRealTtlExpiresInRedisAndTheNextGetLoads() throws Exception {
    ResilientCache<String, String> cache =
        cache(
            level(),
            CacheConfig.builder().ttl(Duration.ofMillis(300)).staleIfError(Duration.ZERO).build());
    cache.get("a", this::load);
    await()
        .atMost(Duration.ofSeconds(3))
        .until(() -> redis.redis().command("EXISTS", "bulwark:prices:v1:a").equals(0L));
    assertThat(cache.get("a", this::load)).isEqualTo("a#2");
  }

  @Test
  void aVersionBumpIsANewNamespace() throws Exception {
    cache(level(), CacheConfig.ofDefaults()).get("a", this::load);
    ResilientCache<String, String> v2 = cache(level(), CacheConfig.builder().version(2).build());
    assertThat(v2.get("a", this::load)).isEqualTo("a#2");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> redis.redis().command("EXISTS", "bulwark:prices:v2:a").equals(1L));
  }

  /** Deserializing this would flip the flag: the cache must never do it. */
  static final class Trap implements Serializable {
    private static final long serialVersionUID = 1L;
    static final AtomicBoolean deserialized = new AtomicBoolean();

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      deserialized.set(true);
    }
  }

  @Test
  void aJavaSerializedPayloadUnderACacheKeyIsNeverDeserialized() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(new Trap());
    }
    redis.redis().command("SET", "bulwark:prices:v1:a", bytes.toByteArray());
    redis.redis().command("SET", "bulwark:raw:v1:a", bytes.toByteArray());

    assertThat(cache(level(), CacheConfig.ofDefaults()).get("a", this::load)).isEqualTo("a#1");
    ResilientCache<String, byte[]> raw =
        ResilientCache.<String, byte[]>builder("raw", Codec.bytes()).redis(level()).build();
    assertThat(raw.get("a", k -> new byte[] {1})).containsExactly(1);
    assertThat(raw.lastKnown("b")).isNull();
    assertThat(Trap.deserialized).isFalse();
  }

  @Test
  void jsonValuesRoundTripThroughRedisWithJackson() throws Exception {
    ResilientCache<String, Price> first =
        ResilientCache.<String, Price>builder("json", Codec.json(Price.class))
            .redis(level())
            .build();
    ResilientCache<String, Price> second =
        ResilientCache.<String, Price>builder("json", Codec.json(Price.class))
            .redis(level())
            .build();
    first.get("sku", k -> new Price(k, 1299));
    awaitStored("bulwark:json:v1:sku");
    assertThat(second.get("sku", k -> null)).isEqualTo(new Price("sku", 1299));
    assertThat(second.stats().redisHits()).isEqualTo(1);
  }

  /** A JSON value. */
  public record Price(String sku, long cents) {}

  @Test
  void redisKilledUnderLoadNeverReachesACallerAndIsUsedAgainWithinASecondOfComingBack()
      throws Exception {
    RedisLevel level = level();
    ResilientCache<String, String> cache =
        cache(level, CacheConfig.builder().localTtl(Duration.ofMillis(20)).build());
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger unique = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int t = 0; t < 4; t++) {
        pool.execute(
            () -> {
              int i = 0;
              while (running.get()) {
                try {
                  i++; // mostly known keys; every 10th a new one, which must be loaded
                  String key = i % 10 == 0 ? "new-" + unique.incrementAndGet() : "k" + (i % 50);
                  assertThat(cache.get(key, this::load)).startsWith(key + "#");
                  calls.incrementAndGet();
                  // paced, as users are: a load that keeps its own JVM busy tests the scheduler
                  Scheduler.system().sleep(TimeUnit.MICROSECONDS.toNanos(500));
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              }
            });
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> cache.stats().redisHits() > 0);

      redis.redis().stop();
      int loadsAtStop = loads.get();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> level.breaker().state() == CircuitBreaker.State.OPEN);
      await().atMost(Duration.ofSeconds(5)).until(() -> loads.get() > loadsAtStop + 50);

      redis.redis().restart();
      long back = Clock.system().nanoTime();
      await()
          .atMost(Duration.ofSeconds(1))
          .pollInterval(Duration.ofMillis(10))
          .until(() -> ((Long) redis.redis().command("DBSIZE")) > 0);
      long usedAgainMillis = TimeUnit.NANOSECONDS.toMillis(Clock.system().nanoTime() - back);
      assertThat(usedAgainMillis).isLessThan(1_000);
    } finally {
      running.set(false);
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(failure.get()).isNull();
    assertThat(calls.get()).isGreaterThan(100);
    assertThat(cache.stats().redisErrors()).isPositive();
  }

  @Test
  void aFrozenRedisHoldsACallerAtMostTheCommandTimeoutThenTheBreakerOpens() throws Exception {
    RedisLevel level = level(Duration.ofMillis(200));
    ResilientCache<String, String> cache = cache(level, CacheConfig.ofDefaults());
    redis.redis().freeze();
    Clock clock = Clock.system();

    for (int i = 0; i < 3; i++) {
      long start = clock.nanoTime();
      assertThat(cache.get("frozen" + i, this::load)).isEqualTo("frozen" + i + "#" + (i + 1));
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - start);
      assertThat(tookMillis).isLessThan(200 + 250); // the command timeout, plus slack for CI
    }
    await()
        .atMost(Duration.ofSeconds(2))
        .until(() -> level.breaker().state() == CircuitBreaker.State.OPEN);

    long start = clock.nanoTime();
    cache.get("after", this::load);
    assertThat(TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - start)).isLessThan(50);
    assertThat(cache.stats().redisErrors()).isGreaterThanOrEqualTo(4);
  }

  @Test
  void aLevelBuiltWhileRedisIsDownServesFromTheLoaderAndConnectsWhenItComesUp() throws Exception {
    redis.redis().stop();
    RedisLevel level = RedisLevel.builder(redis.redis().uri().toString()).build();
    closing.add(level);
    ResilientCache<String, String> cache = cache(level, CacheConfig.ofDefaults());
    assertThat(cache.get("a", this::load)).isEqualTo("a#1");
    assertThat(level.isAvailable()).isFalse();

    redis.redis().restart();
    await()
        .atMost(Duration.ofSeconds(2))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              cache.put("b", "written");
              return "1"
                  .equals(String.valueOf(redis.redis().command("EXISTS", "bulwark:prices:v1:b")));
            });
  }

  @Test
  void invalidateOnOneInstanceEvictsTheProcessCopyOnAnother() throws Exception {
    ResilientCache<String, String> first = cache(level(), CacheConfig.ofDefaults());
    ResilientCache<String, String> second = cache(level(), CacheConfig.ofDefaults());
    awaitBothListening();
    first.get("a", this::load);
    awaitStored("bulwark:prices:v1:a");
    second.get("a", this::load);
    assertThat(second.getIfPresent("a")).isEqualTo("a#1");

    first.invalidate("a");
    await().atMost(Duration.ofSeconds(5)).until(() -> second.getIfPresent("a") == null);
    assertThat(redis.redis().command("EXISTS", "bulwark:prices:v1:a")).isEqualTo(0L);

    first.put("a", "new");
    assertThat(first.getIfPresent("a")).isEqualTo("new"); // its own announcement spares it
    assertThat(second.get("a", this::load)).isEqualTo("new");

    first.invalidateAll();
    await().atMost(Duration.ofSeconds(5)).until(() -> second.getIfPresent("a") == null);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> redis.redis().command("EXISTS", "bulwark:prices:v1:a").equals(0L));
  }

  @Test
  void staleIfErrorServesTheRedisCopyToAnInstanceThatNeverSawTheValue() throws Exception {
    ManualClock clock = ManualClock.create(); // ages from the clock; Redis keeps it 30 s more
    CacheConfig config =
        CacheConfig.builder()
            .ttl(Duration.ofSeconds(1))
            .staleIfError(Duration.ofSeconds(30))
            .build();
    RedisLevel firstLevel = level();
    RedisLevel lateLevel = level();
    ResilientCache<String, String> first =
        ResilientCache.<String, String>builder("prices", Codec.string())
            .config(config)
            .redis(firstLevel)
            .clock(clock)
            .build();
    ResilientCache<String, String> late =
        ResilientCache.<String, String>builder("prices", Codec.string())
            .config(config)
            .redis(lateLevel)
            .clock(clock)
            .build();
    awaitClocksSynced(first, late);
    first.get("a", this::load);
    awaitStored("bulwark:prices:v1:a");
    clock.advance(Duration.ofSeconds(5));

    Aged<String> served =
        late.getAged(
            "a",
            k -> {
              throw new IOException("down");
            });
    assertThat(served.value()).isEqualTo("a#1");
    // ages across instances are on Redis's clock: each instance read it at its start, a moment
    // apart in real time (in either order) while this manual clock stood still
    assertThat(served.age()).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(6));
    assertThat(late.stats().staleServed()).isEqualTo(1);
    assertThat(late.stats().loadFailures()).isEqualTo(1);
  }

  @Test
  void withALeaseInstancesMissingOneKeyCauseOneLoad() throws Exception {
    CacheConfig config = CacheConfig.builder().lease(Duration.ofSeconds(5)).build();
    ResilientCache<String, String> first = cache(level(), config);
    ResilientCache<String, String> second = cache(level(), config);
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ResilientCache.Loader<String, String> slow =
        k -> {
          loading.countDown();
          release.await();
          return load(k);
        };
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(pool.submit(() -> first.get("hot", slow)));
      }
      assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 8; i++) {
        results.add(pool.submit(() -> second.get("hot", slow)));
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> second.stats().loadsCoalesced() >= 7);
      release.countDown();
      for (Future<String> result : results) {
        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("hot#1");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(loads).hasValue(1);
    assertThat(second.stats().redisHits()).isEqualTo(1);
  }

  @Test
  void withALeaseInstancesMissingOneKeyAsynchronouslyCauseOneLoad() throws Exception {
    CacheConfig config = CacheConfig.builder().lease(Duration.ofSeconds(5)).build();
    ResilientCache<String, String> first = cache(level(), config);
    ResilientCache<String, String> second = cache(level(), config);
    redis.redis().command("CONFIG", "RESETSTAT");
    AtomicInteger started = new AtomicInteger();
    CompletableFuture<Void> release = new CompletableFuture<>();
    ResilientCache.AsyncLoader<String, String> slow =
        k -> {
          started.incrementAndGet();
          return release.thenApply(v -> load(k));
        };
    List<CompletableFuture<String>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      results.add(first.getAsync("hot", slow));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> started.get() == 1);
    for (int i = 0; i < 8; i++) {
      results.add(second.getAsync("hot", slow));
    }
    // the second instance has asked for the lease (and found it taken), or, without a lease,
    // started a load of its own: either way it decided while the first one's load runs
    await().atMost(Duration.ofSeconds(5)).until(() -> started.get() > 1 || setCommands() >= 2);
    release.complete(null);

    for (CompletableFuture<String> result : results) {
      assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("hot#1");
    }
    assertThat(started).hasValue(1);
    assertThat(loads).hasValue(1);
    assertThat(second.stats().redisHits()).isEqualTo(1);
    assertThat(second.stats().loads()).isZero();
  }

  /** Waits until each cache has read Redis's clock, which its ages across instances are on. */
  private static void awaitClocksSynced(ResilientCache<?, ?>... caches) {
    for (ResilientCache<?, ?> cache : caches) {
      await().atMost(Duration.ofSeconds(5)).until(((TwoLevelCache<?, ?>) cache)::clockSynced);
    }
  }

  /** SET commands Redis has run since its statistics were reset. */
  private static long setCommands() {
    String info = String.valueOf(redis.redis().command("INFO", "commandstats"));
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("cmdstat_set:calls=(\\d+)").matcher(info);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  @Test
  void agesAcrossInstancesComeFromRedisTimeNotFromTheWritersWallClock() throws Exception {
    CacheConfig config =
        CacheConfig.builder().ttl(Duration.ofMinutes(5)).staleIfError(Duration.ZERO).build();
    ResilientCache<String, String> behind = skewed(level(), config, Duration.ofMinutes(-10));
    ResilientCache<String, String> ahead = skewed(level(), config, Duration.ofMinutes(10));
    ResilientCache<String, String> reader = cache(level(), config);
    awaitClocksSynced(behind, ahead, reader); // until then, each instance's wall clock stands in

    behind.get("a", this::load);
    ahead.get("b", this::load);
    awaitStored("bulwark:prices:v1:a");
    awaitStored("bulwark:prices:v1:b");

    // written 10 minutes "ago" by the writer's wall clock, yet just loaded: fresh, not reloaded
    Aged<String> a = reader.getAged("a", this::load);
    Aged<String> b = reader.getAged("b", this::load);
    assertThat(a.value()).isEqualTo("a#1");
    assertThat(b.value()).isEqualTo("b#2");
    assertThat(a.age()).isLessThan(Duration.ofSeconds(2));
    assertThat(b.age()).isLessThan(Duration.ofSeconds(2));
    assertThat(reader.stats().redisHits()).isEqualTo(2);
    assertThat(loads).hasValue(2);
  }

  /** A cache whose wall clock is off by {@code skew}; its monotonic clock is the system's. */
  private ResilientCache<String, String> skewed(
      RedisLevel level, CacheConfig config, Duration skew) {
    Clock system = Clock.system();
    Clock off =
        new Clock() {
          @Override
          public long nanoTime() {
            return system.nanoTime();
          }

          @Override
          public java.time.Instant wallTime() {
            return system.wallTime().plus(skew);
          }
        };
    ResilientCache<String, String> cache =
        ResilientCache.<String, String>builder("prices", Codec.string())
            .config(config)
            .redis(level)
            .clock(off)
            .build();
    closing.add(cache);
    return cache;
  }

  @Test
  void lastKnownTakesTheNewerRedisCopyOnceTheProcessCopyIsPastItsLocalTtl() throws Exception {
    ManualClock clock = ManualClock.create();
    CacheConfig config =
        CacheConfig.builder().ttl(Duration.ofMinutes(5)).localTtl(Duration.ofSeconds(1)).build();
    RedisLevel firstLevel = level();
    RedisLevel secondLevel = level();
    ResilientCache<String, String> first =
        ResilientCache.<String, String>builder("prices", Codec.string())
            .config(config)
            .redis(firstLevel)
            .clock(clock)
            .build();
    ResilientCache<String, String> second =
        ResilientCache.<String, String>builder("prices", Codec.string())
            .config(config)
            .redis(secondLevel)
            .clock(clock)
            .build();
    awaitBothListening();
    awaitClocksSynced(first, second);
    second.put("a", "old");
    assertThat(second.lastKnown("a").value()).isEqualTo("old"); // its own, locally fresh
    assertThat(second.stats().processHits()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(2));
    first.put("a", "new");
    await().atMost(Duration.ofSeconds(5)).until(() -> second.getIfPresent("a") == null);

    Aged<String> known = second.lastKnown("a");
    assertThat(known.value()).isEqualTo("new");
    assertThat(known.age()).isLessThan(Duration.ofSeconds(1)); // Redis time, read a moment apart
    assertThat(second.stats().redisHits()).isEqualTo(1);
    assertThat(second.stats().fallbackUses()).isEqualTo(2);
  }

  @Test
  void aRedisOnlyCacheWorksWithoutAProcessLevel() throws Exception {
    ResilientCache<String, String> cache =
        ResilientCache.<String, String>builder("prices", Codec.string())
            .redis(level())
            .processLevel(false)
            .build();
    cache.get("a", this::load);
    awaitStored("bulwark:prices:v1:a");
    assertThat(cache.get("a", this::load)).isEqualTo("a#1");
    assertThat(cache.stats().redisHits()).isEqualTo(1);
    assertThat(cache.stats().processHits()).isZero();
  }

  @Test
  void getAsyncPromotesARedisHit() throws Exception {
    cache(level(), CacheConfig.ofDefaults()).get("a", this::load);
    awaitStored("bulwark:prices:v1:a");
    ResilientCache<String, String> second = cache(level(), CacheConfig.ofDefaults());
    assertThat(
            second
                .getAsync("a", k -> java.util.concurrent.CompletableFuture.completedFuture("x"))
                .get(5, TimeUnit.SECONDS))
        .isEqualTo("a#1");
    assertThat(second.getIfPresent("a")).isEqualTo("a#1");
    assertThat(second.stats().redisHits()).isEqualTo(1);
  }

  static RedisServer server() {
    return redis.redis();
  }
}
