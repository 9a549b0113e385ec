package dev.bulwark.ratelimit;

import dev.bulwark.event.CallPermitted;
import dev.bulwark.event.CallRejected;
import dev.bulwark.event.CallsHeldBack;
import dev.bulwark.event.ConfigChanged;
import dev.bulwark.event.EventSource;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.Failures;
import dev.bulwark.internal.Relay;
import dev.bulwark.internal.Stages;
import dev.bulwark.ratelimit.RateLimiterConfig.Algorithm;
import dev.bulwark.spi.EventBus;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/*
 * The gate shared by both algorithms; the algorithm itself is two pure functions of one long.
 *
 * State. Everything that decides admission is one long, the state of the current Ledger, swapped
 * by compare-and-set: for the token bucket a "theoretical arrival time" (TokenBucket), for the
 * fixed window a permit position (FixedWindow). Times are nanoseconds relative to `originNanos`,
 * the clock's reading when the limiter was made, so they start at 0 and grow for 292 years; they
 * are still compared by subtraction, as every nano time is.
 *
 * Taking permits. Read the ledger (one volatile field), the clock, the hold, the ledger's state;
 * ask the algorithm when the permits could be granted (grantNanos), which is never before now nor
 * before the hold ends; if that wait exceeds the caller's maxWait, refuse without writing
 * anything; otherwise CAS the state to what it is after the grant (stateAfter). A lost CAS means
 * another caller took permits first, or the ledger was retired: read again and recompute (on the
 * successor, if retired). No lock, no allocation, and no caller can take a permit the state does
 * not account for, so admission is exact under any interleaving.
 *
 * Reconfiguration. The configuration lives in the ledger with its state, so a caller always
 * computes with the parameters that state was written under. reconfigure() builds a successor
 * that carries the permits over (each algorithm states its rule) and retires the old ledger by
 * CAS (see Ledger): the retiring CAS is the instant of the change, racing callers either took
 * their permits before it (and the successor counts them) or retry on the successor. Reconfigurers
 * take turns on a lock; callers never touch it. Limit, period, burst, maxWait and holdOnServerBusy
 * change live; the algorithm does not (its state means something else).
 *
 * Holds. `holdUntilNanos` is a second long, raised by CAS to the latest end ever asked for. It is
 * read before the state and not updated with it: a caller that read the hold an instant before
 * it was raised is admitted, as if it came first. That race is one the server cannot see. A
 * reconfiguration keeps the hold.
 *
 * Waiting. A granted permit may lie in the future (a reservation). A synchronous caller sleeps
 * through the scheduler; an asynchronous one is scheduled to proceed then. Either way the wait
 * was checked against maxWait before anything was reserved, so a caller that would wait too long
 * is rejected at once and never sleeps. A reservation is kept across a reconfiguration: its wait
 * was promised, and the successor counts it. The timer task only hands the call's start to the
 * scheduler's completion executor (the supplier and the caller's callbacks never run on the
 * scheduler's thread). The caller gets an AsyncWait, a Relay: cancelling it during the wait stops
 * the timer (the call never starts), afterwards it reaches the call. `waiting` is decremented once
 * per wait, by whoever claims the wait's end (a CAS on the AsyncWait: the timer or the cancel).
 *
 * Results. reserve() returns the wait (>= 0) or, for a refusal, -1 - wait: one long, no object.
 *
 * Footprint, measured with JOL (compressed oops): 144 bytes per token-bucket limiter beyond a
 * shared config, clock and name; the ledger, split off for reconfiguration, costs 24 of them. The
 * reconfigurers' lock is made on the first reconfiguration only.
 */
