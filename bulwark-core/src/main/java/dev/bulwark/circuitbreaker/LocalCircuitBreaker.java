package dev.bulwark.circuitbreaker;

import static dev.bulwark.circuitbreaker.OutcomeWindow.FAILURE;
import static dev.bulwark.circuitbreaker.OutcomeWindow.SLOW;

import dev.bulwark.circuitbreaker.CircuitBreakerConfig.WindowType;
import dev.bulwark.event.CallPermitted;
import dev.bulwark.event.CallRejected;
import dev.bulwark.event.ConfigChanged;
import dev.bulwark.event.EventSource;
import dev.bulwark.event.FailureRecorded;
import dev.bulwark.event.OutcomeIgnored;
import dev.bulwark.event.SuccessRecorded;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.Failures;
import dev.bulwark.internal.Relay;
import dev.bulwark.retry.RetryExhaustedException;
import dev.bulwark.spi.EventBus;
import dev.bulwark.time.Clock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A circuit breaker whose state lives in this process, lock-free.
 *
 * <p>Design. All state is one immutable {@link BreakerState} in a volatile field swapped by CAS
 * ({@code STATE}); a transition allocates (rarely), and only the thread whose CAS succeeds
 * publishes {@link StateChanged}, so each transition is reported exactly once. The outcomes of the
 * closed phase live in an {@link OutcomeWindow} owned by that phase's state object: closing,
 * resetting or disabling installs a new window rather than clearing the old one, so late writers
 * can never make counts drift.
 *
 * <p>A call through {@link #execute} keeps the epoch of the state that let it through in a local
 * {@code long}; its outcome counts only while the breaker is still in that epoch. So a slow call
 * let through while closed that ends during half-open neither takes a probe's slot nor closes the
 * breaker, and a probe written off after {@code halfOpenMaxWait} cannot decide anything when it
 * finally reports. Such stale outcomes are published as {@link OutcomeIgnored}.
 *
 * <p>Cost of a successful call while closed: one volatile read of the state to let it through (no
 * clock read: the closed state has no deadline), the call, then the window's clean fast path
 * (volatile reads only, see {@link CountWindow}). The clock is read only to time calls (when slow
 * calls are detected or someone listens), for a {@code TIME} window, and on transitions. Nothing is
 * allocated; events are built only when someone listens.
 *
 * <p>Reconfiguration. The configuration is one immutable object in a volatile field ({@code
 * CONFIG}), replaced whole by CAS in {@link #reconfigure}; the state is not touched, so the window,
 * the phase, the open-until time, the re-open count and the probes in flight all survive a change.
 * A call reads the field when it starts (to decide whether to time itself) and again when its
 * outcome is recorded: the outcome is classified (ignored, failed, slow) and judged (thresholds,
 * probe successes, the next open wait) by the configuration in force at that moment, so a new
 * threshold takes effect on the next recorded outcome. The window's shape (type, size, duration)
 * cannot change: a window is sized when it is made, and a resized one would have to invent or drop
 * outcomes. The run of consecutive failures is counted even while {@code consecutiveFailures} is
 * off, so turning it on counts the run in progress.
 *
 * <p>Footprint with a 100-call {@code COUNT} window, measured with JOL (compressed oops): this
 * object 48, its event bus 16, the closed state 56, the window 40 and its 4-long array 48: 208
 * bytes, not counting the shared config, clock and name.
 *
 * <p>Thread-safe.
 */
final class LocalCircuitBreaker implements CircuitBreaker {
  private static final long REJECTED = -1; // epochs are never negative
  private static final VarHandle STATE;
  private static final VarHandle NOT_PERMITTED;
  private static final VarHandle CONFIG;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      STATE = lookup.findVarHandle(LocalCircuitBreaker.class, "state", BreakerState.class);
      NOT_PERMITTED = lookup.findVarHandle(LocalCircuitBreaker.class, "notPermitted", long.class);
      CONFIG =
          lookup.findVarHandle(LocalCircuitBreaker.class, "config", CircuitBreakerConfig.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String name;
  private final Clock clock;
  private final EventBus events = new EventBus();
  private final boolean timeWindow; // the window's type cannot change live
  private volatile CircuitBreakerConfig config; // see CONFIG
  private volatile BreakerState state;
  private volatile long notPermitted;

  LocalCircuitBreaker(String name, CircuitBreakerConfig config, Clock clock) {
    this.name = name;
    this.config = config;
    this.clock = clock;
    this.timeWindow = config.windowType() == WindowType.TIME;
    this.state = BreakerState.closed(0, newWindow());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CircuitBreakerConfig config() {
    return config;
  }

  @Override
  public void reconfigure(CircuitBreakerConfig next) {
    Check.notNull("config", next);
    while (true) { // the reconfigurer whose CAS lands publishes; a loser compares with the winner
      CircuitBreakerConfig current = config;
      if (current.equals(next)) {
        return;
      }
      String fixed = current.settingFixedWhileRunning(next);
      if (fixed != null) {
        throw new IllegalArgumentException(
            name
                + ": "
                + fixed
                + " cannot change while the breaker runs (the window holds the outcomes recorded"
                + " so far); build a new breaker to change it");
      }
      if (CONFIG.compareAndSet(this, current, next)) {
        if (events.hasListeners(ConfigChanged.class)) {
          events.publish(new ConfigChanged(name, current.changedSettings(next), clock.wallTime()));
        }
        return;
      }
    }
  }

  @Override
  public State state() {
    return state.phase;
  }

  @Override
  public EventSource events() {
    return events.view();
  }

  // ---------------------------------------------------------------- running calls

  @Override
  public <T> T execute(Callable<T> call, Next next) throws Exception {
    Check.notNull("call", call);
    Check.notNull("next", next);
    long epoch = acquire(true);
    boolean timed =
        config.slowCallNanos() != 0
            || events.hasListeners(SuccessRecorded.class)
            || events.hasListeners(FailureRecorded.class);
    long start = timed ? clock.nanoTime() : 0;
    T result;
    try {
      result = next.proceed(call);
    } catch (Throwable failure) {
      onThrown(epoch, timed, start, failure);
      throw failure;
    }
    onReturned(epoch, timed, start, result);
    return result;
  }

  @Override
  public <T> CompletionStage<T> executeAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
    Check.notNull("call", call);
    Check.notNull("next", next);
    long epoch;
    try {
      epoch = acquire(true);
    } catch (CircuitBreakerOpenException e) {
      return CompletableFuture.failedFuture(e);
    }
    boolean timed =
        config.slowCallNanos() != 0
            || events.hasListeners(SuccessRecorded.class)
            || events.hasListeners(FailureRecorded.class);
    long start = timed ? clock.nanoTime() : 0;
    CompletionStage<T> stage;
    try {
      stage = next.proceed(call);
    } catch (RuntimeException | Error e) { // AsyncNext promises not to throw; stay exact anyway
      onThrown(epoch, timed, start, e);
      return CompletableFuture.failedFuture(e);
    }
    if (stage == null) {
      NullPointerException e = new NullPointerException(name + ": the next step returned null");
      onThrown(epoch, timed, start, e);
      return CompletableFuture.failedFuture(e);
    }
    // The outcome is recorded by the inner stage's own handler (a stage completes once: exactly
    // once), never by a dependent the caller holds: cancelling that would skip the handler and
    // keep a half-open probe's permission forever. The caller gets a Relay; its cancel reaches
    // the call, and a call its caller cancelled is no outcome of the service: it is ignored.
    Relay<T> relay = new Relay<>();
    stage.whenComplete(
        (result, failure) -> {
          Throwable outcome = failure;
          try {
            if (failure == null) {
              onReturned(epoch, timed, start, result);
            } else if (relay.isCancelled()
                && Failures.unwrap(failure) instanceof CancellationException) {
              ignore(epoch, Failures.unwrap(failure));
            } else {
              onThrown(epoch, timed, start, Failures.unwrap(failure));
            }
          } catch (RuntimeException | Error e) { // a result predicate threw: that is the outcome
            outcome = e;
          }
          relay.relay(outcome == failure ? result : null, outcome);
        });
    relay.upstream(stage);
    return relay;
  }

  private void onReturned(long epoch, boolean timed, long start, Object result) {
    CircuitBreakerConfig c = config; // classifies and judges this outcome
    Predicate<Object> resultIsFailure = c.resultPredicate();
    boolean failed = false;
    if (resultIsFailure != null) {
      try {
        failed = resultIsFailure.test(result);
      } catch (RuntimeException | Error e) {
        ignore(epoch, e); // the outcome is unknown: give the permission back, count nothing
        throw e;
      }
    }
    long end = timed || timeWindow ? clock.nanoTime() : 0;
    long duration = timed ? end - start : 0;
    record(c, epoch, outcome(c, failed, timed, duration), end, duration, null);
  }

  private void onThrown(long epoch, boolean timed, long start, Throwable thrown) {
    CircuitBreakerConfig c = config; // classifies and judges this outcome
    Throwable failure = RetryExhaustedException.failureOf(thrown); // judged by what happened
    boolean ignored;
    try {
      ignored = c.isIgnored(failure);
    } catch (RuntimeException e) {
      ignored = false; // a broken predicate must not lose the outcome: count a failure
    }
    if (ignored) {
      ignore(epoch, failure);
      return;
    }
    long end = timed || timeWindow ? clock.nanoTime() : 0;
    long duration = timed ? end - start : 0;
    record(c, epoch, outcome(c, true, timed, duration), end, duration, failure);
  }

  private static int outcome(
      CircuitBreakerConfig c, boolean failed, boolean timed, long durationNanos) {
    int outcome = failed ? FAILURE : 0;
    long slowCallNanos = c.slowCallNanos();
    if (timed && slowCallNanos != 0 && durationNanos >= slowCallNanos) {
      outcome |= SLOW;
    }
    return outcome;
  }

  // ---------------------------------------------------------------- the standalone API

  @Override
  public boolean tryAcquirePermission() {
    return acquire(false) != REJECTED;
  }

  @Override
  public void acquirePermission() {
    acquire(true);
  }

  @Override
  public void releasePermission() {
    release(state.epoch);
  }

  @Override
  public void onSuccess(long durationNanos) {
    CircuitBreakerConfig c = config;
    long end = timeWindow ? clock.nanoTime() : 0;
    record(c, state.epoch, outcome(c, false, true, durationNanos), end, durationNanos, null);
  }

  @Override
  public void onError(long durationNanos, Throwable failure) {
    Check.notNull("failure", failure);
    CircuitBreakerConfig c = config;
    long epoch = state.epoch;
    Throwable unwrapped = RetryExhaustedException.failureOf(failure);
    boolean ignored;
    try {
      ignored = c.isIgnored(unwrapped);
    } catch (RuntimeException e) {
      ignored = false;
    }
    if (ignored) {
      ignore(epoch, unwrapped);
      return;
    }
    long end = timeWindow ? clock.nanoTime() : 0;
    record(c, epoch, outcome(c, true, true, durationNanos), end, durationNanos, unwrapped);
  }

  @Override
  public void onResult(long durationNanos, Object result) {
    CircuitBreakerConfig c = config;
    Predicate<Object> resultIsFailure = c.resultPredicate();
    boolean failed = resultIsFailure != null && resultIsFailure.test(result);
    long end = timeWindow ? clock.nanoTime() : 0;
    record(c, state.epoch, outcome(c, failed, true, durationNanos), end, durationNanos, null);
  }

  // ---------------------------------------------------------------- permission

  /** The epoch the call is let through in, or {@link #REJECTED}. */
  private long acquire(boolean throwing) {
    BreakerState s = state;
    if (s.phase == State.CLOSED || s.phase == State.DISABLED) {
      permitted();
      return s.epoch; // no clock read: a closed breaker has no deadline
    }
    return acquireSlow(throwing);
  }

  private long acquireSlow(boolean throwing) {
    while (true) { // the thread whose CAS takes a probe slot wins it; a loser re-reads the state
      BreakerState s = state;
      State phase = s.phase;
      if (phase == State.CLOSED || phase == State.DISABLED) {
        permitted();
        return s.epoch;
      }
      if (phase == State.FORCED_OPEN) {
        return reject(s, -1, throwing);
      }
      long now = clock.nanoTime();
      CircuitBreakerConfig c = config;
      BreakerState next;
      if (phase == State.OPEN) {
        long wait = s.openUntilNanos - now; // subtraction survives nanoTime wrap-around
        if (wait > 0) {
          return reject(s, wait, throwing);
        }
        next = s.halfOpen(newWindowAt(now), now);
      } else if (s.probesInFlight < c.halfOpenMaxCalls()) {
        next = s.probeTaken(now);
      } else if (now - s.lastProbeNanos >= c.halfOpenMaxWaitNanos()) {
        next = s.stuckProbesReleased(now);
      } else {
        return reject(s, -1, throwing); // unknown: a slot frees when a probe finishes
      }
      if (STATE.compareAndSet(this, s, next)) {
        if (phase == State.OPEN) {
          stateChanged(State.OPEN, State.HALF_OPEN);
        }
        permitted();
        return next.epoch;
      }
    }
  }

  private void permitted() {
    if (events.hasListeners(CallPermitted.class)) {
      events.publish(new CallPermitted(name, clock.wallTime()));
    }
  }

  private long reject(BreakerState s, long retryAfterNanos, boolean throwing) {
    NOT_PERMITTED.getAndAdd(this, 1L);
    boolean listened = events.hasListeners(CallRejected.class);
    if (throwing || listened) {
      CircuitBreakerOpenException rejection =
          new CircuitBreakerOpenException(name, s.phase, retryAfterNanos);
      if (listened) {
        events.publish(new CallRejected(name, rejection, clock.wallTime()));
      }
      if (throwing) {
        throw rejection;
      }
    }
    return REJECTED;
  }

  /** Gives back the probe slot of a call let through in {@code epoch}, if it holds one. */
  private void release(long epoch) {
    while (true) { // the thread whose CAS lands frees the slot; a loser re-reads
      BreakerState s = state;
      if (s.epoch != epoch || s.phase != State.HALF_OPEN || s.probesInFlight == 0) {
        return;
      }
      if (STATE.compareAndSet(this, s, s.probeReleased())) {
        return;
      }
    }
  }

  // ---------------------------------------------------------------- outcomes

  private void ignore(long epoch, Throwable failure) {
    release(epoch);
    if (events.hasListeners(OutcomeIgnored.class)) {
      events.publish(new OutcomeIgnored(name, failure, clock.wallTime()));
    }
  }

  private void record(
      CircuitBreakerConfig c,
      long epoch,
      int outcome,
      long endNanos,
      long durationNanos,
      @Nullable Throwable failure) {
    BreakerState s = state;
    if (s.epoch != epoch) { // let through in an earlier phase: no say in this one
      if (events.hasListeners(OutcomeIgnored.class)) {
        events.publish(new OutcomeIgnored(name, failure, clock.wallTime()));
      }
      return;
    }
    OutcomeWindow window = s.window;
    window.record(outcome, endNanos);
    boolean failed = (outcome & FAILURE) != 0;
    if (events.hasListeners(failed ? FailureRecorded.class : SuccessRecorded.class)) {
      Duration duration = Duration.ofNanos(Math.max(0, durationNanos));
      events.publish(
          failed
              ? new FailureRecorded(name, duration, failure, clock.wallTime())
              : new SuccessRecorded(name, duration, clock.wallTime()));
    }
    if (s.phase == State.CLOSED) {
      if (shouldTrip(c, window, outcome, endNanos)) {
        trip(c, s);
      }
    } else if (s.phase == State.HALF_OPEN) {
      probeFinished(c, epoch, failed);
    }
  }

  private static boolean shouldTrip(
      CircuitBreakerConfig c, OutcomeWindow window, int outcome, long nowNanos) {
    // the run is counted even while the threshold is off, so turning it on live sees the run
    int threshold = c.consecutiveFailures();
    if ((outcome & FAILURE) != 0) {
      if (window.addConsecutiveFailure() >= threshold && threshold > 0) {
        return true;
      }
    } else {
      window.clearConsecutiveFailures();
    }
    if (outcome == 0 && !window.mayHoldFailures()) {
      return false; // a success into a clean window cannot reach a rate
    }
    long totals = window.totals(nowNanos);
    int calls = OutcomeWindow.calls(totals);
    if (calls == 0 || calls < c.minimumCalls()) {
      return false;
    }
    if (OutcomeWindow.failures(totals) * 100f >= c.failureRateThreshold() * calls) {
      return true;
    }
    return c.slowCallNanos() != 0
        && OutcomeWindow.slow(totals) * 100f >= c.slowCallRateThreshold() * calls;
  }

  private void trip(CircuitBreakerConfig c, BreakerState closed) {
    long now = clock.nanoTime();
    BreakerState next = closed.open(now + openWaitNanos(c, 0), 0);
    if (STATE.compareAndSet(this, closed, next)) { // one winner; losers see it already moved
      stateChanged(State.CLOSED, State.OPEN);
    }
  }

  private void probeFinished(CircuitBreakerConfig c, long epoch, boolean failed) {
    OutcomeWindow fresh = null;
    while (true) { // the thread whose CAS lands decides; a loser re-reads and may find it moved
      BreakerState s = state;
      if (s.epoch != epoch || s.phase != State.HALF_OPEN) {
        return;
      }
      BreakerState next;
      if (failed) {
        int reopens = Math.min(s.reopens, 1_000_000) + 1;
        next = s.open(clock.nanoTime() + openWaitNanos(c, reopens), reopens);
      } else if (s.probeSuccesses + 1 >= c.successThreshold()) {
        if (fresh == null) {
          fresh = newWindow();
        }
        next = BreakerState.closed(s.epoch + 1, fresh);
      } else {
        next = s.probeSucceeded();
      }
      if (STATE.compareAndSet(this, s, next)) {
        if (next.phase != State.HALF_OPEN) {
          stateChanged(State.HALF_OPEN, next.phase);
        }
        return;
      }
    }
  }

  /** {@code openDuration × multiplier^reopens}, capped at {@code maxOpenDuration}. */
  private static long openWaitNanos(CircuitBreakerConfig c, int reopens) {
    long base = c.openNanos();
    double multiplier = c.openDurationMultiplier();
    if (reopens == 0 || multiplier == 1.0) {
      return base;
    }
    double wait = base * Math.pow(multiplier, reopens);
    long max = c.maxOpenNanos();
    return wait >= max ? max : (long) wait;
  }

  private void stateChanged(State from, State to) {
    if (events.hasListeners(StateChanged.class)) {
      events.publish(new StateChanged(name, from, to, clock.wallTime()));
    }
  }

  private OutcomeWindow newWindow() {
    return newWindowAt(timeWindow ? clock.nanoTime() : 0);
  }

  private OutcomeWindow newWindowAt(long nowNanos) {
    return OutcomeWindow.of(config, nowNanos);
  }

  // ---------------------------------------------------------------- manual control

  @Override
  public void reset() {
    OutcomeWindow fresh = newWindow();
    while (true) { // the thread whose CAS lands publishes the change
      BreakerState s = state;
      if (STATE.compareAndSet(this, s, BreakerState.closed(s.epoch + 1, fresh))) {
        NOT_PERMITTED.setVolatile(this, 0L);
        if (s.phase != State.CLOSED) {
          stateChanged(s.phase, State.CLOSED);
        }
        return;
      }
    }
  }

  @Override
  public void forceOpen() {
    while (true) { // the thread whose CAS lands publishes the change
      BreakerState s = state;
      if (s.phase == State.FORCED_OPEN) {
        return;
      }
      if (STATE.compareAndSet(this, s, s.forcedOpen())) {
        stateChanged(s.phase, State.FORCED_OPEN);
        return;
      }
    }
  }

  @Override
  public void disable() {
    OutcomeWindow fresh = newWindow();
    while (true) { // the thread whose CAS lands publishes the change
      BreakerState s = state;
      if (s.phase == State.DISABLED) {
        return;
      }
      if (STATE.compareAndSet(this, s, BreakerState.disabled(s.epoch + 1, fresh))) {
        stateChanged(s.phase, State.DISABLED);
        return;
      }
    }
  }

  @Override
  public boolean trip() {
    CircuitBreakerConfig c = config;
    while (true) { // the thread whose CAS lands publishes the change; a loser re-reads the state
      BreakerState s = state;
      BreakerState next;
      if (s.phase == State.CLOSED) {
        next = s.open(clock.nanoTime() + openWaitNanos(c, 0), 0);
      } else if (s.phase == State.HALF_OPEN) {
        int reopens = Math.min(s.reopens, 1_000_000) + 1;
        next = s.open(clock.nanoTime() + openWaitNanos(c, reopens), reopens);
      } else {
        return false;
      }
      if (STATE.compareAndSet(this, s, next)) {
        stateChanged(s.phase, State.OPEN);
        return true;
      }
    }
  }

  @Override
  public boolean halfOpen() {
    OutcomeWindow probes = null;
    while (true) { // the thread whose CAS lands publishes the change; a loser re-reads the state
      BreakerState s = state;
      if (s.phase != State.OPEN) {
        return false;
      }
      long now = clock.nanoTime();
      if (probes == null) {
        probes = newWindowAt(now);
      }
      if (STATE.compareAndSet(this, s, s.halfOpenEarly(probes, now))) {
        stateChanged(State.OPEN, State.HALF_OPEN);
        return true;
      }
    }
  }

  // ---------------------------------------------------------------- observing

  @Override
  public Snapshot snapshot() {
    BreakerState s = state;
    long now = clock.nanoTime();
    long totals = s.window.totals(now);
    int calls = OutcomeWindow.calls(totals);
    int failed = OutcomeWindow.failures(totals);
    int slow = OutcomeWindow.slow(totals);
    boolean enough = calls > 0 && calls >= config.minimumCalls();
    float failureRate = enough ? failed * 100f / calls : -1f;
    float slowCallRate = enough ? slow * 100f / calls : -1f;
    Duration untilProbe =
        s.phase == State.OPEN
            ? Duration.ofNanos(Math.max(0, s.openUntilNanos - now))
            : Duration.ZERO;
    return new Snapshot(
        s.phase,
        failureRate,
        slowCallRate,
        calls,
        failed,
        slow,
        calls - failed,
        notPermitted,
        untilProbe);
  }

  @Override
  public String toString() {
    return "CircuitBreaker[" + name + ", " + state.phase + "]";
  }
}
