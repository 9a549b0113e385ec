package dev.bulwark.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.retry.Backoff.Jitter;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class BackoffProperties {
  private static final long MAX_NANOS = Duration.ofDays(365).toNanos();

  /** An exponential backoff from arbitrary values, the cap kept within the allowed range. */
  private static Backoff exponential(
      long initialNanos, double multiplier, long extraNanos, Jitter jitter) {
    long capNanos = Math.min(MAX_NANOS, initialNanos + extraNanos);
    return Backoff.exponential(
            Duration.ofNanos(initialNanos), multiplier, Duration.ofNanos(capNanos))
        .withJitter(jitter);
  }

  @Property
  void everyDelayLiesBetweenZeroAndTheCap(
      @ForAll Jitter jitter,
      @ForAll @LongRange(min = 1, max = 31_536_000_000_000_000L) long initialNanos,
      @ForAll @DoubleRange(min = 1.0, max = 1000.0) double multiplier,
      @ForAll @LongRange(min = 0, max = 31_536_000_000_000_000L) long extraNanos,
      @ForAll @IntRange(min = 1, max = Integer.MAX_VALUE) int attempt,
      @ForAll long previousDelayNanos,
      @ForAll long seed) {
    Backoff backoff = exponential(initialNanos, multiplier, extraNanos, jitter);
    long cap = backoff.max().toNanos();

    long delay = backoff.delayNanos(attempt, previousDelayNanos, new SplittableRandom(seed));

    assertThat(delay).isBetween(0L, cap);
    if (jitter == Jitter.DECORRELATED) {
      assertThat(delay).isGreaterThanOrEqualTo(Math.min(initialNanos, cap));
    }
  }

  @Property
  void fixedDelaysLieBetweenZeroAndTheDelay(
      @ForAll Jitter jitter,
      @ForAll @LongRange(min = 0, max = 31_536_000_000_000_000L) long delayNanos,
      @ForAll @IntRange(min = 1, max = Integer.MAX_VALUE) int attempt,
      @ForAll long previousDelayNanos,
      @ForAll long seed) {
    Backoff backoff = Backoff.fixed(Duration.ofNanos(delayNanos)).withJitter(jitter);

    long delay = backoff.delayNanos(attempt, previousDelayNanos, new SplittableRandom(seed));

    assertThat(delay).isBetween(jitter == Jitter.DECORRELATED ? delayNanos : 0L, delayNanos);
  }

  @Property
  void fullAndEqualJitterStillSpreadClientsAtTheCap(
      @ForAll boolean equal,
      @ForAll @LongRange(min = 1, max = 1_000_000_000L) long initialNanos,
      @ForAll @DoubleRange(min = 1.1, max = 1000.0) double multiplier,
      @ForAll @LongRange(min = 1_000_000L, max = 31_536_000_000_000_000L) long extraNanos,
      @ForAll @IntRange(min = 1_000_000, max = Integer.MAX_VALUE) int attempt,
      @ForAll long seed) {
    Backoff backoff =
        exponential(initialNanos, multiplier, extraNanos, equal ? Jitter.EQUAL : Jitter.FULL);
    SplittableRandom random = new SplittableRandom(seed);

    Set<Long> delays = new HashSet<>();
    for (int i = 0; i < 8; i++) {
      delays.add(backoff.delayNanos(attempt, 0, random));
    }

    assertThat(delays).hasSizeGreaterThan(1); // not all at the cap
  }

  @Property
  void withoutJitterTheDelayNeverShrinksAsAttemptsGrow(
      @ForAll @LongRange(min = 1, max = 31_536_000_000_000_000L) long initialNanos,
      @ForAll @DoubleRange(min = 1.0, max = 1000.0) double multiplier,
      @ForAll @LongRange(min = 0, max = 31_536_000_000_000_000L) long extraNanos,
      @ForAll @IntRange(min = 1, max = Integer.MAX_VALUE) int attempt,
      @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int further) {
    Backoff backoff = exponential(initialNanos, multiplier, extraNanos, Jitter.NONE);
    int later = (int) Math.min(Integer.MAX_VALUE, (long) attempt + further);
    SplittableRandom unused = new SplittableRandom(0);

    long first = backoff.delayNanos(attempt, 0, unused);
    long second = backoff.delayNanos(later, 0, unused);

    assertThat(second).isGreaterThanOrEqualTo(first);
  }
}
