package dev.bulwark.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.circuitbreaker.CircuitBreaker.State;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig.WindowType;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Rates over a window of the last seconds rather than the last calls. */
class CircuitBreakerTimeWindowTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final CircuitBreaker breaker =
      CircuitBreaker.of(
          "search",
          CircuitBreakerConfig.builder()
              .windowType(WindowType.TIME)
              .windowDuration(Duration.ofSeconds(10))
              .minimumCalls(4)
              .failureRateThreshold(50)
              .build(),
          clock);

  private void fail(CallMode mode, int times) {
    for (int i = 0; i < times; i++) {
      assertThatThrownBy(
              () ->
                  mode.call(
                      breaker,
                      scheduler,
                      () -> {
                        throw new IOException("timeout");
                      }))
          .isInstanceOf(IOException.class);
    }
  }

  private void succeed(CallMode mode, int times) throws Exception {
    for (int i = 0; i < times; i++) {
      assertThat(mode.call(breaker, scheduler, () -> "ok")).isEqualTo("ok");
    }
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void opensWhenFailureRateOverTheLastSecondsReachesTheThreshold(CallMode mode) throws Exception {
    succeed(mode, 2);
    clock.advance(Duration.ofSeconds(3));
    fail(mode, 1);
    assertThat(breaker.snapshot().failureRate()).as("3 calls < minimumCalls").isEqualTo(-1f);
    clock.advance(Duration.ofSeconds(3));

    fail(mode, 1);

    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.snapshot().bufferedCalls()).isEqualTo(4);
    assertThat(breaker.snapshot().failureRate()).isEqualTo(50f);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void failuresOlderThanTheWindowAgeOut(CallMode mode) throws Exception {
    fail(mode, 3);
    clock.advance(Duration.ofSeconds(11));
    assertThat(breaker.snapshot().bufferedCalls()).isZero();

    succeed(mode, 3);
    fail(mode, 1);

    assertThat(breaker.state()).as("1 of 4, not 4 of 7").isEqualTo(State.CLOSED);
    assertThat(breaker.snapshot().failureRate()).isEqualTo(25f);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void theWindowSlidesOneTenthAtATime(CallMode mode) throws Exception {
    fail(mode, 1); // t = 0
    clock.advance(Duration.ofSeconds(5));
    succeed(mode, 2); // t = 5
    clock.advance(Duration.ofSeconds(4));
    assertThat(breaker.snapshot().bufferedCalls()).isEqualTo(3); // t = 9: all in

    clock.advance(Duration.ofSeconds(1)); // t = 10: the first tenth has aged out

    assertThat(breaker.snapshot().bufferedCalls()).isEqualTo(2);
    assertThat(breaker.snapshot().failedCalls()).isZero();
  }

  @Test
  void aWindowSilentForLongerThanItsTagsCanCountStartsEmpty() {
    breaker.onError(0, new IOException("x"));
    breaker.onError(0, new IOException("x"));
    breaker.onError(0, new IOException("x"));
    // interval 327,681: bucket 0 now stands for interval 327,680, whose 16-bit tag is interval
    // 0's again (lcm(65,536, 10) = 327,680)
    clock.advance(Duration.ofSeconds(327_681));

    breaker.onSuccess(0);

    assertThat(breaker.snapshot().bufferedCalls()).isEqualTo(1);
    assertThat(breaker.snapshot().failedCalls()).isZero();
  }

  @Test
  void aBucketPassedOverForLongerThanItsTagsCanCountIsSweptNotCountedAgain() {
    breaker.onError(0, new IOException("x")); // interval 0, bucket 0
    // traffic in every interval but bucket 0's, until bucket 0's interval has the same 16-bit
    // tag as interval 0 again: lcm(65,536, 10) = 327,680
    for (int interval = 1; interval <= 327_685; interval++) {
      clock.advance(Duration.ofSeconds(1));
      if (interval % 10 != 0) {
        breaker.onSuccess(0);
      }
    }

    assertThat(breaker.snapshot().failedCalls()).isZero();
    assertThat(breaker.snapshot().bufferedCalls()).isEqualTo(5 + 4); // intervals 327,676..685
  }
}
