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
 * The breaker and retry scenarios of issue 2, every library in the same run: a successful call
 * through a closed breaker, a first-try-successful retry, breaker and retry together (on 1 and 2
 * threads sharing one policy instance), and a call rejected by an open breaker.
 *
 * {@snippet lang=shell :
 * java -jar bulwark-benchmarks/target/benchmarks.jar BreakerBenchmark -prof gc
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BreakerBenchmark {

  @Param({"NONE", "BULWARK", "RESILIENCE4J", "FAILSAFE"})
  public Library library;

  private Callable<String> closed;
  private Callable<String> open;
  private Callable<String> retry;
  private Callable<String> both;

  @Setup
  public void setUp() {
    Callable<String> call = () -> "ok";
    closed = library.closedBreaker(call);
    open = library.openBreaker(call);
    retry = library.retry(call);
    both = library.breakerAndRetry(call);
  }

  @Benchmark
  public String closedBreaker() throws Exception {
    return closed.call();
  }

  @Benchmark
  @Threads(2)
  public String closedBreaker_2threads() throws Exception {
    return closed.call();
  }

  @Benchmark
  public String retry() throws Exception {
    return retry.call();
  }

  @Benchmark
  @Threads(2)
  public String retry_2threads() throws Exception {
    return retry.call();
  }

  @Benchmark
  public String breakerAndRetry() throws Exception {
    return both.call();
  }

  @Benchmark
  @Threads(2)
  public String breakerAndRetry_2threads() throws Exception {
    return both.call();
  }

  @Benchmark
  public Object openBreaker() {
    try {
      return open.call();
    } catch (Exception rejected) {
      return rejected;
    }
  }
}