final class LocalRateLimiter implements RateLimiter {
  private static final VarHandle LEDGER;
  private static final VarHandle HOLD_UNTIL;
  private static final VarHandle WAITING;
  private static final VarHandle REJECTED;
  private static final VarHandle RECONFIGURING;
  private static final VarHandle OVER;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      LEDGER = lookup.findVarHandle(LocalRateLimiter.class, "ledger", Ledger.class);
      HOLD_UNTIL = lookup.findVarHandle(LocalRateLimiter.class, "holdUntilNanos", long.class);
      WAITING = lookup.findVarHandle(LocalRateLimiter.class, "waiting", int.class);
      REJECTED = lookup.findVarHandle(LocalRateLimiter.class, "rejected", long.class);
      RECONFIGURING =
          lookup.findVarHandle(LocalRateLimiter.class, "reconfiguring", ReentrantLock.class);
      OVER = lookup.findVarHandle(AsyncWait.class, "over", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final long MAX_HOLD_NANOS = Check.MAX_DURATION.toNanos();
  private static final int MAX_CAUSE_DEPTH = 8;

  /** Asks {@link #reserve} for the ledger's own maxWait. */
  private static final long CONFIGURED_WAIT = -1;

  private final String name;
  private final Clock clock;
  private final Scheduler scheduler;
  private final long originNanos;
  private final EventBus events = new EventBus();

  private volatile Ledger ledger; // see LEDGER; may lag one retired ledger behind the live one
  private volatile long holdUntilNanos; // see HOLD_UNTIL; relative to origin; 0 = no hold
  private volatile int waiting; // see WAITING
  private volatile long rejected; // see REJECTED
  private volatile @Nullable ReentrantLock reconfiguring; // see RECONFIGURING; made on first use

  LocalRateLimiter(String name, RateLimiterConfig config, Clock clock, Scheduler scheduler) {
    this.name = name;
    this.clock = clock;
    this.scheduler = scheduler;
    this.originNanos = clock.nanoTime();
    this.ledger =
        config.algorithm() == Algorithm.FIXED_WINDOW
            ? new FixedWindow(config, 0, 0)
            : new TokenBucket(config, 0);
  }

  /** The ledger in force: the field's, or its successor if it was just retired. */
  private Ledger live() {
    Ledger l = ledger;
    while (l.state() == Ledger.RETIRED) {
      l = l.successor();
    }
    return l;
  }

  // ------------------------------------------------------------------ permits

  /**
   * Reserves permits; returns the wait (>= 0), or -1 - wait if that exceeds {@code maxWait} ({@link
   * #CONFIGURED_WAIT}: the configuration's).
   */
  private long reserve(int permits, long maxWait) {
    Ledger l = ledger;
    long now = clock.nanoTime() - originNanos;
    long hold = holdUntilNanos;
    long from = hold - now > 0 ? hold : now;
    while (true) { // the caller whose CAS succeeds gets these permits; losers recompute
      long seen = l.state();
      if (seen == Ledger.RETIRED) {
        l = l.successor(); // reconfigured meanwhile: the successor holds the permits now
        continue;
      }
      long grant = l.grantNanos(seen, permits, from);
      long wait = grant - now;
      if (wait - (maxWait == CONFIGURED_WAIT ? l.maxWaitNanos : maxWait) > 0) {
        REJECTED.getAndAdd(this, 1L);
        return -1 - wait;
      }
      if (l.compareAndSet(seen, l.stateAfter(seen, permits, grant))) {
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
    int maxPermits = ledger.maxPermits; // if the burst shrinks meanwhile, maxWait 0 refuses
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
    long result = reserve(1, CONFIGURED_WAIT);
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
    long wait = reserve(1, CONFIGURED_WAIT);
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
    Check.notNull("call", call);
    Check.notNull("next", next);
    acquire();
    if (!ledger.holdOnServerBusy) {
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
    Check.notNull("call", call);
    Check.notNull("next", next);
    long wait = reserve(1, CONFIGURED_WAIT);
    if (wait < 0) {
      return CompletableFuture.failedFuture(rejection(-1 - wait));
    }
    if (wait == 0) {
      if (events.hasListeners(CallPermitted.class)) {
        events.publish(new CallPermitted(name, clock.wallTime()));
      }
      return proceedAsync(call, next);
    }
    AsyncWait<T> waiter = new AsyncWait<>(call, next);
    WAITING.getAndAdd(this, 1);
    try {
      waiter.timer = scheduler.schedule(waiter, wait);
    } catch (RuntimeException e) { // a scheduler that refuses work (shut down): fail this call
      WAITING.getAndAdd(this, -1);
      return CompletableFuture.failedFuture(e);
    }
    return waiter;
  }

  private <T> CompletionStage<T> proceedAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
    CompletionStage<T> stage = next.proceed(call);
    if (!ledger.holdOnServerBusy) {
      return stage; // the caller holds the call's own stage: its cancel reaches the call
    }
    Relay<T> result = new Relay<>();
    stage.whenComplete(
        (value, failure) -> {
          if (failure == null) {
            result.relay(value, null);
          } else {
            Throwable unwrapped = Failures.unwrap(failure);
            holdIfServerBusy(unwrapped); // before completing: the next caller sees the hold
            result.relay(null, unwrapped);
          }
        });
    result.upstream(stage);
    return result;
  }

  /** An asynchronous call waiting for its reserved permit; the future its caller holds. */
  private final class AsyncWait<T> extends Relay<T> implements Runnable {
    private final Supplier<CompletionStage<T>> call;
    private final AsyncNext next;
    volatile @Nullable Future<?> timer;
    private volatile boolean over; // the wait ended: by the timer, or by the caller's cancel

    AsyncWait(Supplier<CompletionStage<T>> call, AsyncNext next) {
      this.call = call;
      this.next = next;
    }

    /** Claims the end of the wait; exactly one caller wins and counts it. */
    private boolean end() {
      if (over || !OVER.compareAndSet(this, false, true)) {
        return false;
      }
      WAITING.getAndAdd(LocalRateLimiter.this, -1);
      return true;
    }

    /** The permit's time came: on the scheduler's thread, hands the start to the executor. */
    @Override
    public void run() {
      if (end()) {
        Stages.execute(scheduler.completionExecutor(), this::start);
      }
    }

    private void start() {
      if (isDone()) {
        return; // cancelled as the wait ended: do not make the call
      }
      if (events.hasListeners(CallPermitted.class)) {
        events.publish(new CallPermitted(name, clock.wallTime()));
      }
      CompletionStage<T> stage = proceedAsync(call, next);
      stage.whenComplete(
          (value, failure) -> relay(value, failure == null ? null : Failures.unwrap(failure)));
      upstream(stage);
    }

    /** The caller gave up while waiting: the call never starts. */
    @Override
    protected void cancelled() {
      if (end()) {
        Future<?> scheduled = timer;
        if (scheduled != null) {
          scheduled.cancel(false);
        }
      }
    }
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
    RateLimitedException e =
        new RateLimitedException(name, retryAfterNanos, live().maxWaitNanos, held);
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
    return live().config;
  }

  // ------------------------------------------------------------------ reconfiguring

  @Override
  public void reconfigure(RateLimiterConfig next) {
    Check.notNull("config", next);
    ReentrantLock lock = reconfiguring;
    if (lock == null) { // most limiters are never reconfigured: they never pay for a lock
      RECONFIGURING.compareAndSet(this, null, new ReentrantLock()); // the first one made wins
      lock = Objects.requireNonNull(reconfiguring);
    }
    lock.lock();
    try {
      Ledger current = live(); // under the lock no one else retires it
      RateLimiterConfig previous = current.config;
      if (previous.equals(next)) {
        return;
      }
      if (previous.algorithm() != next.algorithm()) {
        throw new IllegalArgumentException(
            name
                + ": algorithm cannot change while the limiter runs (was "
                + previous.algorithm()
                + ", asked "
                + next.algorithm()
                + "); build a new limiter");
      }
      while (true) { // callers may move the state first; then count it again and retry
        long seen = current.state();
        long now = clock.nanoTime() - originNanos;
        Ledger successor = current.carriedOver(seen, now, next);
        current.successor = successor; // published by the CAS below
        if (current.compareAndSet(seen, Ledger.RETIRED)) {
          LEDGER.setVolatile(this, successor);
          break;
        }
      }
      if (events.hasListeners(ConfigChanged.class)) {
        events.publish(new ConfigChanged(name, previous.changedSettings(next), clock.wallTime()));
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public EventSource events() {
    return events.view();
  }

  @Override
  public Snapshot snapshot() {
    long now = clock.nanoTime() - originNanos;
    long hold = holdUntilNanos;
    Ledger l = ledger;
    long seen;
    while ((seen = l.state()) == Ledger.RETIRED) {
      l = l.successor();
    }
    boolean held = hold - now > 0;
    long next = l.grantNanos(seen, 1, held ? hold : now) - now;
    return new Snapshot(
        held ? 0 : l.availablePermits(seen, now), waiting, rejected, Duration.ofNanos(next));
  }

  @Override
  public String toString() {
    return "RateLimiter[" + name + ", " + snapshot() + "]";
  }
}
