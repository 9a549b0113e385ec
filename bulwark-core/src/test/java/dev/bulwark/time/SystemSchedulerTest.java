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
  void cancelledDeadlinesLeaveTheQueueAtOnceAndNeverRun() throws InterruptedException {
    AtomicInteger ran = new AtomicInteger();
    List<Future<?>> deadlines = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      deadlines.add(scheduler.schedule(ran::incrementAndGet, TimeUnit.HOURS.toNanos(1)));
    }
    deadlines.forEach(deadline -> deadline.cancel(false));

    assertThat(scheduler.queuedTasks()).isLessThanOrEqualTo(1); // the tick, at most

    CountDownLatch later = new CountDownLatch(1);
    scheduler.schedule(later::countDown, 2 * SystemScheduler.TICK_NANOS);
    assertThat(later.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).hasValue(0);
  }
}
