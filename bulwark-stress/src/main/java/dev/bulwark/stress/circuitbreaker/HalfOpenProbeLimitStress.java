package dev.bulwark.stress.circuitbreaker;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.test.ManualClock;
import java.time.Duration;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * Two threads ask an OPEN breaker whose wait has just ended for a permit, and the breaker admits
 * one probe at a time: exactly one of them gets it, whichever thread moves it to HALF_OPEN.
 */
@JCStressTest
@Outcome(
    id = {"true, false", "false, true"},
    expect = ACCEPTABLE,
    desc = "exactly one probe admitted")
@Outcome(expect = FORBIDDEN, desc = "more than one probe, or none")
@State
public class HalfOpenProbeLimitStress {
  private final CircuitBreaker breaker;

  public HalfOpenProbeLimitStress() {
    ManualClock clock = ManualClock.nearOverflow();
    breaker =
        CircuitBreaker.of(
            "stress",
            CircuitBreakerConfig.builder()
                .consecutiveFailures(1)
                .openDuration(Duration.ofSeconds(30))
                .halfOpenMaxCalls(1)
                .build(),
            clock);
    breaker.acquirePermission();
    breaker.onError(1_000, new IllegalStateException("down")); // opens
    clock.advance(
        Duration.ofSeconds(30)); // the wait is over: the next permit moves it to HALF_OPEN
  }

  @Actor
  public void actor1(ZZ_Result r) {
    r.r1 = breaker.tryAcquirePermission();
  }

  @Actor
  public void actor2(ZZ_Result r) {
    r.r2 = breaker.tryAcquirePermission();
  }
}
