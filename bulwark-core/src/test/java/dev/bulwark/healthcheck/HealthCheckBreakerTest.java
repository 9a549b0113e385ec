package dev.bulwark.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreaker.State;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.circuitbreaker.CircuitBreakerOpenException;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A check tied to a breaker: unhealthy opens it, healthy ends its open wait at once. */
class HealthCheckBreakerTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final ScriptedProbe probe = new ScriptedProbe(clock);
  private final CircuitBreaker breaker =
      CircuitBreaker.of(
          "inventory",
          CircuitBreakerConfig.builder()
              .consecutiveFailures(5)
              .openDuration(Duration.ofMinutes(5))
              .build(),
          clock);
  private final AtomicInteger served = new AtomicInteger();

  private HealthCheck check(HealthCheckConfig.Builder config) {
    HealthCheck check =
        HealthCheck.of(
            "inventory",
            config.probe(probe).jitter(0).breaker("inventory").build(),
            clock,
            scheduler);
    check.start(name -> breaker);
    scheduler.runDue(); // the first probe
    return check;
  }

  private String remote() {
    served.incrementAndGet();
    return "42 in stock";
  }

  @Test
  void anUnhealthyVerdictOpensTheBreakerAndTheNextCallsFailFastWithoutReachingTheService()
      throws Exception {
    probe.then(ScriptedProbe::up).thenAlways(ScriptedProbe::down);
    HealthCheck inventory = check(HealthCheckConfig.builder().unhealthyThreshold(2));
    assertThat(inventory.call(this::remote)).isEqualTo("42 in stock");

    scheduler.advance(Duration.ofSeconds(30)); // one failure: below the threshold
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    scheduler.advance(Duration.ofSeconds(30)); // two in a row: unhealthy

    assertThat(inventory.isHealthy()).isFalse();
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> inventory.call(this::remote))
          .isInstanceOf(CircuitBreakerOpenException.class);
    }
    assertThat(served).hasValue(1);
  }

  @Test
  void theUsersPatternTakesTheLocalPathWhileUnhealthyAndTheRemoteOneOnceHealthy() throws Exception {
    probe.then(ScriptedProbe::down).then(ScriptedProbe::down).thenAlways(ScriptedProbe::up);
    HealthCheck inventory = check(HealthCheckConfig.builder().unhealthyThreshold(2));
    scheduler.advance(Duration.ofSeconds(30));

    assertThat(stock(inventory)).isEqualTo("local");
    scheduler.advance(Duration.ofSeconds(30));
    assertThat(stock(inventory)).isEqualTo("42 in stock");
  }

  private String stock(HealthCheck inventory) throws Exception {
    if (!inventory.isHealthy()) {
      return "local";
    }
    return inventory.call(this::remote);
  }

  @Test
  void aHealthyResultMovesAnOpenBreakerToHalfOpenLongBeforeItsOpenDurationEnds() {
    probe.then(ScriptedProbe::down).then(ScriptedProbe::down).thenAlways(ScriptedProbe::up);
    check(HealthCheckConfig.builder().unhealthyThreshold(2));
    scheduler.advance(Duration.ofSeconds(30));
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.snapshot().timeUntilProbe()).isEqualTo(Duration.ofMinutes(5));

    scheduler.advance(Duration.ofSeconds(30)); // healthy: 4.5 minutes before the wait ends

    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    assertThat(breaker.tryAcquirePermission()).isTrue();
    breaker.onSuccess(0);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void whileUnhealthyEachResultReopensABreakerThatAUserProbeHalfOpened() {
    probe.thenAlways(ScriptedProbe::down);
    HealthCheck check =
        check(
            HealthCheckConfig.builder()
                .unhealthyThreshold(1)
                .interval(Duration.ofMinutes(10))
                .timeout(Duration.ofSeconds(1)));
    assertThat(check.isHealthy()).isFalse();
    clock.advance(Duration.ofMinutes(5)); // the open wait is over; no task is due yet
    assertThat(breaker.tryAcquirePermission()).isTrue(); // a user's call probes
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);

    scheduler.advance(Duration.ofMinutes(5)); // the next check: still down

    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void whenResultsAloneMayNotOpenItTheBreakerOpensOnlyOnCallsButRecoversByTheCheck() {
    probe.then(ScriptedProbe::down).then(ScriptedProbe::down).thenAlways(ScriptedProbe::up);
    HealthCheck check =
        check(HealthCheckConfig.builder().unhealthyThreshold(1).opensBreaker(false));
    assertThat(check.isHealthy()).isFalse();
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    breaker.trip(); // real calls failed meanwhile

    scheduler.advance(Duration.ofSeconds(30)); // still down: the breaker keeps its wait
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    scheduler.advance(Duration.ofSeconds(30)); // up

    assertThat(check.isHealthy()).isTrue();
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
  }

  @Test
  void aBreakerForcedOpenByHandIsNotTouchedByTheCheck() {
    probe.thenAlways(ScriptedProbe::up);
    check(HealthCheckConfig.builder());
    breaker.forceOpen();

    scheduler.advance(Duration.ofMinutes(2));

    assertThat(breaker.state()).isEqualTo(State.FORCED_OPEN);
  }
}
