package dev.bulwark.ratelimit;

import dev.bulwark.event.CallPermitted;
import dev.bulwark.event.CallRejected;
import dev.bulwark.event.CallsHeldBack;
import dev.bulwark.event.EventSource;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.EventBus;
import dev.bulwark.internal.Failures;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/*
 * The gate shared by both algorithms; the algorithm itself is two pure functions of one long.
 *
 * State. Everything that decides admission is one long, `state`, swapped by compare-and-set: for
 * the token bucket a "theoretical arrival time" (TokenBucket), for the fixed window a permit
 * position (FixedWindow). Times are nanoseconds relative to `originNanos`, the clock's reading
 * when the limiter was made, so they start at 0 and grow for 292 years; they are still compared
 * by subtraction, as every nano time is.
 *
 * Taking permits. Read the clock, read the hold, read the state; ask the algorithm when the permits
 * could be granted (grantNanos), which is never before now nor before the hold ends; if that wait
 * exceeds the caller's maxWait, refuse without writing anything; otherwise CAS the state to what
 * it is after the grant (stateAfter). A lost CAS means another caller took permits first: read
 * again and recompute. No lock, no allocation, and no caller can take a permit the state does not
 * account for, so admission is exact under any interleaving.
 *
 * Holds. `holdUntilNanos` is a second long, raised by CAS to the latest end ever asked for. It is
 * read before the state and not updated with it: a caller that read the hold an instant before
 * it was raised is admitted, as if it came first. That race is one the server cannot see.
 *
 * Waiting. A granted permit may lie in the future (a reservation). A synchronous caller sleeps
 * through the scheduler; an asynchronous one is scheduled to proceed then. Either way the wait
 * was checked against maxWait before anything was reserved, so a caller that would wait too long
 * is rejected at once and never sleeps.
 *
 * Results. reserve() returns the wait (>= 0) or, for a refusal, -1 - wait: one long, no object.
 */
