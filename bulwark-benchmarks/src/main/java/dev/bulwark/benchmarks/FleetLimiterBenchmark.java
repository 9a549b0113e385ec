package dev.bulwark.benchmarks;

import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.redis.RedisFleet;
import dev.bulwark.test.redis.RedisServer;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Permits per second from one hot key of a fleet rate limiter on a {@code redis-server} on loopback
 * (started by the test kit), beside its two baselines in the same run:
 *
 * <ul>
 *   <li>{@code raw*}: a Lettuce EVALSHA of the very script the limiter runs ({@link
 *       RedisFleet#rateLimiterScript()}), with the same arguments, waited for on the caller's
 *       thread: the floor a limiter on Redis can reach. The fleet limiter should stay within 0.7×.
 *   <li>{@code bucket4j8Threads}: Bucket4j's Lettuce backend (compare-and-swap: a GET, the bucket
 *       computed in the JVM, a conditional SET, retried while other threads win), same limit.
 * </ul>
 *
 * All limits are 1,000,000 permits per second, so nearly every request is granted and each one
 * writes. After the run, {@code INFO commandstats} is printed: {@code cmdstat_evalsha} against the
 * operations counted shows one command per acquire.
 *
 * {@snippet lang=shell :
 * java -jar bulwark-benchmarks/target/benchmarks.jar FleetLimiterBenchmark
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(1)
public class FleetLimiterBenchmark {
  private static final int LIMIT = 1_000_000;

  private RedisServer redis;
  private RedisFleet fleet;
  private RateLimiter limiter;
  private RedisClient client;
  private StatefulRedisConnection<String, String> raw;
  private RedisAsyncCommands<String, String> rawCommands;
  private String sha;
  private String[] rawKeys;
  private String[] rawArgs;
  private StatefulRedisConnection<byte[], byte[]> bytes;
  private Bucket bucket;

  @Setup
  public void setUp() {
    redis = RedisServer.start();
    String uri = redis.uri().toString();
    fleet = RedisFleet.builder(uri).commandTimeout(Duration.ofSeconds(2)).build();
    limiter =
        fleet.rateLimiter("hot", RateLimiterConfig.builder().limit(LIMIT).burst(LIMIT).build());

    client = RedisClient.create(uri);
    raw = client.connect(StringCodec.UTF8);
    rawCommands = raw.async();
    sha = raw.sync().scriptLoad(RedisFleet.rateLimiterScript());
    rawKeys = new String[] {"bulwark:rl:{raw}"};
    rawArgs = new String[] {"1", Integer.toString(LIMIT), "1", "0"}; // 1 µs apart, burst LIMIT

    bytes = client.connect(ByteArrayCodec.INSTANCE);
    LettuceBasedProxyManager<byte[]> buckets = Bucket4jLettuce.casBasedBuilder(bytes).build();
    BucketConfiguration config =
        BucketConfiguration.builder()
            .addLimit(l -> l.capacity(LIMIT).refillGreedy(LIMIT, Duration.ofSeconds(1)))
            .build();
    bucket = buckets.builder().build("bucket4j:hot".getBytes(StandardCharsets.UTF_8), () -> config);
    redis.command("CONFIG", "RESETSTAT");
  }

  @TearDown
  public void tearDown() {
    Object stats = redis.command("INFO", "commandstats");
    System.out.println();
    for (String line : String.valueOf(stats).split("\r?\n")) {
      if (line.startsWith("cmdstat_evalsha") || line.startsWith("cmdstat_eval:")) {
        System.out.println("# " + line);
      }
    }
    bytes.close();
    raw.close();
    client.shutdown();
    fleet.close();
    redis.close();
  }

  @Benchmark
  public boolean fleet1Thread() {
    return limiter.tryAcquire();
  }

  @Benchmark
  public Object raw1Thread() throws Exception {
    return rawCommands
        .evalsha(sha, ScriptOutputType.INTEGER, rawKeys, rawArgs)
        .get(2, TimeUnit.SECONDS);
  }

  @Benchmark
  @Threads(8)
  public boolean fleet8Threads() {
    return limiter.tryAcquire();
  }

  @Benchmark
  @Threads(8)
  public Object raw8Threads() throws Exception {
    return rawCommands
        .evalsha(sha, ScriptOutputType.INTEGER, rawKeys, rawArgs)
        .get(2, TimeUnit.SECONDS);
  }

  @Benchmark
  @Threads(8)
  public boolean bucket4j8Threads() {
    return bucket.tryConsume(1);
  }
}
