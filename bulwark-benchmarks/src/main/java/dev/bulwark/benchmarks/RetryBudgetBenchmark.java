package dev.bulwark.benchmarks;

import dev.bulwark.policy.Pipeline;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryBudget;
import dev.bulwark.retry.RetryConfig;
import java.time.Duration;
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
 * What a shared retry budget adds to a first-try success: every call deposits into the budget (one
 * clock read and one CAS). No peer ships a budget, so this compares Bulwark with itself.
 *
 * {@snippet lang=shell :
 * java -jar bulwark-benchmarks/target/benchmarks.jar RetryBudgetBenchmark -prof gc
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RetryBudgetBenchmark {

  @Param({"false", "true"})
  public boolean budget;

  private Callable<String> retry;

  @Setup
  public void setUp() {
    RetryConfig.Builder config =
        RetryConfig.builder()
            .maxAttempts(3)
            .backoff(Backoff.exponential(Duration.ofMillis(100), 2, Duration.ofSeconds(10)));
    if (budget) {
      config.budget(RetryBudget.ofDefaults());
    }
    retry = Pipeline.of(Retry.of("bench", config.build())).decorate(() -> "ok");
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
}
