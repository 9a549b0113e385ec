package dev.bulwark.hedge;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import dev.bulwark.time.Scheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Synchronous hedging races real threads: attempts run on an executor and the caller waits on its
 * own thread. Time still moves only when the test says; threads are coordinated by queues and
 * futures with bounded waits, never by sleeping.
 */
class HedgeSyncTest {
  private static final Duration DELAY = Duration.ofMillis(100);

  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler manual = new ManualScheduler(clock);
  private final BlockingQueue<Object> timersSet = new LinkedBlockingQueue<>();
  private final AtomicInteger attemptThreads = new AtomicInteger();
  private final ExecutorService attemptPool =
      Executors.newCachedThreadPool(
          r -> new Thread(r, "attempt-" + attemptThreads.incrementAndGet()));
  private final ExecutorService callers = Executors.newCachedThreadPool();
  private final BlockingQueue<Held> started = new LinkedBlockingQueue<>();

  /** The manual scheduler, telling the test each time a timer is set. */
  private final Scheduler scheduler =
      new Scheduler() {
        @Override
        public Future<?> schedule(Runnable task, long delayNanos) {
          Future<?> timer = manual.schedule(task, delayNanos);
          timersSet.add(timer);
          return timer;
        }

        @Override
        public void sleep(long delayNanos) throws InterruptedException {
          manual.sleep(delayNanos);
        }
      };

  private final Hedge hedge =
      Hedge.of(
          "db",
          HedgeConfig.builder().delay(DELAY).maxExtraLoad(10).executor(attemptPool).build(),
          clock,
          scheduler);

  /** An attempt that blocks its thread until the test releases it (or interrupts it). */
  private final Callable<String> held =
      () -> {
        Held attempt = new Held();
        started.add(attempt);
        try {
          return attempt.release.get(10, SECONDS);
        } catch (InterruptedException e) {
          attempt.interrupted.complete(true);
          throw e;
        } catch (ExecutionException e) {
          throw (Exception) e.getCause();
        }
      };

  @AfterEach
  void stopThreads() {
    attemptPool.shutdownNow();
    callers.shutdownNow();
  }

  @Test
  void everyAttemptRunsOnTheExecutorAndAFastPrimaryIsNotHedged() throws Exception {
    Future<String> caller = callers.submit(() -> hedge.call(held));
    Held primary = nextStarted();
    awaitTimerSet();

    primary.release.complete("primary");

    assertThat(caller.get(10, SECONDS)).isEqualTo("primary");
    assertThat(primary.thread.getName()).startsWith("attempt-");
    assertThat(manual.pendingTasks()).isZero();
    assertThat(hedge.statistics().hedgesStarted()).isZero();
  }

  @Test
  void aSlowPrimaryLosesToAHedgeAndIsInterrupted() throws Exception {
    Future<String> caller = callers.submit(() -> hedge.call(held));
    Held primary = nextStarted();
    awaitTimerSet();

    manual.advance(DELAY);
    Held hedged = nextStarted();
    hedged.release.complete("hedge");

    assertThat(caller.get(10, SECONDS)).isEqualTo("hedge");
    assertThat(primary.interrupted.get(10, SECONDS)).isTrue();
    assertThat(hedged.thread).isNotSameAs(primary.thread);
    assertThat(hedge.statistics().hedgesWon()).isEqualTo(1);
    assertThat(hedge.statistics().successfulCalls()).isEqualTo(1);
  }

  @Test
  void aPrimaryWinningAfterTheHedgeStartedInterruptsTheHedge() throws Exception {
    Future<String> caller = callers.submit(() -> hedge.call(held));
    Held primary = nextStarted();
    awaitTimerSet();
    manual.advance(DELAY);
    Held hedged = nextStarted();

    primary.release.complete("primary");

    assertThat(caller.get(10, SECONDS)).isEqualTo("primary");
    assertThat(hedged.interrupted.get(10, SECONDS)).isTrue();
    assertThat(hedge.statistics().hedgesWon()).isZero();
  }

  @Test
  void interruptingTheWaitingCallerCancelsEveryAttemptAndKeepsItsInterruptStatus()
      throws Exception {
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
    Thread caller =
        new Thread(
            () -> {
              thrown.complete(catchThrowable(() -> hedge.call(held)));
              stillInterrupted.complete(Thread.currentThread().isInterrupted());
            },
            "caller");
    caller.start();
    Held primary = nextStarted();
    awaitTimerSet();
    manual.advance(DELAY);
    Held hedged = nextStarted();

    caller.interrupt();

    assertThat(thrown.get(10, SECONDS)).isInstanceOf(InterruptedException.class);
    assertThat(stillInterrupted.get(10, SECONDS)).isTrue();
    assertThat(primary.interrupted.get(10, SECONDS)).isTrue();
    assertThat(hedged.interrupted.get(10, SECONDS)).isTrue();
    assertThat(hedge.statistics().cancelledCalls()).isEqualTo(1);
    assertThat(manual.pendingTasks()).isZero();
  }

  @Test
  void whenEveryAttemptFailsOneFailureIsThrownWithTheOtherSuppressed() throws Exception {
    Future<String> caller = callers.submit(() -> hedge.call(held));
    Held primary = nextStarted();
    awaitTimerSet();
    manual.advance(DELAY);
    Held hedged = nextStarted();
    IOException first = new IOException("primary failed");
    IOException second = new IOException("hedge failed");

    primary.release.completeExceptionally(first);
    hedged.release.completeExceptionally(second);

    Throwable failure = catchThrowable(() -> caller.get(10, SECONDS)).getCause();
    assertThat(failure).isIn(first, second);
    assertThat(failure.getSuppressed()).containsExactly(failure == first ? second : first);
    assertThat(hedge.statistics().failedCalls()).isEqualTo(1);
  }

  @Test
  void anExecutorThatRejectsTheAttemptFailsTheCall() {
    RejectedExecutionException full = new RejectedExecutionException("full");
    Hedge rejecting =
        Hedge.of(
            "db",
            HedgeConfig.builder()
                .executor(
                    task -> {
                      throw full;
                    })
                .build(),
            clock,
            scheduler);

    assertThatThrownBy(() -> rejecting.call(() -> "never")).isSameAs(full);
    assertThat(manual.pendingTasks()).isZero();
  }

  private Held nextStarted() throws InterruptedException {
    Held attempt = started.poll(10, SECONDS);
    assertThat(attempt).as("an attempt started within 10 s").isNotNull();
    return attempt;
  }

  private void awaitTimerSet() throws InterruptedException {
    assertThat(timersSet.poll(10, SECONDS)).as("a hedge timer was set within 10 s").isNotNull();
  }

  /** One attempt, held on its thread until released. */
  private static final class Held {
    final Thread thread = Thread.currentThread();
    final CompletableFuture<String> release = new CompletableFuture<>();
    final CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
  }
}
