package dev.bulwark.stress.ratelimit;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.ratelimit.RateLimiterConfig.Algorithm;
import java.time.Duration;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A reconfiguration racing callers for permits, on frozen time. Each new configuration carries the
 * permits over exactly (the new interval is a whole multiple of the old; the fixed window's new one
 * starts at the change holding what was taken), so a caller is admitted on one side of the change
 * or the other, and the permits left afterwards show it counted exactly once. The three-actor tests
 * (two callers for the last permit) need three CPUs; the two-actor ones run anywhere.
 */
public final class ReconfigureStress {
  private ReconfigureStress() {}

  /** A token bucket of one permit, halved in rate while two callers race for the permit. */
  @JCStressTest
  @Outcome(
      id = {"1, 0, 0", "0, 1, 0"},
      expect = ACCEPTABLE,
      desc = "one wins, the successor counts its permit")
  @Outcome(id = "1, 1, 0", expect = FORBIDDEN, desc = "one permit granted twice")
  @Outcome(id = "0, 0, 0", expect = FORBIDDEN, desc = "the permit was lost in the change")
  @Outcome(expect = FORBIDDEN, desc = "a granted permit was not carried over, or one was made")
  @State
  public static class TokenBucketRateHalved {
    private final RateLimiter limiter = FrozenTime.limiter(Algorithm.TOKEN_BUCKET, 1);
    private final RateLimiterConfig slower =
        limiter.config().toBuilder().period(Duration.ofHours(2)).build();

    @Actor
    public void first(III_Result r) {
      r.r1 = limiter.tryAcquire() ? 1 : 0;
    }

    @Actor
    public void second(III_Result r) {
      r.r2 = limiter.tryAcquire() ? 1 : 0;
    }

    @Actor
    public void operator() {
      limiter.reconfigure(slower);
    }

    @Arbiter
    public void left(III_Result r) {
      r.r3 = limiter.snapshot().availablePermits();
    }
  }

  /** A fixed window of one permit, given a longer period while two callers race for it. */
  @JCStressTest
  @Outcome(
      id = {"1, 0, 0", "0, 1, 0"},
      expect = ACCEPTABLE,
      desc = "one wins, the new window counts its permit")
  @Outcome(id = "1, 1, 0", expect = FORBIDDEN, desc = "one permit granted twice")
  @Outcome(id = "0, 0, 0", expect = FORBIDDEN, desc = "the permit was lost in the change")
  @Outcome(expect = FORBIDDEN, desc = "a granted permit was not carried over, or one was made")
  @State
  public static class FixedWindowPeriodDoubled {
    private final RateLimiter limiter = FrozenTime.limiter(Algorithm.FIXED_WINDOW, 1);
    private final RateLimiterConfig longer =
        limiter.config().toBuilder().period(Duration.ofHours(2)).build();

    @Actor
    public void first(III_Result r) {
      r.r1 = limiter.tryAcquire() ? 1 : 0;
    }

    @Actor
    public void second(III_Result r) {
      r.r2 = limiter.tryAcquire() ? 1 : 0;
    }

    @Actor
    public void operator() {
      limiter.reconfigure(longer);
    }

    @Arbiter
    public void left(III_Result r) {
      r.r3 = limiter.snapshot().availablePermits();
    }
  }

  /** A token bucket of two permits, halved in rate while one caller takes a permit (two CPUs). */
  @JCStressTest
  @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "taken, and the other permit carried over")
  @Outcome(id = "1, 2", expect = FORBIDDEN, desc = "the permit taken was not carried over")
  @Outcome(id = "1, 0", expect = FORBIDDEN, desc = "a permit was lost in the change")
  @Outcome(expect = FORBIDDEN, desc = "the caller was refused a free permit")
  @State
  public static class TokenBucketRateHalvedUnderOneCaller {
    private final RateLimiter limiter = FrozenTime.limiter(Algorithm.TOKEN_BUCKET, 2);
    private final RateLimiterConfig slower =
        limiter.config().toBuilder().period(Duration.ofHours(2)).build();

    @Actor
    public void caller(II_Result r) {
      r.r1 = limiter.tryAcquire() ? 1 : 0;
    }

    @Actor
    public void operator() {
      limiter.reconfigure(slower);
    }

    @Arbiter
    public void left(II_Result r) {
      r.r2 = limiter.snapshot().availablePermits();
    }
  }

  /** A fixed window of two permits, given a longer period while one caller takes a permit. */
  @JCStressTest
  @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "taken, and counted in the new window")
  @Outcome(id = "1, 2", expect = FORBIDDEN, desc = "the permit taken was not carried over")
  @Outcome(id = "1, 0", expect = FORBIDDEN, desc = "a permit was lost in the change")
  @Outcome(expect = FORBIDDEN, desc = "the caller was refused a free permit")
  @State
  public static class FixedWindowPeriodDoubledUnderOneCaller {
    private final RateLimiter limiter = FrozenTime.limiter(Algorithm.FIXED_WINDOW, 2);
    private final RateLimiterConfig longer =
        limiter.config().toBuilder().period(Duration.ofHours(2)).build();

    @Actor
    public void caller(II_Result r) {
      r.r1 = limiter.tryAcquire() ? 1 : 0;
    }

    @Actor
    public void operator() {
      limiter.reconfigure(longer);
    }

    @Arbiter
    public void left(II_Result r) {
      r.r2 = limiter.snapshot().availablePermits();
    }
  }
}
