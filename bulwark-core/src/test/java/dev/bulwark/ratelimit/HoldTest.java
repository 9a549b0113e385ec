package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.event.CallsHeldBack;
import dev.bulwark.policy.Pipeline;
import dev.bulwark.policy.RejectedException;
import dev.bulwark.ratelimit.RateLimiterConfig.Algorithm;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HoldTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  private RateLimiter limiter(RateLimiterConfig.Builder config) {
    return RateLimiter.of("api", config.build(), clock, scheduler);
  }

  private static RateLimiterConfig.Builder generous() {
    return RateLimiterConfig.builder().limit(1000).period(Duration.ofSeconds(1));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aHoldRejectsEveryCallerWithTheTimeLeftUntilItEnds(CallMode mode) throws Exception {
    RateLimiter limiter = limiter(generous());
    limiter.holdFor(Duration.ofSeconds(30));
    clock.advance(Duration.ofSeconds(10));

    assertThatThrownBy(() -> mode.call(limiter, scheduler, () -> "unreached"))
        .isInstanceOfSatisfying(
            RateLimitedException.class,
            e -> {
              assertThat(e.retryAfter()).contains(Duration.ofSeconds(20));
              assertThat(e)
                  .hasMessage(
                      "api: holding callers back as the server asked; a permit is free in PT20S");
            });
    assertThat(limiter.snapshot().availablePermits()).isZero();
    assertThat(limiter.snapshot().timeUntilNextPermit()).isEqualTo(Duration.ofSeconds(20));

    clock.advance(Duration.ofSeconds(20));
    assertThat(mode.call(limiter, scheduler, () -> "ok")).isEqualTo("ok");
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aCallerAllowedToWaitThatLongWaitsOutTheHold(CallMode mode) throws Exception {
    RateLimiter limiter = limiter(generous().maxWait(Duration.ofSeconds(5)));
    long start = clock.nanoTime();
    limiter.holdFor(Duration.ofSeconds(3));

    Duration ranAt =
        mode.call(limiter, scheduler, () -> Duration.ofNanos(clock.nanoTime() - start));

    assertThat(ranAt).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void theHoldThatEndsLatestWinsAndIsReportedOnce() {
    RateLimiter limiter = limiter(generous());
    List<CallsHeldBack> holds = new ArrayList<>();
    limiter.events().subscribe(CallsHeldBack.class, holds::add);

    limiter.holdFor(Duration.ofSeconds(10));
    limiter.holdFor(Duration.ofSeconds(5)); // ends earlier: changes nothing
    limiter.holdForNanos(0);
    limiter.holdForNanos(-5);

    assertThat(limiter.snapshot().timeUntilNextPermit()).isEqualTo(Duration.ofSeconds(10));
    assertThat(holds).extracting(CallsHeldBack::duration).containsExactly(Duration.ofSeconds(10));

    clock.advance(Duration.ofSeconds(8));
    limiter.holdFor(Duration.ofSeconds(4)); // ends later: extends it
    assertThat(limiter.snapshot().timeUntilNextPermit()).isEqualTo(Duration.ofSeconds(4));
    assertThat(holds).hasSize(2);
  }

  @Test
  void aHoldAlsoStopsAFixedWindowAndReservationsQueueBehindIt() {
    RateLimiter limiter =
        limiter(
            RateLimiterConfig.builder()
                .algorithm(Algorithm.FIXED_WINDOW)
                .limit(1)
                .period(Duration.ofSeconds(1)));
    clock.advance(Duration.ofMillis(200));
    limiter.holdFor(Duration.ofMillis(500));

    assertThat(limiter.tryAcquire()).isFalse();
    assertThat(limiter.reserve(Duration.ofSeconds(5))).contains(Duration.ofMillis(500));
    assertThat(limiter.reserve(Duration.ofSeconds(5))).contains(Duration.ofMillis(800));
  }

  @Test
  void aHoldLongerThanAYearIsRefusedAsADurationAndCappedInNanos() {
    RateLimiter limiter = limiter(generous());
    assertThatThrownBy(() -> limiter.holdFor(Duration.ofDays(400)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("delay must be in [0, PT8760H], was PT9600H");
    limiter.holdForNanos(Long.MAX_VALUE);
    assertThat(limiter.snapshot().timeUntilNextPermit()).isEqualTo(Duration.ofDays(365));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aServerBusyFailureHoldsBackTheNextCallerForTheServersDelay(CallMode mode) throws Exception {
    RateLimiter limiter = limiter(generous().holdOnServerBusy(true));
    ServerBusyException busy =
        new ServerBusyException("api.example.com", 429, Duration.ofSeconds(30));

    assertThatThrownBy(() -> mode.call(limiter, scheduler, throwing(busy))).isSameAs(busy);
    clock.advance(Duration.ofSeconds(1));

    assertThatThrownBy(() -> mode.call(limiter, scheduler, () -> "unreached"))
        .isInstanceOfSatisfying(
            RateLimitedException.class,
            e -> {
              assertThat(e.policyName()).isEqualTo("api");
              assertThat(e.retryAfter()).contains(Duration.ofSeconds(29));
            });
    clock.advance(Duration.ofSeconds(29));
    assertThat(mode.call(limiter, scheduler, () -> "ok")).isEqualTo("ok");
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aServerBusyFailureWrappedByAnInnerPolicyStillHoldsCallersBack(CallMode mode) {
    RateLimiter limiter = limiter(generous().holdOnServerBusy(true));
    ServerBusyException busy =
        new ServerBusyException("api.example.com", 503, Duration.ofSeconds(7));
    Exhausted exhausted = new Exhausted(busy); // as a retry policy would report it

    assertThatThrownBy(() -> mode.call(limiter, scheduler, throwing(exhausted)))
        .isSameAs(exhausted);

    assertThat(limiter.snapshot().timeUntilNextPermit()).isEqualTo(Duration.ofSeconds(7));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void withoutHoldOnServerBusyTheServersDelayIsLeftToTheCaller(CallMode mode) throws Exception {
    RateLimiter limiter = limiter(generous());
    ServerBusyException busy =
        new ServerBusyException("api.example.com", 429, Duration.ofSeconds(30));

    assertThatThrownBy(() -> mode.call(limiter, scheduler, throwing(busy))).isSameAs(busy);

    assertThat(mode.call(limiter, scheduler, () -> "ok")).isEqualTo("ok");
  }

  @Test
  void anAsyncServerBusyFailureReachesTheCallerUnwrapped() {
    RateLimiter limiter = limiter(generous().holdOnServerBusy(true));
    ServerBusyException busy =
        new ServerBusyException("api.example.com", 503, Duration.ofSeconds(7));

    CompletionStage<String> stage = limiter.callAsync(() -> CompletableFuture.failedFuture(busy));

    assertThat(stage.toCompletableFuture().handle((v, e) -> e).join()).isSameAs(busy);
    assertThat(limiter.snapshot().timeUntilNextPermit()).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void otherRejectionsFromInsideDoNotHoldCallersBack() throws Exception {
    RateLimiter limiter = limiter(generous().holdOnServerBusy(true));
    RateLimiter inner =
        RateLimiter.of(
            "inner",
            RateLimiterConfig.builder().limit(1).period(Duration.ofMinutes(1)).build(),
            clock,
            scheduler);
    Pipeline pipeline = Pipeline.of(limiter, inner);
    pipeline.call(() -> "first");

    assertThatThrownBy(() -> pipeline.call(() -> "second"))
        .isInstanceOf(RateLimitedException.class)
        .extracting(e -> ((RejectedException) e).policyName())
        .isEqualTo("inner");

    assertThat(limiter.snapshot().timeUntilNextPermit()).isZero();
  }

  @Test
  void theServerBusyExceptionSaysWhoIsBusyAndForHowLong() {
    ServerBusyException busy =
        new ServerBusyException("api.example.com", 503, Duration.ofSeconds(42));
    assertThat(busy.policyName()).isEqualTo("api.example.com");
    assertThat(busy.status()).isEqualTo(503);
    assertThat(busy.retryAfter()).contains(Duration.ofSeconds(42));
    assertThat(busy)
        .hasMessage("api.example.com: server busy (HTTP 503); it asks to retry after PT42S");
    assertThatThrownBy(() -> new ServerBusyException("x", 429, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("retryAfter must be in [0, PT8760H], was PT-1S");
  }

  private static Callable<String> throwing(Exception failure) {
    return () -> {
      throw failure;
    };
  }

  /** Stands in for a retry policy's "gave up" exception, which keeps the last failure as cause. */
  static final class Exhausted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Exhausted(Throwable cause) {
      super("retries exhausted", cause);
    }
  }
}
