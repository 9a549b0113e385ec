package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.event.CallPermitted;
import dev.bulwark.event.ConfigChanged;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.ratelimit.RateLimiterConfig.Algorithm;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import dev.bulwark.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RateLimiterReconfigureTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  private static RateLimiterConfig perSecond(int limit, int burst) {
    return RateLimiterConfig.builder()
        .limit(limit)
        .period(Duration.ofSeconds(1))
        .burst(burst)
        .build();
  }

  private RateLimiter limiter(RateLimiterConfig config) {
    return RateLimiter.of("api", config, clock, scheduler);
  }

  private static int drain(RateLimiter limiter) {
    int taken = 0;
    while (limiter.tryAcquire()) {
      taken++;
    }
    return taken;
  }

  @Test
  void aHigherRateTakesEffectOnTheNextCallAndKeepsTheTokensLeft() {
    RateLimiter limiter = limiter(perSecond(10, 10));
    for (int i = 0; i < 6; i++) {
      assertThat(limiter.tryAcquire()).isTrue();
    }

    limiter.reconfigure(perSecond(100, 10));

    assertThat(limiter.config().limit()).isEqualTo(100);
    assertThat(limiter.snapshot().availablePermits()).isEqualTo(4); // kept, not refilled
    assertThat(drain(limiter)).isEqualTo(4);
    clock.advance(Duration.ofMillis(10)); // one permit at the new rate, a tenth of one at the old
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void aLowerRateTakesEffectOnTheNextCallAndKeepsTheTokensLeft() {
    RateLimiter limiter = limiter(perSecond(100, 10));
    for (int i = 0; i < 7; i++) {
      assertThat(limiter.tryAcquire()).isTrue();
    }

    limiter.reconfigure(perSecond(1, 10));

    assertThat(drain(limiter)).isEqualTo(3);
    clock.advance(Duration.ofMillis(999));
    assertThat(limiter.tryAcquire()).isFalse(); // 99 permits at the old rate, none at the new
    clock.advance(Duration.ofMillis(1));
    assertThat(limiter.tryAcquire()).isTrue();
  }

  @Test
  void aSmallerBurstCapsTheTokensKeptAndALargerOneLetsThemRefillFurther() {
    RateLimiter limiter = limiter(perSecond(10, 10));

    limiter.reconfigure(perSecond(10, 4)); // a full bucket of 10: 4 are kept
    assertThat(limiter.snapshot().availablePermits()).isEqualTo(4);

    limiter.reconfigure(perSecond(10, 20)); // 4 kept, not 20: growing the bucket fills nothing
    assertThat(limiter.snapshot().availablePermits()).isEqualTo(4);
    clock.advance(Duration.ofSeconds(5));
    assertThat(limiter.snapshot().availablePermits()).isEqualTo(20);
  }

  @Test
  void aReservationMadeBeforeTheChangeStaysCountedAtTheNewRate() {
    RateLimiter limiter = limiter(perSecond(10, 1));
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.reserve(Duration.ofSeconds(1))).contains(Duration.ofMillis(100));

    limiter.reconfigure(perSecond(1, 1)); // one permit of debt, now worth a second

    assertThat(limiter.reserve(Duration.ofSeconds(5))).contains(Duration.ofSeconds(2));
  }

  @Test
  void maxWaitChangesLiveForCallersThatWait() throws Exception {
    RateLimiter limiter = limiter(perSecond(10, 1));
    assertThat(limiter.tryAcquire()).isTrue();
    assertThatThrownBy(limiter::acquire).isInstanceOf(RateLimitedException.class);

    limiter.reconfigure(perSecond(10, 1).toBuilder().maxWait(Duration.ofMillis(100)).build());

    assertThat(limiter.reserveNanos()).isEqualTo(Duration.ofMillis(100).toNanos());
  }

  @Test
  void aFixedWindowWithANewLimitStartsAWindowAtTheChangeHoldingWhatWasTaken() {
    RateLimiterConfig five =
        RateLimiterConfig.builder()
            .algorithm(Algorithm.FIXED_WINDOW)
            .limit(5)
            .period(Duration.ofSeconds(1))
            .build();
    RateLimiter limiter = limiter(five);
    clock.advance(Duration.ofMillis(600));
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire()).isTrue();
    }

    limiter.reconfigure(five.toBuilder().limit(8).build());

    assertThat(drain(limiter)).isEqualTo(5); // 8 in the new window, 3 already taken
    clock.advance(Duration.ofMillis(999)); // the old window's end has passed, the new one's not
    assertThat(limiter.tryAcquire()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(drain(limiter)).isEqualTo(8);
  }

  @Test
  void refusesToSwitchTheAlgorithmNamingItAndKeepsTheOldConfigAndTokens() {
    RateLimiter limiter = limiter(perSecond(10, 10));
    assertThat(limiter.tryAcquire(4)).isTrue();
    RateLimiterConfig fixed =
        RateLimiterConfig.builder().algorithm(Algorithm.FIXED_WINDOW).limit(50).build();
    List<PolicyEvent> events = new CopyOnWriteArrayList<>();
    limiter.events().subscribe(events::add);

    assertThatThrownBy(() -> limiter.reconfigure(fixed))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("algorithm")
        .hasMessageContaining("api");

    assertThat(limiter.config()).isEqualTo(perSecond(10, 10));
    assertThat(limiter.snapshot().availablePermits()).isEqualTo(6);
    assertThat(events).isEmpty();
  }

  @Test
  void publishesConfigChangedOnceNamingWhatChangedAndNothingForAnEqualConfig() {
    RateLimiter limiter = limiter(perSecond(10, 10));
    List<ConfigChanged> events = new CopyOnWriteArrayList<>();
    limiter.events().subscribe(e -> events.add((ConfigChanged) e), Set.of(ConfigChanged.class));

    limiter.reconfigure(perSecond(10, 10)); // equal, though another object
    limiter.reconfigure(
        perSecond(20, 10).toBuilder().maxWait(Duration.ofMillis(5)).build()); // two settings

    assertThat(events).hasSize(1);
    assertThat(events.get(0).policyName()).isEqualTo("api");
    assertThat(events.get(0).changedSettings()).containsExactlyInAnyOrder("limit", "maxWait");
    assertThat(events.get(0).wallTime()).isEqualTo(clock.wallTime());
  }

  @Test
  void buildsNoEventWhenNobodyListensForIt() {
    AtomicInteger wallReads = new AtomicInteger();
    Clock counting =
        new Clock() {
          @Override
          public long nanoTime() {
            return clock.nanoTime();
          }

          @Override
          public Instant wallTime() {
            wallReads.incrementAndGet(); // read only to stamp an event
            return clock.wallTime();
          }
        };
    RateLimiter limiter = RateLimiter.of("api", perSecond(10, 10), counting, scheduler);
    limiter.events().subscribe(e -> {}, Set.of(CallPermitted.class)); // listens, but not to this

    limiter.reconfigure(perSecond(20, 10));

    assertThat(limiter.config().limit()).isEqualTo(20);
    assertThat(wallReads).hasValue(0);
  }

  @Test
  void aHoldInForceSurvivesAReconfiguration() {
    RateLimiter limiter = limiter(perSecond(10, 10));
    limiter.holdFor(Duration.ofSeconds(3));

    limiter.reconfigure(perSecond(100, 100));

    assertThat(limiter.reserve(Duration.ofSeconds(5)))
        .isEqualTo(Optional.of(Duration.ofSeconds(3)));
  }

  @Test
  void callersRacingRepeatedReconfigurationsTakeExactlyThePermitsThereWere() throws Exception {
    // Frozen time, so nothing refills; each change halves or doubles the interval and keeps the
    // burst, so whole tokens carry over exactly: exactly the 5,000 permits are granted, out of
    // 7,500 requests racing 20,000 changes, never one more or one fewer.
    RateLimiterConfig hourly =
        RateLimiterConfig.builder().limit(5_000).period(Duration.ofHours(1)).burst(5_000).build();
    RateLimiterConfig twoHourly = hourly.toBuilder().period(Duration.ofHours(2)).build();
    RateLimiter limiter = limiter(hourly);
    AtomicInteger granted = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> tasks = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        tasks.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 2_500; i++) {
                    if (limiter.tryAcquire()) {
                      granted.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      tasks.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < 20_000; i++) {
                  limiter.reconfigure(i % 2 == 0 ? twoHourly : hourly);
                }
                return null;
              }));

      start.countDown();
      for (Future<?> task : tasks) {
        task.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(granted).hasValue(5_000);
    assertThat(limiter.snapshot().availablePermits()).isZero();
  }
}
