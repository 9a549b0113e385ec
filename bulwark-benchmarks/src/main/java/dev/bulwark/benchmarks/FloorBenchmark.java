package dev.bulwark.benchmarks;

import dev.bulwark.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the machine charges for the steps no exact policy can skip: reading the clock (a rate
 * limiter must), one counted outcome (an exact retry statistic), and taking and giving back one
 * permit (an exact bulkhead). The policies' rows are read against these floors.
 *
 * {@snippet lang=shell :
 * java -jar bulwark-benchmarks/target/benchmarks.jar FloorBenchmark
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FloorBenchmark {
  private final Clock clock = Clock.system();
  private final LongAdder adder = new LongAdder();
  private final AtomicInteger permits = new AtomicInteger();

  @Benchmark
  public long clockRead() {
    return clock.nanoTime();
  }

  @Benchmark
  public void countedOutcome() {
    adder.increment();
  }

  @Benchmark
  public int permitTakenAndGivenBack() {
    int current = permits.get();
    permits.compareAndSet(current, current + 1);
    return permits.getAndDecrement();
  }
}
