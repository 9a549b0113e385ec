package dev.bulwark.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A bulkhead with a bounded wait. Time never passes by itself: the deadline of a waiting call is a
 * task on a manual scheduler, run when the test advances it. A synchronous waiter parks, so it runs
 * on a thread of its own (platform or virtual); the test waits for it to queue by waiting, bounded,
 * for its deadline task to be scheduled, and joins it with a bounded get. Asynchronous waiters need
 * no thread at all.
 */
class BulkheadWaitTest {
  private static final Duration MAX_WAIT = Duration.ofSeconds(5);

  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler manual = new ManualScheduler(clock);
  private final SignallingScheduler scheduler = new SignallingScheduler(manual);
  private final Bulkhead bulkhead =
      Bulkhead.of(
          "search",
          BulkheadConfig.builder().maxConcurrentCalls(1).maxWait(MAX_WAIT).build(),
          clock,
          scheduler);
  private ExecutorService threads;

  /** The kinds of thread a synchronous waiter may park. */
  enum Threads {
    PLATFORM,
    VIRTUAL;

    ExecutorService start() {
      if (this == VIRTUAL) {
        try {
          return (ExecutorService)
              Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (ReflectiveOperationException e) {
          // Java 17: no virtual threads; a platform thread tests the same protocol
        }
      }
      return Executors.newCachedThreadPool();
    }
  }

  @AfterEach
  void stopThreads() {
    if (threads != null) {
      threads.shutdownNow();
    }
  }

  private Future<String> waitingCall(String value) throws InterruptedException {
    Future<String> call = threads.submit(() -> bulkhead.call(() -> value));
    scheduler.awaitScheduled(); // it found the bulkhead full, queued, and scheduled its deadline
    return call;
  }

  @ParameterizedTest
  @EnumSource(Threads.class)
  void aWaitingCallRunsWhenAPermitFrees(Threads kind) throws Exception {
    threads = kind.start();
    assertThat(bulkhead.tryAcquirePermission()).isTrue();
    Future<String> waiting = waitingCall("found");
    assertThat(bulkhead.snapshot().waitingCalls()).isEqualTo(1);

    bulkhead.releasePermission();

    assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo("found");
    assertThat(bulkhead.snapshot()).isEqualTo(new Bulkhead.Snapshot(1, 0, 0, 0));
    assertThat(manual.pendingTasks()).as("the deadline task was cancelled").isZero();
  }

  @ParameterizedTest
  @EnumSource(Threads.class)
  void aWaitingCallIsRejectedWhenTheWaitIsOver(Threads kind) throws Exception {
    threads = kind.start();
    assertThat(bulkhead.tryAcquirePermission()).isTrue();
    Future<String> waiting = waitingCall("unreached");

    manual.advance(MAX_WAIT.minusNanos(1));
    assertThat(bulkhead.snapshot().waitingCalls()).as("still within its wait").isEqualTo(1);
    manual.advance(Duration.ofNanos(1));

    assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            BulkheadFullException.class,
            e -> {
              assertThat(e.waited()).isEqualTo(MAX_WAIT);
              assertThat(e).hasMessageContaining("none freed within PT5S");
            });
    assertThat(bulkhead.snapshot()).isEqualTo(new Bulkhead.Snapshot(1, 1, 0, 1));
    bulkhead.releasePermission();
    assertThat(bulkhead.snapshot().availablePermits()).isEqualTo(1);
  }

  @Test
  void waitingCallsGetPermitsFirstComeFirstServed() throws Exception {
    threads = Threads.PLATFORM.start();
    List<String> order = new CopyOnWriteArrayList<>();
    assertThat(bulkhead.tryAcquirePermission()).isTrue();
    Future<?> first = threads.submit(() -> bulkhead.call(() -> order.add("first")));
    scheduler.awaitScheduled();
    Future<?> second = threads.submit(() -> bulkhead.call(() -> order.add("second")));
    scheduler.awaitScheduled();
    Future<?> third = threads.submit(() -> bulkhead.call(() -> order.add("third")));
    scheduler.awaitScheduled();
    assertThat(bulkhead.tryAcquirePermission()).as("no barging past the queue").isFalse();

    bulkhead.releasePermission();

    first.get(10, TimeUnit.SECONDS);
    second.get(10, TimeUnit.SECONDS);
    third.get(10, TimeUnit.SECONDS);
    assertThat(order).containsExactly("first", "second", "third");
    assertThat(bulkhead.snapshot()).isEqualTo(new Bulkhead.Snapshot(1, 0, 0, 1));
  }

