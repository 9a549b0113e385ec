package dev.bulwark.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The real scheduler, on real time: only what no manual clock can show. */
class SystemSchedulerTest {
  private final SystemScheduler scheduler = SystemScheduler.INSTANCE;

  @Test
  void runsATaskOnceItsDelayHasPassed() throws InterruptedException {
    CountDownLatch ran = new CountDownLatch(1);

    scheduler.schedule(ran::countDown, TimeUnit.MILLISECONDS.toNanos(5));

    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void cancelledDeadlinesAreSweptOutInBulkAndNeverRun() throws InterruptedException {
    AtomicInteger ran = new AtomicInteger();
    List<Future<?>> deadlines = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      deadlines.add(scheduler.schedule(ran::incrementAndGet, TimeUnit.HOURS.toNanos(1)));
    }
    deadlines.forEach(deadline -> deadline.cancel(false));

    CountDownLatch afterTwoSweeps = new CountDownLatch(1);
    scheduler.schedule(afterTwoSweeps::countDown, 2 * SystemScheduler.SWEEP_NANOS + 50_000_000);
    assertThat(afterTwoSweeps.await(10, TimeUnit.SECONDS)).isTrue();

    assertThat(scheduler.queuedTasks()).isLessThanOrEqualTo(1); // the sweep itself, at most
    assertThat(ran).hasValue(0);
  }
}
