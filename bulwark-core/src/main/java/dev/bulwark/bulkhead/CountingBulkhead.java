package dev.bulwark.bulkhead;

import dev.bulwark.event.CallPermitted;
import dev.bulwark.event.CallRejected;
import dev.bulwark.event.EventSource;
import dev.bulwark.internal.EventBus;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/*
 * Design. The permits in use are one int, inFlight, changed only by CAS: a caller takes a permit by
 * moving it from n to n + 1 while n < max, so it never exceeds max. That is the whole fast path:
 * one volatile read of `waiting`, one CAS to take, one CAS to give back, no allocation, no lock.
 *
 * Waiting (maxWait > 0 only) is off the fast path. A caller that finds no permit counts itself in
 * `waiting`, appends a Waiter to a FIFO queue (ConcurrentLinkedQueue: lock-free, no pinning),
 * schedules its deadline on the Scheduler, then drains. drain() hands free permits to the queue's
 * head, in order: it takes the permit on the waiter's behalf (CAS on inFlight), then moves the
 * waiter from WAITING to GRANTED. The waiter's deadline task races to move it to TIMED_OUT, and its
 * interrupted thread to CANCELLED: exactly one of them wins the waiter's CAS, and a drainer that
 * loses gives the permit back. While anybody waits, the fast path stays out (waiting != 0), so
 * newcomers queue behind the waiters: first come, first served.
 *
 * No lost wake-up: a releaser gives back its permit, then reads `waiting`; a waiter increments
 * `waiting`, enqueues, then reads inFlight in its own drain. All are volatile (sequentially
 * consistent), so either the releaser's drain finds the waiter in the queue or the waiter's drain
 * sees the freed permit.
 *
 * A waiter leaves the queue through forget(), whose queue.remove succeeds for exactly one thread,
 * so `waiting` is decremented exactly once per waiter.
 */
