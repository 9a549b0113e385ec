package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerOpenException;
import dev.bulwark.health.HealthReport;
import dev.bulwark.health.HealthStatus;
import dev.bulwark.healthcheck.HealthCheck;
import dev.bulwark.healthcheck.HealthCheckConfig;
import dev.bulwark.healthcheck.HealthProbe;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Health checks in the registry: settings, the breaker they steer, health, and close(). */
class ResilienceHealthCheckTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final AtomicBoolean up = new AtomicBoolean(true);
  private final AtomicInteger probes = new AtomicInteger();
  private final HealthProbe probe =
      () -> {
        probes.incrementAndGet();
        return CompletableFuture.completedFuture(
            up.get() ? HealthCheck.Result.healthy("UP") : HealthCheck.Result.unhealthy("HTTP 503"));
      };

  private Resilience registry(Map<String, String> environment) {
    return Resilience.builder()
        .clock(clock)
        .scheduler(scheduler)
        .defaultConfig(Retry.KIND, RetryConfig.builder().maxAttempts(1).build())
        .config(HealthCheck.KIND, "inventory", HealthCheckConfig.builder().probe(probe).build())
        .environment(environment)
        .build();
  }

  @Test
  void aCheckTakesItsSettingsFromTheEnvironmentAndSteersTheBreakerOfTheNamedPipeline()
      throws Exception {
    Resilience resilience =
        registry(
            Map.of(
                "BULWARK_HEALTH_CHECK_INVENTORY_INTERVAL", "10s",
                "BULWARK_HEALTH_CHECK_INVENTORY_TIMEOUT", "500ms",
                "BULWARK_HEALTH_CHECK_INVENTORY_UNHEALTHY_THRESHOLD", "1",
                "BULWARK_HEALTH_CHECK_INVENTORY_BREAKER", "inventory",
                "BULWARK_HEALTH_CHECK_INVENTORY_COUNTS_AS", "critical"));
    HealthCheck inventory = resilience.get(HealthCheck.KIND, "inventory");
    HealthCheckConfig config = inventory.config();
    assertThat(config.interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.timeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.unhealthyThreshold()).isEqualTo(1);
    assertThat(config.breaker()).isEqualTo("inventory");
    assertThat(config.countsAs()).isEqualTo(HealthCheckConfig.Severity.CRITICAL);
    assertThat(inventory.isRunning()).isTrue();
    scheduler.runDue();
    assertThat(probes).hasValue(1);

    up.set(false);
    scheduler.advance(Duration.ofSeconds(11));

    assertThat(resilience.circuitBreaker("inventory").state()).isEqualTo(CircuitBreaker.State.OPEN);
    AtomicInteger reached = new AtomicInteger();
    assertThatThrownBy(() -> resilience.call("inventory", reached::incrementAndGet))
        .isInstanceOf(CircuitBreakerOpenException.class);
    assertThat(reached).hasValue(0);
    HealthCheck.Status listed =
        (HealthCheck.Status) resilience.snapshots(HealthCheck.KIND).get("inventory");
    assertThat(listed.healthy()).isFalse();
    assertThat(listed.lastResult().orElseThrow().detail()).isEqualTo("HTTP 503");
  }

  @Test
  void theRegistrysHealthCountsAnUnhealthyCheckAsConfigured() {
    Resilience resilience =
        registry(Map.of("BULWARK_HEALTH_CHECK_INVENTORY_UNHEALTHY_THRESHOLD", "1"));
    HealthCheck inventory = resilience.get(HealthCheck.KIND, "inventory");
    scheduler.runDue();
    assertThat(resilience.health().report().status()).isEqualTo(HealthStatus.HEALTHY);
    List<HealthStatus> heard = new ArrayList<>();
    resilience.health().onStatusChange((from, to, report) -> heard.add(to));

    up.set(false);
    scheduler.advance(Duration.ofSeconds(33));

    assertThat(inventory.isHealthy()).isFalse();
    assertThat(heard).containsExactly(HealthStatus.DEGRADED); // told at once, by the switch
    HealthReport report = resilience.health().report();
    assertThat(report.status()).isEqualTo(HealthStatus.DEGRADED); // the default: DEGRADED
    assertThat(report.reasons())
        .containsExactly("inventory: unhealthy, 1 failed check in a row: HTTP 503");

    up.set(true);
    scheduler.advance(Duration.ofSeconds(33));
    assertThat(heard).containsExactly(HealthStatus.DEGRADED, HealthStatus.HEALTHY);
  }

  @Test
  void aCheckMadeBeforeHealthWasAskedForIsCountedAsCritical() {
    Resilience resilience =
        registry(
            Map.of(
                "BULWARK_HEALTH_CHECK_INVENTORY_UNHEALTHY_THRESHOLD", "1",
                "BULWARK_HEALTH_CHECK_INVENTORY_COUNTS_AS", "CRITICAL"));
    up.set(false);
    resilience.get(HealthCheck.KIND, "inventory");
    scheduler.runDue();

    assertThat(resilience.health().report().status()).isEqualTo(HealthStatus.CRITICAL);
  }

  @Test
  void aCheckWithoutAProbeCannotBeMadeAndTheMessageSaysWhy() {
    Resilience resilience = registry(Map.of());

    assertThatThrownBy(() -> resilience.get(HealthCheck.KIND, "payments"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("health check 'payments' has no probe");
  }

  @Test
  void aBadSettingFailsTheBuildNamingTheVariable() {
    assertThatThrownBy(() -> registry(Map.of("BULWARK_HEALTH_CHECK_JITTER", "0.9")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("BULWARK_HEALTH_CHECK_JITTER must be in [0, 0.5], was 0.9");
  }

  @Test
  void aThousandChecksOnOneSchedulerRunOnTimeAndClosingTheRegistryStopsThemAll() {
    Map<String, List<Long>> ranAt = new ConcurrentHashMap<>();
    ResilienceBuilder builder = Resilience.builder().clock(clock).scheduler(scheduler);
    for (int i = 0; i < 1_000; i++) {
      String name = "service-" + i;
      builder.config(
          HealthCheck.KIND,
          name,
          HealthCheckConfig.builder()
              .probe(
                  () -> {
                    ranAt.computeIfAbsent(name, n -> new ArrayList<>()).add(clock.nanoTime());
                    return CompletableFuture.completedFuture(HealthCheck.Result.healthy("UP"));
                  })
              .build());
    }
    Resilience resilience = builder.build();
    for (int i = 0; i < 1_000; i++) {
      resilience.get(HealthCheck.KIND, "service-" + i);
    }
    assertThat(scheduler.pendingTasks()).isEqualTo(1_000); // one pending tick per check

    scheduler.advance(Duration.ofMinutes(30));

    long low = Duration.ofSeconds(27).toNanos();
    long high = Duration.ofSeconds(33).toNanos();
    assertThat(ranAt).hasSize(1_000);
    for (List<Long> times : ranAt.values()) {
      assertThat(times.size()).isBetween(1 + 1800 / 33, 1 + 1800 / 27);
      for (int i = 1; i < times.size(); i++) {
        assertThat(times.get(i) - times.get(i - 1)).isBetween(low, high);
      }
    }

    resilience.close();
    int before = ranAt.values().stream().mapToInt(List::size).sum();
    scheduler.advance(Duration.ofHours(1));

    assertThat(scheduler.pendingTasks()).isZero();
    assertThat(ranAt.values().stream().mapToInt(List::size).sum()).isEqualTo(before);
    assertThat(resilience.instances(HealthCheck.KIND).values()).noneMatch(HealthCheck::isRunning);
    HealthCheck late =
        resilience.get(HealthCheck.KIND, "late", HealthCheckConfig.builder().probe(probe).build());
    assertThat(late.isRunning()).isFalse(); // made after close: never started
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void aThousandChecksOnTheSystemSchedulerShareItsThreadsAndNeverProbeOnItsTimer()
      throws Exception {
    int checks = 1_000;
    CountDownLatch twiceEach = new CountDownLatch(2 * checks);
    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    Map<String, Boolean> probeThreads = new ConcurrentHashMap<>();
    ResilienceBuilder builder = Resilience.builder().scheduler(Scheduler.system());
    for (int i = 0; i < checks; i++) {
      String name = "service-" + i;
      runs.put(name, new AtomicInteger());
      builder.config(
          HealthCheck.KIND,
          name,
          HealthCheckConfig.builder()
              .interval(Duration.ofSeconds(1))
              .probe(
                  () -> {
                    probeThreads.put(Thread.currentThread().getName(), true);
                    if (runs.get(name).incrementAndGet() <= 2) {
                      twiceEach.countDown();
                    }
                    return CompletableFuture.completedFuture(HealthCheck.Result.healthy("UP"));
                  })
              .build());
    }
    int threadsBefore = Thread.activeCount();
    try (Resilience resilience = builder.build()) {
      for (int i = 0; i < checks; i++) {
        resilience.get(HealthCheck.KIND, "service-" + i);
      }

      assertThat(twiceEach.await(30, TimeUnit.SECONDS)).isTrue();

      assertThat(probeThreads).doesNotContainKey("bulwark-scheduler");
      assertThat(Thread.activeCount() - threadsBefore).isLessThan(checks / 4); // not one each
    }
  }
}
