package dev.bulwark.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.bulwark.circuitbreaker.CircuitBreaker.State;
import dev.bulwark.test.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code trip()} and {@code halfOpen()}: what an active health check uses to steer a breaker. */
class CircuitBreakerSteeringTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final CircuitBreaker breaker =
      CircuitBreaker.of(
          "inventory",
          CircuitBreakerConfig.builder()
              .consecutiveFailures(1)
              .openDuration(Duration.ofSeconds(60))
              .openDurationMultiplier(2)
              .halfOpenMaxCalls(1)
              .build(),
          clock);
  private final List<StateChanged> changes = new CopyOnWriteArrayList<>();

  {
    breaker.events().subscribe(StateChanged.class, changes::add);
  }

  private void failOnce() {
    assertThatThrownBy(
            () ->
                breaker.call(
                    () -> {
                      throw new IOException("down");
                    }))
        .isInstanceOf(IOException.class);
  }

  @Test
  void tripOpensAClosedBreakerForItsOpenDurationAndPublishesTheChange() {
    assertThat(breaker.trip()).isTrue();

    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.snapshot().timeUntilProbe()).isEqualTo(Duration.ofSeconds(60));
    assertThat(changes)
        .extracting(StateChanged::from, StateChanged::to)
        .containsExactly(tuple(State.CLOSED, State.OPEN));
    assertThatThrownBy(() -> breaker.call(() -> "unreached"))
        .isInstanceOf(CircuitBreakerOpenException.class);
  }

  @Test
  void tripReopensAHalfOpenBreakerAsAFailedProbeWouldWithTheLongerWait() {
    breaker.trip();
    clock.advance(Duration.ofSeconds(60));
    assertThat(breaker.tryAcquirePermission()).isTrue(); // a probe: half-open now
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);

    assertThat(breaker.trip()).isTrue();

    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.snapshot().timeUntilProbe()).isEqualTo(Duration.ofSeconds(120));
  }

  @Test
  void tripLeavesAnOpenBreakerWithTheWaitItAnnounced() {
    breaker.trip();
    clock.advance(Duration.ofSeconds(20));

    assertThat(breaker.trip()).isFalse();

    assertThat(breaker.snapshot().timeUntilProbe()).isEqualTo(Duration.ofSeconds(40));
    assertThat(changes).hasSize(1);
  }

  @Test
  void tripLeavesABreakerForcedOpenOrDisabledByHandAsItIs() {
    breaker.forceOpen();
    assertThat(breaker.trip()).isFalse();
    assertThat(breaker.state()).isEqualTo(State.FORCED_OPEN);

    breaker.disable();
    assertThat(breaker.trip()).isFalse();
    assertThat(breaker.state()).isEqualTo(State.DISABLED);
  }

  @Test
  void halfOpenEndsTheOpenWaitAtOnceAndTheNextCallProbesAndClosesIt() throws Exception {
    failOnce();
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    clock.advance(Duration.ofSeconds(1)); // 59 s of the wait left

    assertThat(breaker.halfOpen()).isTrue();

    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    assertThat(breaker.call(() -> "probe")).isEqualTo("probe");
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(changes)
        .extracting(StateChanged::to)
        .containsExactly(State.OPEN, State.HALF_OPEN, State.CLOSED);
  }

  @Test
  void halfOpenLetsThroughOnlyTheConfiguredProbesAndAFailedProbeReopens() {
    breaker.trip();
    breaker.halfOpen();

    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isFalse(); // halfOpenMaxCalls = 1
    breaker.onError(0, new IOException("still down"));

    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.snapshot().timeUntilProbe()).isEqualTo(Duration.ofSeconds(120));
  }

  @Test
  void halfOpenDoesNothingUnlessTheBreakerIsOpen() {
    assertThat(breaker.halfOpen()).isFalse();
    assertThat(breaker.state()).isEqualTo(State.CLOSED);

    breaker.forceOpen();
    assertThat(breaker.halfOpen()).isFalse();
    assertThat(breaker.state()).isEqualTo(State.FORCED_OPEN);
    assertThat(changes).extracting(StateChanged::to).containsExactly(State.FORCED_OPEN);
  }

  @Test
  void racingTripsMoveTheBreakerOnceAndPublishOnce() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < 200; round++) {
        breaker.reset();
        changes.clear();
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger moved = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          done.add(
              pool.submit(
                  () -> {
                    go.await();
                    if (breaker.trip()) {
                      moved.incrementAndGet();
                    }
                    return null;
                  }));
        }
        go.countDown();
        for (Future<?> f : done) {
          f.get(10, TimeUnit.SECONDS);
        }
        assertThat(moved).hasValue(1);
        assertThat(changes).extracting(StateChanged::to).containsExactly(State.OPEN);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
