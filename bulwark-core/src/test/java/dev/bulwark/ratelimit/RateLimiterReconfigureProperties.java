package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A token bucket reconfigured at arbitrary moments to arbitrary rates and bursts.
 *
 * <p>The bound proven: for any span {@code [a, b]}, the permits granted without waiting at times in
 * it are at most {@code B(a) + Σ limit_k × |segment_k ∩ [a, b]| / period_k}, where the segments are
 * the spans in which each configuration was in force and {@code B(a)} is the largest burst of a
 * configuration in force at {@code a}. The tokens held at {@code a} are at most {@code B(a)}, the
 * bucket refills at most at each rate in force, and a reconfiguration never adds a token.
 */
class RateLimiterReconfigureProperties {

  /** Let time pass, then take permits or install a new configuration. */
  record Step(long advanceMicros, int permits, Rate reconfigure) {}

  record Rate(int limit, int periodMillis, int burst) {
    RateLimiterConfig config() {
      return RateLimiterConfig.builder()
          .limit(limit)
          .period(Duration.ofMillis(periodMillis))
          .burst(burst)
          .build();
    }
  }

  /** A configuration in force from {@code fromNanos} to {@code toNanos}. */
  record Segment(long fromNanos, long toNanos, Rate rate) {}

  @Provide
  Arbitrary<Rate> rates() {
    return Combinators.combine(
            Arbitraries.integers().between(1, 20),
            Arbitraries.integers().between(1, 2_000),
            Arbitraries.integers().between(1, 30))
        .as(Rate::new);
  }

  @Provide
  Arbitrary<List<Step>> schedules() {
    return Combinators.combine(
            Arbitraries.longs().between(0, 400_000).edgeCases(e -> e.add(0L)),
            Arbitraries.integers().between(1, 30),
            rates().injectNull(0.8))
        .as(Step::new)
        .list()
        .ofMaxSize(150);
  }

  @Property
  void permitsInAnySpanNeverExceedTheBurstAtItsStartPlusWhatTheRatesInForceRefill(
      @ForAll("rates") Rate first, @ForAll("schedules") List<Step> schedule) {
    ManualClock clock = ManualClock.nearOverflow();
    long start = clock.nanoTime();
    RateLimiter limiter = RateLimiter.of("p", first.config(), clock, new ManualScheduler(clock));
    List<Segment> segments = new ArrayList<>();
    long since = 0;
    Rate rate = first;
    List<long[]> grants = new ArrayList<>(); // {time, permits}
    for (Step step : schedule) {
      clock.advance(Duration.ofNanos(step.advanceMicros() * 1000));
      long now = clock.nanoTime() - start;
      if (step.reconfigure() != null) {
        limiter.reconfigure(step.reconfigure().config());
        segments.add(new Segment(since, now, rate));
        since = now;
        rate = step.reconfigure();
      } else {
        int permits = Math.min(step.permits(), limiter.config().burst());
        if (limiter.tryAcquire(permits)) {
          grants.add(new long[] {now, permits});
        }
      }
    }
    segments.add(new Segment(since, Long.MAX_VALUE, rate));

    for (int i = 0; i < grants.size(); i++) {
      long a = grants.get(i)[0];
      long granted = 0;
      for (int j = i; j < grants.size(); j++) {
        granted += grants.get(j)[1];
        long b = grants.get(j)[0];
        assertThat((double) granted)
            .as("permits granted in [%d, %d] ns", a, b)
            .isLessThanOrEqualTo(bound(segments, a, b) + 1e-6);
      }
    }
  }

  private static double bound(List<Segment> segments, long a, long b) {
    int burstAtA = 0;
    double refill = 0;
    for (Segment s : segments) {
      if (s.fromNanos() <= a && a <= s.toNanos()) {
        burstAtA = Math.max(burstAtA, s.rate().burst());
      }
      long overlap = Math.min(b, s.toNanos()) - Math.max(a, s.fromNanos());
      if (overlap > 0) {
        refill += (double) s.rate().limit() * overlap / (s.rate().periodMillis() * 1_000_000.0);
      }
    }
    return burstAtA + refill;
  }
}
