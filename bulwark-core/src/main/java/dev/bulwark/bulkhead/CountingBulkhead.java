package dev.bulwark.bulkhead;

import dev.bulwark.event.CallPermitted;
import dev.bulwark.event.CallRejected;
import dev.bulwark.event.ConfigChanged;
import dev.bulwark.event.EventSource;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.Relay;
import dev.bulwark.internal.Stages;
import dev.bulwark.spi.EventBus;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/*
 * Design. The permits in use are one int, inFlight, changed only by CAS: a caller takes a permit by
 * moving it from n to n + 1 while n < max, so it never exceeds max. That is the whole synchronous
 * fast path: one volatile read of `waiting`, one of `config`, one CAS to take, one CAS to give
 * back, no allocation, no lock.
 *
 * The limits are one immutable BulkheadConfig, swapped by CAS in reconfigure(). Every decision
 * reads it afresh, so a larger limit admits at once (reconfigure drains the queue) and a smaller
 * one admits nobody until inFlight has fallen below it; running calls are never revoked and
 * inFlight, owned by the calls, is never reset. A new maxWait applies to calls that start waiting
 * after the change.
 *
 * Waiting (maxWait > 0 only) is off the fast path. A caller that finds no permit counts itself in
 * `waiting`, appends a Waiter to a FIFO queue (ConcurrentLinkedQueue: lock-free, no pinning),
 * schedules its deadline on the Scheduler, then drains. drain() hands free permits to the queue's
 * head, in order: it takes the permit on the waiter's behalf (CAS on inFlight), then moves the
 * waiter from WAITING to GRANTED. The deadline task races to move it to TIMED_OUT, an interrupt of
 * the waiting thread or the caller's cancel of the waiting future to CANCELLED: exactly one of
 * them wins the waiter's CAS, and a drainer that loses gives the permit back. A cancelled waiter
 * leaves the queue at once (its place goes to the next) and its call never starts; one cancelled
 * after its grant but before it started gives the permit back without starting. While anybody
 * waits, the fast path stays out (waiting != 0), so newcomers queue behind the waiters: first
 * come, first served.
 *
 * No lost wake-up: a releaser gives back its permit, then reads `waiting`; a waiter increments
 * `waiting`, enqueues, then reads inFlight in its own drain. All are volatile (sequentially
 * consistent), so either the releaser's drain finds the waiter in the queue or the waiter's drain
 * sees the freed permit.
 *
 * A waiter leaves the queue through forget(), whose queue.remove succeeds for exactly one thread,
 * so `waiting` is decremented exactly once per waiter.
 *
 * Asynchronous calls. The permit comes back when the inner stage completes: the release is that
 * stage's own completion handler (an AsyncCall, which also relays the outcome to the future the
 * caller got). It used to be a whenComplete on the stage whose result the caller got; a caller
 * that cancelled that dependent made CompletableFuture skip the handler, and the permit was lost
 * for good. The caller now gets the AsyncCall, a Relay: its cancel reaches the inner stage, whose
 * completion releases. No user code runs on the scheduler's thread: the deadline task only decides
 * (settles the waiter) and hands the rejection to the scheduler's completion executor; a granted
 * asynchronous waiter starts there too, not inside whichever call's release freed its permit.
 */
