package dev.bulwark.stress.retry;

import dev.bulwark.retry.RetryBudget;
import dev.bulwark.retry.RetryBudgetConfig;
import dev.bulwark.test.ManualClock;
import dev.bulwark.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** Retry budgets for stress tests, on clocks that either never move or move on every reading. */
final class Budgets {
  private static final Instant WALL = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration WINDOW = Duration.ofSeconds(10);
  private static final long BUCKET_NANOS = WINDOW.toNanos() / 10;

  private Budgets() {}

  /**
   * A budget holding exactly {@code retries} retries (and earning none from calls), on {@code
   * clock}.
   */
  static RetryBudget holding(int retries, Clock clock) {
    RetryBudgetConfig config =
        RetryBudgetConfig.builder()
            .ratio(0)
            .minRetriesPerSecond(retries / 10.0)
            .window(WINDOW)
            .build();
    return RetryBudget.of(config, clock);
  }

  /** A budget earning one retry per call and holding none of its own, on frozen time. */
  static RetryBudget onePerCall() {
    RetryBudgetConfig config =
        RetryBudgetConfig.builder().ratio(1).minRetriesPerSecond(0).window(WINDOW).build();
    return RetryBudget.of(config, frozen());
  }

  /** A clock that never moves (nothing advances it), near overflow as a real nanoTime may be. */
  static Clock frozen() {
    return ManualClock.nearOverflow();
  }

  /**
   * A clock whose every reading is one bucket later than the one before, so two racing callers see
   * different buckets of the same window.
   */
  static Clock steppingABucketPerReading() {
    AtomicLong now = new AtomicLong(Long.MAX_VALUE - BUCKET_NANOS / 2);
    return new Clock() {
      @Override
      public long nanoTime() {
        return now.getAndAdd(BUCKET_NANOS);
      }

      @Override
      public Instant wallTime() {
        return WALL;
      }
    };
  }
}
