package dev.bulwark.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TimeBucketsTest {
  private static final long WINDOW = Duration.ofSeconds(60).toNanos();
  private static final long SLICE = WINDOW / TimeBuckets.SLICES_PER_WINDOW;
  private static final long ORIGIN = Long.MAX_VALUE - Duration.ofMinutes(5).toNanos();

  private final TimeBuckets buckets = new TimeBuckets(WINDOW, ORIGIN);

  @Test
  void countsAnEventForTheWholeWindowAndForgetsItWithinATenthMore() {
    long at = ORIGIN + SLICE - 1; // the last nanosecond of a slice: the latest it can be forgotten
    buckets.add(at);

    assertThat(buckets.sum(at)).isEqualTo(1);
    assertThat(buckets.sum(at + WINDOW - 1)).isEqualTo(1);
    assertThat(buckets.sum(at + WINDOW + SLICE)).isZero();
  }

  @Test
  void countsAcrossTheWrapOfNanoTime() {
    long at = Long.MAX_VALUE - 5; // the window spans Long.MAX_VALUE -> Long.MIN_VALUE
    buckets.add(at);
    buckets.add(at + 10); // wrapped: negative

    assertThat(buckets.sum(at + 10)).isEqualTo(2);
    assertThat(buckets.sum(at + 10 + WINDOW - SLICE)).isEqualTo(2);
    assertThat(buckets.sum(at + 10 + WINDOW + SLICE)).isZero();
  }

  @Test
  void startsAfreshWhenTheRingComesBackToASlot() {
    buckets.add(ORIGIN);
    buckets.add(ORIGIN);
    long ringLater = ORIGIN + SLICE * (TimeBuckets.SLICES_PER_WINDOW + 1); // same slot, new slice

    buckets.add(ringLater);

    assertThat(buckets.sum(ringLater)).isEqualTo(1);
  }

  @Test
  void countsAnEventReadBeforeANewerSliceTookItsSlotRatherThanLosingIt() {
    long ringLater = ORIGIN + SLICE * (TimeBuckets.SLICES_PER_WINDOW + 1);
    buckets.add(ringLater); // a fast thread moved slot 0 on
    buckets.add(ORIGIN); // a thread that read the clock a window ago arrives now

    assertThat(buckets.sum(ringLater)).isEqualTo(2);
  }

  @Test
  void sumsEveryLiveSliceAndOnlyThose() {
    for (int slice = 0; slice < 30; slice++) {
      buckets.add(ORIGIN + slice * SLICE);
    }
    long now = ORIGIN + 29 * SLICE;

    assertThat(buckets.sum(now)).isEqualTo(TimeBuckets.SLICES_PER_WINDOW + 1);
  }

  @Test
  void losesNoEventWhenThreadsAddAtOnce() throws Exception {
    int threads = 4;
    int perThread = 50_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        int offset = t;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    buckets.add(ORIGIN + (i % 3) * SLICE + offset); // three slices, new slots
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(buckets.sum(ORIGIN + 2 * SLICE)).isEqualTo((long) threads * perThread);
  }
}