final class CountingBulkhead implements Bulkhead {
  private static final VarHandle IN_FLIGHT;
  private static final VarHandle WAITING;
  private static final VarHandle REJECTED;
  private static final VarHandle CONFIG;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      IN_FLIGHT = lookup.findVarHandle(CountingBulkhead.class, "inFlight", int.class);
      WAITING = lookup.findVarHandle(CountingBulkhead.class, "waiting", int.class);
      REJECTED = lookup.findVarHandle(CountingBulkhead.class, "rejected", long.class);
      CONFIG = lookup.findVarHandle(CountingBulkhead.class, "config", BulkheadConfig.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String name;
  private final Clock clock;
  private final Scheduler scheduler;
  private final EventBus events = new EventBus();
  private final ConcurrentLinkedQueue<Waiter> queue = new ConcurrentLinkedQueue<>();

  private volatile BulkheadConfig config; // CONFIG is its VarHandle
  private volatile int inFlight;
  private volatile int waiting;
  private volatile long rejected;

  CountingBulkhead(String name, BulkheadConfig config, Clock clock, Scheduler scheduler) {
    this.name = name;
    this.config = config;
    this.clock = clock;
    this.scheduler = scheduler;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public BulkheadConfig config() {
    return config;
  }

  @Override
  public void reconfigure(BulkheadConfig next) {
    Check.notNull("config", next);
    BulkheadConfig seen;
    Set<String> changed;
    do { // the CAS winner's configuration is in force; a loser compares against it again
      seen = config;
      changed = changes(seen, next);
      if (changed.isEmpty()) {
        return;
      }
    } while (!CONFIG.compareAndSet(this, seen, next));
    if (waiting != 0) {
      drain(); // a larger limit admits waiters now, not at the next release
    }
    if (events.hasListeners(ConfigChanged.class)) {
      events.publish(new ConfigChanged(name, changed, clock.wallTime()));
    }
  }

  /** The settings that differ, in the builder's names; both change live. */
  private static Set<String> changes(BulkheadConfig from, BulkheadConfig to) {
    Set<String> changed = new LinkedHashSet<>(2);
    if (from.maxConcurrentCalls() != to.maxConcurrentCalls()) {
      changed.add("maxConcurrentCalls");
    }
    if (!from.maxWait().equals(to.maxWait())) {
      changed.add("maxWait");
    }
    return changed;
  }

  @Override
  public EventSource events() {
    return events.view();
  }

  @Override
  public Snapshot snapshot() {
    return new Snapshot(config.maxConcurrentCalls(), inFlight, waiting, rejected);
  }

  @Override
  public <T> T execute(Callable<T> call, Next next) throws Exception {
    Check.notNull("call", call);
    Check.notNull("next", next);
    acquirePermission();
    try {
      return next.proceed(call);
    } finally {
      release(); // exactly once, whatever the call did
    }
  }

  @Override
  public <T> CompletionStage<T> executeAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
    Check.notNull("call", call);
    Check.notNull("next", next);
    if (tryTake()) {
      permitted();
      AsyncCall<T> running = new AsyncCall<>(call, next);
      running.start();
      return running;
    }
    long maxWaitNanos = config.maxWait().toNanos();
    if (maxWaitNanos == 0) {
      return CompletableFuture.failedFuture(rejected(0));
    }
    AsyncCall<T> queued = new AsyncCall<>(call, next);
    Waiter waiter = new Waiter(null, queued, clock.nanoTime());
    queued.waiter = waiter;
    enqueue(waiter, maxWaitNanos);
    return queued;
  }

  @Override
  public boolean tryAcquirePermission() {
    if (tryTake()) {
      permitted();
      return true;
    }
    countRejection(0);
    return false;
  }

  @Override
  public void acquirePermission() throws InterruptedException {
    if (tryTake()) {
      permitted();
      return;
    }
    long maxWaitNanos = config.maxWait().toNanos();
    if (maxWaitNanos == 0) {
      throw rejected(0);
    }
    await(maxWaitNanos);
  }

  @Override
  public void releasePermission() {
    release();
  }

  @Override
  public String toString() {
    return "Bulkhead[" + name + ", inFlight=" + inFlight + "/" + config.maxConcurrentCalls() + "]";
  }

  /** The fast path: a permit if one is free and nobody waits. */
  private boolean tryTake() {
    if (waiting != 0) {
      return false; // queued callers go first
    }
    int max = config.maxConcurrentCalls();
    int current;
    do { // the CAS winner takes the permit; the count never exceeds max
      current = inFlight;
      if (current >= max) {
        return false;
      }
    } while (!IN_FLIGHT.compareAndSet(this, current, current + 1));
    return true;
  }

  private void release() {
    int current;
    do { // the CAS winner gives back one permit; a release without a permit fails
      current = inFlight;
      if (current <= 0) {
        throw new IllegalStateException(
            "bulkhead '" + name + "': releasePermission() called without a permit held");
      }
    } while (!IN_FLIGHT.compareAndSet(this, current, current - 1));
    if (waiting != 0) {
      drain();
    }
  }

  private void await(long maxWaitNanos) throws InterruptedException {
    Waiter waiter = new Waiter(Thread.currentThread(), null, clock.nanoTime());
    enqueue(waiter, maxWaitNanos);
    boolean interrupted = false;
    while (waiter.state == Waiter.WAITING) {
      LockSupport.park(this);
      if (Thread.interrupted()) {
        if (waiter.settle(Waiter.CANCELLED)) {
          waiter.cancelDeadline();
          forget(waiter);
          throw new InterruptedException("interrupted while waiting for bulkhead '" + name + "'");
        }
        interrupted = true; // granted or timed out meanwhile: keep that outcome, restore the flag
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    waiter.cancelDeadline();
    if (waiter.state == Waiter.GRANTED) {
      permitted();
      return;
    }
    forget(waiter);
    throw rejected(clock.nanoTime() - waiter.startNanos);
  }

  private void enqueue(Waiter waiter, long maxWaitNanos) {
    WAITING.getAndAdd(this, 1);
    queue.add(waiter);
    Future<?> deadline = scheduler.schedule(() -> expire(waiter), maxWaitNanos);
    waiter.deadline = deadline;
    // A drainer, or the caller's cancel, may have settled the waiter before its deadline was
    // stored. The settler settles then reads `deadline`; we store `deadline` then read `state`
    // (both volatile): at least one of us sees the other, so a settled waiter's deadline is always
    // cancelled.
    if (waiter.state != Waiter.WAITING) {
      deadline.cancel(false);
    }
    drain();
  }

  /**
   * The deadline task, on the scheduler's thread: rejects the waiter unless it was granted or
   * cancelled first. It only decides and signals; an asynchronous rejection (user callbacks,
   * listeners) is completed on the completion executor.
   */
  private void expire(Waiter waiter) {
    if (!waiter.settle(Waiter.TIMED_OUT)) {
      return;
    }
    if (waiter.thread != null) {
      LockSupport.unpark(waiter.thread); // its thread forgets it and throws
      return;
    }
    forget(waiter);
    AsyncCall<?> queued = Objects.requireNonNull(waiter.queued); // no thread: an async waiter
    Stages.execute(
        scheduler.completionExecutor(),
        () -> queued.relay(null, rejected(clock.nanoTime() - waiter.startNanos)));
  }

  /** Hands free permits to waiters in queue order. */
  private void drain() {
    Waiter head;
    while ((head = queue.peek()) != null) {
      if (head.state != Waiter.WAITING) {
        forget(head); // timed out, cancelled, or granted by another drainer
        continue;
      }
      int current = inFlight;
      if (current >= config.maxConcurrentCalls()) {
        return; // the next release (or a larger limit) drains again
      }
      if (!IN_FLIGHT.compareAndSet(this, current, current + 1)) {
        continue; // another thread took or gave a permit: look again
      }
      if (head.settle(Waiter.GRANTED)) { // the waiter's CAS decides: granted, or we give it back
        forget(head);
        head.cancelDeadline();
        if (head.thread != null) {
          LockSupport.unpark(head.thread);
        } else {
          // the waiting call starts on the completion executor, not inside this release
          Stages.execute(scheduler.completionExecutor(), Objects.requireNonNull(head.queued));
        }
      } else {
        IN_FLIGHT.getAndAdd(this, -1);
      }
    }
  }

  private void forget(Waiter waiter) {
    if (queue.remove(waiter)) { // true for exactly one thread
      WAITING.getAndAdd(this, -1);
    }
  }

  private void permitted() {
    if (events.hasListeners(CallPermitted.class)) {
      events.publish(new CallPermitted(name, clock.wallTime()));
    }
  }

  private BulkheadFullException rejected(long waitedNanos) {
    REJECTED.getAndAdd(this, 1L);
    BulkheadFullException rejection =
        new BulkheadFullException(name, config.maxConcurrentCalls(), waitedNanos);
    if (events.hasListeners(CallRejected.class)) {
      events.publish(new CallRejected(name, rejection, clock.wallTime()));
    }
    return rejection;
  }

  private void countRejection(long waitedNanos) {
    REJECTED.getAndAdd(this, 1L);
    if (events.hasListeners(CallRejected.class)) {
      events.publish(
          new CallRejected(
              name,
              new BulkheadFullException(name, config.maxConcurrentCalls(), waitedNanos),
              clock.wallTime()));
    }
  }

  /**
   * One asynchronous call: the future its caller holds, and the inner stage's completion handler,
   * which gives the permit back (exactly once: a stage completes once) and then relays the outcome.
   * Cancelling it reaches the inner stage, or, while it waits, takes it out of the queue.
   */
  private final class AsyncCall<T> extends Relay<T> implements Runnable {
    private final Supplier<CompletionStage<T>> call;
    private final AsyncNext next;
    @Nullable Waiter waiter; // null unless it queued; written before the waiter is shared

    AsyncCall(Supplier<CompletionStage<T>> call, AsyncNext next) {
      this.call = call;
      this.next = next;
    }

    /** Runs the call holding a permit. */
    void start() {
      CompletionStage<T> stage;
      try {
        stage = next.proceed(call);
      } catch (RuntimeException | Error e) { // AsyncNext promises not to throw; be safe anyway
        stage = CompletableFuture.failedFuture(e);
      }
      stage.whenComplete(this);
      upstream(stage); // a cancel that came first cancels the stage here
    }

    /** Granted after waiting; runs on the completion executor. */
    @Override
    public void run() {
      if (isDone()) { // cancelled between the grant and now: never start it
        release();
        return;
      }
      permitted();
      start();
    }

    /** The inner stage completed: the permit comes back, then the caller sees the outcome. */
    @Override
    public void accept(T value, Throwable failure) {
      release();
      relay(value, failure);
    }

    /** The caller cancelled: a waiting call leaves the queue and gives its place back. */
    @Override
    protected void cancelled() {
      Waiter w = waiter;
      if (w != null && w.settle(Waiter.CANCELLED)) {
        w.cancelDeadline();
        forget(w);
      }
    }
  }

  /** A call waiting for a permit: a parked thread (sync) or a call to start (async). */
  private static final class Waiter {
    static final int WAITING = 0;
    static final int GRANTED = 1;
    static final int TIMED_OUT = 2;
    static final int CANCELLED = 3;
    private static final VarHandle STATE;

    static {
      try {
        STATE = MethodHandles.lookup().findVarHandle(Waiter.class, "state", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final @Nullable Thread thread; // a synchronous waiter's, else null
    final @Nullable AsyncCall<?> queued; // an asynchronous waiter's call, else null
    final long startNanos;
    volatile int state;
    volatile @Nullable Future<?> deadline;

    Waiter(@Nullable Thread thread, @Nullable AsyncCall<?> queued, long startNanos) {
      this.thread = thread;
      this.queued = queued;
      this.startNanos = startNanos;
    }

    /** Leaves WAITING for {@code outcome}; exactly one caller wins. */
    boolean settle(int outcome) {
      return STATE.compareAndSet(this, WAITING, outcome);
    }

    void cancelDeadline() {
      Future<?> scheduled = deadline;
      if (scheduled != null) {
        scheduled.cancel(false);
      }
    }
  }
}
