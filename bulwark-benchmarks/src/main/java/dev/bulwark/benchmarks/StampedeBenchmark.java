package dev.bulwark.benchmarks;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bulwark.cache.CacheConfig;
import dev.bulwark.cache.Codec;
import dev.bulwark.cache.ResilientCache;
import dev.bulwark.time.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The stampede: 1,000 callers on 64 threads miss one key of an empty cache at once, and the load
 * takes 5 ms. The figure is {@code loads} (an auxiliary counter: loads per stampede) and the time
 * until every caller has its value, for {@link ResilientCache} and for the check-then-load-then-put
 * users write by hand around a Caffeine cache, in the same run.
 *
 * {@snippet lang=shell :
 * java -jar bulwark-benchmarks/target/benchmarks.jar StampedeBenchmark
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, batchSize = 1)
@Measurement(iterations = 20, batchSize = 1)
@Fork(1)
public class StampedeBenchmark {

  private static final int CALLERS = 1_000;

  /** Who handles the misses. */
  public enum Cache {
    /** {@link ResilientCache#get}: one load per key at a time. */
    BULWARK,
    /** {@code getIfPresent}, else load and {@code put}, on a Caffeine cache. */
    HAND_WRITTEN
  }

  @Param public Cache mode;

  private ExecutorService pool;
  private ResilientCache<String, String> cache;
  private com.github.benmanes.caffeine.cache.Cache<String, String> caffeine;

  /** Loads per stampede. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Counters {
    /** Loads this stampede caused. */
    public int loads;
  }

  @Setup(Level.Trial)
  public void startPool() {
    pool = Executors.newFixedThreadPool(64);
  }

  @Setup(Level.Invocation)
  public void emptyCache() {
    cache =
        ResilientCache.<String, String>builder("stampede", Codec.string())
            .config(CacheConfig.ofDefaults())
            .build();
    caffeine = Caffeine.newBuilder().maximumSize(10_000).build();
  }

  @TearDown(Level.Trial)
  public void stopPool() {
    pool.shutdownNow();
  }

  /** 1,000 concurrent misses of one key. */
  @Benchmark
  public void thousandConcurrentMisses(Counters counters) throws Exception {
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>(CALLERS);
    for (int i = 0; i < CALLERS; i++) {
      results.add(
          pool.submit(
              () -> {
                start.await();
                ResilientCache.Loader<String, String> load =
                    k -> {
                      loads.incrementAndGet();
                      Scheduler.system().sleep(TimeUnit.MILLISECONDS.toNanos(5));
                      return "value";
                    };
                if (mode == Cache.BULWARK) {
                  return cache.get("hot", load);
                }
                String value = caffeine.getIfPresent("hot");
                if (value == null) {
                  value =
                      Objects.requireNonNull(
                          load.load("hot"), "the benchmark's loader finds every key");
                  caffeine.put("hot", value);
                }
                return value;
              }));
    }
    start.countDown();
    for (Future<String> result : results) {
      result.get();
    }
    counters.loads += loads.get();
  }
}
