package dev.bulwark.benchmarks;

import dev.bulwark.Resilience;
import dev.bulwark.policy.Pipeline;
import java.util.concurrent.Callable;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the registry's lookup costs: {@code resilience.call(name, ...)} against the same pipeline
 * (breaker and retry) held in a field, in one run. The difference is one {@code
 * ConcurrentHashMap.get}, a liveness check and a clock read; neither allocates.
 *
 * {@snippet lang=shell :
 * java -jar bulwark-benchmarks/target/benchmarks.jar RegistryCallBenchmark -prof gc
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RegistryCallBenchmark {
  private Resilience resilience;
  private Pipeline held;
  private final Callable<String> call = () -> "ok";

  @Setup
  public void setUp() {
    resilience = Resilience.ofDefaults();
    for (int i = 0; i < 1000; i++) { // a registry with other names in it
      resilience.pipeline("service-" + i);
    }
    held = resilience.pipeline("payments");
  }

  /** The pipeline held in a field: the baseline. */
  @Benchmark
  public String heldPipeline() throws Exception {
    return held.call(call);
  }

  /** The same pipeline looked up by name on every call. */
  @Benchmark
  public String byName() throws Exception {
    return resilience.call("payments", call);
  }

  /** The lookup alone, without the call. */
  @Benchmark
  public Pipeline lookupOnly() {
    return resilience.pipeline("payments");
  }
}
