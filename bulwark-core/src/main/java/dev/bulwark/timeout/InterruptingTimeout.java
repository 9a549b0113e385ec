package dev.bulwark.timeout;

import dev.bulwark.event.CallRejected;
import dev.bulwark.event.EventSource;
import dev.bulwark.event.LateOutcome;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.Failures;
import dev.bulwark.internal.Relay;
import dev.bulwark.internal.Stages;
import dev.bulwark.spi.EventBus;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/*
 * Design. Each call gets one small deadline object, scheduled on the Scheduler, whose state moves
 * once by CAS: RUNNING -> DONE (the call finished first: its outcome stands and the task is
 * cancelled) or RUNNING -> FIRING -> FIRED (the deadline won). Both sides try the same CAS, so
 * exactly one decides the call's fate, and only the deadline's winner publishes CallRejected.
 *
 * Synchronous: the deadline task interrupts the caller's thread between FIRING and FIRED. A caller
 * that lost the CAS waits (parking, not spinning) until FIRED, so the interrupt has certainly been
 * delivered before it clears it; otherwise a late interrupt could hit the thread after it left.
 *
 * Asynchronous: the returned future is completed by whichever comes first, the deadline or the
 * call's stage; CompletableFuture.complete* returns false for the loser, which is how a late
 * outcome is recognised. The deadline task itself runs no user code: on the scheduler's thread it
 * only hands the firing to the scheduler's completion executor, where the caller's future is
 * completed (running the callbacks chained on it), the event published and the call cancelled, so
 * a callback that blocks cannot hold back anybody else's deadline. The returned future is a Relay:
 * the caller's cancel cancels the deadline and reaches the call inside.
 */
final class InterruptingTimeout implements Timeout {
  private final String name;
  private final TimeoutConfig config;
  private final Duration timeout;
  private final long timeoutNanos;
  private final Clock clock;
  private final Scheduler scheduler;
  private final EventBus events = new EventBus();

  InterruptingTimeout(String name, TimeoutConfig config, Clock clock, Scheduler scheduler) {
    this.name = name;
    this.config = config;
    this.timeout = config.timeout();
    this.timeoutNanos = timeout.toNanos();
    this.clock = clock;
    this.scheduler = scheduler;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public TimeoutConfig config() {
    return config;
  }

  @Override
  public EventSource events() {
    return events.view();
  }

  @Override
  @SuppressWarnings("NullAway") // a call may return null: its result is handed back as it came
  public <T> T execute(Callable<T> call, Next next) throws Exception {
    Check.notNull("call", call);
    Check.notNull("next", next);
    long startNanos = clock.nanoTime();
    Interrupter interrupter = new Interrupter(Thread.currentThread());
    Future<?> timer = scheduler.schedule(interrupter, timeoutNanos);
    T value = null;
    Throwable failure = null;
    try {
      value = next.proceed(call);
    } catch (Throwable t) { // rethrown below, unwrapped, unless the deadline won
      failure = t;
    }
    if (interrupter.finish()) {
      timer.cancel(false);
      if (failure == null) {
        return value;
      }
      throw rethrow(failure);
    }
    interrupter.awaitFiredAndClear();
    boolean cutShort = failure != null && isInterruption(failure);
    TimeoutExceededException exceeded =
        new TimeoutExceededException(name, timeout, cutShort ? failure : null);
    if (!cutShort) {
      late(startNanos, value, failure); // swallowed the interrupt, or ignored it
    }
    rejected(exceeded);
    throw exceeded;
  }

  @Override
  public <T> CompletionStage<T> executeAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
    Check.notNull("call", call);
    Check.notNull("next", next);
    AsyncDeadline<T> deadline = new AsyncDeadline<>(clock.nanoTime());
    deadline.timer = scheduler.schedule(deadline, timeoutNanos);
    CompletionStage<T> stage = next.proceed(call);
    deadline.underlying = stage;
    if (deadline.isDone()) {
      deadline.cancelUnderlying(); // the deadline fired while the call was starting
    }
    deadline.upstream(stage); // from now on the caller's cancel reaches the call
    stage.whenComplete(deadline);
    return deadline;
  }

  @Override
  public String toString() {
    return "Timeout[" + name + ", " + timeout + "]";
  }

