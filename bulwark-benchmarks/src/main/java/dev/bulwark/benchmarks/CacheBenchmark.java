package dev.bulwark.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bulwark.cache.CacheConfig;
import dev.bulwark.cache.Codec;
import dev.bulwark.cache.RedisLevel;
import dev.bulwark.cache.ResilientCache;
import dev.bulwark.test.redis.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A cache hit on each level of {@link ResilientCache}, beside its baseline in the same run.
 *
 * <ul>
 *   <li>{@code processHit} against {@code caffeineGetIfPresent}: a hit on the process level, and a
 *       raw Caffeine {@code getIfPresent} on a cache of the same size with a 5-minute expiry. With
 *       {@code -prof gc}, {@code gc.alloc.rate.norm} is the bytes allocated per hit.
 *   <li>{@code redisHit} against {@code lettuceGet}: a hit on the Redis level of a cache without a
 *       process level (GET, envelope check, decode), and a raw Lettuce synchronous GET of the same
 *       key, both on a {@code redis-server} on loopback started by the test kit. Sample time, so
 *       the medians compare.
 * </ul>
 *
 * {@snippet lang=shell :
 * java -jar bulwark-benchmarks/target/benchmarks.jar CacheBenchmark -prof gc
 * }
 */
@State(Scope.Benchmark)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CacheBenchmark {

  private static final String KEY = "sku-42";

  private Cache<String, String> caffeine;
  private ResilientCache<String, String> processCache;
  private ResilientCache.Loader<String, String> loader;

  private RedisServer redis;
  private RedisClient client;
  private StatefulRedisConnection<String, byte[]> connection;
  private RedisCommands<String, byte[]> lettuce;
  private RedisLevel level;
  private ResilientCache<String, String> redisCache;

  @Setup
  public void setUp() throws Exception {
    caffeine =
        Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(5)).build();
    caffeine.put(KEY, "price");
    processCache =
        ResilientCache.<String, String>builder("bench", Codec.string())
            .config(CacheConfig.builder().maximumSize(10_000).build())
            .build();
    loader = k -> "price";
    processCache.get(KEY, loader);

    redis = RedisServer.start();
    client = RedisClient.create(redis.uri().toString());
    connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    lettuce = connection.sync();
    level = RedisLevel.connect(redis.uri().toString());
    for (int i = 0; i < 500 && !level.isAvailable(); i++) {
      org.openjdk.jmh.infra.Blackhole.consumeCPU(1_000_000);
    }
    redisCache =
        ResilientCache.<String, String>builder("bench-redis", Codec.string())
            .redis(level)
            .processLevel(false)
            .build();
    redisCache.put(KEY, "price");
    if (!"price".equals(redisCache.get(KEY, k -> "loaded"))) {
      throw new IllegalStateException("the Redis level did not answer");
    }
  }

  @TearDown
  public void tearDown() {
    connection.close();
    client.shutdown();
    level.close();
    redis.close();
  }

  /** The baseline of a process-level hit. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public @Nullable String caffeineGetIfPresent() {
    return caffeine.getIfPresent(KEY);
  }

  /** A hit on the process level. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public @Nullable String processHit() throws Exception {
    return processCache.get(KEY, loader);
  }

  /** The baseline of a Redis-level hit: a raw Lettuce GET. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public byte @Nullable [] lettuceGet() {
    return lettuce.get("bulwark:bench-redis:v1:" + KEY);
  }

  /** A hit on the Redis level. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public @Nullable String redisHit() throws Exception {
    return redisCache.get(KEY, loader);
  }
}
