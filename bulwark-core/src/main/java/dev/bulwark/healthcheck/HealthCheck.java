package dev.bulwark.healthcheck;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.event.EventSource;
import dev.bulwark.internal.Check;
import dev.bulwark.policy.Policy;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * Probes a dependency on a schedule, off every caller's path, so that callers can ask "is it
 * healthy?" without paying for a request, and so that its breaker learns of an outage, and of the
 * recovery, from the probe rather than from users' failing calls.
 *
 * <p>Every {@linkplain HealthCheckConfig#interval() interval} (jittered), the check runs its {@link
 * HealthProbe} on the scheduler's completion executor (never its timer thread), cut at the
 * {@linkplain HealthCheckConfig#timeout() timeout}. A probe that fails, throws or times out is an
 * unhealthy result. The verdict switches after {@linkplain HealthCheckConfig#unhealthyThreshold()
 * consecutive unhealthy results} or {@linkplain HealthCheckConfig#healthyThreshold() consecutive
 * healthy ones}, as load balancers do; it starts healthy, so nothing is refused before the first
 * answer. {@link #isHealthy()} and {@link #status()} are answered from memory, without blocking.
 *
 * <p>A check tied to a breaker ({@link HealthCheckConfig#breaker()}) steers it through the
 * breaker's own operations: while the verdict is unhealthy, each result {@linkplain
 * CircuitBreaker#trip() trips} it if it is closed or half-open (unless {@link
 * HealthCheckConfig#opensBreaker()} is false), so callers fail fast or take their fallback without
 * paying a timeout; while it is healthy, each healthy result moves an open breaker to {@linkplain
 * CircuitBreaker#halfOpen() half-open} at once, so the next call probes the recovered service
 * instead of waiting out the open duration. As a {@link Policy}, the check runs calls through that
 * breaker, so the pattern reads as it runs:
 *
 * <pre>{@code
 * HealthCheck inventory = resilience.get(HealthCheck.KIND, "inventory");
 * if (!inventory.isHealthy()) {
 *   return localStock(sku);
 * }
 * return inventory.call(() -> remote(sku)); // through the breaker it steers
 * }</pre>
 *
 * <p>In a {@code Resilience} registry, a check starts when the registry makes it, finds its breaker
 * by name in the same registry, counts in the registry's health as {@link
 * HealthCheckConfig#countsAs()} says, and stops when the registry is closed. Made by hand, it runs
 * from {@link #start()} to {@link #stop()}.
 *
 * <p>Thread-safe.
 */
public interface HealthCheck extends Policy {

  /**
   * The registry's description of health checks: settings ({@code BULWARK_HEALTH_CHECK_*}),
   * snapshot, lifecycle; pass it to {@code Resilience.get(KIND, name)}.
   */
  PolicyKind<HealthCheck, HealthCheckConfig, HealthCheckConfig.Builder> KIND = HealthCheckKind.KIND;

  /**
   * One answer of a probe.
   *
   * @param healthy whether the dependency is well
   * @param detail what was seen, for people to read ({@code "HTTP 503"}, {@code "timed out"})
   */
  record Result(boolean healthy, String detail) {
    /**
     * Checks the detail.
     *
     * @throws NullPointerException if {@code detail} is null
     */
    public Result {
      Check.notNull("detail", detail);
    }

    /** A healthy result saying {@code detail}. */
    public static Result healthy(String detail) {
      return new Result(true, detail);
    }

    /** An unhealthy result saying {@code detail}. */
    public static Result unhealthy(String detail) {
      return new Result(false, detail);
    }
  }

  /**
   * What a check knows, at one moment.
   *
   * @param healthy its verdict
   * @param lastResult the latest result; empty before the first
   * @param age how long ago the latest result came; zero before the first
   * @param consecutiveFailures unhealthy results in a row up to the latest
   * @param consecutiveSuccesses healthy results in a row up to the latest
   * @param checks results so far
   * @param running whether it is checking on its schedule
   */
  record Status(
      boolean healthy,
      Optional<Result> lastResult,
      Duration age,
      int consecutiveFailures,
      int consecutiveSuccesses,
      long checks,
      boolean running) {
    /**
     * Checks that no component is null.
     *
     * @throws NullPointerException if {@code lastResult} or {@code age} is null
     */
    public Status {
      Check.notNull("lastResult", lastResult);
      Check.notNull("age", age);
    }
  }

  /**
   * A check named {@code name} with {@code config}, on {@code clock} and {@code scheduler}; not
   * started.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the name is blank or the config has no probe
   */
  static HealthCheck of(String name, HealthCheckConfig config, Clock clock, Scheduler scheduler) {
    Check.name(name);
    Check.notNull("config", config);
    Check.notNull("clock", clock);
    Check.notNull("scheduler", scheduler);
    if (config.probe().isEmpty()) {
      throw new IllegalArgumentException(
          "health check '"
              + name
              + "' has no probe: give its config one (HealthCheckConfig.builder().probe(...)),"
              + " or use a kind that makes one, such as bulwark-http's HttpHealthCheck");
    }
    return new ScheduledHealthCheck(name, config, clock, scheduler);
  }

  /**
   * A check named {@code name} with {@code config}, on the system clock and scheduler; not started.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the name is blank or the config has no probe
   */
  static HealthCheck of(String name, HealthCheckConfig config) {
    return of(name, config, Clock.system(), Scheduler.system());
  }

  /** Its configuration. */
  HealthCheckConfig config();

  /** The verdict now: true until enough unhealthy results in a row say otherwise. No blocking. */
  boolean isHealthy();

  /** The verdict with the latest result, its age and the runs of results. Allocates. */
  Status status();

  /** Where its {@link CheckCompleted} and {@link HealthChanged} events can be listened to. */
  EventSource events();

  /**
   * Starts checking: the first probe at once, then one every interval. Does nothing if it runs or
   * was stopped (a stopped check stays stopped).
   *
   * @throws IllegalStateException if the config names a breaker: give it with {@link
   *     #start(Function)}
   */
  void start();

  /**
   * Starts checking, finding the breaker it steers through {@code breakers} (by the config's {@code
   * breaker} name) each time a result steers it or a call passes; otherwise as {@link #start()}.
   *
   * @throws NullPointerException if {@code breakers} is null
   */
  void start(Function<String, CircuitBreaker> breakers);

  /**
   * Stops checking: no probe starts from now on, and a result still to come is dropped. The verdict
   * stays as it was. Idempotent.
   */
  void stop();

  /** Whether it checks on its schedule: started and not stopped. */
  boolean isRunning();
}