final class CountingBulkhead implements Bulkhead {
  private static final VarHandle IN_FLIGHT;
  private static final VarHandle WAITING;
  private static final VarHandle REJECTED;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      IN_FLIGHT = lookup.findVarHandle(CountingBulkhead.class, "inFlight", int.class);
      WAITING = lookup.findVarHandle(CountingBulkhead.class, "waiting", int.class);
      REJECTED = lookup.findVarHandle(CountingBulkhead.class, "rejected", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String name;
  private final BulkheadConfig config;
  private final int max;
  private final long maxWaitNanos;
  private final Clock clock;
  private final Scheduler scheduler;
  private final EventBus events = new EventBus();
  private final ConcurrentLinkedQueue<Waiter> queue = new ConcurrentLinkedQueue<>();
  private final BiConsumer<Object, Throwable> releaseOnCompletion = (value, failure) -> release();

  private volatile int inFlight;
  private volatile int waiting;
  private volatile long rejected;

  CountingBulkhead(String name, BulkheadConfig config, Clock clock, Scheduler scheduler) {
    this.name = name;
    this.config = config;
    this.max = config.maxConcurrentCalls();
    this.maxWaitNanos = config.maxWait().toNanos();
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
  public EventSource events() {
    return events.view();
  }

  @Override
  public Snapshot snapshot() {
    return new Snapshot(max, inFlight, waiting, rejected);
  }

  @Override
  public <T> T execute(Callable<T> call, Next next) throws Exception {
    acquirePermission();
    try {
      return next.proceed(call);
    } finally {
      release(); // exactly once, whatever the call did
    }
  }

  @Override
  public <T> CompletionStage<T> executeAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
    if (tryTake()) {
      permitted();
      return runHolding(call, next);
    }
    if (maxWaitNanos == 0) {
      return CompletableFuture.failedFuture(rejected(0));
    }
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Waiter waiter = new Waiter(null, ready, clock.nanoTime());
    CompletableFuture<T> result = new CompletableFuture<>();
    ready.whenComplete(
        (granted, failure) -> {
          if (failure != null) {
            result.completeExceptionally(failure);
            return;
          }
          runHolding(call, next)
              .whenComplete(
                  (value, callFailure) -> {
                    if (callFailure != null) {
                      result.completeExceptionally(callFailure);
                    } else {
                      result.complete(value);
                    }
                  });
        });
    enqueue(waiter);
    return result;
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
    if (maxWaitNanos == 0) {
      throw rejected(0);
    }
    await();
  }

  @Override
  public void releasePermission() {
    release();
  }

  @Override
  public String toString() {
    return "Bulkhead[" + name + ", inFlight=" + inFlight + "/" + max + "]";
  }

  /** The fast path: a permit if one is free and nobody waits. */
  private boolean tryTake() {
    if (waiting != 0) {
      return false; // queued callers go first
    }
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

  private <T> CompletionStage<T> runHolding(Supplier<CompletionStage<T>> call, AsyncNext next) {
    CompletionStage<T> stage;
    try {
      stage = next.proceed(call);
    } catch (RuntimeException | Error e) { // AsyncNext promises not to throw; be safe anyway
      release();
      return CompletableFuture.failedFuture(e);
    }
    return stage.whenComplete(releaseOnCompletion); // runs once: the permit comes back once
  }

  private void await() throws InterruptedException {
    Waiter waiter = new Waiter(Thread.currentThread(), null, clock.nanoTime());
    enqueue(waiter);
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

  private void enqueue(Waiter waiter) {
    WAITING.getAndAdd(this, 1);
    queue.add(waiter);
    Future<?> deadline = scheduler.schedule(() -> expire(waiter), maxWaitNanos);
    waiter.deadline = deadline;
    // A drainer may have granted the waiter before its deadline was stored. The granter settles
    // then reads `deadline`; we store `deadline` then read `state` (both volatile): at least one
    // of us sees the other, so the deadline of a granted waiter is always cancelled.
    if (waiter.state != Waiter.WAITING) {
      deadline.cancel(false);
    }
    drain();
  }

  /** The deadline task: rejects the waiter unless it was granted or cancelled first. */
  private void expire(Waiter waiter) {
    if (!waiter.settle(Waiter.TIMED_OUT)) {
      return;
    }
    if (waiter.thread != null) {
      LockSupport.unpark(waiter.thread); // its thread forgets it and throws
    } else {
      forget(waiter);
      waiter.ready().completeExceptionally(rejected(clock.nanoTime() - waiter.startNanos));
    }
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
      if (current >= max) {
        return; // the next release drains again
      }
      if (!IN_FLIGHT.compareAndSet(this, current, current + 1)) {
        continue; // another thread took or gave a permit: look again
      }
      if (head.settle(Waiter.GRANTED)) { // the waiter's CAS decides: granted, or we give it back
        forget(head);
        if (head.thread != null) {
          LockSupport.unpark(head.thread);
        } else {
          head.cancelDeadline();
          permitted();
          head.ready().complete(null); // the waiting call starts here, on this thread
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
    BulkheadFullException rejection = new BulkheadFullException(name, max, waitedNanos);
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
              name, new BulkheadFullException(name, max, waitedNanos), clock.wallTime()));
    }
  }

  /** A call waiting for a permit: a parked thread (sync) or a future to complete (async). */
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
    final @Nullable CompletableFuture<Void> ready; // an asynchronous waiter's, else null
    final long startNanos;
    volatile int state;
    volatile @Nullable Future<?> deadline;

    Waiter(@Nullable Thread thread, @Nullable CompletableFuture<Void> ready, long startNanos) {
      this.thread = thread;
      this.ready = ready;
      this.startNanos = startNanos;
    }

    /** The future of an asynchronous waiter: one whose {@link #thread} is null. */
    CompletableFuture<Void> ready() {
      return Objects.requireNonNull(ready, "a synchronous waiter has no future");
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
