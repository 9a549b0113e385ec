package dev.bulwark.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.test.Faults.Fault;
import dev.bulwark.test.Faults.Hang;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FaultsTest {

  @Test
  void failTimesFailsThatOftenThenReturnsTheValueAndCountsEveryCall() throws Exception {
    IOException reset = new IOException("reset");
    Fault<String> flaky = Faults.failTimes(2, reset, "ok");

    assertThatThrownBy(flaky::call).isSameAs(reset);
    assertThatThrownBy(flaky::call).isSameAs(reset);
    assertThat(flaky.call()).isEqualTo("ok");
    assertThat(flaky.call()).isEqualTo("ok");
    assertThat(flaky.calls()).isEqualTo(4);
  }

  @Test
  void failingThrowsTheSameFailureEveryTimeAlsoWhenCalledAsynchronously() {
    IllegalStateException broken = new IllegalStateException("broken");
    Fault<String> failing = Faults.failing(broken);

    assertThatThrownBy(failing::call).isSameAs(broken);
    CompletableFuture<String> stage = failing.async().get().toCompletableFuture();

    assertThat(stage).isCompletedExceptionally();
    assertThatThrownBy(stage::join).hasCause(broken);
    assertThat(failing.calls()).isEqualTo(2);
  }

  @Test
  void slowAdvancesTheManualClockInsideTheCallSoABreakerSeesASlowCall() throws Exception {
    ManualClock clock = ManualClock.nearOverflow();
    CircuitBreaker breaker =
        CircuitBreaker.of(
            "db",
            CircuitBreakerConfig.builder()
                .windowSize(2)
                .minimumCalls(2)
                .slowCallDuration(Duration.ofSeconds(1))
                .slowCallRateThreshold(100)
                .build(),
            clock);
    Fault<String> slow = Faults.slow(clock, Duration.ofSeconds(2), "slow");
    long before = clock.nanoTime();

    assertThat(breaker.call(slow)).isEqualTo("slow");
    assertThat(breaker.call(slow)).isEqualTo("slow");

    assertThat(clock.nanoTime() - before).isEqualTo(Duration.ofSeconds(4).toNanos());
    assertThat(breaker.snapshot().slowCalls()).isEqualTo(2);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void failTimesThroughAPolicyOpensABreakerAndFailsLoudlyOnAnyOtherOutcome() {
    ManualClock clock = ManualClock.create();
    CircuitBreaker breaker =
        CircuitBreaker.of(
            "payments", CircuitBreakerConfig.builder().consecutiveFailures(4).build(), clock);
    IOException boom = new IOException("boom");

    Faults.failTimes(breaker, 4, boom);

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThatThrownBy(() -> Faults.failTimes(breaker, 1, boom))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("through payments failed with")
        .hasMessageContaining("CircuitBreakerOpenException");
  }

  @Test
  void hangBlocksUntilReleasedAndTellsWhenACallEntered() throws Exception {
    Hang<String> stuck = Faults.hang("late");
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      Future<String> call = executor.submit(stuck);

      assertThat(stuck.awaitEntered(Duration.ofSeconds(5))).isTrue();
      assertThat(call).isNotDone();
      stuck.release();

      assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo("late");
      assertThat(stuck.calls()).isEqualTo(1);
      assertThat(stuck.call()).as("released: returns at once").isEqualTo("late");
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void aHangNeverReleasedGivesUpAfterItsBound() {
    Hang<String> forgotten = Faults.hang("never", Duration.ofMillis(20));

    assertThatThrownBy(forgotten::call)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not released within PT0.02S");
  }

  @Test
  void aHangHonoursInterrupts() throws Exception {
    Hang<String> stuck = Faults.hang("late");
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      Future<String> call = executor.submit(stuck);
      assertThat(stuck.awaitEntered(Duration.ofSeconds(5))).isTrue();

      executor.shutdownNow(); // interrupts the waiting call

      assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
      assertThat(call).isDone();
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void awaitEnteredReturnsFalseWhenNoCallCameInTime() throws Exception {
    Hang<String> idle = Faults.hang("unused");

    assertThat(idle.awaitEntered(Duration.ofMillis(10))).isFalse();
    assertThat(idle.calls()).isZero();
  }
}