  @Test
  void asynchronousWaitersStartInArrivalOrderWithoutBlockingAThread() {
    CompletableFuture<String> holder = new CompletableFuture<>();
    CompletableFuture<String> a = new CompletableFuture<>();
    CompletableFuture<String> b = new CompletableFuture<>();
    List<String> started = new CopyOnWriteArrayList<>();

    CompletionStage<String> running = bulkhead.callAsync(() -> holder);
    CompletionStage<String> first =
        bulkhead.callAsync(
            () -> {
              started.add("a");
              return a;
            });
    CompletionStage<String> second =
        bulkhead.callAsync(
            () -> {
              started.add("b");
              return b;
            });
    assertThat(started).isEmpty();
    assertThat(bulkhead.snapshot().waitingCalls()).isEqualTo(2);

    holder.complete("h");
    assertThat(started).containsExactly("a");
    a.complete("A");
    assertThat(started).containsExactly("a", "b");
    b.complete("B");

    assertThat(running.toCompletableFuture().join()).isEqualTo("h");
    assertThat(first.toCompletableFuture().join()).isEqualTo("A");
    assertThat(second.toCompletableFuture().join()).isEqualTo("B");
    assertThat(bulkhead.snapshot()).isEqualTo(new Bulkhead.Snapshot(1, 0, 0, 0));
    assertThat(manual.pendingTasks()).isZero();
  }

  @Test
  void anAsynchronousWaiterIsRejectedWhenTheWaitIsOver() {
    CompletableFuture<String> holder = new CompletableFuture<>();
    bulkhead.callAsync(() -> holder);
    boolean[] started = {false};
    CompletionStage<String> waiting =
        bulkhead.callAsync(
            () -> {
              started[0] = true;
              return CompletableFuture.completedFuture("unreached");
            });

    manual.advance(MAX_WAIT);

    assertThat(waiting.toCompletableFuture()).isCompletedExceptionally();
    assertThatThrownBy(() -> waiting.toCompletableFuture().join())
        .cause()
        .isInstanceOfSatisfying(
            BulkheadFullException.class, e -> assertThat(e.waited()).isEqualTo(MAX_WAIT));
    holder.complete("h");
    assertThat(started[0]).as("a rejected waiter never runs").isFalse();
    assertThat(bulkhead.snapshot()).isEqualTo(new Bulkhead.Snapshot(1, 0, 0, 1));
  }

  @Test
  void anInterruptedWaiterLeavesTheQueueWithoutAPermit() throws Exception {
    threads = Threads.PLATFORM.start();
    assertThat(bulkhead.tryAcquirePermission()).isTrue();
    Future<String> waiting = waitingCall("unreached");

    waiting.cancel(true); // interrupts the waiting thread

    threads.shutdown();
    assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(bulkhead.snapshot()).isEqualTo(new Bulkhead.Snapshot(1, 1, 0, 0));
    assertThat(manual.pendingTasks()).as("its deadline was cancelled").isZero();
    bulkhead.releasePermission();
    assertThat(bulkhead.tryAcquirePermission()).isTrue();
  }

  @Test
  void anInterruptedWaiterThrowsInterruptedException() throws Exception {
    threads = Threads.PLATFORM.start();
    assertThat(bulkhead.tryAcquirePermission()).isTrue();
    CompletableFuture<Thread> waiterThread = new CompletableFuture<>();
    Future<Throwable> outcome =
        threads.submit(
            () -> {
              waiterThread.complete(Thread.currentThread());
              try {
                bulkhead.acquirePermission();
                return null;
              } catch (InterruptedException e) {
                return e;
              }
            });
    scheduler.awaitScheduled();

    waiterThread.get(10, TimeUnit.SECONDS).interrupt();

    assertThat(outcome.get(10, TimeUnit.SECONDS))
        .isInstanceOf(InterruptedException.class)
        .hasMessage("interrupted while waiting for bulkhead 'search'");
    assertThat(bulkhead.snapshot().waitingCalls()).isZero();
  }
}
