package dev.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class RollingStatsTest {

  @Property(tries = 2000)
  void everyDurationFallsInABucketWhoseBoundsHoldIt(
      @ForAll @LongRange(min = 4096, max = 1_000_000_000_000L) long nanos) {
    int b = RollingStats.bucket(nanos);

    assertThat(RollingStats.lowerNanos(b)).isLessThanOrEqualTo(nanos);
    assertThat(RollingStats.lowerNanos(b + 1)).isGreaterThan(nanos);
    // so the middle of the bucket is within 12.5% of any duration in it
    double middle = (RollingStats.lowerNanos(b) + RollingStats.lowerNanos(b + 1)) / 2.0;
    assertThat(Math.abs(middle - nanos) / nanos).isLessThanOrEqualTo(0.125);
  }

  @Test
  void percentilesComeFromTheCallsInTheWindow() {
    RollingStats stats = new RollingStats();
    for (int i = 1; i <= 100; i++) {
      stats.outcome(5, RollingStats.SUCCEEDED, i * 1_000_000L); // 1 ms .. 100 ms
    }

    Map<String, Double> p = stats.percentiles(5);

    assertThat(p.get("p50")).isBetween(50 * 0.875, 50 * 1.125);
    assertThat(p.get("p90")).isBetween(90 * 0.875, 90 * 1.125);
    assertThat(p.get("p99")).isBetween(99 * 0.875, 99 * 1.125);
    assertThat(stats.percentiles(5 + RollingStats.WINDOW_SECONDS)).isNull();
  }

  @Test
  void theWindowSumsTheLastTenSecondsAndTheHistoryAMinute() {
    RollingStats stats = new RollingStats();
    for (long second = 0; second < 70; second++) {
      stats.count(second, RollingStats.REJECTED);
      stats.count(second, RollingStats.REJECTED);
    }

    assertThat(stats.sum(69, RollingStats.WINDOW_SECONDS)[RollingStats.REJECTED]).isEqualTo(20);
    long[] history = stats.history(69, RollingStats.REJECTED);
    assertThat(history).hasSize(60).containsOnly(2);
    assertThat(stats.history(200, RollingStats.REJECTED)).containsOnly(0);
  }

  @Test
  void aWriterTooLateForItsSecondCountsNothingAndBreaksNothing() {
    RollingStats stats = new RollingStats();
    stats.count(100, RollingStats.FAILED);
    stats.count(100 - 61, RollingStats.FAILED); // same slot, a minute older

    assertThat(stats.sum(100, 1)[RollingStats.FAILED]).isEqualTo(1);
  }

  @Test
  void concurrentWritersInOneSecondAreAllCounted() throws Exception {
    RollingStats stats = new RollingStats();
    int threads = 4;
    int each = 20_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < each; i++) {
                  stats.outcome(7, RollingStats.SUCCEEDED, 1_000_000);
                }
              });
      w.start();
      workers.add(w);
    }
    start.countDown();
    for (Thread w : workers) {
      w.join(TimeUnit.SECONDS.toMillis(30));
    }

    assertThat(stats.sum(7, 1)[RollingStats.SUCCEEDED]).isEqualTo((long) threads * each);
  }
}
