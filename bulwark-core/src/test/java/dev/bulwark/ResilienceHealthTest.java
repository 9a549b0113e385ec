package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.event.PolicyEvicted;
import dev.bulwark.health.HealthConfig;
import dev.bulwark.health.HealthMonitor;
import dev.bulwark.health.HealthReport;
import dev.bulwark.health.HealthStatus;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code Resilience.health()}: a monitor that follows the registry's breakers. */
class ResilienceHealthTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  private ResilienceBuilder builder(int failuresToOpen) {
    return Resilience.builder()
        .clock(clock)
        .scheduler(scheduler)
        .defaultConfig(Retry.KIND, RetryConfig.builder().maxAttempts(1).build())
        .defaultConfig(
            CircuitBreaker.KIND,
            CircuitBreakerConfig.builder()
                .consecutiveFailures(failuresToOpen)
                .openDuration(Duration.ofSeconds(30))
                .build());
  }

  private static String down() throws IOException {
    throw new IOException("down");
  }

  @Test
  void aBreakerCreatedByNameThatOpensMakesTheReportCriticalNamingIt() {
    Resilience resilience = builder(1).build();
    HealthMonitor health = resilience.health();
    assertThat(health.report().status()).isEqualTo(HealthStatus.HEALTHY);

    assertThatThrownBy(() -> resilience.call("inventory-42", () -> down()))
        .isInstanceOf(IOException.class);

    HealthReport report = resilience.health().report();
    assertThat(report.status()).isEqualTo(HealthStatus.CRITICAL);
    assertThat(report.openBreakers()).containsExactly("inventory-42");
  }

  @Test
  void breakersCreatedBeforeTheFirstHealthCallAreWatchedToo() {
    Resilience resilience = builder(1).build();
    resilience.forceOpen("payments");
    resilience.circuitBreaker("orders");

    HealthReport report = resilience.health().report();

    assertThat(report.status()).isEqualTo(HealthStatus.CRITICAL);
    assertThat(report.openBreakers()).containsExactly("payments");
  }

  @Test
  void listenersHearABreakerOpenOnTheThreadThatOpenedIt() {
    Resilience resilience = builder(1).build();
    List<HealthStatus> changes = new ArrayList<>();
    resilience.health().onStatusChange((from, to, report) -> changes.add(to));

    assertThatThrownBy(() -> resilience.call("x", () -> down())).isInstanceOf(IOException.class);

    assertThat(changes).contains(HealthStatus.CRITICAL);
  }

  @Test
  void anEvictedBreakerNoLongerAppearsInTheReport() {
    Resilience resilience =
        builder(5)
            .idleEviction(Duration.ofMinutes(1))
            .healthConfig(HealthConfig.builder().recentWindow(Duration.ofMinutes(10)).build())
            .build();
    resilience.health();
    assertThatThrownBy(() -> resilience.call("flaky", () -> down()))
        .isInstanceOf(IOException.class); // one failure: closed, but degraded
    assertThat(resilience.health().report().degradedComponents()).containsExactly("flaky");
    clock.advance(Duration.ofMinutes(2));

    assertThat(resilience.evictIdle()).isEqualTo(2); // its breaker and retry

    HealthReport report = resilience.health().report();
    assertThat(report.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(report.findings()).noneMatch(f -> f.component().equals("flaky"));
  }

  @Test
  void aBreakerEvictedToMakeRoomIsUnwatchedAndItsSuccessorWatched() {
    Resilience resilience =
        builder(5)
            .maxInstances(1)
            .healthConfig(HealthConfig.builder().recentWindow(Duration.ofMinutes(10)).build())
            .build();
    HealthMonitor health = resilience.health();
    CircuitBreaker first = resilience.circuitBreaker("a");
    assertThatThrownBy(() -> resilience.call("a", () -> down())).isInstanceOf(IOException.class);

    resilience.circuitBreaker("b"); // evicts "a" to make room
    resilience.forceOpen("a"); // a fresh "a", evicting "b"

    assertThat(resilience.find(CircuitBreaker.KIND, "a")).isPresent().get().isNotSameAs(first);
    assertThat(health.unwatch(first)).isFalse(); // already unwatched by the eviction
    HealthReport report = health.report();
    assertThat(report.openBreakers()).containsExactly("a");
    assertThat(report.degradedComponents()).isEmpty(); // the old "a"'s failure went with it
  }

  @Test
  void isMadeOnceWithTheConfigGiven() {
    HealthConfig config = HealthConfig.builder().recentWindow(Duration.ofSeconds(30)).build();
    Resilience resilience = builder(1).healthConfig(config).build();

    assertThat(resilience.health()).isSameAs(resilience.health());
    assertThat(resilience.health().config()).isSameAs(config);
    assertThat(Resilience.ofDefaults().health().config()).isSameAs(HealthConfig.ofDefaults());
    assertThatThrownBy(() -> Resilience.builder().healthConfig(null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void whileThreadsCreateAndEvictBreakersTheMonitorEndsUpWatchingExactlyTheLiveOnes()
      throws Exception {
    Resilience resilience = Resilience.builder().clock(clock).maxInstances(64).build();
    Set<CircuitBreaker> evicted = ConcurrentHashMap.newKeySet();
    resilience
        .events()
        .subscribe(
            PolicyEvicted.class,
            e -> {
              if (e.policy() instanceof CircuitBreaker) {
                evicted.add((CircuitBreaker) e.policy());
              }
            });
    AtomicInteger created = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> creators = new ArrayList<>();
    try {
      for (int t = 0; t < 4; t++) {
        String prefix = "t" + t + "-";
        creators.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 5_000; i++) {
                    resilience.circuitBreaker(prefix + i); // each new name evicts to make room
                    created.incrementAndGet();
                  }
                  return null;
                }));
      }
      start.countDown();
      while (created.get() < 2_000) { // attach the monitor in the middle of the churn
        Thread.onSpinWait();
      }
      HealthMonitor health = resilience.health();
      for (Future<?> creator : creators) {
        creator.get(60, TimeUnit.SECONDS);
      }

      assertThat(evicted).isNotEmpty();
      for (String name : resilience.instances(CircuitBreaker.KIND).keySet()) {
        CircuitBreaker live = resilience.find(CircuitBreaker.KIND, name).orElseThrow();
        assertThat(health.unwatch(live)).as("live %s watched", name).isTrue();
      }
      for (CircuitBreaker gone : evicted) {
        assertThat(health.unwatch(gone)).as("evicted %s not watched", gone.name()).isFalse();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
