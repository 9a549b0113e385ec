package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.ratelimit.RateLimiterConfig.Algorithm;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FixedWindowTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  private RateLimiter limiter(int limit, Duration window, Duration maxWait) {
    return RateLimiter.of(
        "search",
        RateLimiterConfig.builder()
            .algorithm(Algorithm.FIXED_WINDOW)
            .limit(limit)
            .period(window)
            .maxWait(maxWait)
            .build(),
        clock,
        scheduler);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void admitsTheLimitThenRejectsUntilTheWindowEnds(CallMode mode) throws Exception {
    RateLimiter limiter = limiter(3, Duration.ofSeconds(1), Duration.ZERO);
    clock.advance(Duration.ofMillis(400));
    for (int i = 0; i < 3; i++) {
      mode.call(limiter, scheduler, () -> "ok");
    }

    assertThatThrownBy(() -> mode.call(limiter, scheduler, () -> "unreached"))
        .isInstanceOfSatisfying(
            RateLimitedException.class,
            e -> {
              assertThat(e.policyName()).isEqualTo("search");
              assertThat(e.retryAfter()).contains(Duration.ofMillis(600));
            });
    assertThat(scheduler.sleeps()).isEmpty();
  }

  @Test
  void resetsAtTheWindowBoundaryAlignedToTheLimitersCreation() {
    RateLimiter limiter = limiter(2, Duration.ofSeconds(1), Duration.ZERO);
    clock.advance(Duration.ofMillis(1500));
    assertThat(limiter.tryAcquire(2)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();

    clock.advance(Duration.ofMillis(499)); // 1.999 s since creation: still the second window
    assertThat(limiter.tryAcquire()).isFalse();
    clock.advance(Duration.ofMillis(1)); // 2 s: a new window
    assertThat(limiter.snapshot().availablePermits()).isEqualTo(2);
    assertThat(limiter.tryAcquire(2)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void unusedPermitsDoNotCarryOverToLaterWindows() {
    RateLimiter limiter = limiter(3, Duration.ofSeconds(1), Duration.ZERO);
    clock.advance(Duration.ofSeconds(10));
    assertThat(limiter.tryAcquire(3)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void permitsRequestedTogetherComeFromOneWindow() {
    RateLimiter limiter = limiter(3, Duration.ofSeconds(1), Duration.ZERO);
    assertThat(limiter.tryAcquire(2)).isTrue();

    assertThat(limiter.tryAcquire(2)).isFalse();
    assertThat(limiter.tryAcquire(1)).isTrue();
    assertThatThrownBy(() -> limiter.tryAcquire(4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be in [1, 3] (burst), was 4");
  }

  @Test
  void reservesPermitsInLaterWindows() {
    RateLimiter limiter = limiter(2, Duration.ofSeconds(1), Duration.ZERO);
    clock.advance(Duration.ofMillis(250));

    assertThat(limiter.reserve(Duration.ofSeconds(3))).contains(Duration.ZERO);
    assertThat(limiter.reserve(Duration.ofSeconds(3))).contains(Duration.ZERO);
    assertThat(limiter.reserve(Duration.ofSeconds(3))).contains(Duration.ofMillis(750));
    assertThat(limiter.reserve(Duration.ofSeconds(3))).contains(Duration.ofMillis(750));
    assertThat(limiter.reserve(Duration.ofMillis(1749))).isEmpty();
    assertThat(limiter.reserve(Duration.ofSeconds(3))).contains(Duration.ofMillis(1750));
    assertThat(limiter.snapshot().availablePermits()).isZero();
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aCallWaitsForTheNextWindowWithinMaxWait(CallMode mode) throws Exception {
    RateLimiter limiter = limiter(1, Duration.ofSeconds(1), Duration.ofSeconds(1));
    long start = clock.nanoTime();
    clock.advance(Duration.ofMillis(300));
    mode.call(limiter, scheduler, () -> "first");

    Duration ranAt =
        mode.call(limiter, scheduler, () -> Duration.ofNanos(clock.nanoTime() - start));

    assertThat(ranAt).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void keepsItsWindowsWhenTheClockWrapsAround() {
    RateLimiter limiter = limiter(2, Duration.ofMinutes(1), Duration.ZERO);
    clock.advance(Duration.ofMinutes(59).plusSeconds(30)); // 30 s before Long.MAX_VALUE
    assertThat(limiter.tryAcquire(2)).isTrue();

    clock.advance(Duration.ofSeconds(29));
    assertThat(limiter.tryAcquire()).isFalse();
    assertThat(limiter.snapshot().timeUntilNextPermit()).isEqualTo(Duration.ofSeconds(1));
    clock.advance(Duration.ofSeconds(2)); // past the wrap, into the next window
    assertThat(limiter.tryAcquire(2)).isTrue();
  }
}
