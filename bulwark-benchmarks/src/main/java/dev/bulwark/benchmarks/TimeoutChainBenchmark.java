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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The chain bulkhead > rate limiter > breaker > retry > timeout on a synchronous call. Only the
 * libraries that can time out a synchronous call take part: Resilience4j's TimeLimiter needs a
 * Future.
 *
 * {@snippet lang=shell :
 * java -jar bulwark-benchmarks/target/benchmarks.jar TimeoutChainBenchmark -prof gc
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TimeoutChainBenchmark {

  @Param({"NONE", "BULWARK", "FAILSAFE"})
  public Library library;

  private Callable<String> chain;

  @Setup
  public void setUp() {
    chain = library.chainWithTimeout(() -> "ok");
  }

  @Benchmark
  public String chainWithTimeout() throws Exception {
    return chain.call();
  }
}
