package dev.bulwark.hedge;

import dev.bulwark.internal.Failures;
import dev.bulwark.internal.Stages;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/*
 * One call through a RacingHedge: its attempts, its timer and its result. Subclasses say how an
 * attempt is launched (a stage from the async pipeline, or a task on the executor); the race is
 * decided here, the same way for both.
 *
 * Who decides what:
 * - The result completes once. A successful attempt competes for it by a CAS of `winner` from
 *   NONE to its index, and only then completes the result; the first success wins, later ones are
 *   dropped. When every attempt has failed, the last one CASes `winner` to FAILED and completes the
 *   result exceptionally. The caller may complete it too (cancel); CompletableFuture keeps the
 *   first completion.
 * - `running` counts the attempts started and not yet failed. A failure decrements it; the one that
 *   brings it to zero ends the call. The timer adds a hedge only by a CAS from n > 0 to n + 1, so
 *   once it is zero no hedge can start: either the hedge joins the race, or the call has failed.
 * - Cleanup happens in one place, settle(), exactly once (a CAS of `settled`): it cancels the
 *   timer and every attempt's handle, and counts the call's outcome. The attempt that decides the
 *   call settles it before completing the result, so a caller that sees the result also sees it
 *   counted; a result completed by the caller (cancel) is settled by accept(), which the result
 *   runs when it completes. An attempt (or timer) published after settle() read the handles sees
 *   `settled` when it checks right after publishing (volatile write, then volatile read, on both sides) and
 *   cancels itself; cancelling twice is harmless.
 *
 * Per-attempt data live in arrays indexed by attempt (0 = the primary). `attemptStarts[k]` is
 * written before attempt k is launched (its completion happens after). `failures[k]` is written
 * before the decrement of `running`, whose read-modify-writes chain each failed attempt's write to
 * the one that reaches zero and reads them all. `nextHedge` is only touched by timer tasks, each
 * scheduled by the one before.
 *
 * The timer task runs no user code: starting a hedge runs the rest of the pipeline's supplier (an
 * asynchronous attempt) and publishes events, so on the scheduler's thread the task only hands
 * hedgeNow() to the scheduler's completion executor. Cancelling the result (the caller's cancel
 * reaches it directly: it is the future the caller holds) cancels every attempt through accept().
 */
