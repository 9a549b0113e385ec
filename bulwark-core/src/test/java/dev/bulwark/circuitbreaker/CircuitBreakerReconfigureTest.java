package dev.bulwark.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.circuitbreaker.CircuitBreaker.State;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig.WindowType;
import dev.bulwark.event.ConfigChanged;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import dev.bulwark.time.Clock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Replacing a running breaker's configuration: what changes, when, and what it keeps. */
class CircuitBreakerReconfigureTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  private final Callable<String> ok = () -> "ok";
  private final Callable<String> failing =
      () -> {
        throw new IOException("connection reset");
      };

  /** A window of 10 calls, all needed, opening at half of them failing, 10 s open. */
  private static CircuitBreakerConfig.Builder tenCalls() {
    return CircuitBreakerConfig.builder()
        .windowSize(10)
        .minimumCalls(10)
        .failureRateThreshold(50)
        .openDuration(Duration.ofSeconds(10));
  }

  private CircuitBreaker breaker(CircuitBreakerConfig config) {
    return CircuitBreaker.of("db", config, clock);
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
  void aLoweredFailureRateThresholdOpensOnTheNextRecordedOutcomeCountingTheFailuresRecordedBefore(
      CallMode mode) throws Exception {
    CircuitBreaker breaker = breaker(tenCalls().build());
    succeed(mode, breaker, 7);
    fail(mode, breaker, 3); // 30 %: below 50

    breaker.reconfigure(tenCalls().failureRateThreshold(25).build());

    assertThat(breaker.state()).isEqualTo(State.CLOSED); // the change alone decides nothing
    assertThat(breaker.snapshot().failedCalls()).isEqualTo(3); // the window was kept
    succeed(mode, breaker, 1); // pushes out a success: still 3 of 10, now above 25 %
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aRaisedThresholdKeepsClosedWhatTheOldOneWouldHaveOpened(CallMode mode) throws Exception {
    CircuitBreaker breaker = breaker(tenCalls().build());
    succeed(mode, breaker, 6);
    fail(mode, breaker, 3);

    breaker.reconfigure(tenCalls().failureRateThreshold(80).build());
    fail(mode, breaker, 1); // 4 of 10 would not open at 50 % either; 5 would

    fail(mode, breaker, 1);
    assertThat(breaker.snapshot().failedCalls()).isEqualTo(5);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void anOpenBreakerKeepsItsOpenUntilTimeAndTheNewOpenDurationAppliesToTheNextOpening()
      throws Exception {
    CircuitBreaker breaker = breaker(tenCalls().consecutiveFailures(2).build());
    fail(CallMode.SYNC, breaker, 2);
    clock.advance(Duration.ofSeconds(4));

    breaker.reconfigure(
        tenCalls().consecutiveFailures(2).openDuration(Duration.ofSeconds(60)).build());

    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.snapshot().timeUntilProbe()).isEqualTo(Duration.ofSeconds(6));
    assertThatThrownBy(() -> breaker.call(ok))
        .isInstanceOfSatisfying(
            CircuitBreakerOpenException.class,
            e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(6)));
    clock.advance(Duration.ofSeconds(6));
    fail(CallMode.SYNC, breaker, 1); // the probe fails: open again, now for the new duration
    assertThat(breaker.snapshot().timeUntilProbe()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void aLoweredSuccessThresholdClosesAHalfOpenBreakerOnItsNextProbeSuccess() throws Exception {
    CircuitBreakerConfig.Builder config =
        tenCalls().consecutiveFailures(1).halfOpenMaxCalls(3).successThreshold(3);
    CircuitBreaker breaker = breaker(config.build());
    fail(CallMode.SYNC, breaker, 1);
    clock.advance(Duration.ofSeconds(10));
    succeed(CallMode.SYNC, breaker, 1);
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);

    breaker.reconfigure(config.successThreshold(2).build());

    succeed(CallMode.SYNC, breaker, 1); // 2 successes: the one before the change counts
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void consecutiveFailuresTurnedOnCountsTheRunInProgress() {
    CircuitBreaker breaker = breaker(tenCalls().build());
    fail(CallMode.SYNC, breaker, 2);

    breaker.reconfigure(tenCalls().consecutiveFailures(3).build());

    fail(CallMode.SYNC, breaker, 1);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void aResultPredicateAddedLiveClassifiesTheNextOutcome() throws Exception {
    CircuitBreaker breaker = breaker(tenCalls().consecutiveFailures(1).build());
    assertThat(breaker.call(() -> 503)).isEqualTo(503);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);

    breaker.reconfigure(
        tenCalls().consecutiveFailures(1).recordResultAsFailure(r -> r.equals(503)).build());

    assertThat(breaker.call(() -> 503)).isEqualTo(503);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void refusesToResizeTheWindowNamingTheSettingAndKeepsTheOldConfigAndWindow() throws Exception {
    CircuitBreakerConfig before = tenCalls().build();
    CircuitBreaker breaker = breaker(before);
    fail(CallMode.SYNC, breaker, 4);
    Recorder recorder = Recorder.listeningTo(breaker);

    assertThatThrownBy(
            () -> breaker.reconfigure(tenCalls().windowSize(20).failureRateThreshold(10).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("db: windowSize cannot change while the breaker runs");
    assertThatThrownBy(
            () ->
                breaker.reconfigure(tenCalls().windowType(WindowType.TIME).minimumCalls(5).build()))
        .hasMessageContaining("windowType");

    assertThat(breaker.config()).isSameAs(before);
    assertThat(recorder.count(ConfigChanged.class)).isZero();
    succeed(CallMode.SYNC, breaker, 5); // 4 of 9, 4 of 10: the old 50 % still rules
    assertThat(breaker.snapshot().failedCalls()).isEqualTo(4);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void theSizeOfTheWindowKindNotInUseMayChange() {
    CircuitBreaker breaker = breaker(tenCalls().build());

    breaker.reconfigure(tenCalls().windowDuration(Duration.ofSeconds(5)).build());

    assertThat(breaker.config().windowDuration()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void publishesConfigChangedOnceNamingTheChangedSettingsAndNothingForAnEqualConfig() {
    CircuitBreaker breaker = breaker(tenCalls().build());
    Recorder recorder = Recorder.listeningTo(breaker);

    breaker.reconfigure(tenCalls().build()); // equal, though another object
    breaker.reconfigure(
        tenCalls().failureRateThreshold(30).openDuration(Duration.ofSeconds(5)).build());

    assertThat(recorder.events).hasSize(1);
    ConfigChanged changed = (ConfigChanged) recorder.events.get(0);
    assertThat(changed.policyName()).isEqualTo("db");
    assertThat(changed.changedSettings())
        .containsExactlyInAnyOrder("failureRateThreshold", "openDuration");
    assertThat(changed.wallTime()).isEqualTo(clock.wallTime());
  }

  @Test
  void buildsNoEventWhenNobodyListensForIt() {
    AtomicInteger wallReads = new AtomicInteger();
    Clock counting =
        new Clock() {
          @Override
          public long nanoTime() {
            return clock.nanoTime();
          }

          @Override
          public Instant wallTime() {
            wallReads.incrementAndGet(); // read only to stamp an event
            return clock.wallTime();
          }
        };
    CircuitBreaker breaker = CircuitBreaker.of("db", tenCalls().build(), counting);
    breaker.events().subscribe(e -> {}, Set.of(StateChanged.class));

    breaker.reconfigure(tenCalls().failureRateThreshold(30).build());

    assertThat(breaker.config().failureRateThreshold()).isEqualTo(30f);
    assertThat(wallReads).hasValue(0);
  }
}
