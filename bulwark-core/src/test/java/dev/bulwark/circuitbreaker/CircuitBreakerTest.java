package dev.bulwark.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.circuitbreaker.CircuitBreaker.State;
import dev.bulwark.event.CallPermitted;
import dev.bulwark.event.CallRejected;
import dev.bulwark.event.FailureRecorded;
import dev.bulwark.event.OutcomeIgnored;
import dev.bulwark.event.SuccessRecorded;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.Faults;
import dev.bulwark.test.Faults.Fault;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The breaker's life cycle, each scenario run sync, async and on a virtual thread. */
class CircuitBreakerTest {
  private final ManualClock clock = ManualClock.nearOverflow(); // wraps past Long.MAX_VALUE
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final Fault<String> ok = Faults.returning("ok");
  private final Fault<String> failing = Faults.failing(new IOException("connection reset"));

  /** How often the protected service really ran. */
  private int invocations() {
    return ok.calls() + failing.calls();
  }

  private CircuitBreaker breaker(CircuitBreakerConfig.Builder config) {
    return CircuitBreaker.of("db", config.build(), clock);
  }

  private static CircuitBreakerConfig.Builder seeds() {
    return CircuitBreakerConfig.builder()
        .consecutiveFailures(3)
        .openDuration(Duration.ofSeconds(30))
        .halfOpenMaxCalls(1)
        .successThreshold(2);
  }

  private void fail(CallMode mode, CircuitBreaker breaker, int times) {
    for (int i = 0; i < times; i++) {
      assertThatThrownBy(() -> mode.call(breaker, scheduler, failing))
          .isInstanceOf(IOException.class);
    }
  }

  private void succeed(CallMode mode, CircuitBreaker breaker, int times) throws Exception {
    for (int i = 0; i < times; i++) {
      assertThat(mode.call(breaker, scheduler, ok)).isEqualTo("ok");
    }
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void opensAfterThreeFailuresFailsFastThenProbesOneAtATimeAndClosesAfterTwoSuccesses(CallMode mode)
      throws Exception {
    CircuitBreaker breaker = breaker(seeds());
    Recorder recorder = Recorder.listeningTo(breaker);

    fail(mode, breaker, 3);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(invocations()).isEqualTo(3);

    assertThatThrownBy(() -> mode.call(breaker, scheduler, ok))
        .isInstanceOfSatisfying(
            CircuitBreakerOpenException.class,
            e -> {
              assertThat(e.policyName()).isEqualTo("db");
              assertThat(e.state()).isEqualTo(State.OPEN);
              assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
              assertThat(e.getMessage())
                  .isEqualTo("circuit breaker 'db' is OPEN; next probe in PT30S");
            });
    assertThat(invocations()).as("the service is not called while open").isEqualTo(3);

    clock.advance(Duration.ofSeconds(29));
    assertThatThrownBy(() -> mode.call(breaker, scheduler, ok))
        .isInstanceOfSatisfying(
            CircuitBreakerOpenException.class,
            e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(1)));

    clock.advance(Duration.ofSeconds(1));
    Fault<String> secondProbe = Faults.returning("second");
    String first =
        mode.call(
            breaker,
            scheduler,
            () -> {
              assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
              assertThatThrownBy(() -> mode.call(breaker, scheduler, secondProbe))
                  .isInstanceOfSatisfying(
                      CircuitBreakerOpenException.class,
                      e -> {
                        assertThat(e.state()).isEqualTo(State.HALF_OPEN);
                        assertThat(e.retryAfter()).isEmpty();
                      });
              return "first";
            });
    assertThat(first).isEqualTo("first");
    assertThat(secondProbe.calls()).isEqualTo(0);
    assertThat(breaker.state()).as("one success of two").isEqualTo(State.HALF_OPEN);

    succeed(mode, breaker, 1);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(recorder.transitions())
        .containsExactly("CLOSED>OPEN", "OPEN>HALF_OPEN", "HALF_OPEN>CLOSED");
    assertThat(recorder.count(CallRejected.class)).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aSuccessBetweenFailuresResetsTheConsecutiveCount(CallMode mode) throws Exception {
    CircuitBreaker breaker = breaker(seeds());

    fail(mode, breaker, 2);
    succeed(mode, breaker, 1);
    fail(mode, breaker, 2);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);

    fail(mode, breaker, 1);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aFailedProbeReopensTheBreakerForAnotherFullWait(CallMode mode) throws Exception {
    CircuitBreaker breaker = breaker(seeds());
    fail(mode, breaker, 3);
    clock.advance(Duration.ofSeconds(30));

    fail(mode, breaker, 1);

    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.snapshot().timeUntilProbe()).isEqualTo(Duration.ofSeconds(30));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void opensWhenFailureRateReachesTheThresholdOverACountWindow(CallMode mode) throws Exception {
    CircuitBreaker breaker =
        breaker(CircuitBreakerConfig.builder().windowSize(10).minimumCalls(10));

    succeed(mode, breaker, 5);
    fail(mode, breaker, 4);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.snapshot().failureRate()).as("9 calls < minimumCalls").isEqualTo(-1f);

    fail(mode, breaker, 1);

    assertThat(breaker.state()).isEqualTo(State.OPEN);
    CircuitBreaker.Snapshot snapshot = breaker.snapshot();
    assertThat(snapshot.failureRate()).isEqualTo(50f);
    assertThat(snapshot.bufferedCalls()).isEqualTo(10);
    assertThat(snapshot.failedCalls()).isEqualTo(5);
    assertThat(snapshot.successfulCalls()).isEqualTo(5);
    assertThat(snapshot.timeUntilProbe()).isEqualTo(Duration.ofSeconds(30));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aSuccessThatBringsTheWindowToMinimumCallsCanOpenIt(CallMode mode) throws Exception {
    CircuitBreaker breaker =
        breaker(CircuitBreakerConfig.builder().windowSize(10).minimumCalls(10));

    fail(mode, breaker, 9);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);

    succeed(mode, breaker, 1);

    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.snapshot().failureRate()).isEqualTo(90f);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void oldOutcomesSlideOutOfTheCountWindow(CallMode mode) throws Exception {
    CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder().windowSize(4).minimumCalls(4));

