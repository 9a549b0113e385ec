package dev.bulwark.benchmarks;

import dev.bulwark.Resilience;
import dev.bulwark.micrometer.BulwarkMetrics;
import dev.bulwark.policy.Pipeline;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What binding a registry to Micrometer costs a successful call: the registry's pipeline (breaker,
 * then retry) with nothing bound, bound with the defaults, and bound with each option that costs a
 * call (policy-event counters, the health gauge, call timers), in one run. The budget is 20 ns over
 * unbound.
 *
 * {@snippet lang=shell :
 * java -jar bulwark-benchmarks/target/benchmarks.jar MetricsBenchmark -prof gc
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class MetricsBenchmark {

  /** How the registry is bound. */
  public enum Binding {
    UNBOUND,
    BOUND,
    BOUND_POLICY_EVENTS,
    BOUND_HEALTH,
    BOUND_CALL_TIMERS
  }

  @Param({"UNBOUND", "BOUND", "BOUND_POLICY_EVENTS", "BOUND_HEALTH", "BOUND_CALL_TIMERS"})
  public Binding binding;

  private Pipeline pipeline;
  private BulwarkMetrics metrics;
  private final Callable<String> call = () -> "ok";

  @Setup
  public void setUp() {
    Resilience resilience = Resilience.ofDefaults();
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    switch (binding) {
      case BOUND:
        metrics = BulwarkMetrics.bind(resilience, prometheus);
        break;
      case BOUND_POLICY_EVENTS:
        metrics = BulwarkMetrics.builder().policyEvents(true).bind(resilience, prometheus);
        break;
      case BOUND_HEALTH:
        metrics = BulwarkMetrics.builder().healthStatus(true).bind(resilience, prometheus);
        break;
      case BOUND_CALL_TIMERS:
        metrics = BulwarkMetrics.builder().callTimers(true).bind(resilience, prometheus);
        break;
      default:
        metrics = BulwarkMetrics.builder().bind(resilience, prometheus);
        metrics.close(); // bound once and unbound: nothing left behind
    }
    pipeline = resilience.pipeline("payments");
    if (prometheus.scrape().isEmpty() && binding != Binding.UNBOUND) {
      throw new IllegalStateException("nothing was bound");
    }
  }

  @TearDown
  public void tearDown() {
    metrics.close();
  }

  /** One successful call through the registry's pipeline. */
  @Benchmark
  public String successfulCall() throws Exception {
    return pipeline.call(call);
  }
}