abstract class HedgedCall<T> implements Runnable, BiConsumer<T, Throwable> {
  private static final int NONE = -1;
  private static final int FAILED = -2;
  private static final VarHandle RUNNING;
  private static final VarHandle WINNER;
  private static final VarHandle SETTLED;
  private static final VarHandle HANDLE = MethodHandles.arrayElementVarHandle(Future[].class);

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      RUNNING = lookup.findVarHandle(HedgedCall.class, "running", int.class);
      WINNER = lookup.findVarHandle(HedgedCall.class, "winner", int.class);
      SETTLED = lookup.findVarHandle(HedgedCall.class, "settled", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final RacingHedge hedge;
  final CompletableFuture<T> result = new CompletableFuture<>();
  private final long startNanos;
  private final long delayNanos;
  private final long[] attemptStarts;
  private final Future<?>[] handles;
  private final Throwable[] failures;
  private volatile int running = 1;
  private volatile int winner = NONE;
  private volatile boolean settled;
  private volatile @Nullable Future<?> timer;
  private @Nullable Throwable finalFailure;
  private int nextHedge = 1;

  HedgedCall(RacingHedge hedge, long startNanos, long delayNanos) {
    this.hedge = hedge;
    this.startNanos = startNanos;
    this.delayNanos = delayNanos;
    int attempts = hedge.maxHedges() + 1;
    this.attemptStarts = new long[attempts];
    this.handles = new Future<?>[attempts];
    this.failures = new Throwable[attempts];
  }

  /**
   * Starts attempt {@code attempt} and arranges for {@link #attemptDone} to be called once when it
   * ends; never throws. Returns what cancels it ({@code cancel(true)}), or null if nothing can.
   */
  abstract @Nullable Future<?> launch(int attempt);

  /** Starts the primary attempt and the first timer. */
  final void start() {
    result.whenComplete(this);
    startAttempt(0, startNanos);
    if (!settled) {
      scheduleTimer();
    }
  }

  private void startAttempt(int attempt, long nowNanos) {
    attemptStarts[attempt] = nowNanos;
    Future<?> handle = launch(attempt);
    if (handle != null) {
      HANDLE.setVolatile(handles, attempt, handle);
      if (settled) {
        handle.cancel(true); // the call ended while this attempt started; accept() may not see it
      }
    }
  }

  private void scheduleTimer() {
    Future<?> scheduled;
    try {
      scheduled = hedge.scheduler().schedule(this, delayNanos);
    } catch (RuntimeException e) { // a scheduler shut down: the call goes on without hedges
      return;
    }
    timer = scheduled;
    if (settled) {
      scheduled.cancel(false);
    }
  }

  /** The timer fired: on the scheduler's thread, hands the hedge to the completion executor. */
  @Override
  public final void run() {
    if (!settled && running != 0) {
      Stages.execute(hedge.scheduler().completionExecutor(), this::hedgeNow);
    }
  }

  /** Starts a hedge if the call is still running and the load cap allows. */
  private void hedgeNow() {
    if (settled || running == 0) {
      return;
    }
    int attempt = nextHedge;
    if (!hedge.tryHedge(attempt + 1)) {
      return; // refused: no more hedges for this call
    }
    for (; ; ) { // CAS against the last failure: the hedge joins the race, or the call has failed
      int n = running;
      if (n == 0) {
        return;
      }
      if (RUNNING.compareAndSet(this, n, n + 1)) {
        break;
      }
    }
    nextHedge = attempt + 1;
    long now = hedge.nanoTime();
    hedge.hedgeStarted(attempt + 1, now - startNanos);
    startAttempt(attempt, now);
    if (attempt < hedge.maxHedges() && !settled) {
      scheduleTimer();
    }
  }

  /** Attempt {@code attempt} ended with {@code value} or {@code error}; called once per attempt. */
  final void attemptDone(int attempt, @Nullable T value, @Nullable Throwable error) {
    if (error == null) {
      long now = hedge.nanoTime();
      hedge.recordLatency(now - attemptStarts[attempt], now);
      if (WINNER.compareAndSet(this, NONE, attempt)) { // the first success wins the call
        settle(attempt, null);
        result.complete(value);
      }
      return;
    }
    Throwable failure = Failures.unwrap(error);
    failures[attempt] = failure;
    int left = (int) RUNNING.getAndAdd(this, -1) - 1;
    if (left != 0 || settled) {
      return; // another attempt is still running, or the call is over
    }
    for (int i = 0; i < failures.length; i++) {
      Throwable earlier = failures[i];
      if (i != attempt && earlier != null && earlier != failure) {
        failure.addSuppressed(earlier);
      }
    }
    finalFailure = failure;
    if (WINNER.compareAndSet(this, NONE, FAILED)) { // every attempt failed: the last one ends it
      settle(FAILED, failure);
      result.completeExceptionally(failure);
    }
  }

  /** The result completed: settles the call if no attempt did (the caller cancelled it). */
  @Override
  public final void accept(T value, Throwable failure) {
    settle(winner, failure);
  }

  /**
   * Once per call: cancels the timer and every attempt still running, and counts the outcome. The
   * winner is an attempt's index, FAILED when every attempt failed, or NONE when the caller ended
   * the call first.
   */
  private void settle(int won, @Nullable Throwable failure) {
    if (!SETTLED.compareAndSet(this, false, true)) {
      return;
    }
    Future<?> scheduled = timer;
    if (scheduled != null) {
      scheduled.cancel(false);
    }
    for (int i = 0; i < handles.length; i++) {
      Future<?> handle = (Future<?>) HANDLE.getVolatile(handles, i);
      if (handle != null && !handle.isDone()) {
        handle.cancel(true);
      }
    }
    if (won >= 0) {
      hedge.recordOutcome(Outcome.SUCCESS, won > 0);
    } else {
      hedge.recordOutcome(
          won == FAILED && failure == finalFailure ? Outcome.FAILURE : Outcome.CANCELLED, false);
    }
  }

  /** How a call ended, for the statistics. */
  enum Outcome {
    SUCCESS,
    FAILURE,
    CANCELLED
  }
}
