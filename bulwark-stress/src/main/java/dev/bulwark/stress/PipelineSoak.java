package dev.bulwark.stress;

import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.bulkhead.BulkheadFullException;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.circuitbreaker.CircuitBreakerOpenException;
import dev.bulwark.policy.Pipeline;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.stress.Tally.Kind;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import dev.bulwark.timeout.Timeout;
import dev.bulwark.timeout.TimeoutConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The hostile report's scenario: callers on bulkhead(4, max wait 5 ms) > breaker > retry(2
 * attempts) > timeout(15 ms), over a remote call that fails at random, is slow, or ignores
 * interrupts, while an {@link Interrupter} interrupts the callers. The synchronous part runs twelve
 * callers; the asynchronous part (policies of its own) keeps calls in flight from a few callers,
 * cancels about 20% of the futures it gets back, and its remote call sometimes never answers unless
 * cancelled.
 *
 * <p>{@link #reconcile} then matches every caller's one outcome to what each policy reported, and
 * checks that every permit came back and every hanging call inside was cancelled.
 *
 * <p>Thread-safe.
 */
final class PipelineSoak {
  static final int SYNC_CALLERS = 12;
  static final int ASYNC_CALLERS = 3;
  static final int ASYNC_IN_FLIGHT_PER_CALLER = 16;

  /** The default share of asynchronous calls whose caller cancels the future. */
  static final double CANCELLED_SHARE = 0.20;

  /** The share of asynchronous calls cancelled in this run ({@code --cancel-share}). */
  static volatile double cancelledShare = CANCELLED_SHARE;

  /** An asynchronous caller's pause between calls, so rejected calls cannot spin the CPUs. */
  static final long ASYNC_PACE_NANOS = 200_000;

  /** A synchronous caller's pause after a rejection, as a client backing off for a moment. */
  static final long REJECTED_PAUSE_NANOS = 1_000_000;

  private final Workers workers;
  private final Interrupter interrupter;
  private final ScheduledExecutorService remote; // completes the asynchronous remote calls
  private final long seed;

  final Lane sync;
  final Lane async;

  private final LongAdder leakedInterrupts = new LongAdder();
  private final LongAdder userCodeOnTimer = new LongAdder();
  private final LongAdder callerCallbacksOnTimer = new LongAdder();
  private final LongAdder stuckCallers = new LongAdder();
  private final Queue<CompletableFuture<String>> hangingInner = new ConcurrentLinkedQueue<>();
  private final Queue<CompletableFuture<String>> outers = new ConcurrentLinkedQueue<>();

  PipelineSoak(
      Workers workers, Interrupter interrupter, ScheduledExecutorService remote, long seed) {
    this.workers = workers;
    this.interrupter = interrupter;
    this.remote = remote;
    this.seed = seed;
    this.sync = new Lane("pipeline-sync-" + workers.name().toLowerCase(Locale.ROOT));
    this.async = new Lane("pipeline-async-" + workers.name().toLowerCase(Locale.ROOT));
  }

  /** One pipeline with its own policies, their event counts, and its callers' tally. */
  static final class Lane {
    final String name;
    final Bulkhead bulkhead;
    final CircuitBreaker breaker;
    final Retry retry;
    final Probe attempts; // between the retry and the timeout: what the retry got back
    final Timeout timeout;
    final Pipeline pipeline;
    final EventCounts bulkheadEvents;
    final EventCounts breakerEvents;
    final EventCounts retryEvents;
    final EventCounts timeoutEvents;
    final Tally tally = new Tally();
    final LongAdder remoteCalls = new LongAdder();

    Lane(String name) {
      this.name = name;
      Clock clock = Clock.system();
      Scheduler scheduler = Scheduler.system();
      bulkhead =
          Bulkhead.of(
              name + "-bulkhead",
              BulkheadConfig.builder().maxConcurrentCalls(4).maxWait(Duration.ofMillis(5)).build(),
              clock,
              scheduler);
      breaker =
          CircuitBreaker.of(
              name + "-breaker",
              CircuitBreakerConfig.builder()
                  .failureRateThreshold(50)
                  .windowSize(20)
                  .minimumCalls(10)
                  .openDuration(Duration.ofMillis(50))
                  .build(),
              clock);
      retry =
          Retry.of(
              name + "-retry",
              RetryConfig.builder()
                  .maxAttempts(2)
                  .backoff(Backoff.fixed(Duration.ofMillis(1)))
                  .build(),
              clock,
              scheduler);
      attempts = new Probe(name + "-attempts");
      timeout =
          Timeout.of(
              name + "-timeout",
              TimeoutConfig.builder()
                  .timeout(Duration.ofMillis(15))
                  .cancelRunningFuture(true)
                  .build(),
              clock,
              scheduler);
      pipeline = Pipeline.of(bulkhead, breaker, retry, attempts, timeout);
      bulkheadEvents = EventCounts.of(bulkhead.name(), bulkhead.events());
      breakerEvents = EventCounts.of(breaker.name(), breaker.events());
      retryEvents = EventCounts.of(retry.name(), retry.events());
      timeoutEvents = EventCounts.of(timeout.name(), timeout.events());
    }
  }

  /** Runs both parts until {@code deadlineNanos} (by {@link System#nanoTime()}) or the call cap. */
  void run(long deadlineNanos, long maxCalls) throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < SYNC_CALLERS; i++) {
      long workerSeed = seed * 31 + i;
      threads.add(
          workers.start(
              sync.name + "-" + i, () -> syncCaller(workerSeed, deadlineNanos, maxCalls)));
    }
    for (int i = 0; i < ASYNC_CALLERS; i++) {
      long workerSeed = seed * 37 + i;
      threads.add(
          workers.start(
              async.name + "-" + i, () -> asyncCaller(workerSeed, deadlineNanos, maxCalls)));
    }
    for (Thread thread : threads) {
      // Bounded: a caller stops at the deadline, after at most one call (an ignored interrupt
      // holds it 40 ms), or gives up waiting for its futures after 5 s.
      thread.join(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000) + 15_000);
      if (thread.isAlive()) {
        stuckCallers.increment();
      }
    }
  }

  // ------------------------------------------------------------------ synchronous callers

  private void syncCaller(long workerSeed, long deadlineNanos, long maxCalls) {
    SplittableRandom random = new SplittableRandom(workerSeed);
    Interrupter.Target target = interrupter.register();
    try {
      while (System.nanoTime() - deadlineNanos < 0 && sync.tally.started() < maxCalls) {
        long mark = target.beforeCall();
        sync.tally.begin();
        long start = System.nanoTime();
        try {
          sync.pipeline.call(() -> remoteCall(random));
          sync.tally.record(Kind.SUCCESS, "value", System.nanoTime() - start);
        } catch (BulkheadFullException | CircuitBreakerOpenException e) {
          sync.tally.record(
              Kind.REJECTION, e.getClass().getSimpleName(), System.nanoTime() - start);
          LockSupport.parkNanos(REJECTED_PAUSE_NANOS);
        } catch (Throwable e) {
          sync.tally.record(Kind.FAILURE, describe(e), System.nanoTime() - start);
        }
        if (target.leakedSince(mark)) {
          leakedInterrupts.increment();
        }
      }
    } finally {
      interrupter.unregister(target);
      Thread.interrupted();
    }
  }

  /** The remote call: fails, is slow, or ignores interrupts, at random. */
  private String remoteCall(SplittableRandom random) throws Exception {
    sync.remoteCalls.increment();
    int dice = random.nextInt(100);
    if (dice < 50) {
      return "fast";
    } else if (dice < 65) {
      throw new IOException("remote failed");
    } else if (dice < 80) {
      pause(TimeUnit.MILLISECONDS.toNanos(2 + random.nextInt(9)), true); // 2-10 ms
      return "slowish";
    } else if (dice < 90) {
      pause(TimeUnit.MILLISECONDS.toNanos(10 + random.nextInt(21)), true); // 10-30 ms
      return "slow";
    } else if (dice < 95) {
      pause(TimeUnit.MILLISECONDS.toNanos(5), true);
      throw new IOException("remote failed slowly");
    } else {
      pause(TimeUnit.MILLISECONDS.toNanos(20 + random.nextInt(21)), false); // 20-40 ms, deaf
      return "deaf";
    }
  }

  /**
   * Waits {@code nanos}. A call that honours interrupts throws {@link InterruptedException}; one
   * that does not swallows them, as careless code does, and carries on.
   */
  static void pause(long nanos, boolean honourInterrupts) throws InterruptedException {
    long end = System.nanoTime() + nanos;
    for (long left = nanos; left > 0; left = end - System.nanoTime()) {
      LockSupport.parkNanos(left);
      if (Thread.interrupted() && honourInterrupts) {
        throw new InterruptedException("remote call interrupted");
      }
    }
  }

  // ------------------------------------------------------------------ asynchronous callers

  private void asyncCaller(long workerSeed, long deadlineNanos, long maxCalls) {
    SplittableRandom random = new SplittableRandom(workerSeed);
    Semaphore inFlight = new Semaphore(ASYNC_IN_FLIGHT_PER_CALLER);
    try {
      while (System.nanoTime() - deadlineNanos < 0 && async.tally.started() < maxCalls) {
        if (!inFlight.tryAcquire(5, TimeUnit.SECONDS)) {
          stuckCallers.increment(); // 16 calls did not end in 5 s: reported, caller stops
          return;
        }
        LockSupport.parkNanos(ASYNC_PACE_NANOS);
        async.tally.begin();
        long start = System.nanoTime();
        AtomicBoolean cancelling = new AtomicBoolean();
        CompletableFuture<String> outer;
        try {
          outer = async.pipeline.callAsync(() -> remoteCallAsync()).toCompletableFuture();
        } catch (Throwable e) {
          // callAsync must never throw: counted as the call's failure, and reconciled as such.
          async.tally.record(Kind.FAILURE, "callAsync threw " + describe(e), 0);
          inFlight.release();
          continue;
        }
        outers.add(outer);
        outer.whenComplete(
            (value, failure) -> {
              if (onTimerThread()) {
                callerCallbacksOnTimer.increment();
              }
              long latency = System.nanoTime() - start;
              Throwable cause = unwrap(failure);
              if (cause == null) {
                async.tally.record(Kind.SUCCESS, "value", latency);
              } else if (cause instanceof CancellationException && cancelling.get()) {
                async.tally.record(Kind.CANCELLATION, "by caller", latency);
              } else if (cause instanceof BulkheadFullException
                  || cause instanceof CircuitBreakerOpenException) {
                async.tally.record(Kind.REJECTION, cause.getClass().getSimpleName(), latency);
              } else {
                async.tally.record(Kind.FAILURE, describe(cause), latency);
              }
              inFlight.release();
            });
        if (random.nextDouble() < cancelledShare) {
          long delay = random.nextLong(20_000_000); // within 20 ms
          remote.schedule(
              () -> {
                cancelling.set(true);
                outer.cancel(true);
              },
              delay,
              TimeUnit.NANOSECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The asynchronous remote call: answers later on another thread, fails, or never answers. */
  private CompletableFuture<String> remoteCallAsync() {
    async.remoteCalls.increment();
    if (onTimerThread()) {
      userCodeOnTimer.increment();
    }
    // Not the caller's random: a later attempt's supplier runs on another thread.
    ThreadLocalRandom local = ThreadLocalRandom.current();
    int dice = local.nextInt(100);
    long delay = local.nextLong(1_000_000, 30_000_000);
    CompletableFuture<String> future = new CompletableFuture<>();
    if (dice < 55) {
      remote.schedule(() -> future.complete("ok"), delay / 10, TimeUnit.NANOSECONDS);
    } else if (dice < 70) {
      remote.schedule(
          () -> future.completeExceptionally(new IOException("remote failed")),
          delay / 10,
          TimeUnit.NANOSECONDS);
    } else if (dice < 90) {
      remote.schedule(() -> future.complete("slow"), delay, TimeUnit.NANOSECONDS); // 1-30 ms
    } else if (dice < 95) {
      hangingInner.add(future); // never answers: only a cancellation ends it
    } else {
      throw new IllegalStateException("remote call threw before returning a future");
    }
    return future;
  }

  static boolean onTimerThread() {
    return Thread.currentThread().getName().startsWith("bulwark-scheduler");
  }

  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** The outcome detail: the exception's simple name, with its cause's for wrappers. */
  static String describe(Throwable e) {
    String name = e.getClass().getSimpleName();
    if (e.getCause() != null) {
      return name + "(" + e.getCause().getClass().getSimpleName() + ")";
    }
    return name;
  }

  // ------------------------------------------------------------------ after the run

  /**
   * Waits, bounded, for every asynchronous call and every hanging inner call to end, then checks
   * every count. Hanging inner calls still running then are completed, so their permits can come
   * back, after being reported.
   */
  void reconcile(Reconciliation r) throws InterruptedException {
    long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (async.tally.ended() < async.tally.started() && System.nanoTime() - drainEnd < 0) {
      Thread.sleep(10);
    }
    long hangEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (hangingInner.stream().anyMatch(f -> !f.isDone()) && System.nanoTime() - hangEnd < 0) {
      Thread.sleep(10);
    }

    r.that(
        sync.name,
        stuckCallers.sum() == 0,
        stuckCallers.sum()
            + " callers were stuck: a call never returned or 16 futures stayed incomplete for 5 s");
    r.equal(
        sync.name + "+" + async.name,
        "interrupts left set after a call that no interrupter caused",
        0,
        leakedInterrupts.sum(),
        "a policy interrupted the caller's thread and did not clear it");

    reconcileSync(r);

    long notCompleted = outers.stream().filter(f -> !f.isDone()).count();
    r.equal(
        async.name,
        "asynchronous calls whose future never completed (5 s after the run)",
        0,
        notCompleted,
        "each call must end in exactly one outcome");
    long hangsRunning = hangingInner.stream().filter(f -> !f.isDone()).count();
    r.equal(
        async.name,
        "never-answering remote calls still running 2 s after the run",
        0,
        hangsRunning,
        "neither the 15 ms timeout nor the caller's cancellation reached the call inside");
    Bulkhead.Snapshot before = async.bulkhead.snapshot();
    reconcileAsync(r, before);
    // Clean up what leaked, so the resource check after this sees only the soak's own leaks.
    hangingInner.forEach(f -> f.completeExceptionally(new CancellationException("soak cleanup")));
    r.equal(
        sync.name + "+" + async.name,
        "remote calls made on the scheduler's (timer) thread",
        0,
        userCodeOnTimer.sum(),
        "user code must never run on the timer thread");
    r.equal(
        async.name,
        "callers' callbacks run on the scheduler's (timer) thread",
        0,
        callerCallbacksOnTimer.sum(),
        "a future completed on the timer thread runs the caller's callbacks there");
  }

  private void reconcileSync(Reconciliation r) {
    String s = sync.name;
    Tally t = sync.tally;
    EventCounts bh = sync.bulkheadEvents;
    EventCounts cb = sync.breakerEvents;
    EventCounts rt = sync.retryEvents;
    long calls = t.started();
    r.equal(s, "outcomes recorded by callers", calls, t.ended(), "each call has exactly one");
    long bulkheadFull = t.detail("REJECTION BulkheadFullException");
    long breakerOpen = t.detail("REJECTION CircuitBreakerOpenException");
    long successes = t.count(Kind.SUCCESS);
    long failures = t.count(Kind.FAILURE);
    long interrupted = countDetailsStartingWith(t, "FAILURE InterruptedException");
    r.equal(
        s,
        "bulkhead rejections",
        bulkheadFull,
        bh.get("CallRejected"),
        "callers' BulkheadFullException vs the bulkhead's CallRejected events");
    r.equal(
        s,
        "bulkhead rejected count",
        bh.get("CallRejected"),
        sync.bulkhead.snapshot().rejectedCalls(),
        "CallRejected events vs snapshot().rejectedCalls()");
    r.equal(
        s,
        "breaker rejections",
        breakerOpen,
        cb.get("CallRejected"),
        "callers' CircuitBreakerOpenException vs the breaker's CallRejected events");
    r.equal(
        s,
        "breaker not-permitted count",
        cb.get("CallRejected"),
        sync.breaker.snapshot().notPermittedCalls(),
        "CallRejected events vs snapshot().notPermittedCalls()");
    r.equal(
        s,
        "calls past the bulkhead",
        bh.get("CallPermitted"),
        cb.get("CallPermitted") + cb.get("CallRejected"),
        "bulkhead CallPermitted vs breaker CallPermitted + CallRejected");
    long breakerOutcomes =
        cb.get("SuccessRecorded") + cb.get("FailureRecorded") + cb.get("OutcomeIgnored");
    r.equal(
        s,
        "breaker outcomes",
        cb.get("CallPermitted"),
        breakerOutcomes,
        "breaker CallPermitted vs SuccessRecorded + FailureRecorded + OutcomeIgnored");
    r.equal(
        s,
        "successes",
        successes,
        cb.get("SuccessRecorded") + cb.get("OutcomeIgnored/success"),
        "callers' successes vs the breaker's SuccessRecorded + OutcomeIgnored of a success");
    long interruptedWaiting = calls - bh.get("CallPermitted") - bh.get("CallRejected");
    r.between(
        s,
        "calls that ended waiting for a bulkhead permit (interrupted)",
        0,
        interruptedWaiting,
        interrupted,
        "calls - bulkhead CallPermitted - CallRejected, at most the callers'"
            + " InterruptedExceptions");
    r.equal(
        s,
        "failures",
        failures,
        cb.get("FailureRecorded") + cb.get("OutcomeIgnored/failure") + interruptedWaiting,
        "callers' failures vs breaker FailureRecorded + OutcomeIgnored of a failure + calls"
            + " interrupted in the bulkhead");
    r.equal(
        s,
        "retry successes",
        cb.get("SuccessRecorded") + cb.get("OutcomeIgnored/success"),
        rt.get("SuccessRecorded"),
        "breaker SuccessRecorded + OutcomeIgnored of a success vs retry SuccessRecorded");
    r.equal(
        s,
        "retry failures",
        cb.get("FailureRecorded") + cb.get("OutcomeIgnored/failure"),
        rt.get("FailureRecorded"),
        "breaker FailureRecorded + OutcomeIgnored of a failure vs retry FailureRecorded");
    Retry.Statistics stats = sync.retry.statistics();
    r.equal(
        s,
        "retry statistics, successes",
        rt.get("SuccessRecorded"),
        stats.successfulWithoutRetry() + stats.successfulWithRetry(),
        "SuccessRecorded events vs statistics()");
    r.equal(
        s,
        "retry statistics, failures",
        rt.get("FailureRecorded"),
        stats.failedWithoutRetry() + stats.failedWithRetry(),
        "FailureRecorded events vs statistics()");
    r.equal(
        s,
        "attempts",
        stats.totalAttempts(),
        sync.attempts.entered.sum(),
        "retry statistics().totalAttempts() vs attempts that reached the timeout");
    r.equal(
        s,
        "attempts ended",
        sync.attempts.entered.sum(),
        sync.attempts.ended(),
        "attempts entering the timeout vs attempts coming back");
    r.equal(
        s,
        "remote calls",
        sync.attempts.entered.sum(),
        sync.remoteCalls.sum(),
        "attempts through the timeout vs remote calls made");
    r.equal(
        s,
        "timeouts",
        sync.attempts.timedOut.sum(),
        sync.timeoutEvents.get("CallRejected"),
        "TimeoutExceededException seen by the retry vs the timeout's CallRejected events");
    Bulkhead.Snapshot bs = sync.bulkhead.snapshot();
    r.equal(
        s,
        "bulkhead permits in use after the run",
        0,
        bs.inFlight(),
        "every permit must come back: " + bs);
    r.equal(s, "bulkhead waiters after the run", 0, bs.waitingCalls(), bs.toString());
  }

  private void reconcileAsync(Reconciliation r, Bulkhead.Snapshot bs) {
    String s = async.name;
    Tally t = async.tally;
    EventCounts bh = async.bulkheadEvents;
    EventCounts cb = async.breakerEvents;
    EventCounts rt = async.retryEvents;
    long calls = t.started();
    long cancelled = t.count(Kind.CANCELLATION);
    r.equal(s, "outcomes recorded by callers", calls, t.ended(), "each call has exactly one");
    long bulkheadFull = t.detail("REJECTION BulkheadFullException");
    long breakerOpen = t.detail("REJECTION CircuitBreakerOpenException");
    long successes = t.count(Kind.SUCCESS);
    // A cancelled call's outcome inside is hidden from its caller, so each count below may exceed
    // what callers saw by at most the number of cancelled calls.
    r.between(
        s,
        "bulkhead rejections",
        bulkheadFull,
        bh.get("CallRejected"),
        bulkheadFull + cancelled,
        "callers' BulkheadFullException (+ cancelled calls) vs CallRejected events");
    r.equal(
        s,
        "bulkhead rejected count",
        bh.get("CallRejected"),
        async.bulkhead.snapshot().rejectedCalls(),
        "CallRejected events vs snapshot().rejectedCalls()");
    r.between(
        s,
        "bulkhead decisions",
        calls - cancelled,
        bh.get("CallPermitted") + bh.get("CallRejected"),
        calls,
        "calls (less those cancelled while waiting) vs CallPermitted + CallRejected");
    r.between(
        s,
        "breaker rejections",
        breakerOpen,
        cb.get("CallRejected"),
        breakerOpen + cancelled,
        "callers' CircuitBreakerOpenException (+ cancelled) vs CallRejected events");
    r.equal(
        s,
        "breaker not-permitted count",
        cb.get("CallRejected"),
        async.breaker.snapshot().notPermittedCalls(),
        "CallRejected events vs snapshot().notPermittedCalls()");
    r.between(
        s,
        "calls past the bulkhead",
        bh.get("CallPermitted") - cancelled,
        cb.get("CallPermitted") + cb.get("CallRejected"),
        bh.get("CallPermitted"),
        "bulkhead CallPermitted vs breaker CallPermitted + CallRejected");
    long breakerOutcomes =
        cb.get("SuccessRecorded") + cb.get("FailureRecorded") + cb.get("OutcomeIgnored");
    r.between(
        s,
        "breaker outcomes",
        cb.get("CallPermitted") - cancelled,
        breakerOutcomes,
        cb.get("CallPermitted"),
        "breaker CallPermitted (a cancelled call may give its permission back unrecorded) vs"
            + " SuccessRecorded + FailureRecorded + OutcomeIgnored");
    r.between(
        s,
        "successes",
        successes,
        cb.get("SuccessRecorded") + cb.get("OutcomeIgnored/success"),
        successes + cancelled,
        "callers' successes (+ cancelled) vs the breaker's SuccessRecorded + OutcomeIgnored of a"
            + " success");
    Retry.Statistics stats = async.retry.statistics();
    r.equal(
        s,
        "retry statistics, successes",
        rt.get("SuccessRecorded"),
        stats.successfulWithoutRetry() + stats.successfulWithRetry(),
        "SuccessRecorded events vs statistics()");
    r.equal(
        s,
        "retry statistics, failures",
        rt.get("FailureRecorded"),
        stats.failedWithoutRetry() + stats.failedWithRetry(),
        "FailureRecorded events vs statistics()");
    r.between(
        s,
        "retry outcomes",
        cb.get("CallPermitted") - cancelled,
        rt.get("SuccessRecorded") + rt.get("FailureRecorded"),
        cb.get("CallPermitted"),
        "breaker CallPermitted vs retry SuccessRecorded + FailureRecorded");
    r.equal(
        s,
        "attempts ended",
        async.attempts.entered.sum(),
        async.attempts.ended(),
        "attempts entering the timeout vs attempts coming back");
    r.equal(
        s,
        "timeouts",
        async.attempts.timedOut.sum(),
        async.timeoutEvents.get("CallRejected"),
        "TimeoutExceededException seen by the retry vs the timeout's CallRejected events");
    r.equal(
        s,
        "bulkhead permits in use after the run",
        0,
        bs.inFlight(),
        "every permit must come back: " + bs);
    r.equal(s, "bulkhead waiters after the run", 0, bs.waitingCalls(), bs.toString());
  }

  private static long countDetailsStartingWith(Tally t, String prefix) {
    return t.details().entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .mapToLong(e -> e.getValue())
        .sum();
  }

  /** The summary of both parts. */
  String describe() {
    StringBuilder sb = new StringBuilder();
    for (Lane lane : List.of(sync, async)) {
      sb.append("  ").append(lane.name).append(": ").append(lane.pipeline).append('\n');
      sb.append(lane.tally.describe("    "));
      sb.append("    remote calls ")
          .append(lane.remoteCalls.sum())
          .append(", attempts ")
          .append(lane.attempts.entered.sum())
          .append(" (timed out ")
          .append(lane.attempts.timedOut.sum())
          .append(")\n");
      for (EventCounts counts :
          List.of(lane.bulkheadEvents, lane.breakerEvents, lane.retryEvents, lane.timeoutEvents)) {
        sb.append("    events ").append(counts).append('\n');
      }
      sb.append("    bulkhead ").append(lane.bulkhead.snapshot()).append('\n');
      sb.append("    breaker ").append(lane.breaker.snapshot()).append('\n');
      sb.append("    retry ").append(lane.retry.statistics()).append('\n');
    }
    sb.append("  leaked interrupts ")
        .append(leakedInterrupts.sum())
        .append(", remote calls on the timer thread ")
        .append(userCodeOnTimer.sum())
        .append(", caller callbacks on the timer thread ")
        .append(callerCallbacksOnTimer.sum())
        .append(", never-answering remote calls ")
        .append(hangingInner.size())
        .append('\n');
    return sb.toString();
  }
}