abstract class LocalRateLimiter implements RateLimiter {
  private static final VarHandle STATE;
  private static final VarHandle HOLD_UNTIL;
  private static final VarHandle WAITING;
  private static final VarHandle REJECTED;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      STATE = lookup.findVarHandle(LocalRateLimiter.class, "state", long.class);
      HOLD_UNTIL = lookup.findVarHandle(LocalRateLimiter.class, "holdUntilNanos", long.class);
      WAITING = lookup.findVarHandle(LocalRateLimiter.class, "waiting", int.class);
      REJECTED = lookup.findVarHandle(LocalRateLimiter.class, "rejected", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final long MAX_HOLD_NANOS = Check.MAX_DURATION.toNanos();
  private static final int MAX_CAUSE_DEPTH = 8;

  final String name;
  final RateLimiterConfig config;
  final Clock clock;
  final Scheduler scheduler;
  final long originNanos;
  final long maxWaitNanos;
  final int maxPermits;
  private final boolean holdOnServerBusy;
  private final EventBus events = new EventBus();

  private volatile long state; // see STATE; meaning set by the subclass, initially 0
  private volatile long holdUntilNanos; // see HOLD_UNTIL; relative to origin; 0 = no hold
  private volatile int waiting; // see WAITING
  private volatile long rejected; // see REJECTED

  LocalRateLimiter(
      String name, RateLimiterConfig config, Clock clock, Scheduler scheduler, int maxPermits) {
    this.name = name;
    this.config = config;
    this.clock = clock;
    this.scheduler = scheduler;
    this.originNanos = clock.nanoTime();
    this.maxWaitNanos = config.maxWait().toNanos();
    this.maxPermits = maxPermits;
    this.holdOnServerBusy = config.holdOnServerBusy();
  }

  /**
   * When {@code permits} permits could be granted given {@code state}, at {@code fromNanos} or
   * later. Pure.
   */
  abstract long grantNanos(long state, int permits, long fromNanos);

  /** The state once {@code permits} permits are granted at {@code grantNanos}. Pure. */
  abstract long stateAfter(long state, int permits, long grantNanos);

  /** How many permits could be taken at {@code nowNanos} without waiting, ignoring holds. Pure. */
  abstract int availablePermits(long state, long nowNanos);

  // ------------------------------------------------------------------ permits

  /** Reserves permits; returns the wait (>= 0), or -1 - wait if that exceeds maxWaitNanos. */
  private long reserve(int permits, long maxWait) {
    long now = clock.nanoTime() - originNanos;
    long hold = holdUntilNanos;
    long from = hold - now > 0 ? hold : now;
    while (true) { // the caller whose CAS succeeds gets these permits; losers recompute
      long seen = state;
      long grant = grantNanos(seen, permits, from);
      long wait = grant - now;
      if (wait - maxWait > 0) {
        REJECTED.getAndAdd(this, 1L);
        return -1 - wait;
      }
      if (STATE.compareAndSet(this, seen, stateAfter(seen, permits, grant))) {
        return wait;
      }
    }
  }

  @Override
  public boolean tryAcquire() {
    return tryAcquire(1);
  }

  @Override
  public boolean tryAcquire(int permits) {
    if (permits < 1 || permits > maxPermits) {
      throw new IllegalArgumentException(
          "permits must be in [1, " + maxPermits + "] (burst), was " + permits);
    }
    long result = reserve(permits, 0);
    publishDecision(result);
    return result >= 0;
  }

  @Override
  public long reserveNanos() {
    long result = reserve(1, maxWaitNanos);
    publishDecision(result);
    return result >= 0 ? result : -1;
  }

  @Override
  public Optional<Duration> reserve(Duration maxWait) {
    Check.nonNegative("maxWait", maxWait);
    long result = reserve(1, maxWait.toNanos());
    publishDecision(result);
    return result >= 0 ? Optional.of(Duration.ofNanos(result)) : Optional.empty();
  }

  @Override
  public void acquire() throws InterruptedException {
    long wait = reserve(1, maxWaitNanos);
    if (wait < 0) {
      throw rejection(-1 - wait);
    }
    if (wait > 0) {
      WAITING.getAndAdd(this, 1);
      try {
        scheduler.sleep(wait);
      } finally {
        WAITING.getAndAdd(this, -1);
      }
    }
    if (events.hasListeners(CallPermitted.class)) {
      events.publish(new CallPermitted(name, clock.wallTime()));
    }
  }

  // ------------------------------------------------------------------ holds

  @Override
  public void holdFor(Duration delay) {
    Check.nonNegative("delay", delay);
    holdForNanos(delay.toNanos());
  }

  @Override
  public void holdForNanos(long delayNanos) {
    if (delayNanos <= 0) {
      return;
    }
    long delay = Math.min(delayNanos, MAX_HOLD_NANOS);
    long until = clock.nanoTime() - originNanos + delay;
    while (true) { // the hold that ends latest wins; a shorter one gives up
      long seen = holdUntilNanos;
      if (seen - until >= 0) {
        return;
      }
      if (HOLD_UNTIL.compareAndSet(this, seen, until)) {
        if (events.hasListeners(CallsHeldBack.class)) {
          events.publish(new CallsHeldBack(name, Duration.ofNanos(delay), clock.wallTime()));
        }
        return;
      }
    }
  }

  // ------------------------------------------------------------------ the policy

  @Override
  public <T> T execute(Callable<T> call, Next next) throws Exception {
    acquire();
    if (!holdOnServerBusy) {
      return next.proceed(call);
    }
    try {
      return next.proceed(call);
    } catch (Exception e) {
      holdIfServerBusy(e);
      throw e;
    }
  }

  @Override
  public <T> CompletionStage<T> executeAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
    long wait = reserve(1, maxWaitNanos);
    if (wait < 0) {
      return CompletableFuture.failedFuture(rejection(-1 - wait));
    }
    if (wait == 0) {
      if (events.hasListeners(CallPermitted.class)) {
        events.publish(new CallPermitted(name, clock.wallTime()));
      }
      return proceedAsync(call, next);
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    WAITING.getAndAdd(this, 1);
    try {
      scheduler.schedule(
          () -> {
            WAITING.getAndAdd(this, -1);
            if (result.isDone()) {
              return; // the caller gave up (cancelled) while waiting: do not make the call
            }
            if (events.hasListeners(CallPermitted.class)) {
              events.publish(new CallPermitted(name, clock.wallTime()));
            }
            proceedAsync(call, next)
                .whenComplete(
                    (value, failure) -> {
                      if (failure == null) {
                        result.complete(value);
                      } else {
                        result.completeExceptionally(Failures.unwrap(failure));
                      }
                    });
          },
          wait);
    } catch (RuntimeException e) { // a scheduler that refuses work (shut down): fail this call
      WAITING.getAndAdd(this, -1);
      return CompletableFuture.failedFuture(e);
    }
    return result;
  }

  private <T> CompletionStage<T> proceedAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
    CompletionStage<T> stage = next.proceed(call);
    if (!holdOnServerBusy) {
      return stage;
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    stage.whenComplete(
        (value, failure) -> {
          if (failure == null) {
            result.complete(value);
          } else {
            Throwable unwrapped = Failures.unwrap(failure);
            holdIfServerBusy(unwrapped); // before completing: the next caller sees the hold
            result.completeExceptionally(unwrapped);
          }
        });
    return result;
  }

  /** Holds callers back if {@code failure} is, or was caused by, a server's pause. */
  private void holdIfServerBusy(Throwable failure) {
    Throwable t = Failures.unwrap(failure);
    for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
      if (t instanceof ServerBusyException) {
        holdForNanos(((ServerBusyException) t).retryAfterNanos()); // -1 (unknown) holds nothing
        return;
      }
    }
  }

  private RateLimitedException rejection(long retryAfterNanos) {
    boolean held = holdUntilNanos - (clock.nanoTime() - originNanos) > 0;
    RateLimitedException e = new RateLimitedException(name, retryAfterNanos, maxWaitNanos, held);
    if (events.hasListeners(CallRejected.class)) {
      events.publish(new CallRejected(name, e, clock.wallTime()));
    }
    return e;
  }

  private void publishDecision(long result) {
    if (result >= 0) {
      if (events.hasListeners(CallPermitted.class)) {
        events.publish(new CallPermitted(name, clock.wallTime()));
      }
    } else if (events.hasListeners(CallRejected.class)) {
      rejection(-1 - result);
    }
  }

  // ------------------------------------------------------------------ reading

  @Override
  public String name() {
    return name;
  }

  @Override
  public RateLimiterConfig config() {
    return config;
  }

  @Override
  public EventSource events() {
    return events.view();
  }

  @Override
  public Snapshot snapshot() {
    long now = clock.nanoTime() - originNanos;
    long hold = holdUntilNanos;
    long seen = state;
    boolean held = hold - now > 0;
    long next = grantNanos(seen, 1, held ? hold : now) - now;
    return new Snapshot(
        held ? 0 : availablePermits(seen, now), waiting, rejected, Duration.ofNanos(next));
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + name + ", " + snapshot() + "]";
  }
}
