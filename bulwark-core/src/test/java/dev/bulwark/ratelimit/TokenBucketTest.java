package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.event.CallPermitted;
import dev.bulwark.event.CallRejected;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TokenBucketTest {
  private final ManualClock clock = ManualClock.nearOverflow(); // wraps one hour in
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  private RateLimiter limiter(int limit, Duration period, int burst, Duration maxWait) {
    return RateLimiter.of(
        "api",
        RateLimiterConfig.builder()
            .limit(limit)
            .period(period)
            .burst(burst)
            .maxWait(maxWait)
            .build(),
        clock,
        scheduler);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void admitsTheBurstThenRejectsWithTheExactTimeUntilTheNextPermit(CallMode mode) throws Exception {
    RateLimiter limiter = limiter(10, Duration.ofSeconds(1), 10, Duration.ZERO);

    for (int i = 0; i < 10; i++) {
      assertThat(mode.call(limiter, scheduler, () -> "ok")).isEqualTo("ok");
    }
    clock.advance(Duration.ofMillis(30));

    assertThatThrownBy(() -> mode.call(limiter, scheduler, () -> "unreached"))
        .isInstanceOfSatisfying(
            RateLimitedException.class,
            e -> {
              assertThat(e.policyName()).isEqualTo("api");
              assertThat(e.retryAfter()).contains(Duration.ofMillis(70));
              assertThat(e)
                  .hasMessage(
                      "api: rate limit exceeded, no permit within maxWait PT0S;"
                          + " a permit is free in PT0.07S");
            });
    assertThat(scheduler.sleeps()).isEmpty();
    assertThat(limiter.snapshot().rejectedCalls()).isEqualTo(1);
  }

  @Test
  void refillsOnePermitPerIntervalAndNeverMoreThanTheBurst() {
    RateLimiter limiter = limiter(4, Duration.ofSeconds(1), 2, Duration.ZERO);
    assertThat(limiter.tryAcquire(2)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();

    clock.advance(Duration.ofMillis(249));
    assertThat(limiter.tryAcquire()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();

    clock.advance(Duration.ofMinutes(10)); // idle time fills the bucket, up to the burst only
    assertThat(limiter.snapshot().availablePermits()).isEqualTo(2);
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void takesSeveralPermitsAllOrNothing() {
    RateLimiter limiter = limiter(3, Duration.ofSeconds(3), 3, Duration.ZERO);
    assertThat(limiter.tryAcquire(2)).isTrue();

    assertThat(limiter.tryAcquire(2)).isFalse();
    assertThat(limiter.tryAcquire(1)).isTrue(); // the failed request took nothing

    assertThatThrownBy(() -> limiter.tryAcquire(4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be in [1, 3] (burst), was 4");
    assertThatThrownBy(() -> limiter.tryAcquire(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be in [1, 3] (burst), was 0");
  }

  @Test
  void reservesPermitsAheadAndSaysHowLongToWaitWithoutBlocking() {
    RateLimiter limiter = limiter(1, Duration.ofSeconds(1), 1, Duration.ZERO);

    assertThat(limiter.reserve(Duration.ofSeconds(5))).contains(Duration.ZERO);
    assertThat(limiter.reserve(Duration.ofSeconds(5))).contains(Duration.ofSeconds(1));
    assertThat(limiter.reserve(Duration.ofSeconds(5))).contains(Duration.ofSeconds(2));
    assertThat(limiter.reserve(Duration.ofMillis(2999))).isEmpty(); // reserves nothing
    assertThat(limiter.reserve(Duration.ofSeconds(3))).contains(Duration.ofSeconds(3));

    assertThat(scheduler.sleeps()).isEmpty();
    assertThat(clock.elapsed()).isZero();
    assertThat(limiter.snapshot().timeUntilNextPermit()).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void reserveNanosWaitsAtMostTheConfiguredMaxWaitAndReturnsMinusOneOtherwise() {
    RateLimiter limiter = limiter(2, Duration.ofSeconds(1), 1, Duration.ofMillis(500));

    assertThat(limiter.reserveNanos()).isZero();
    assertThat(limiter.reserveNanos()).isEqualTo(Duration.ofMillis(500).toNanos());
    assertThat(limiter.reserveNanos()).isEqualTo(-1);
    clock.advance(Duration.ofMillis(501));
    assertThat(limiter.reserveNanos()).isEqualTo(Duration.ofMillis(499).toNanos());
    assertThat(limiter.snapshot().rejectedCalls()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aCallWaitsThroughTheSchedulerForAPermitWithinMaxWait(CallMode mode) throws Exception {
    RateLimiter limiter = limiter(1, Duration.ofSeconds(1), 1, Duration.ofSeconds(2));
    long start = clock.nanoTime();
    mode.call(limiter, scheduler, () -> "first");

    Duration ranAfter =
        mode.call(limiter, scheduler, () -> Duration.ofNanos(clock.nanoTime() - start));

    assertThat(ranAfter).isEqualTo(Duration.ofSeconds(1));
    assertThat(limiter.snapshot().waitingCallers()).isZero();
    if (mode != CallMode.ASYNC) {
      assertThat(scheduler.sleeps()).containsExactly(Duration.ofSeconds(1));
    }
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aCallerWhoseWaitWouldExceedMaxWaitIsRejectedAtOnceWithoutSleeping(CallMode mode)
      throws Exception {
    RateLimiter limiter = limiter(1, Duration.ofSeconds(1), 1, Duration.ofMillis(999));
    mode.call(limiter, scheduler, () -> "first");
    int[] ran = {0};

    assertThatThrownBy(() -> mode.call(limiter, scheduler, () -> ran[0]++))
        .isInstanceOfSatisfying(
            RateLimitedException.class,
            e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(1)));

    assertThat(ran[0]).isZero();
    assertThat(scheduler.sleeps()).isEmpty();
    assertThat(scheduler.pendingTasks()).isZero();
    assertThat(clock.elapsed()).isZero();
  }

  @Test
  void acquireSleepsOutAReservedPermitAndRejectsAtOnceBeyondMaxWait() throws Exception {
    RateLimiter limiter = limiter(10, Duration.ofSeconds(1), 1, Duration.ofMillis(100));
    limiter.acquire();
    limiter.acquire();
    assertThat(scheduler.sleeps()).containsExactly(Duration.ofMillis(100));

    limiter.reserve(Duration.ofSeconds(1)); // next free permit is now 100 ms ahead
    assertThatThrownBy(limiter::acquire)
        .isInstanceOfSatisfying(
            RateLimitedException.class,
            e -> assertThat(e.retryAfter()).contains(Duration.ofMillis(200)));
    assertThat(scheduler.sleeps()).containsExactly(Duration.ofMillis(100));
  }

  @Test
  void anAsyncCallerWaitingForAPermitIsCountedAsWaitingUntilItsTurn() {
    RateLimiter limiter = limiter(1, Duration.ofSeconds(1), 1, Duration.ofSeconds(1));
    limiter.tryAcquire();

    CompletionStage<String> stage =
        limiter.callAsync(() -> CompletableFuture.completedFuture("later"));

    assertThat(stage.toCompletableFuture()).isNotDone();
    assertThat(limiter.snapshot().waitingCallers()).isEqualTo(1);
    scheduler.advance(Duration.ofMillis(999));
    assertThat(stage.toCompletableFuture()).isNotDone();
    scheduler.advance(Duration.ofMillis(1));
    assertThat(stage.toCompletableFuture()).isCompletedWithValue("later");
    assertThat(limiter.snapshot().waitingCallers()).isZero();
  }

  @Test
  void anAsyncCallerThatGivesUpWhileWaitingIsNeverCalled() {
    RateLimiter limiter = limiter(1, Duration.ofSeconds(1), 1, Duration.ofSeconds(1));
    limiter.tryAcquire();
    int[] calls = {0};

    CompletionStage<String> stage =
        limiter.callAsync(
            () -> {
              calls[0]++;
              return CompletableFuture.completedFuture("unwanted");
            });
    stage.toCompletableFuture().cancel(false);
    scheduler.advance(Duration.ofSeconds(1));

    assertThat(calls[0]).isZero();
  }

  @Test
  void keepsItsRateWhenTheClockWrapsAround() {
    RateLimiter limiter = limiter(10, Duration.ofSeconds(1), 5, Duration.ZERO);
    clock.advance(Duration.ofHours(1).minusMillis(200)); // Long.MAX_VALUE is 200 ms ahead
    assertThat(limiter.tryAcquire(5)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();

    clock.advance(Duration.ofMillis(300)); // across the wrap
    assertThat(limiter.tryAcquire(3)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    assertThat(limiter.snapshot().timeUntilNextPermit()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void aSnapshotTellsFreePermitsRejectionsAndTheTimeUntilTheNextPermit() {
    RateLimiter limiter = limiter(4, Duration.ofSeconds(1), 4, Duration.ZERO);
    assertThat(limiter.snapshot()).isEqualTo(new RateLimiter.Snapshot(4, 0, 0, Duration.ZERO));

    limiter.tryAcquire(4);
    limiter.tryAcquire();
    clock.advance(Duration.ofMillis(100));

    assertThat(limiter.snapshot())
        .isEqualTo(new RateLimiter.Snapshot(0, 0, 1, Duration.ofMillis(150)));
  }

  @Test
  void publishesAPermittedOrRejectedEventForEachDecision() {
    RateLimiter limiter = limiter(1, Duration.ofSeconds(1), 1, Duration.ZERO);
    List<PolicyEvent> events = new ArrayList<>();
    limiter.events().subscribe(events::add);

    limiter.tryAcquire();
    limiter.tryAcquire();

    assertThat(events).hasSize(2);
    assertThat(events.get(0)).isInstanceOf(CallPermitted.class);
    assertThat(events.get(1))
        .isInstanceOfSatisfying(
            CallRejected.class,
            e -> {
              assertThat(e.policyName()).isEqualTo("api");
              assertThat(e.rejection().retryAfter()).contains(Duration.ofSeconds(1));
              assertThat(e.wallTime()).isEqualTo(clock.wallTime());
            });
  }

  @Test
  void anExceptionFromTheCallPassesThroughAndStillSpendsThePermit() {
    RateLimiter limiter = limiter(1, Duration.ofSeconds(1), 1, Duration.ZERO);
    IllegalStateException failure = new IllegalStateException("boom");

    assertThatThrownBy(
            () ->
                limiter.call(
                    () -> {
                      throw failure;
                    }))
        .isSameAs(failure);
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void theDefaultsAreOneHundredPermitsPerSecondWithoutWaiting() {
    RateLimiter limiter = RateLimiter.ofDefaults("defaults");
    assertThat(limiter.name()).isEqualTo("defaults");
    assertThat(limiter.config()).isSameAs(RateLimiterConfig.ofDefaults());
    assertThat(limiter.config().limit()).isEqualTo(100);
    assertThat(limiter.config().burst()).isEqualTo(100);
    assertThat(limiter.config().maxWait()).isZero();
    assertThat(limiter.reserve(Duration.ZERO)).isEqualTo(Optional.of(Duration.ZERO));
  }

  @Test
  void factoriesNameWhatIsMissing() {
    RateLimiterConfig config = RateLimiterConfig.ofDefaults();
    assertThatThrownBy(() -> RateLimiter.of(null, config))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("name must not be null");
    assertThatThrownBy(() -> RateLimiter.of(" ", config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank");
    assertThatThrownBy(() -> RateLimiter.of("x", config, null, scheduler))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("clock must not be null");
    assertThatThrownBy(() -> RateLimiter.of("x", config, clock, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("scheduler must not be null");
    RateLimiter limiter = RateLimiter.of("x", config, clock, scheduler);
    assertThatThrownBy(() -> limiter.reserve(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxWait must be in [0, PT8760H], was PT-1S");
  }
}
