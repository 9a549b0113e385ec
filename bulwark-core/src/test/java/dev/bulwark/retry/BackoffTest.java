package dev.bulwark.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.retry.Backoff.Jitter;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final long MS = 1_000_000;
  private static final Backoff EXPONENTIAL =
      Backoff.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1));

  /** A generator that always draws the top of the range asked for. */
  private static final RandomGenerator HIGHEST =
      new RandomGenerator() {
        @Override
        public long nextLong() {
          throw new UnsupportedOperationException("only bounded draws are expected");
        }

        @Override
        public long nextLong(long bound) {
          return bound - 1;
        }
      };

  /** A generator that always draws the bottom of the range asked for. */
  private static final RandomGenerator LOWEST =
      new RandomGenerator() {
        @Override
        public long nextLong() {
          throw new UnsupportedOperationException("only bounded draws are expected");
        }

        @Override
        public long nextLong(long bound) {
          return 0;
        }
      };

  @Test
  void exponentialDoublesUpToTheCap() {
    RandomGenerator unused = LOWEST;
    assertThat(EXPONENTIAL.delayNanos(1, 0, unused)).isEqualTo(100 * MS);
    assertThat(EXPONENTIAL.delayNanos(2, 0, unused)).isEqualTo(200 * MS);
    assertThat(EXPONENTIAL.delayNanos(4, 0, unused)).isEqualTo(800 * MS);
    assertThat(EXPONENTIAL.delayNanos(5, 0, unused)).isEqualTo(1000 * MS);
    assertThat(EXPONENTIAL.delayNanos(Integer.MAX_VALUE, 0, unused)).isEqualTo(1000 * MS);
  }

  @Test
  void fixedAndNoneIgnoreTheAttemptNumber() {
    Backoff fixed = Backoff.fixed(Duration.ofMillis(250));
    assertThat(fixed.delayNanos(1, 0, LOWEST)).isEqualTo(250 * MS);
    assertThat(fixed.delayNanos(1000, 0, LOWEST)).isEqualTo(250 * MS);
    assertThat(Backoff.none().delayNanos(7, 0, HIGHEST)).isZero();
    assertThat(Backoff.none().withJitter(Jitter.DECORRELATED).delayNanos(7, 5, HIGHEST)).isZero();
  }

  @Test
  void fullJitterSpansZeroToTheCappedBase() {
    Backoff full = EXPONENTIAL.withJitter(Jitter.FULL);
    assertThat(full.delayNanos(2, 0, LOWEST)).isZero();
    assertThat(full.delayNanos(2, 0, HIGHEST)).isEqualTo(200 * MS);
    assertThat(full.delayNanos(50, 0, HIGHEST)).isEqualTo(1000 * MS);
  }

  @Test
  void equalJitterSpansHalfToAllOfTheCappedBase() {
    Backoff equal = EXPONENTIAL.withJitter(Jitter.EQUAL);
    assertThat(equal.delayNanos(2, 0, LOWEST)).isEqualTo(100 * MS);
    assertThat(equal.delayNanos(2, 0, HIGHEST)).isEqualTo(200 * MS);
    assertThat(equal.delayNanos(50, 0, LOWEST)).isEqualTo(500 * MS);
    Backoff odd = Backoff.fixed(Duration.ofNanos(5)).withJitter(Jitter.EQUAL);
    assertThat(odd.delayNanos(1, 0, LOWEST)).isEqualTo(3);
    assertThat(odd.delayNanos(1, 0, HIGHEST)).isEqualTo(5);
  }

  @Test
  void decorrelatedJitterGrowsFromThePreviousDelayAndStaysUnderTheCap() {
    Backoff decorrelated = EXPONENTIAL.withJitter(Jitter.DECORRELATED);
    assertThat(decorrelated.delayNanos(1, 0, LOWEST)).isEqualTo(100 * MS);
    assertThat(decorrelated.delayNanos(1, 0, HIGHEST)).isEqualTo(300 * MS);
    assertThat(decorrelated.delayNanos(2, 300 * MS, HIGHEST)).isEqualTo(900 * MS);
    assertThat(decorrelated.delayNanos(3, 900 * MS, HIGHEST)).isEqualTo(1000 * MS);
    assertThat(decorrelated.delayNanos(3, Long.MAX_VALUE, LOWEST)).isEqualTo(100 * MS);
  }

  @Test
  void aRetryDrawsJitterFromTheInjectedGenerator() throws Exception {
    ManualClock clock = ManualClock.create();
    ManualScheduler scheduler = new ManualScheduler(clock);
    Retry retry =
        Retry.of(
            "api",
            RetryConfig.builder()
                .backoff(EXPONENTIAL.withJitter(Jitter.FULL))
                .random(() -> HIGHEST)
                .build(),
            clock,
            scheduler);

    retry.call(Script.of(new IOException("1"), new IOException("2"), "ok"));

    assertThat(scheduler.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
  }

  @Test
  void theSameSeedGivesTheSameDelays() {
    Backoff full = EXPONENTIAL.withJitter(Jitter.FULL);
    assertThat(full.delayNanos(3, 0, new SplittableRandom(42)))
        .isEqualTo(full.delayNanos(3, 0, new SplittableRandom(42)));
  }

  @Test
  void factoriesNameTheFieldAndRange() {
    assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO, 2.0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initial must be in (0, PT8760H], was PT0S");
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(1)))
        .hasMessage("multiplier must be in [1.0, 1000.0], was 0.5");
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), 2.0, Duration.ofSeconds(1)))
        .hasMessage("max must be in [initial (PT2S), PT8760H], was PT1S");
    assertThatThrownBy(() -> Backoff.fixed(Duration.ofMillis(-1)))
        .hasMessage("delay must be in [0, PT8760H], was PT-0.001S");
    assertThatThrownBy(() -> EXPONENTIAL.withJitter(null)).hasMessage("jitter must not be null");
    assertThatThrownBy(() -> EXPONENTIAL.delayNanos(0, 0, LOWEST))
        .hasMessage("attempt must be in [1, 2147483647], was 0");
  }

  @Test
  void describesItself() {
    assertThat(EXPONENTIAL.withJitter(Jitter.EQUAL))
        .hasToString("Backoff[initial=PT0.1S, multiplier=2.0, max=PT1S, jitter=EQUAL]");
    assertThat(Backoff.none()).hasToString("Backoff.none()");
    assertThat(EXPONENTIAL.initial()).isEqualTo(Duration.ofMillis(100));
    assertThat(EXPONENTIAL.multiplier()).isEqualTo(2.0);
    assertThat(EXPONENTIAL.max()).isEqualTo(Duration.ofSeconds(1));
    assertThat(EXPONENTIAL.jitter()).isEqualTo(Jitter.NONE);
    assertThat(EXPONENTIAL.withJitter(Jitter.NONE)).isSameAs(EXPONENTIAL);
  }
}
