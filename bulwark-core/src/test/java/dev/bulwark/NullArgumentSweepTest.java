package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.event.EventListener;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.fallback.FallbackConfig;
import dev.bulwark.health.HealthConfig;
import dev.bulwark.health.HealthMonitor;
import dev.bulwark.healthcheck.HealthCheck;
import dev.bulwark.healthcheck.HealthCheckConfig;
import dev.bulwark.healthcheck.HealthProbe;
import dev.bulwark.hedge.Hedge;
import dev.bulwark.hedge.HedgeConfig;
import dev.bulwark.policy.Pipeline;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.RejectedException;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.ratelimit.RetryAfter;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import dev.bulwark.test.NullSweep;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import dev.bulwark.timeout.Timeout;
import dev.bulwark.timeout.TimeoutConfig;
import dev.bulwark.timeout.TimeoutExceededException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Every public constructor and method of core's API packages, given null for a parameter not
 * documented as nullable, throws a NullPointerException saying {@code "<parameter> must not be
 * null"} (see {@link NullSweep}). One test per exported package.
 */
class NullArgumentSweepTest {

  private final ManualClock clock = ManualClock.create();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final CircuitBreaker breaker =
      CircuitBreaker.of("breaker", CircuitBreakerConfig.ofDefaults(), clock);
  private final Retry retry = Retry.of("retry", RetryConfig.ofDefaults(), clock, scheduler);
  private final Timeout timeout =
      Timeout.of("timeout", TimeoutConfig.ofDefaults(), clock, scheduler);
  private final Bulkhead bulkhead =
      Bulkhead.of("bulkhead", BulkheadConfig.ofDefaults(), clock, scheduler);
  private final RateLimiter limiter =
      RateLimiter.of("limiter", RateLimiterConfig.ofDefaults(), clock, scheduler);
  private final Hedge hedge = Hedge.of("hedge", HedgeConfig.ofDefaults(), clock, scheduler);
  private final FallbackConfig<Object> fallbackConfig =
      FallbackConfig.builder().otherwise("default", failure -> "fallback").build();
  private final Fallback<Object> fallback = Fallback.of("fallback", fallbackConfig, clock);
  private final HealthMonitor health = HealthMonitor.of(HealthConfig.ofDefaults(), clock);

  /** A sweep of {@code pkg} with usable values and instances of every policy. */
  private NullSweep sweep(String pkg) {
    return NullSweep.ofPackage(pkg)
        .defaultValue(Clock.class, clock)
        .defaultValue(Scheduler.class, scheduler)
        .defaultValue(RejectedException.class, new TimeoutExceededException("t", Duration.ZERO))
        .defaultValue(Policy.class, breaker)
        .defaultValue(FallbackConfig.class, fallbackConfig)
        .defaultValue(PolicyKind.class, CircuitBreaker.KIND)
        .instance(breaker)
        .instance(retry)
        .instance(timeout)
        .instance(bulkhead)
        .instance(limiter)
        .instance(hedge)
        .instance(fallback)
        .instance(fallbackConfig)
        .instance(health)
        .instance(Pipeline.of(bulkhead, breaker))
        .instance(breaker.events())
        .implementedByUsers(EventListener.class)
        .implementedByUsers(HealthMonitor.StatusListener.class)
        .implementedByUsers(Policy.Next.class)
        .implementedByUsers(Policy.AsyncNext.class);
  }

  /** What failed. */
  private static List<String> failures(NullSweep sweep) {
    return sweep.run();
  }

  @Test
  void registryRefusesNullArguments() {
    assertThat(failures(sweep("dev.bulwark").instance(Resilience.builder()))).isEmpty();
  }

  @Test
  void policyAndPipelineRefuseNullArguments() {
    assertThat(failures(sweep("dev.bulwark.policy"))).isEmpty();
  }

  @Test
  void circuitBreakerApiRefusesNullArgumentsButANullResult() {
    NullSweep sweep =
        sweep("dev.bulwark.circuitbreaker").nullable(CircuitBreaker.class, "onResult", "result");
    assertThat(failures(sweep)).isEmpty();
  }

  @Test
  void retryApiRefusesNullArguments() {
    assertThat(failures(sweep("dev.bulwark.retry").instance(Backoff.none()))).isEmpty();
  }

  @Test
  void rateLimitApiRefusesNullArgumentsButAMissingHeader() {
    NullSweep sweep =
        sweep("dev.bulwark.ratelimit")
            .nullable(RetryAfter.class, "parse", "headerValue")
            .nullable(RetryAfter.class, "forResponse", "headerValue");
    assertThat(failures(sweep)).isEmpty();
  }

  @Test
  void bulkheadApiRefusesNullArguments() {
    assertThat(failures(sweep("dev.bulwark.bulkhead"))).isEmpty();
  }

  @Test
  void timeoutApiRefusesNullArgumentsButAMissingCause() {
    NullSweep sweep =
        sweep("dev.bulwark.timeout").nullable(TimeoutExceededException.class, "<init>", "cause");
    assertThat(failures(sweep)).isEmpty();
  }

  @Test
  void fallbackApiRefusesNullArgumentsButNullValues() {
    NullSweep sweep =
        sweep("dev.bulwark.fallback")
            .nullable(dev.bulwark.fallback.Aged.class, "<init>", "value")
            .nullable(dev.bulwark.fallback.Aged.class, "of", "value")
            .nullable(dev.bulwark.fallback.Served.class, "<init>", "value")
            .nullable(dev.bulwark.fallback.Served.class, "<init>", "failure")
            .nullable(Fallback.class, "toValue", "value")
            .nullable(FallbackConfig.class, "handlesResult", "value");
    assertThat(failures(sweep)).isEmpty();
  }

  @Test
  void hedgeApiRefusesNullArguments() {
    assertThat(failures(sweep("dev.bulwark.hedge"))).isEmpty();
  }

  @Test
  void healthApiRefusesNullArguments() {
    assertThat(failures(sweep("dev.bulwark.health"))).isEmpty();
  }

  @Test
  void healthCheckApiRefusesNullArguments() {
    HealthCheck check =
        HealthCheck.of(
            "check",
            HealthCheckConfig.builder()
                .probe(() -> CompletableFuture.completedFuture(HealthCheck.Result.healthy("UP")))
                .build(),
            clock,
            scheduler);
    NullSweep sweep =
        sweep("dev.bulwark.healthcheck").instance(check).implementedByUsers(HealthProbe.class);
    assertThat(failures(sweep)).isEmpty();
  }

  @Test
  void eventsRefuseNullComponentsButTheDocumentedOnes() {
    NullSweep sweep =
        sweep("dev.bulwark.event")
            .nullable(dev.bulwark.event.FailureRecorded.class, "<init>", "failure")
            .nullable(dev.bulwark.event.FallbackServed.class, "<init>", "failure")
            .nullable(dev.bulwark.event.FallbackServed.class, "<init>", "age")
            .nullable(dev.bulwark.event.LateOutcome.class, "<init>", "value")
            .nullable(dev.bulwark.event.LateOutcome.class, "<init>", "failure")
            .nullable(dev.bulwark.event.OutcomeIgnored.class, "<init>", "failure")
            .nullable(dev.bulwark.event.RetriesExhausted.class, "<init>", "lastFailure")
            .nullable(dev.bulwark.event.RetryBudgetExhausted.class, "<init>", "lastFailure")
            .nullable(dev.bulwark.event.RetryScheduled.class, "<init>", "failure");
    assertThat(failures(sweep)).isEmpty();
  }

  @Test
  void clockAndSchedulerRefuseNullArguments() {
    NullSweep sweep =
        sweep("dev.bulwark.time").instance(Clock.system()).instance(Scheduler.system());
    assertThat(failures(sweep)).isEmpty();
  }
}
