package dev.bulwark.stress.ratelimit;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RateLimiterConfig.Algorithm;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.J_Result;

/** Two holds set at once: the longer one wins, whichever CAS lands first. */
@JCStressTest
@Outcome(id = "2000", expect = ACCEPTABLE, desc = "the longer hold won")
@Outcome(expect = FORBIDDEN, desc = "the shorter hold overwrote the longer one")
@State
public class HoldStress {
  private final RateLimiter limiter = FrozenTime.limiter(Algorithm.TOKEN_BUCKET, 1);

  @Actor
  public void shortHold() {
    limiter.holdForNanos(1_000);
  }

  @Actor
  public void longHold() {
    limiter.holdForNanos(2_000);
  }

  @Arbiter
  public void holdLeft(J_Result r) {
    r.r1 = limiter.snapshot().timeUntilNextPermit().toNanos();
  }
}
