package dev.bulwark.benchmarks;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The gates of issue 3, every library in the same run: a bulkhead, a rate limiter, and the chain
 * bulkhead > rate limiter > breaker > retry, on 1 and 2 threads sharing the policies.
 *
 * {@snippet lang=shell :
 * java -jar bulwark-benchmarks/target/benchmarks.jar GateBenchmark -prof gc
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GateBenchmark {

  @Param({"NONE", "BULWARK", "RESILIENCE4J", "FAILSAFE"})
  public Library library;

  private Callable<String> bulkhead;
  private Callable<String> limiter;
  private Callable<String> chain;

  @Setup
  public void setUp() {
    Callable<String> call = () -> "ok";
    bulkhead = library.bulkhead(call);
    limiter = library.rateLimiter(call);
    chain = library.chain(call);
  }

  @Benchmark
  public String bulkhead() throws Exception {
    return bulkhead.call();
  }

  @Benchmark
  @Threads(2)
  public String bulkhead_2threads() throws Exception {
    return bulkhead.call();
  }

  @Benchmark
  public String rateLimiter() throws Exception {
    return limiter.call();
  }

  @Benchmark
  @Threads(2)
  public String rateLimiter_2threads() throws Exception {
    return limiter.call();
  }

  @Benchmark
  public String chain() throws Exception {
    return chain.call();
  }

  @Benchmark
  @Threads(2)
  public String chain_2threads() throws Exception {
    return chain.call();
  }
}