    fail(mode, breaker, 1);
    succeed(mode, breaker, 3);
    assertThat(breaker.snapshot().failureRate()).isEqualTo(25f);
    succeed(mode, breaker, 1);
    assertThat(breaker.snapshot().failureRate()).as("the failure slid out").isEqualTo(0f);
    assertThat(breaker.snapshot().bufferedCalls()).isEqualTo(4);
    fail(mode, breaker, 1);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);

    fail(mode, breaker, 1);

    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void opensWhenSlowCallRateReachesTheThreshold(CallMode mode) throws Exception {
    CircuitBreaker breaker =
        breaker(
            CircuitBreakerConfig.builder()
                .windowSize(4)
                .minimumCalls(4)
                .slowCallDuration(Duration.ofSeconds(1))
                .slowCallRateThreshold(50));
    Callable<String> slow = Faults.slow(clock, Duration.ofSeconds(2), "slow");

    succeed(mode, breaker, 2);
    assertThat(mode.call(breaker, scheduler, slow)).isEqualTo("slow");
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(mode.call(breaker, scheduler, slow)).isEqualTo("slow");

    assertThat(breaker.state()).isEqualTo(State.OPEN);
    CircuitBreaker.Snapshot snapshot = breaker.snapshot();
    assertThat(snapshot.slowCalls()).isEqualTo(2);
    assertThat(snapshot.slowCallRate()).isEqualTo(50f);
    assertThat(snapshot.failureRate()).isEqualTo(0f);
    assertThat(snapshot.successfulCalls()).isEqualTo(4);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void slowCallsDoNotCountWhenSlowCallDetectionIsOff(CallMode mode) throws Exception {
    CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder().windowSize(2).minimumCalls(2));

    for (int i = 0; i < 2; i++) {
      mode.call(breaker, scheduler, Faults.slow(clock, Duration.ofHours(1), "slow"));
    }

    assertThat(breaker.snapshot().slowCalls()).isZero();
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aResultClassifiedAsFailureCountsAsAFailureAndStillReachesTheCaller(CallMode mode)
      throws Exception {
    CircuitBreaker breaker =
        breaker(
            CircuitBreakerConfig.builder()
                .consecutiveFailures(2)
                .recordResultAsFailure(r -> Integer.valueOf(503).equals(r)));
    Recorder recorder = Recorder.listeningTo(breaker);

    assertThat(mode.call(breaker, scheduler, () -> 503)).isEqualTo(503);
    assertThat(mode.call(breaker, scheduler, () -> 200)).isEqualTo(200);
    assertThat(mode.call(breaker, scheduler, () -> 503)).isEqualTo(503);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(mode.call(breaker, scheduler, () -> 503)).isEqualTo(503);

    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(recorder.count(FailureRecorded.class)).isEqualTo(3);
    assertThat(recorder.count(SuccessRecorded.class)).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void everyPermittedCallPublishesExactlyOneOutcome(CallMode mode) throws Exception {
    CircuitBreaker breaker =
        breaker(seeds().consecutiveFailures(2).ignoreExceptions(IllegalArgumentException.class));
    Recorder recorder = Recorder.listeningTo(breaker);

    succeed(mode, breaker, 2);
    assertThatThrownBy(
            () ->
                mode.call(
                    breaker,
                    scheduler,
                    () -> {
                      throw new IllegalArgumentException("bad request");
                    }))
        .isInstanceOf(IllegalArgumentException.class);
    fail(mode, breaker, 2);
    assertThatThrownBy(() -> mode.call(breaker, scheduler, ok))
        .isInstanceOf(CircuitBreakerOpenException.class);

    assertThat(recorder.count(CallPermitted.class)).isEqualTo(5);
    assertThat(recorder.count(SuccessRecorded.class)).isEqualTo(2);
    assertThat(recorder.count(OutcomeIgnored.class)).isEqualTo(1);
    assertThat(recorder.count(FailureRecorded.class)).isEqualTo(2);
    assertThat(recorder.count(CallRejected.class)).isEqualTo(1);
    assertThat(recorder.transitions()).containsExactly("CLOSED>OPEN");
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aThrowingListenerDoesNotBreakTheCall(CallMode mode) throws Exception {
    CircuitBreaker breaker = breaker(seeds().consecutiveFailures(1));
    breaker
        .events()
        .subscribe(
            e -> {
              throw new IllegalStateException("listener bug");
            });
    Recorder recorder = Recorder.listeningTo(breaker);

    succeed(mode, breaker, 1);
    fail(mode, breaker, 1);

    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(recorder.transitions()).containsExactly("CLOSED>OPEN");
    assertThat(recorder.count(SuccessRecorded.class)).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void forceOpenRejectsEverythingUntilReset(CallMode mode) throws Exception {
    CircuitBreaker breaker = breaker(seeds());
    Recorder recorder = Recorder.listeningTo(breaker);

    breaker.forceOpen();
    breaker.forceOpen(); // already forced: no second event
    clock.advance(Duration.ofDays(1));

    assertThatThrownBy(() -> mode.call(breaker, scheduler, ok))
        .isInstanceOfSatisfying(
            CircuitBreakerOpenException.class,
            e -> {
              assertThat(e.state()).isEqualTo(State.FORCED_OPEN);
              assertThat(e.retryAfter()).isEmpty();
              assertThat(e.retryAfterNanos()).isEqualTo(-1);
              assertThat(e.getMessage()).contains("'db'", "FORCED_OPEN", "reset()");
            });
    assertThat(invocations()).isEqualTo(0);
    assertThat(breaker.snapshot().notPermittedCalls()).isEqualTo(1);

    breaker.reset();

    succeed(mode, breaker, 1);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.snapshot().notPermittedCalls()).isZero();
    assertThat(recorder.transitions()).containsExactly("CLOSED>FORCED_OPEN", "FORCED_OPEN>CLOSED");
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aDisabledBreakerLetsEverythingThroughAndOnlyCounts(CallMode mode) throws Exception {
    CircuitBreaker breaker = breaker(seeds().consecutiveFailures(1).windowSize(10).minimumCalls(5));
    breaker.disable();

    fail(mode, breaker, 6);
    succeed(mode, breaker, 2);

    assertThat(breaker.state()).isEqualTo(State.DISABLED);
    assertThat(invocations()).isEqualTo(8);
    CircuitBreaker.Snapshot snapshot = breaker.snapshot();
    assertThat(snapshot.state()).isEqualTo(State.DISABLED);
    assertThat(snapshot.bufferedCalls()).isEqualTo(8);
    assertThat(snapshot.failedCalls()).isEqualTo(6);
    assertThat(snapshot.failureRate()).isEqualTo(75f);

    breaker.reset();

    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.snapshot().bufferedCalls()).as("reset empties the window").isZero();
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void resetClosesAnOpenBreakerAndEmptiesItsWindow(CallMode mode) throws Exception {
    CircuitBreaker breaker = breaker(seeds());
    fail(mode, breaker, 3);

    breaker.reset();

    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    CircuitBreaker.Snapshot snapshot = breaker.snapshot();
    assertThat(snapshot.bufferedCalls()).isZero();
    assertThat(snapshot.failureRate()).isEqualTo(-1f);
    assertThat(snapshot.timeUntilProbe()).isZero();
    fail(mode, breaker, 2);
    assertThat(breaker.state()).as("the consecutive count starts over").isEqualTo(State.CLOSED);
  }
}
