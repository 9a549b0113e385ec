package dev.bulwark.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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

  @Test
  void completesOnDaemonThreadsOfItsOwnPoolByDefault() throws InterruptedException {
    AtomicReference<Thread> ran = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);

    scheduler
        .completionExecutor()
        .execute(
            () -> {
              ran.set(Thread.currentThread());
              done.countDown();
            });

    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ran.get().getName()).startsWith("bulwark-completion-");
    assertThat(ran.get().isDaemon()).isTrue();
  }

  @Test
  void completesOnTheExecutorItWasGivenWhileSharingTheTimerThread() throws InterruptedException {
    AtomicInteger handedOver = new AtomicInteger();
    Executor mine =
        task -> {
          handedOver.incrementAndGet();
          new Thread(task, "mine").start();
        };
    Scheduler custom = Scheduler.system(mine);
    AtomicReference<String> timerThread = new AtomicReference<>();
    CountDownLatch fired = new CountDownLatch(1);

    custom.schedule(
        () -> {
          timerThread.set(Thread.currentThread().getName());
          custom.completionExecutor().execute(fired::countDown);
        },
        TimeUnit.MILLISECONDS.toNanos(1));

    assertThat(fired.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(timerThread.get()).isEqualTo("bulwark-scheduler");
    assertThat(handedOver).hasValue(1);
    assertThat(custom.completionExecutor()).isSameAs(mine);
  }
}
