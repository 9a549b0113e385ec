package dev.bulwark.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Resilience;
import dev.bulwark.ResilienceBuilder;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.circuitbreaker.CircuitBreakerOpenException;
import dev.bulwark.circuitbreaker.StateChanged;
import dev.bulwark.fallback.Aged;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.fallback.FallbackConfig;
import dev.bulwark.fallback.Served;
import dev.bulwark.health.HealthConfig;
import dev.bulwark.health.HealthMonitor;
import dev.bulwark.health.HealthStatus;
import dev.bulwark.healthcheck.HealthCheck;
import dev.bulwark.healthcheck.HealthCheckConfig;
import dev.bulwark.policy.Pipeline;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The README's examples, compiled and run, so the README cannot drift from the API. Each test holds
 * one example between the {@code // README:} markers.
 */
class ReadmeExamplesTest {
  private final ManualClock clock = ManualClock.create();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final AtomicInteger serviceCalls = new AtomicInteger();

  /** Stands for a remote inventory service that is down. */
  private String fetchStock(String sku) throws IOException {
    serviceCalls.incrementAndGet();
    throw new IOException("connection refused");
  }

  @Test
  void breakerAndRetryInOnePipeline() throws Exception {
    // README: breaker-retry
    CircuitBreaker breaker =
        CircuitBreaker.of(
            "inventory",
            CircuitBreakerConfig.builder()
                .consecutiveFailures(3) // open after 3 failures in a row
                .openDuration(Duration.ofSeconds(30)) // then refuse calls for 30 s
                .halfOpenMaxCalls(1) // let one probe through at a time
                .successThreshold(2) // close after 2 good probes
                .build(),
            clock);
    Retry retry =
        Retry.of(
            "inventory",
            RetryConfig.builder()
                .maxAttempts(3)
                .backoff(
                    Backoff.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(2))
                        .withJitter(Backoff.Jitter.FULL))
                .build(),
            clock,
            scheduler);
    Pipeline inventory = Pipeline.of(breaker, retry); // outermost first

    List<String> transitions = new ArrayList<>();
    breaker
        .events()
        .subscribe(StateChanged.class, e -> transitions.add(e.from() + " -> " + e.to()));
    // README: end

    for (int i = 0; i < 3; i++) { // three calls, each retried three times, each failing
      assertThatThrownBy(() -> inventory.call(() -> fetchStock("sku-1")))
          .hasRootCauseInstanceOf(IOException.class);
    }
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    int callsBefore = serviceCalls.get();

    assertThatThrownBy(() -> inventory.call(() -> fetchStock("sku-1")))
        .isInstanceOfSatisfying(
            CircuitBreakerOpenException.class,
            e -> {
              assertThat(e.policyName()).isEqualTo("inventory");
              assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
            });
    assertThat(serviceCalls.get())
        .as("an open breaker does not call the service")
        .isEqualTo(callsBefore);
    assertThat(transitions).containsExactly("CLOSED -> OPEN");
  }

  @Test
  void aDegradationLadder() throws Exception {
    Aged<String> cached = Aged.of("12 in stock", Duration.ofMinutes(3));
    // README: ladder
    Fallback<String> stock =
        Fallback.of(
            "inventory-fallback",
            FallbackConfig.<String>builder()
                .thenAged("cache", failure -> cached) // a cached value with its age, or null
                .then("last-known", failure -> null) // the last value seen, or null
                .otherwise("unavailable", failure -> "stock unknown")
                .build());

    Served<String> served = stock.serve(() -> fetchStock("sku-1"));
    // served.value() = "12 in stock", served.rung() = "cache", served.age() = 3 minutes
    // README: end

    assertThat(served.value()).isEqualTo("12 in stock");
    assertThat(served.rung()).isEqualTo("cache");
    assertThat(served.age()).contains(Duration.ofMinutes(3));
    assertThat(served.isDegraded()).isTrue();
  }

  @Test
  void healthFromBreakers() {
    CircuitBreaker breaker =
        CircuitBreaker.of(
            "payments", CircuitBreakerConfig.builder().consecutiveFailures(1).build(), clock);
    // README: health
    HealthMonitor health = HealthMonitor.of(HealthConfig.ofDefaults(), clock).watch(breaker);
    health.onStatusChange(
        (from, to, report) -> alert(from + " -> " + to + ": " + report.reasons()));
    // README: end

    breaker.acquirePermission();
    breaker.onError(1_000, new IOException("down"));

    assertThat(health.report().status()).isEqualTo(HealthStatus.CRITICAL);
    // the failure is recorded (DEGRADED), then it opens the breaker (CRITICAL): two alerts, in
    // order
    assertThat(alerts).hasSize(2);
    assertThat(alerts.get(0)).startsWith("HEALTHY -> DEGRADED: [payments: 1 failure");
    assertThat(alerts.get(1)).startsWith("DEGRADED -> CRITICAL: [payments: OPEN");
  }

  private final AtomicBoolean inventoryUp = new AtomicBoolean(true);

  /** Stands for the inventory service's health endpoint, asked asynchronously. */
  private CompletionStage<HealthCheck.Result> pingInventory() {
    return CompletableFuture.completedFuture(
        inventoryUp.get()
            ? HealthCheck.Result.healthy("UP")
            : HealthCheck.Result.unhealthy("HTTP 503"));
  }

  private String localStock(String sku) {
    return "local estimate for " + sku;
  }

  private String remote(String sku) {
    serviceCalls.incrementAndGet();
    return "42 of " + sku;
  }

  @Test
  void anActiveHealthCheck() throws Exception {
    ResilienceBuilder builder = Resilience.builder().clock(clock).scheduler(scheduler);
    // README: health-check (the README starts from Resilience.builder())
    Resilience resilience =
        builder
            .config(
                HealthCheck.KIND,
                "inventory",
                HealthCheckConfig.builder()
                    .probe(this::pingInventory) // every 30 s, jittered, cut at 5 s
                    .breaker("inventory") // unhealthy opens it; healthy half-opens it at once
                    .build())
            .build();
    HealthCheck inventory = resilience.get(HealthCheck.KIND, "inventory"); // started
    // README: end
    scheduler.runDue();
    assertThat(stock(inventory, "sku-1")).isEqualTo("42 of sku-1");

    inventoryUp.set(false);
    scheduler.advance(Duration.ofSeconds(70)); // two checks fail: unhealthy, breaker open

    assertThat(stock(inventory, "sku-1")).isEqualTo("local estimate for sku-1");
    assertThat(resilience.circuitBreaker("inventory").state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(serviceCalls).hasValue(1);
    resilience.close();
    assertThat(scheduler.pendingTasks()).isZero();
  }

  private String stock(HealthCheck inventory, String sku) throws Exception {
    // README: is-healthy
    if (!inventory.isHealthy()) {
      return localStock(sku);
    }
    return inventory.call(() -> remote(sku)); // through the breaker it steers
    // README: end
  }

  private final List<String> alerts = new ArrayList<>();

  private void alert(String message) {
    alerts.add(message);
  }

  @Test
  void oneRegistryForTheApplication() throws Exception {
    Map<String, String> environment =
        Map.of("BULWARK_BREAKER_FAILURE_THRESHOLD", "3", "BULWARK_RETRY_MAX_ATTEMPTS", "2");
    // README: registry
    Resilience resilience =
        Resilience.builder()
            .clock(clock)
            .scheduler(scheduler)
            .derive(CircuitBreaker.KIND, "payments", b -> b.openDuration(Duration.ofMinutes(1)))
            .maxInstances(10_000) // one breaker per device, at most 10,000, idle ones evicted
            .idleEviction(Duration.ofMinutes(30))
            .environment(environment) // BULWARK_* variables tune what the code declares
            .build();

    // breaker "payments" (its own config) around retry "payments" (the default config)
    String receipt = resilience.call("payments", () -> "paid");
    CircuitBreaker device = resilience.circuitBreaker("device-42"); // get-or-create
    resilience.resetAll(CircuitBreaker.KIND);
    // README: end

    assertThat(receipt).isEqualTo("paid");
    assertThat(resilience.circuitBreaker("payments").config().openDuration())
        .isEqualTo(Duration.ofMinutes(1));
    assertThat(device.config().consecutiveFailures()).isEqualTo(3);
    assertThat(resilience.retry("payments").config().maxAttempts()).isEqualTo(2);
    assertThat(resilience.instances(CircuitBreaker.KIND)).containsOnlyKeys("device-42", "payments");
  }
}
