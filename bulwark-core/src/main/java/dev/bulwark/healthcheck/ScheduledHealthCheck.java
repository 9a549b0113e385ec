package dev.bulwark.healthcheck;

import static java.lang.System.Logger.Level.WARNING;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.event.EventSource;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.Failures;
import dev.bulwark.spi.EventBus;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A health check driven by a {@link Scheduler}: no thread of its own.
 *
 * <p>Design. One timer task ("tick") is pending at a time; each tick schedules the next (due times
 * advance from the previous due time, not from when the tick ran, so a late tick does not shift the
 * schedule) and hands the probe to the scheduler's completion executor: the timer thread only
 * decides and hands over, and user code never runs on it. At most one probe is in flight ({@code
 * inFlight}, set by CAS): a tick that finds one still running does not start another, and counts an
 * unhealthy result if that probe is already past its timeout. Each probe ({@link Attempt}) ends
 * exactly once, by whichever comes first of its answer and its timeout task (a CAS on {@code
 * done}); the timeout hands the unhealthy result to the completion executor and cancels the probe's
 * stage.
 *
 * <p>The verdict is one immutable {@link Verdict} swapped by CAS; only the thread whose CAS lands
 * publishes the switch and steers the breaker, so each result is counted once. {@link #isHealthy()}
 * is one volatile read.
 *
 * <p>Stopping: {@code stop()} sets the lifecycle to STOPPED, then cancels the pending tick; a tick
 * that scheduled its successor re-reads the lifecycle afterwards and cancels it. One of the two
 * always sees the other (both fields volatile), so no tick survives a stop.
 *
 * <p>Thread-safe.
 */
final class ScheduledHealthCheck implements HealthCheck {
  private static final System.Logger LOG = System.getLogger(HealthCheck.class.getName());
  private static final int NEW = 0;
  private static final int RUNNING = 1;
  private static final int STOPPED = 2;
  private static final VarHandle VERDICT;

  static {
    try {
      VERDICT =
          MethodHandles.lookup()
              .findVarHandle(ScheduledHealthCheck.class, "verdict", Verdict.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String name;
  private final HealthCheckConfig config;
  private final HealthProbe probe;
  private final Clock clock;
  private final Scheduler scheduler;
  private final long intervalNanos;
  private final long timeoutNanos;
  private final EventBus events = new EventBus();
  private final AtomicInteger lifecycle = new AtomicInteger(NEW);
  private final AtomicReference<@Nullable Attempt> inFlight = new AtomicReference<>();
  private final Runnable tick = this::tick;
  private final Runnable runProbe = this::runProbe;
  private volatile Verdict verdict;
  private volatile @Nullable Function<String, CircuitBreaker> breakers; // set once, by start
  private volatile @Nullable Future<?> nextTick;
  private long dueNanos; // written by start, then by ticks only (one at a time)

  ScheduledHealthCheck(String name, HealthCheckConfig config, Clock clock, Scheduler scheduler) {
    this.name = name;
    this.config = config;
    this.probe = config.probe().orElseThrow();
    this.clock = clock;
    this.scheduler = scheduler;
    this.intervalNanos = config.interval().toNanos();
    this.timeoutNanos = config.timeout().toNanos();
    this.verdict = Verdict.initial(clock.nanoTime());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public HealthCheckConfig config() {
    return config;
  }

  @Override
  public boolean isHealthy() {
    return verdict.healthy;
  }

  @Override
  public Status status() {
    Verdict v = verdict;
    Duration age = v.last == null ? Duration.ZERO : Duration.ofNanos(clock.nanoTime() - v.atNanos);
    return new Status(
        v.healthy,
        Optional.ofNullable(v.last),
        age.isNegative() ? Duration.ZERO : age,
        v.failures,
        v.successes,
        v.checks,
        isRunning());
  }

  @Override
  public EventSource events() {
    return events.view();
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void start() {
    if (!config.breaker().isEmpty()) {
      throw new IllegalStateException(
          name
              + ": its config names the breaker '"
              + config.breaker()
              + "'; start it with start(breakers), or in a Resilience registry");
    }
    start(
        n -> {
          throw new IllegalStateException("no breaker");
        });
  }

  @Override
  public void start(Function<String, CircuitBreaker> breakers) {
    Check.notNull("breakers", breakers);
    this.breakers = breakers;
    if (lifecycle.compareAndSet(NEW, RUNNING)) { // the starter whose CAS lands schedules
      dueNanos = clock.nanoTime();
      schedule(0);
    }
  }

  @Override
  public void stop() {
    if (lifecycle.getAndSet(STOPPED) == STOPPED) {
      return;
    }
    Future<?> pending = nextTick;
    if (pending != null) {
      pending.cancel(false);
    }
  }

  @Override
  public boolean isRunning() {
    return lifecycle.get() == RUNNING;
  }

  private void schedule(long delayNanos) {
    Future<?> scheduled = scheduler.schedule(tick, delayNanos);
    nextTick = scheduled;
    if (lifecycle.get() != RUNNING) { // stopped while we scheduled: stop() may have missed it
      scheduled.cancel(false);
    }
  }

  /** On the timer thread: schedules the next tick, hands the probe over. Runs no user code. */
  private void tick() {
    if (lifecycle.get() != RUNNING) {
      return;
    }
    long now = clock.nanoTime();
    dueNanos += nextWaitNanos();
    if (dueNanos - now < 0) { // far behind (a stalled timer): start afresh rather than burst
      dueNanos = now + nextWaitNanos();
    }
    schedule(dueNanos - now);
    try {
      scheduler.completionExecutor().execute(runProbe);
    } catch (RuntimeException e) { // refused: our overload, not the dependency's; no listener here
      LOG.log(WARNING, () -> name + ": the completion executor refused a probe; skipped", e);
    }
  }

  /** A wait drawn from {@code [interval × (1 - jitter), interval × (1 + jitter))}. */
  private long nextWaitNanos() {
    double jitter = config.jitter();
    if (jitter == 0) {
      return intervalNanos;
    }
    double spread = (ThreadLocalRandom.current().nextDouble() * 2 - 1) * jitter;
    return Math.max(1, intervalNanos + (long) (intervalNanos * spread));
  }

  // ---------------------------------------------------------------- one probe

  /** One probe in flight; it ends once, by its answer or its timeout. */
  private static final class Attempt {
    final long startNanos;
    final AtomicBoolean done = new AtomicBoolean();
    volatile @Nullable Future<?> timer;
    volatile @Nullable CompletionStage<Result> stage;

    Attempt(long startNanos) {
      this.startNanos = startNanos;
    }
  }

  /** On the completion executor: starts a probe unless one is still in flight. */
  private void runProbe() {
    if (lifecycle.get() != RUNNING) {
      return;
    }
    long now = clock.nanoTime();
    Attempt running = inFlight.get();
    if (running != null) { // never two at once; a hung one counts against the dependency
      if (running.done.get()) {
        record(
            Result.unhealthy(
                "the previous probe is still running after "
                    + describe(now - running.startNanos)
                    + "; no new probe until it ends"),
            0);
      }
      return;
    }
    Attempt attempt = new Attempt(now);
    if (!inFlight.compareAndSet(null, attempt)) {
      return; // another tick's probe started first
    }
    attempt.timer = scheduler.schedule(() -> timedOut(attempt), timeoutNanos);
    CompletionStage<Result> stage;
    try {
      stage = probe.check();
    } catch (RuntimeException | Error e) {
      stage = CompletableFuture.failedFuture(e);
    }
    if (stage == null) {
      stage = CompletableFuture.failedFuture(new NullPointerException("the probe returned null"));
    }
    attempt.stage = stage;
    stage.whenComplete((result, failure) -> answered(attempt, result, failure));
  }

  private void answered(Attempt attempt, @Nullable Result result, @Nullable Throwable failure) {
    if (!attempt.done.compareAndSet(false, true)) { // its timeout won: only free the slot
      inFlight.compareAndSet(attempt, null);
      return;
    }
    Future<?> timer = attempt.timer;
    if (timer != null) {
      timer.cancel(false);
    }
    inFlight.compareAndSet(attempt, null);
    Result outcome;
    if (failure != null) {
      Throwable cause = Failures.unwrap(failure);
      outcome = Result.unhealthy("the probe failed: " + cause);
    } else if (result == null) {
      outcome = Result.unhealthy("the probe answered null");
    } else {
      outcome = result;
    }
    record(outcome, clock.nanoTime() - attempt.startNanos);
  }

  /** On the timer thread: the probe is out of time. Hands the result over; runs no user code. */
  private void timedOut(Attempt attempt) {
    if (!attempt.done.compareAndSet(false, true)) {
      return; // it answered first
    }
    scheduler
        .completionExecutor()
        .execute(
            () -> {
              record(Result.unhealthy("no answer within " + describe(timeoutNanos)), timeoutNanos);
              CompletionStage<Result> stage = attempt.stage;
              if (stage != null) {
                stage.toCompletableFuture().cancel(true); // its answer frees the slot
              }
            });
  }

  // ---------------------------------------------------------------- the verdict

  private void record(Result result, long tookNanos) {
    if (lifecycle.get() != RUNNING) {
      return; // stopped: late answers are dropped
    }
    long now = clock.nanoTime();
    Verdict before;
    Verdict after;
    do { // the thread whose CAS lands counts this result; a loser counts it onto the newer verdict
      before = verdict;
      after = before.next(result, now, config);
    } while (!VERDICT.compareAndSet(this, before, after));
    if (events.hasListeners(CheckCompleted.class)) {
      events.publish(
          new CheckCompleted(name, result, Duration.ofNanos(tookNanos), clock.wallTime()));
    }
    if (before.healthy != after.healthy && events.hasListeners(HealthChanged.class)) {
      events.publish(new HealthChanged(name, after.healthy, result, clock.wallTime()));
    }
    steer(after.healthy, result.healthy());
  }

  /** Trips the breaker while unhealthy; ends its open wait on a healthy result while healthy. */
  private void steer(boolean healthy, boolean resultHealthy) {
    if (config.breaker().isEmpty() || (!healthy && !config.opensBreaker())) {
      return;
    }
    if (healthy && !resultHealthy) {
      return; // a failure below the threshold: nothing to say yet
    }
    try {
      CircuitBreaker breaker = breaker();
      if (breaker == null) {
        return;
      }
      if (healthy) {
        breaker.halfOpen();
      } else {
        breaker.trip();
      }
    } catch (RuntimeException e) { // a registry full of busy breakers: the check goes on
      LOG.log(WARNING, () -> name + ": could not steer breaker '" + config.breaker() + "'", e);
    }
  }

  private @Nullable CircuitBreaker breaker() {
    Function<String, CircuitBreaker> lookup = breakers;
    return lookup == null || config.breaker().isEmpty() ? null : lookup.apply(config.breaker());
  }

  // ---------------------------------------------------------------- calls

  @Override
  public <T> T execute(Callable<T> call, Next next) throws Exception {
    Check.notNull("call", call);
    Check.notNull("next", next);
    CircuitBreaker breaker = breaker();
    return breaker == null ? next.proceed(call) : breaker.execute(call, next);
  }

  @Override
  public <T> CompletionStage<T> executeAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
    Check.notNull("call", call);
    Check.notNull("next", next);
    CircuitBreaker breaker;
    try {
      breaker = breaker();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return breaker == null ? next.proceed(call) : breaker.executeAsync(call, next);
  }

  private static String describe(long nanos) {
    if (nanos % 1_000_000_000L == 0) {
      return nanos / 1_000_000_000L + " s";
    }
    return Math.max(1, (nanos + 999_999) / 1_000_000) + " ms";
  }

  @Override
  public String toString() {
    return "HealthCheck[" + name + ", " + (verdict.healthy ? "healthy" : "unhealthy") + "]";
  }

  /** The verdict and the runs of results behind it. Immutable. */
  private static final class Verdict {
    final boolean healthy;
    final @Nullable Result last;
    final long atNanos;
    final int failures;
    final int successes;
    final long checks;

    private Verdict(
        boolean healthy,
        @Nullable Result last,
        long atNanos,
        int failures,
        int successes,
        long checks) {
      this.healthy = healthy;
      this.last = last;
      this.atNanos = atNanos;
      this.failures = failures;
      this.successes = successes;
      this.checks = checks;
    }

    static Verdict initial(long nowNanos) {
      return new Verdict(true, null, nowNanos, 0, 0, 0);
    }

    Verdict next(Result result, long nowNanos, HealthCheckConfig c) {
      if (result.healthy()) {
        int run = successes == Integer.MAX_VALUE ? successes : successes + 1;
        return new Verdict(
            healthy || run >= c.healthyThreshold(), result, nowNanos, 0, run, checks + 1);
      }
      int run = failures == Integer.MAX_VALUE ? failures : failures + 1;
      return new Verdict(
          healthy && run < c.unhealthyThreshold(), result, nowNanos, run, 0, checks + 1);
    }
  }
}
