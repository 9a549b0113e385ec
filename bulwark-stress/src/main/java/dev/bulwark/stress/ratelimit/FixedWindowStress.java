package dev.bulwark.stress.ratelimit;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RateLimiterConfig.Algorithm;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

/** Racing callers of a fixed window on frozen time never take more than its limit. */
public final class FixedWindowStress {
  private FixedWindowStress() {}

  /** Limit 2, three callers: exactly two win (needs three CPUs). */
  @JCStressTest
  @Outcome(
      id = {"1, 1, 0", "1, 0, 1", "0, 1, 1"},
      expect = ACCEPTABLE,
      desc = "two win, one is rejected")
  @Outcome(id = "1, 1, 1", expect = FORBIDDEN, desc = "three permits out of two")
  @Outcome(expect = FORBIDDEN, desc = "a permit was lost")
  @State
  public static class TwoPermitsThreeCallers {
    private final RateLimiter limiter = FrozenTime.limiter(Algorithm.FIXED_WINDOW, 2);

    @Actor
    public void first(III_Result r) {
      r.r1 = limiter.tryAcquire() ? 1 : 0;
    }

    @Actor
    public void second(III_Result r) {
      r.r2 = limiter.tryAcquire() ? 1 : 0;
    }

    @Actor
    public void third(III_Result r) {
      r.r3 = limiter.tryAcquire() ? 1 : 0;
    }
  }

  /** Limit 3, two callers asking twice each: exactly three requests win. */
  @JCStressTest
  @Outcome(
      id = {"2, 1", "1, 2"},
      expect = ACCEPTABLE,
      desc = "three of four requests win")
  @Outcome(id = "2, 2", expect = FORBIDDEN, desc = "four permits out of three")
  @Outcome(expect = FORBIDDEN, desc = "a permit was lost")
  @State
  public static class ThreePermitsTwoGreedyCallers {
    private final RateLimiter limiter = FrozenTime.limiter(Algorithm.FIXED_WINDOW, 3);

    @Actor
    public void first(II_Result r) {
      r.r1 = (limiter.tryAcquire() ? 1 : 0) + (limiter.tryAcquire() ? 1 : 0);
    }

    @Actor
    public void second(II_Result r) {
      r.r2 = (limiter.tryAcquire() ? 1 : 0) + (limiter.tryAcquire() ? 1 : 0);
    }
  }
}