  private void rejected(TimeoutExceededException exceeded) {
    if (events.hasListeners(CallRejected.class)) {
      events.publish(new CallRejected(name, exceeded, clock.wallTime()));
    }
  }

  private void late(long startNanos, @Nullable Object value, @Nullable Throwable failure) {
    if (events.hasListeners(LateOutcome.class)) {
      events.publish(
          new LateOutcome(
              name,
              timeout,
              Duration.ofNanos(clock.nanoTime() - startNanos),
              value,
              failure,
              clock.wallTime()));
    }
  }

  /** True if {@code failure} is how a call reports that an interrupt stopped it. */
  private static boolean isInterruption(Throwable failure) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
      if (t instanceof InterruptedException
          || t instanceof InterruptedIOException
          || t instanceof ClosedByInterruptException) {
        return true;
      }
    }
    return false;
  }

  private static Exception rethrow(Throwable failure) {
    if (failure instanceof Error) {
      throw (Error) failure;
    }
    return (Exception) failure; // execute declares Exception; nothing else can be thrown
  }

  /** A synchronous call's deadline: interrupts the caller unless the call finished first. */
  private static final class Interrupter implements Runnable {
    private static final int RUNNING = 0;
    private static final int FIRING = 1;
    private static final int FIRED = 2;
    private static final int DONE = 3;
    private static final VarHandle STATE;

    static {
      try {
        STATE = MethodHandles.lookup().findVarHandle(Interrupter.class, "state", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final Thread caller;
    private volatile int state;

    Interrupter(Thread caller) {
      this.caller = caller;
    }

    @Override
    public void run() {
      if (STATE.compareAndSet(this, RUNNING, FIRING)) { // the deadline won: cut the call short
        caller.interrupt();
        state = FIRED;
        LockSupport.unpark(caller);
      }
    }

    /** True if the call finished before the deadline; then the interrupt will never come. */
    boolean finish() {
      return STATE.compareAndSet(this, RUNNING, DONE);
    }

    /** Waits until the interrupt was delivered, then clears it. Only after finish() failed. */
    void awaitFiredAndClear() {
      while (state != FIRED) {
        Thread.interrupted(); // so park blocks; the task unparks us once it stored FIRED
        LockSupport.park(this);
      }
      Thread.interrupted(); // the interrupt we caused must not leak into the thread's next task
    }
  }

  /**
   * An asynchronous call's deadline, its completion handler and the caller's future, racing to
   * complete it.
   */
  private final class AsyncDeadline<T> extends Relay<T> implements Runnable {
    final long startNanos;
    volatile @Nullable Future<?> timer;
    volatile @Nullable CompletionStage<T> underlying;
    volatile boolean callCancelled; // the call was cancelled by us or the caller: no late outcome

    AsyncDeadline(long startNanos) {
      this.startNanos = startNanos;
    }

    /** The deadline passed: on the scheduler's thread, hands the firing to the executor. */
    @Override
    public void run() {
      if (!isDone()) {
        Stages.execute(scheduler.completionExecutor(), this::fire);
      }
    }

    private void fire() {
      TimeoutExceededException exceeded = new TimeoutExceededException(name, timeout);
      if (relay(null, exceeded)) { // the deadline won
        rejected(exceeded);
        cancelUnderlying();
      }
    }

    void cancelUnderlying() {
      CompletionStage<T> stage = underlying;
      if (stage == null || !config.cancelRunningFuture()) {
        return;
      }
      callCancelled = true;
      Stages.cancel(stage);
    }

    /** The caller cancelled: no deadline will fire; the call itself is cancelled by the relay. */
    @Override
    protected void cancelled() {
      callCancelled = true;
      Future<?> scheduled = timer;
      if (scheduled != null) {
        scheduled.cancel(false);
      }
    }

    @Override
    public void accept(T value, Throwable failure) {
      Future<?> scheduled = timer;
      if (scheduled != null) {
        scheduled.cancel(false);
      }
      boolean first = relay(value, failure);
      if (!first && !(callCancelled && Failures.unwrap(failure) instanceof CancellationException)) {
        late(startNanos, value, failure);
      }
    }
  }
}
