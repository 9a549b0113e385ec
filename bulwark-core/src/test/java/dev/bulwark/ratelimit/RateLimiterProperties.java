package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.ratelimit.RateLimiterConfig.Algorithm;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class RateLimiterProperties {

  /** One step of a schedule: let time pass, then ask for permits, now or with a wait allowed. */
  record Step(long advanceMicros, int permits, boolean reserve, long maxWaitMicros) {}

  @Provide
  Arbitrary<List<Step>> schedules() {
    return Combinators.combine(
            Arbitraries.longs().between(0, 400_000).edgeCases(e -> e.add(0L)),
            Arbitraries.integers().between(1, 30),
            Arbitraries.of(true, false),
            Arbitraries.longs().between(0, 3_000_000))
        .as(Step::new)
        .list()
        .ofMaxSize(200);
  }

  /** Runs the schedule; returns when each granted permit may be used, in nanos from creation. */
  private static List<Long> grants(RateLimiter limiter, ManualClock clock, List<Step> schedule) {
    long start = clock.nanoTime();
    int maxPermits = limiter.config().burst();
    List<Long> grants = new ArrayList<>();
    for (Step step : schedule) {
      clock.advance(Duration.ofNanos(step.advanceMicros() * 1000));
      long now = clock.nanoTime() - start;
      if (step.reserve()) {
        Optional<Duration> wait = limiter.reserve(Duration.ofNanos(step.maxWaitMicros() * 1000));
        wait.ifPresent(
            w -> {
              assertThat(w.toNanos()).isBetween(0L, step.maxWaitMicros() * 1000);
              grants.add(now + w.toNanos());
            });
      } else {
        int permits = Math.min(step.permits(), maxPermits);
        if (limiter.tryAcquire(permits)) {
          for (int i = 0; i < permits; i++) {
            grants.add(now);
          }
        }
      }
    }
    grants.sort(null);
    return grants;
  }

  @Property
  void aTokenBucketNeverAdmitsMoreThanRateTimesElapsedPlusBurstInAnySpan(
      @ForAll @IntRange(min = 1, max = 20) int limit,
      @ForAll @IntRange(min = 1, max = 2_000) int periodMillis,
      @ForAll @IntRange(min = 1, max = 30) int burst,
      @ForAll("schedules") List<Step> schedule) {
    ManualClock clock = ManualClock.nearOverflow();
    long periodNanos = Duration.ofMillis(periodMillis).toNanos();
    RateLimiter limiter =
        RateLimiter.of(
            "p",
            RateLimiterConfig.builder()
                .limit(limit)
                .period(Duration.ofMillis(periodMillis))
                .burst(burst)
                .build(),
            clock,
            new ManualScheduler(clock));

    List<Long> grants = grants(limiter, clock, schedule);

    for (int i = 0; i < grants.size(); i++) {
      for (int j = i; j < grants.size(); j++) {
        long span = grants.get(j) - grants.get(i);
        long admitted = j - i + 1;
        // admitted <= limit * span / period + burst, without division
        assertThat(admitted * periodNanos).isLessThanOrEqualTo(limit * span + burst * periodNanos);
      }
    }
  }

  @Property
  void aFixedWindowNeverAdmitsMoreThanTheLimitInOneWindow(
      @ForAll @IntRange(min = 1, max = 20) int limit,
      @ForAll @IntRange(min = 1, max = 2_000) int periodMillis,
      @ForAll("schedules") List<Step> schedule) {
    ManualClock clock = ManualClock.nearOverflow();
    long periodNanos = Duration.ofMillis(periodMillis).toNanos();
    RateLimiter limiter =
        RateLimiter.of(
            "p",
            RateLimiterConfig.builder()
                .algorithm(Algorithm.FIXED_WINDOW)
                .limit(limit)
                .period(Duration.ofMillis(periodMillis))
                .build(),
            clock,
            new ManualScheduler(clock));

    List<Long> grants = grants(limiter, clock, schedule);

    Map<Long, Integer> perWindow = new HashMap<>();
    for (long grant : grants) {
      perWindow.merge(grant / periodNanos, 1, Integer::sum);
    }
    assertThat(perWindow.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(limit));
    for (int j = 0; j < grants.size(); j++) { // and so: admitted <= rate * elapsed + limit
      long elapsed = grants.get(j);
      assertThat((j + 1) * periodNanos).isLessThanOrEqualTo(limit * elapsed + limit * periodNanos);
    }
  }

  @Property
  void aLimiterLeftAloneAdmitsItsWholeBurstAtOnce(
      @ForAll @IntRange(min = 1, max = 1_000) int limit,
      @ForAll @IntRange(min = 1, max = 1_000) int burst,
      @ForAll("schedules") List<Step> schedule) {
    ManualClock clock = ManualClock.nearOverflow();
    RateLimiter limiter =
        RateLimiter.of(
            "p",
            RateLimiterConfig.builder().limit(limit).burst(burst).build(),
            clock,
            new ManualScheduler(clock));
    grants(limiter, clock, schedule);
    clock.advance(Duration.ofMinutes(20)); // far longer than any schedule reserves ahead

    assertThat(limiter.snapshot().availablePermits()).isEqualTo(burst);
    assertThat(limiter.tryAcquire(burst)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }
}
