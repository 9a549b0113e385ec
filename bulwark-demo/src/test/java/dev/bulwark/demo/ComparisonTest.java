package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.circuitbreaker.CircuitBreaker.State;
import dev.bulwark.event.StateChanged;
import dev.bulwark.test.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The showcase's experiment in virtual time: many users on real threads, run one at a time by the
 * lockstep scheduler, with seeded randomness, so every run interleaves identically.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ComparisonTest {
  private static final Duration OUTAGE_START = Duration.ofSeconds(3);
  private static final Duration OUTAGE_END = Duration.ofSeconds(9);

  /** A short script: healthy, degraded, down for 6 s, recovered. */
  private static final Timeline SHORT =
      new Timeline(
          List.of(
              new Phase("healthy", Duration.ZERO, 0.05, ms(20), ms(20)),
              new Phase("degraded", Duration.ofSeconds(1), 0.30, ms(200), ms(20)),
              new Phase("outage", OUTAGE_START, 1.0, ms(20), ms(500)),
              new Phase("recovered", OUTAGE_END, 0.01, ms(20), ms(20))),
          Duration.ofSeconds(12));

  private final Simulation simulation = new Simulation();
  private Comparison.Result result;

  @BeforeAll
  void runOnce() throws InterruptedException {
    result = simulation.run();
  }

  @Test
  void sendsFarFewerCallsToTheServiceWhileItIsDown() {
    // unprotected: 20 users, each waiting out a 500 ms connect timeout, for 6 s
    assertThat(result.unprotected().outageCalls()).isBetween(230L, 250L);
    assertThat(result.protectedRun().outageCalls())
        .isPositive()
        .isLessThan(result.unprotected().outageCalls() / 3);
    assertThat(result.protectedRun().rejected()).isPositive();
  }

  @Test
  void answersTheUserMoreOftenFreshOrFromTheLastKnownGood() {
    assertThat(result.unprotected().fallback()).isZero();
    assertThat(result.unprotected().answeredRate()).isLessThan(0.8);
    assertThat(result.protectedRun().fallback()).isPositive();
    assertThat(result.protectedRun().answeredRate())
        .isGreaterThan(0.99)
        .isGreaterThan(result.unprotected().answeredRate());
    assertThat(result.protectedRun().fresh() + result.protectedRun().fallback())
        .isGreaterThan(result.unprotected().fresh());
  }

  @Test
  void opensTheBreakerDuringTheOutageAndClosesItAfterRecovery() {
    List<String> transitions = simulation.transitions;

    assertThat(transitions).first().asString().startsWith("CLOSED->OPEN@");
    assertThat(at(transitions.get(0))).isBetween(OUTAGE_START, OUTAGE_END);
    assertThat(transitions).last().asString().startsWith("HALF_OPEN->CLOSED@");
    assertThat(at(transitions.get(transitions.size() - 1))).isGreaterThan(OUTAGE_END);
    assertThat(simulation.protection.breaker().state()).isEqualTo(State.CLOSED);
    assertThat(result.protectedRun().recovery()).isPresent();
    assertThat(result.unprotected().recovery()).isPresent();
  }

  @Test
  void interleavesIdenticallyOnEveryRun() throws Exception {
    Simulation again = new Simulation();

    assertThat(again.run()).isEqualTo(result);
    assertThat(again.transitions).isEqualTo(simulation.transitions);
  }

  /** One experiment on its own manual clock, with its own seeded randomness. */
  private static final class Simulation {
    final ManualClock clock = ManualClock.nearOverflow();
    final LockstepScheduler scheduler = new LockstepScheduler(clock);
    final Random random = new Random(20261125);
    final Protection protection = Protection.standard(clock, scheduler, () -> random);
    final List<String> transitions = new ArrayList<>();

    Comparison.Result run() throws InterruptedException {
      long origin = clock.nanoTime();
      protection
          .breaker()
          .events()
          .subscribe(
              StateChanged.class,
              e -> transitions.add(e.from() + "->" + e.to() + "@" + (clock.nanoTime() - origin)));
      Comparison comparison =
          new Comparison(SHORT, 20, ms(100), clock, scheduler, random::nextDouble);
      return comparison.run(protection.pipeline(), origin, scheduler);
    }
  }

  private static Duration at(String transition) {
    return Duration.ofNanos(Long.parseLong(transition.substring(transition.indexOf('@') + 1)));
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }
}
