package dev.bulwark.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class CountWindowTest {

  @Test
  void countsTheLastCallsOnly() {
    CountWindow window = new CountWindow(3);

    window.record(OutcomeWindow.FAILURE | OutcomeWindow.SLOW, 0);
    window.record(0, 0);
    assertThat(OutcomeWindow.calls(window.totals(0))).isEqualTo(2);
    window.record(OutcomeWindow.SLOW, 0);
    window.record(0, 0); // replaces the slow failure

    long totals = window.totals(0);
    assertThat(OutcomeWindow.calls(totals)).isEqualTo(3);
    assertThat(OutcomeWindow.failures(totals)).isZero();
    assertThat(OutcomeWindow.slow(totals)).isEqualTo(1);
  }

  @Test
  void aCleanFullWindowDoesNotMoveOnASuccess() {
    CountWindow window = new CountWindow(2);
    window.record(0, 0);
    window.record(0, 0);

    window.record(0, 0);
    window.record(OutcomeWindow.FAILURE, 0);

    assertThat(OutcomeWindow.failures(window.totals(0))).isEqualTo(1);
    assertThat(window.mayHoldFailures()).isTrue();
  }

  @Test
  void slotsSpanWordBoundaries() {
    CountWindow window = new CountWindow(70); // two 32-slot words and a part of a third
    for (int i = 0; i < 70; i++) {
      window.record(i % 2 == 0 ? OutcomeWindow.FAILURE : OutcomeWindow.SLOW, 0);
    }

    long totals = window.totals(0);
    assertThat(OutcomeWindow.failures(totals)).isEqualTo(35);
    assertThat(OutcomeWindow.slow(totals)).isEqualTo(35);
  }

  /**
   * Writers lapping each other on the same slots must never make the aggregates drift: after a
   * concurrent storm, filling the window with failures from one thread must count exactly {@code
   * size} failures and no slow call (a drifted aggregate would stay off by its drift).
   */
  @RepeatedTest(10)
  void aggregatesNeverDriftUnderConcurrentWriters() throws Exception {
    int size = 7; // small, so writers lap each other constantly
    CountWindow window = new CountWindow(size);
    int threads = 4;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long seed = t;
        done.add(
            pool.submit(
                () -> {
                  SplittableRandom random = new SplittableRandom(seed);
                  start.await();
                  for (int i = 0; i < 50_000; i++) {
                    window.record(random.nextInt(4), 0);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    for (int i = 0; i < size; i++) {
      window.record(OutcomeWindow.FAILURE, 0);
    }

    long totals = window.totals(0);
    assertThat(OutcomeWindow.calls(totals)).isEqualTo(size);
    assertThat(OutcomeWindow.failures(totals)).isEqualTo(size);
    assertThat(OutcomeWindow.slow(totals)).isZero();
  }
}
