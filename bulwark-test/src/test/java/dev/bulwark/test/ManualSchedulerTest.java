package dev.bulwark.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ManualSchedulerTest {

  @Test
  void tasksRunInDueOrderWhenTimeReachesThem() {
    ManualClock clock = ManualClock.nearOverflow();
    ManualScheduler scheduler = new ManualScheduler(clock);
    List<String> ran = new ArrayList<>();
    long start = clock.nanoTime();
    scheduler.schedule(
        () -> ran.add("late@" + (clock.nanoTime() - start)), Duration.ofHours(2).toNanos());
    scheduler.schedule(() -> ran.add("early@" + (clock.nanoTime() - start)), 5);

    scheduler.advance(Duration.ofNanos(4));
    assertThat(ran).isEmpty();

    scheduler.advance(Duration.ofHours(3)); // crosses Long.MAX_VALUE on the way
    assertThat(ran).containsExactly("early@5", "late@" + Duration.ofHours(2).toNanos());
    assertThat(clock.elapsed()).isEqualTo(Duration.ofHours(3).plusNanos(4));
  }

  @Test
  void pendingDelaysSayHowFarAwayEachLiveTaskIsSoonestFirst() {
    ManualScheduler scheduler = new ManualScheduler(ManualClock.nearOverflow());
    scheduler.schedule(() -> {}, Duration.ofSeconds(30).toNanos());
    Future<?> cancelled = scheduler.schedule(() -> {}, Duration.ofSeconds(5).toNanos());
    scheduler.schedule(() -> {}, Duration.ofSeconds(2).toNanos());
    cancelled.cancel(false);

    scheduler.advance(Duration.ofSeconds(1));

    assertThat(scheduler.pendingDelays())
        .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(29));
  }

  @Test
  void aCancelledTaskNeverRuns() {
    ManualScheduler scheduler = new ManualScheduler(ManualClock.create());
    List<String> ran = new ArrayList<>();
    Future<?> task = scheduler.schedule(() -> ran.add("x"), 10);

    assertThat(task.cancel(false)).isTrue();
    scheduler.advance(Duration.ofSeconds(1));

    assertThat(ran).isEmpty();
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void sleepMovesTimeInsteadOfBlockingAndIsRemembered() throws InterruptedException {
    ManualClock clock = ManualClock.create();
    ManualScheduler scheduler = new ManualScheduler(clock);
    List<String> ran = new ArrayList<>();
    scheduler.schedule(() -> ran.add("due"), Duration.ofMillis(500).toNanos());

    scheduler.sleep(Duration.ofSeconds(1).toNanos());

    assertThat(ran).containsExactly("due");
    assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(1));
    assertThat(scheduler.sleeps()).containsExactly(Duration.ofSeconds(1));
  }

  @Test
  void wallTimeMovesWithNanoTime() {
    ManualClock clock = ManualClock.create();
    clock.advance(Duration.ofMinutes(1));
    assertThat(clock.wallTime()).isEqualTo(ManualClock.DEFAULT_WALL_TIME.plusSeconds(60));
  }

  @Test
  void aSleepInterruptedByATaskStopsWhereTheTaskRan() {
    ManualClock clock = ManualClock.create();
    ManualScheduler scheduler = new ManualScheduler(clock);
    Thread sleeper = Thread.currentThread();
    scheduler.schedule(sleeper::interrupt, Duration.ofSeconds(2).toNanos());

    assertThatThrownBy(() -> scheduler.sleep(Duration.ofSeconds(10).toNanos()))
        .isInstanceOf(InterruptedException.class);

    assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(2));
    assertThat(Thread.interrupted()).as("the flag is cleared, as Thread.sleep clears it").isFalse();
  }

  @Test
  void workATaskHandsToTheCompletionExecutorRunsRightAfterItOnTheSameThread() {
    ManualScheduler scheduler = new ManualScheduler(ManualClock.nearOverflow());
    List<String> ran = new ArrayList<>();
    Thread test = Thread.currentThread();
    scheduler.schedule(
        () -> {
          scheduler
              .completionExecutor()
              .execute(
                  () -> ran.add("completion on test thread: " + (Thread.currentThread() == test)));
          ran.add("task");
        },
        5);
    scheduler.schedule(() -> ran.add("next task"), 5);

    scheduler.advance(Duration.ofNanos(5));

    assertThat(ran).containsExactly("task", "completion on test thread: true", "next task");
    assertThat(scheduler.completionsRun()).isEqualTo(1);
  }

  @Test
  void workHandedToTheCompletionExecutorOutsideATaskRunsAtOnce() {
    ManualScheduler scheduler = new ManualScheduler(ManualClock.nearOverflow());
    List<String> ran = new ArrayList<>();

    scheduler.completionExecutor().execute(() -> ran.add("now"));

    assertThat(ran).containsExactly("now");
    assertThat(scheduler.completionsRun()).isEqualTo(1);
  }
}
