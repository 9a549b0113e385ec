package dev.bulwark.stress.bulkhead;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * The bulkhead's permit count under races: never more permits out than the limit, every release
 * restores exactly one, a permit freed while a caller queues is never lost, and a caller who
 * cancels (a running call, or one granted a permit at that very moment) or whose wait times out as
 * the permit is handed over leaves no permit and no waiter behind. Run: {@code java -jar
 * bulwark-stress/target/jcstress.jar -t BulkheadStress}.
 */
public final class BulkheadStress {
  private BulkheadStress() {}

  static Bulkhead bulkhead(int max) {
    return Bulkhead.of(
        "stress",
        BulkheadConfig.builder().maxConcurrentCalls(max).build(),
        Clock.system(),
        NeverFires.INSTANCE);
  }

  /** A scheduler whose deadlines never fire: waits end only by a permit being handed over. */
  enum NeverFires implements Scheduler {
    INSTANCE;

    @Override
    public Future<?> schedule(Runnable task, long delayNanos) {
      return new CompletableFuture<Void>();
    }

    @Override
    public void sleep(long delayNanos) {
      throw new UnsupportedOperationException("the stress tests never sleep");
    }
  }

  /** Two callers race for one permit: exactly one gets it. */
  @JCStressTest
  @Outcome(
      id = {"1, 0", "0, 1"},
      expect = ACCEPTABLE,
      desc = "exactly one caller holds the permit")
  @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "two permits out of one")
  @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "a free permit was refused to both")
  @State
  public static class OnePermitTwoCallers {
    private final Bulkhead bulkhead = bulkhead(1);

    @Actor
    public void first(II_Result r) {
      r.r1 = bulkhead.tryAcquirePermission() ? 1 : 0;
    }

    @Actor
    public void second(II_Result r) {
      r.r2 = bulkhead.tryAcquirePermission() ? 1 : 0;
    }
  }

  /** Three callers race for two permits: exactly two get one. */
  @JCStressTest
  @Outcome(
      id = {"1, 1, 0", "1, 0, 1", "0, 1, 1"},
      expect = ACCEPTABLE,
      desc = "exactly two callers hold permits")
  @Outcome(id = "1, 1, 1", expect = FORBIDDEN, desc = "three permits out of two")
  @Outcome(expect = FORBIDDEN, desc = "a free permit was refused")
  @State
  public static class TwoPermitsThreeCallers {
    private final Bulkhead bulkhead = bulkhead(2);

    @Actor
    public void first(III_Result r) {
      r.r1 = bulkhead.tryAcquirePermission() ? 1 : 0;
    }

    @Actor
    public void second(III_Result r) {
      r.r2 = bulkhead.tryAcquirePermission() ? 1 : 0;
    }

    @Actor
    public void third(III_Result r) {
      r.r3 = bulkhead.tryAcquirePermission() ? 1 : 0;
    }
  }

  /**
   * Two callers each take, hold and give back the single permit: they never hold it together, and
   * afterwards it is free again.
   */
  @JCStressTest
  @Outcome(
      id = {"1, 1, 1", "1, 0, 1", "0, 1, 1"},
      expect = ACCEPTABLE,
      desc = "one or both held it in turn; the permit is free afterwards")
  @Outcome(expect = FORBIDDEN, desc = "held together, lost, or not restored")
  @State
  public static class ReleasesRestoreThePermit {
    private final Bulkhead bulkhead = bulkhead(1);
    private final AtomicInteger holders = new AtomicInteger();
    private volatile boolean overlapped;

    private int takeHoldRelease() {
      if (!bulkhead.tryAcquirePermission()) {
        return 0;
      }
      if (holders.incrementAndGet() > 1) {
        overlapped = true;
      }
      holders.decrementAndGet();
      bulkhead.releasePermission();
      return 1;
    }

    @Actor
    public void first(III_Result r) {
      r.r1 = takeHoldRelease();
    }

    @Actor
    public void second(III_Result r) {
      r.r2 = takeHoldRelease();
    }

    @Arbiter
    public void after(III_Result r) {
      r.r3 = overlapped ? -1 : bulkhead.snapshot().availablePermits();
    }
  }

  /**
   * A permit is freed while an asynchronous caller queues for it: the permit is handed to the
   * waiter (no lost wake-up), which runs, and everything is given back.
   */
  @JCStressTest
  @Outcome(id = "1", expect = ACCEPTABLE, desc = "the waiter ran and returned its permit")
  @Outcome(
      id = "0",
      expect = FORBIDDEN,
      desc = "lost wake-up: the waiter is stuck with a free permit")
  @Outcome(expect = FORBIDDEN, desc = "permits or waiters miscounted")
  @State
  public static class AFreedPermitReachesAQueuedCaller {
    private final Bulkhead bulkhead =
        Bulkhead.of(
            "stress",
            BulkheadConfig.builder().maxConcurrentCalls(1).maxWait(Duration.ofDays(1)).build(),
            Clock.system(),
            NeverFires.INSTANCE);
    private volatile CompletionStage<String> waiting;

    @SuppressWarnings(
        "NullAway.Init") // waiting: set by queue(), which jcstress runs before after()
    public AFreedPermitReachesAQueuedCaller() {
      if (!bulkhead.tryAcquirePermission()) {
        throw new IllegalStateException("a fresh bulkhead has a permit");
      }
    }

    @Actor
    public void release() {
      bulkhead.releasePermission();
    }

    @Actor
    public void queue() {
      waiting = bulkhead.callAsync(() -> CompletableFuture.completedFuture("ran"));
    }

    @Arbiter
    public void after(I_Result r) {
      Bulkhead.Snapshot snapshot = bulkhead.snapshot();
      boolean ran = waiting.toCompletableFuture().getNow("stuck").equals("ran");
      if (!ran) {
        r.r1 = 0;
      } else if (snapshot.inFlight() != 0 || snapshot.waitingCalls() != 0) {
        r.r1 = -1;
      } else {
        r.r1 = 1;
      }
    }
  }

  /** A bulkhead of one permit, already taken, where a call may wait a day. */
  static Bulkhead fullWithWaiting(Scheduler scheduler) {
    Bulkhead bulkhead =
        Bulkhead.of(
            "stress",
            BulkheadConfig.builder().maxConcurrentCalls(1).maxWait(Duration.ofDays(1)).build(),
            Clock.system(),
            scheduler);
    if (!bulkhead.tryAcquirePermission()) {
      throw new IllegalStateException("a fresh bulkhead has a permit");
    }
    return bulkhead;
  }

  /** 0 if no permit and no waiter is left, else -1. */
  static int leftover(Bulkhead bulkhead) {
    Bulkhead.Snapshot snapshot = bulkhead.snapshot();
    return snapshot.inFlight() == 0 && snapshot.waitingCalls() == 0 ? 0 : -1;
  }

  /**
   * The caller cancels the future of a running asynchronous call while the call completes: the
   * permit comes back either way. (It was lost when the caller's future was the dependent stage of
   * a {@code whenComplete} that released: cancelling it made the release be skipped.)
   */
  @JCStressTest
  @Outcome(id = "0", expect = ACCEPTABLE, desc = "the permit came back")
  @Outcome(id = "-1", expect = FORBIDDEN, desc = "the permit was lost")
  @State
  public static class CancellingARunningCallNeverLosesItsPermit {
    private final Bulkhead bulkhead = bulkhead(1);
    private final CompletableFuture<String> inner = new CompletableFuture<>();
    private final CompletionStage<String> outer = bulkhead.callAsync(() -> inner);

    @Actor
    public void complete() {
      inner.complete("done");
    }

    @Actor
    public void cancel() {
      outer.toCompletableFuture().cancel(true);
    }

    @Arbiter
    public void after(I_Result r) {
      r.r1 = leftover(bulkhead);
    }
  }

  /**
   * A queued asynchronous call is cancelled at the moment a release grants it the permit: it runs
   * (granted first) or never runs (cancelled first), and either way no permit and no waiter is
   * left.
   */
  @JCStressTest
  @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "granted first: it ran, permit back")
  @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "cancelled first: it never ran")
  @Outcome(expect = FORBIDDEN, desc = "a permit or a waiter was left behind")
  @State
  public static class AQueuedCallCancelledAsItIsGrantedLeavesNothingBehind {
    private final Bulkhead bulkhead = fullWithWaiting(NeverFires.INSTANCE);
    private final AtomicInteger ran = new AtomicInteger();
    private final CompletionStage<String> outer =
        bulkhead.callAsync(
            () -> {
              ran.incrementAndGet();
              return CompletableFuture.completedFuture("ran");
            });

    @Actor
    public void release() {
      bulkhead.releasePermission();
    }

    @Actor
    public void cancel() {
      outer.toCompletableFuture().cancel(true);
    }

    @Arbiter
    public void after(II_Result r) {
      r.r1 = ran.get();
      r.r2 = leftover(bulkhead);
    }
  }

  /**
   * A queued asynchronous call's wait runs out at the moment a release grants it the permit: it
   * runs or is rejected, never both, and no permit or waiter is left.
   */
  @JCStressTest
  @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "granted first: it ran, permit back")
  @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "timed out first: rejected, never ran")
  @Outcome(expect = FORBIDDEN, desc = "ran and rejected, stuck, or something left behind")
  @State
  public static class AQueuedCallTimingOutAsItIsGrantedLeavesNothingBehind {
    private final Capturing scheduler = new Capturing();
    private final Bulkhead bulkhead = fullWithWaiting(scheduler);
    private final AtomicInteger ran = new AtomicInteger();
    private final CompletionStage<String> outer =
        bulkhead.callAsync(
            () -> {
              ran.incrementAndGet();
              return CompletableFuture.completedFuture("ran");
            });

    @Actor
    public void release() {
      bulkhead.releasePermission();
    }

    @Actor
    public void deadline() {
      scheduler.fire();
    }

    @Arbiter
    public void after(II_Result r) {
      CompletableFuture<String> result = outer.toCompletableFuture();
      boolean rejected = result.isCompletedExceptionally();
      boolean succeeded = result.isDone() && !rejected;
      if (ran.get() == 1 && succeeded) {
        r.r1 = 1;
      } else if (ran.get() == 0 && rejected) {
        r.r1 = 2;
      } else {
        r.r1 = -1;
      }
      r.r2 = leftover(bulkhead);
    }
  }

  /**
   * The limit grows while the permit's holder gives it back: the queued call runs (admitted by
   * whichever comes first), and no permit or waiter is left or lost.
   */
  @JCStressTest
  @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the waiter ran, permits all back")
  @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "the waiter is stuck with permits free")
  @Outcome(expect = FORBIDDEN, desc = "a permit or a waiter was left behind or lost")
  @State
  public static class GrowingTheLimitWhileAPermitIsReleasedLosesNothing {
    private final Bulkhead bulkhead = fullWithWaiting(NeverFires.INSTANCE);
    private final AtomicInteger ran = new AtomicInteger();

    public GrowingTheLimitWhileAPermitIsReleasedLosesNothing() {
      bulkhead.callAsync(
          () -> {
            ran.incrementAndGet();
            return CompletableFuture.completedFuture("ran");
          });
    }

    @Actor
    public void grow() {
      bulkhead.reconfigure(bulkhead.config().toBuilder().maxConcurrentCalls(2).build());
    }

    @Actor
    public void release() {
      bulkhead.releasePermission();
    }

    @Arbiter
    public void after(II_Result r) {
      r.r1 = ran.get();
      r.r2 = leftover(bulkhead);
    }
  }

  /** A scheduler that keeps the one task scheduled on it, for an actor to run. */
  static final class Capturing implements Scheduler {
    private final AtomicReference<Runnable> task = new AtomicReference<>();

    @Override
    public Future<?> schedule(Runnable task, long delayNanos) {
      this.task.set(task);
      return new CompletableFuture<Void>();
    }

    @Override
    public void sleep(long delayNanos) {
      throw new UnsupportedOperationException("the stress tests never sleep");
    }

    void fire() {
      Objects.requireNonNull(task.get(), "fire() after schedule()").run();
    }
  }
}
