package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.ratelimit.RateLimiterConfig.Algorithm;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimiterConfigTest {

  @Test
  void theDefaultsAreATokenBucketOfOneHundredPerSecondThatNeverWaits() {
    RateLimiterConfig config = RateLimiterConfig.ofDefaults();
    assertThat(config.algorithm()).isEqualTo(Algorithm.TOKEN_BUCKET);
    assertThat(config.limit()).isEqualTo(100);
    assertThat(config.period()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.burst()).isEqualTo(100);
    assertThat(config.maxWait()).isZero();
    assertThat(config.holdOnServerBusy()).isFalse();
  }

  @Test
  void theBurstFollowsTheLimitUnlessSet() {
    RateLimiterConfig config = RateLimiterConfig.builder().limit(7).build();
    assertThat(config.burst()).isEqualTo(7);
    assertThat(config.toBuilder().limit(9).build().burst()).isEqualTo(9);
    assertThat(config.toBuilder().burst(2).limit(9).build().burst()).isEqualTo(2);
  }

  @Test
  void toBuilderCopiesEverySetting() {
    RateLimiterConfig config =
        RateLimiterConfig.builder()
            .algorithm(Algorithm.FIXED_WINDOW)
            .limit(5)
            .period(Duration.ofMinutes(1))
            .maxWait(Duration.ofSeconds(2))
            .holdOnServerBusy(true)
            .build();
    assertThat(config.toBuilder().build()).hasToString(config.toString());
    assertThat(config.toString())
        .isEqualTo(
            "RateLimiterConfig[algorithm=FIXED_WINDOW, limit=5, period=PT1M, burst=5,"
                + " maxWait=PT2S, holdOnServerBusy=true]");
  }

  @Test
  void eachSetterNamesTheFieldTheRangeAndTheValue() {
    RateLimiterConfig.Builder b = RateLimiterConfig.builder();
    assertThatThrownBy(() -> b.limit(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit must be in [1, 2147483647], was 0");
    assertThatThrownBy(() -> b.burst(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("burst must be in [1, 2147483647], was -1");
    assertThatThrownBy(() -> b.period(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("period must be in (0, PT8760H], was PT0S");
    assertThatThrownBy(() -> b.period(Duration.ofDays(366)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("period must be in (0, PT8760H], was PT8784H");
    assertThatThrownBy(() -> b.maxWait(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxWait must be in [0, PT8760H], was PT-0.001S");
    assertThatThrownBy(() -> b.period(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("period must not be null");
    assertThatThrownBy(() -> b.algorithm(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("algorithm must not be null");
  }

  @Test
  void buildRejectsMoreThanOnePermitPerNanosecond() {
    assertThatThrownBy(
            () -> RateLimiterConfig.builder().limit(1001).period(Duration.ofNanos(1000)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "limit must be in [1, 1000] (one permit per nanosecond of period PT0.000001S),"
                + " was 1001");
  }

  @Test
  void buildRejectsABurstForAFixedWindow() {
    assertThatThrownBy(
            () ->
                RateLimiterConfig.builder()
                    .algorithm(Algorithm.FIXED_WINDOW)
                    .limit(10)
                    .burst(20)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("burst must equal limit (10) for a FIXED_WINDOW rate limiter, was 20");
    assertThat(
            RateLimiterConfig.builder()
                .algorithm(Algorithm.FIXED_WINDOW)
                .limit(10)
                .burst(10)
                .build()
                .burst())
        .isEqualTo(10);
  }

  @Test
  void buildRejectsABucketThatWouldTakeOverAYearToRefill() {
    assertThatThrownBy(
            () ->
                RateLimiterConfig.builder().limit(1).period(Duration.ofDays(1)).burst(366).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "burst must be in [1, 365] (a full bucket must refill within PT8760H at"
                + " limit/period), was 366");
  }

  @Test
  void theIntervalIsRoundedUpSoTheRateIsNeverExceeded() {
    RateLimiterConfig config =
        RateLimiterConfig.builder().limit(3).period(Duration.ofSeconds(1)).build();
    assertThat(config.intervalNanos()).isEqualTo(333_333_334L);
  }

  @Test
  void configsWithTheSameSettingsAreEqualAndHashAlike() {
    RateLimiterConfig a =
        RateLimiterConfig.builder().limit(5).maxWait(Duration.ofMillis(1)).build();
    RateLimiterConfig b = a.toBuilder().build();

    assertThat(b).isEqualTo(a).hasSameHashCodeAs(a);
    assertThat(a.toBuilder().limit(6).build()).isNotEqualTo(a);
    assertThat(a.changedSettings(a.toBuilder().limit(6).burst(6).build()))
        .containsExactly("limit", "burst");
  }
}
