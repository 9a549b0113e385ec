package dev.bulwark.stress.circuitbreaker;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.circuitbreaker.StateChanged;
import dev.bulwark.test.ManualClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Two probes admitted in HALF_OPEN (two permitted, two successes needed) report success at once:
 * the breaker closes, and HALF_OPEN to CLOSED is published exactly once.
 *
 * <p>r1 = 1 if the breaker ended CLOSED; r2 = transitions published during the race.
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "closed once")
@Outcome(expect = FORBIDDEN, desc = "stuck half-open, or closed twice")
@State
public class HalfOpenCloseOnceStress {
  private final CircuitBreaker breaker;
  private final AtomicInteger transitions = new AtomicInteger();

  public HalfOpenCloseOnceStress() {
    ManualClock clock = ManualClock.nearOverflow();
    breaker =
        CircuitBreaker.of(
            "stress",
            CircuitBreakerConfig.builder()
                .consecutiveFailures(1)
                .openDuration(Duration.ofSeconds(30))
                .halfOpenMaxCalls(2)
                .successThreshold(2)
                .build(),
            clock);
    breaker.acquirePermission();
    breaker.onError(1_000, new IllegalStateException("down"));
    clock.advance(Duration.ofSeconds(30));
    breaker.acquirePermission(); // probe 1 (moves to HALF_OPEN)
    breaker.acquirePermission(); // probe 2
    breaker
        .events()
        .subscribe(
            event -> {
              if (event instanceof StateChanged) {
                transitions.incrementAndGet();
              }
            });
  }

  @Actor
  public void probe1() {
    breaker.onSuccess(1_000);
  }

  @Actor
  public void probe2() {
    breaker.onSuccess(1_000);
  }

  @Arbiter
  public void arbiter(II_Result r) {
    r.r1 = breaker.state() == CircuitBreaker.State.CLOSED ? 1 : 0;
    r.r2 = transitions.get();
  }
}
