package dev.bulwark.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.event.FailureRecorded;
import dev.bulwark.spi.EventBus;
import dev.bulwark.test.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Status changes announced from many real threads at once: each exactly once, in order, never two
 * listener calls at a time. Threads start together at a barrier; every wait is bounded.
 */
class HealthMonitorConcurrencyTest {
  private static final int THREADS = 4;
  private static final IOException FAILURE = new IOException("connection reset");

  private final ManualClock clock = ManualClock.create();
  private final HealthMonitor health = HealthMonitor.of(HealthConfig.ofDefaults(), clock);
  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

  @AfterEach
  void stopThreads() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  /** Runs each task on its own thread, all released at once, and waits for them (bounded). */
  private void runTogether(List<Callable<Void>> tasks) throws Exception {
    CyclicBarrier start = new CyclicBarrier(tasks.size());
    List<Future<Void>> running = new ArrayList<>();
    for (Callable<Void> task : tasks) {
      running.add(
          pool.submit(
              () -> {
                start.await(30, TimeUnit.SECONDS);
                return task.call();
              }));
    }
    for (Future<Void> f : running) {
      f.get(30, TimeUnit.SECONDS);
    }
  }

  private Callable<Void> repeat(int times, Runnable action) {
    return () -> {
      for (int i = 0; i < times; i++) {
        action.run();
      }
      return null;
    };
  }

  @RepeatedTest(20)
  void manyThreadsFailingAtOnceAnnounceDegradedExactlyOnce() throws Exception {
    EventBus inventory = new EventBus(); // a source that only fails: no breaker opens here
    health.watch("inventory", inventory);
    Changes changes = Changes.listeningTo(health);
    Runnable fail =
        () ->
            inventory.publish(
                new FailureRecorded("inventory", Duration.ZERO, FAILURE, clock.wallTime()));

    runTogether(
        List.of(
            repeat(2_000, fail),
            repeat(2_000, fail),
            repeat(2_000, fail),
            repeat(200, health::report)));

    assertThat(changes.all()).containsExactly("HEALTHY>DEGRADED");
    assertThat(changes.overlaps()).isZero();
    assertThat(health.report().reasons())
        .containsExactly("inventory: 6000 failures in the last 60 s");
  }

  @RepeatedTest(20)
  void aBreakerOpeningUnderLoadIsAnnouncedCriticalExactlyOnce() throws Exception {
    CircuitBreaker payments =
        CircuitBreaker.of(
            "payments",
            CircuitBreakerConfig.builder()
                .consecutiveFailures(50)
                .openDuration(Duration.ofSeconds(30))
                .build(),
            clock);
    health.watch(payments);
    Changes changes = Changes.listeningTo(health);
    Runnable failIfPermitted =
        () -> {
          if (payments.tryAcquirePermission()) {
            payments.onError(0, FAILURE);
          }
        };

    runTogether(
        List.of(
            repeat(500, failIfPermitted),
            repeat(500, failIfPermitted),
            repeat(500, health::report),
            repeat(500, health::report)));

    assertThat(changes.formAChain()).isTrue();
    assertThat(changes.countTo(HealthStatus.CRITICAL)).isEqualTo(1);
    assertThat(changes.all()).last().asString().endsWith(">CRITICAL");
    assertThat(changes.overlaps()).isZero();
  }

  @RepeatedTest(20)
  void statusFlippingWhileOthersReportIsAnnouncedAsAnUnbrokenChainEndingWhereItStands()
      throws Exception {
    CircuitBreaker payments =
        CircuitBreaker.of("payments", CircuitBreakerConfig.ofDefaults(), clock);
    health.watch(payments);
    Changes changes = Changes.listeningTo(health);

    runTogether(
        List.of(
            repeat(
                300,
                () -> {
                  payments.forceOpen();
                  payments.reset();
                }),
            repeat(300, health::report),
            repeat(300, health::report),
            repeat(300, health::report)));
    HealthStatus now = health.report().status();

    assertThat(now).isEqualTo(HealthStatus.HEALTHY); // the last act was a reset
    assertThat(changes.formAChain()).isTrue();
    assertThat(changes.overlaps()).isZero();
    // a status shorter than an evaluation may go unseen, but what is announced adds up: every
    // alert is followed by its recovery, and the chain ends where the monitor stands
    assertThat(changes.countTo(HealthStatus.CRITICAL))
        .isEqualTo(changes.countTo(HealthStatus.HEALTHY));
    if (!changes.all().isEmpty()) {
      assertThat(changes.all()).last().asString().endsWith(">HEALTHY");
    }
  }
}
