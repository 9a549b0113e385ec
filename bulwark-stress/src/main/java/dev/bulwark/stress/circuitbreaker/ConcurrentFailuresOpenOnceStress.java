package dev.bulwark.stress.circuitbreaker;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.circuitbreaker.StateChanged;
import dev.bulwark.test.ManualClock;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Two threads record failures at once on a breaker that opens after two consecutive failures: it
 * opens, and the CLOSED to OPEN transition is published exactly once.
 *
 * <p>r1 = 1 if the breaker ended OPEN; r2 = how many StateChanged events were published.
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "opened, one transition published")
@Outcome(expect = FORBIDDEN, desc = "did not open, or published the transition twice")
@State
public class ConcurrentFailuresOpenOnceStress {
  private final CircuitBreaker breaker =
      CircuitBreaker.of(
          "stress",
          CircuitBreakerConfig.builder().consecutiveFailures(2).build(),
          ManualClock.nearOverflow());
  private final AtomicInteger transitions = new AtomicInteger();

  public ConcurrentFailuresOpenOnceStress() {
    breaker
        .events()
        .subscribe(
            event -> {
              if (event instanceof StateChanged) {
                transitions.incrementAndGet();
              }
            });
  }

  private void fail() {
    if (breaker.tryAcquirePermission()) {
      breaker.onError(1_000, new IllegalStateException("down"));
    }
  }

  @Actor
  public void actor1() {
    fail();
  }

  @Actor
  public void actor2() {
    fail();
  }

  @Arbiter
  public void arbiter(II_Result r) {
    r.r1 = breaker.state() == CircuitBreaker.State.OPEN ? 1 : 0;
    r.r2 = transitions.get();
  }
}
