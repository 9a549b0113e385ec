package dev.bulwark.benchmarks;

import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.openjdk.jol.info.GraphLayout;

/**
 * The memory one circuit breaker with a 100-call window costs, measured with JOL, for Bulwark and
 * its peers.
 *
 * <p>Two figures per library: the whole object graph reachable from the breaker (everything,
 * including its name, configuration and clock), and the cost of one more breaker when breakers
 * share one configuration, as a registry's per-device or per-user breakers do (the graph less what
 * it shares with a second breaker of the same configuration).
 *
 * {@snippet lang=shell :
 * java -cp bulwark-benchmarks/target/benchmarks.jar dev.bulwark.benchmarks.Footprint
 * }
 */
public final class Footprint {
  private Footprint() {}

  public static void main(String[] args) {
    // Peers keep lambdas (hidden classes) in their graphs; JOL needs this to size them.
    System.setProperty("jol.magicFieldOffset", "true");
    System.out.printf(Locale.ROOT, "%-14s %12s %14s%n", "library", "graph (B)", "per breaker (B)");
    row("BULWARK", config -> bulwark(Objects.requireNonNull(config)));
    row("RESILIENCE4J", config -> resilience4j(Objects.requireNonNull(config)));
    row("FAILSAFE", Footprint::failsafe);
  }

  private interface Factory {
    Object create(@Nullable Object sharedConfig); // null for Failsafe only, which ignores it
  }

  private static void row(String library, Factory factory) {
    Object config = configFor(library);
    Object first = factory.create(config);
    Object second = factory.create(config);
    warm(first);
    warm(second);
    long whole = GraphLayout.parseInstance(first).totalSize();
    long both = GraphLayout.parseInstance(first, second).totalSize();
    long perBreaker = both - whole; // what the second breaker adds on top of the first
    System.out.printf(Locale.ROOT, "%-14s %12d %14d%n", library, whole, perBreaker);
  }

  /** Records a full window of successes, so lazily built structures exist. */
  private static void warm(Object breaker) {
    for (int i = 0; i < 2 * Library.WINDOW; i++) {
      if (breaker instanceof dev.bulwark.circuitbreaker.CircuitBreaker b) {
        b.onSuccess(1_000);
      } else if (breaker instanceof io.github.resilience4j.circuitbreaker.CircuitBreaker b) {
        b.onSuccess(1_000, java.util.concurrent.TimeUnit.NANOSECONDS);
      } else if (breaker instanceof dev.failsafe.CircuitBreaker<?> b) {
        b.recordSuccess();
      }
    }
  }

  private static @Nullable Object configFor(String library) {
    switch (library) {
      case "BULWARK":
        return CircuitBreakerConfig.builder()
            .windowSize(Library.WINDOW)
            .minimumCalls(Library.WINDOW)
            .build();
      case "RESILIENCE4J":
        return io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
            .slidingWindowSize(Library.WINDOW)
            .minimumNumberOfCalls(Library.WINDOW)
            .build();
      default:
        return null; // a Failsafe breaker owns its configuration
    }
  }

  private static Object bulwark(Object config) {
    return dev.bulwark.circuitbreaker.CircuitBreaker.of("bench", (CircuitBreakerConfig) config);
  }

  private static Object resilience4j(Object config) {
    return io.github.resilience4j.circuitbreaker.CircuitBreaker.of(
        "bench", (io.github.resilience4j.circuitbreaker.CircuitBreakerConfig) config);
  }

  private static Object failsafe(@Nullable Object unused) {
    return dev.failsafe.CircuitBreaker.builder()
        .withFailureThreshold(Library.WINDOW / 2, Library.WINDOW)
        .withDelay(Duration.ofSeconds(30))
        .build();
  }
}
