package dev.bulwark.health;

import static java.lang.System.Logger.Level.WARNING;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreaker.State;
import dev.bulwark.circuitbreaker.StateChanged;
import dev.bulwark.event.DegradedOutcome;
import dev.bulwark.event.EventListener;
import dev.bulwark.event.EventSource;
import dev.bulwark.event.FailureRecorded;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.health.HealthReport.Finding;
import dev.bulwark.healthcheck.HealthChanged;
import dev.bulwark.healthcheck.HealthCheck;
import dev.bulwark.healthcheck.HealthCheckConfig;
import dev.bulwark.internal.Check;
import dev.bulwark.time.Clock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A health monitor that counts each source's failures and fallbacks in {@link TimeBuckets} and
 * reads breakers' states when asked.
 *
 * <p>Design. Three kinds of shared state, none behind a lock:
 *
 * <ul>
 *   <li>The watched sources and the status listeners are arrays replaced by CAS (copy on write):
 *       watching and listening are rare, reading them is one volatile read.
 *   <li>The event path, on the caller's thread: one clock read and one {@code getAndAdd} (a CAS at
 *       most once a slice) into the source's buckets, then one volatile read of the last status.
 *       Only while that status is {@code HEALTHY} (the first bad news) or on a {@link StateChanged}
 *       does it ask for an evaluation. Nothing is allocated unless an evaluation runs.
 *   <li>Evaluation (compute a report, compare its status with the last one, tell listeners) runs on
 *       one thread at a time: a thread asks by setting {@code pending}, then tries to take the
 *       {@code evaluating} flag by CAS. The winner evaluates until no request is pending; a loser
 *       returns at once, leaving its request to the winner, who re-checks {@code pending} after
 *       giving the flag back, so no request is lost. Nobody waits.
 * </ul>
 *
 * <p>Why one evaluator rather than a CAS on the last status by whoever computed a report: two
 * reports computed concurrently can reach the CAS in the opposite order to the one in which they
 * read the breakers, and the older would then overwrite the newer, announcing a change that did not
 * happen and hiding one that did. With one evaluator, reports are computed one after the other, the
 * last status is written by the evaluator only, every change is announced exactly once and in
 * order, and listeners are never called concurrently.
 *
 * <p>Thread-safe.
 */
final class BucketedHealthMonitor implements HealthMonitor {
  private static final Set<Class<? extends PolicyEvent>> WATCHED_KINDS =
      Set.of(StateChanged.class, FailureRecorded.class, DegradedOutcome.class, HealthChanged.class);

  private static final System.Logger LOG = System.getLogger(HealthMonitor.class.getName());
  private static final Watched[] NO_SOURCES = new Watched[0];
  private static final StatusListener[] NO_LISTENERS = new StatusListener[0];
  private static final VarHandle SOURCES;
  private static final VarHandle LISTENERS;
  private static final VarHandle EVALUATING;
  private static final VarHandle PENDING;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      SOURCES = lookup.findVarHandle(BucketedHealthMonitor.class, "sources", Watched[].class);
      LISTENERS =
          lookup.findVarHandle(BucketedHealthMonitor.class, "listeners", StatusListener[].class);
      EVALUATING = lookup.findVarHandle(BucketedHealthMonitor.class, "evaluating", int.class);
      PENDING = lookup.findVarHandle(BucketedHealthMonitor.class, "pending", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final HealthConfig config;
  private final Clock clock;
  private final long windowNanos;
  private final long originNanos;
  private final String windowText;
  private volatile Watched[] sources = NO_SOURCES;
  private volatile StatusListener[] listeners = NO_LISTENERS;
  private volatile HealthStatus status = HealthStatus.HEALTHY; // written by the evaluator only

  @SuppressWarnings("UnusedVariable") // read through EVALUATING, its VarHandle
  private volatile int evaluating; // 1 while a thread evaluates

  private volatile boolean pending; // an evaluation was asked for and has not started yet

  BucketedHealthMonitor(HealthConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.windowNanos = config.recentWindowNanos();
    this.originNanos = clock.nanoTime();
    this.windowText = describe(config.recentWindow());
  }

  @Override
  public HealthConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- sources

  @Override
  public HealthMonitor watch(CircuitBreaker... breakers) {
    Check.notNull("breakers", breakers);
    for (CircuitBreaker breaker : breakers) {
      Check.notNull("breaker", breaker);
    }
    for (CircuitBreaker breaker : breakers) {
      add(new Watched(breaker.name(), breaker, null, breaker.events()));
    }
    requestEvaluation();
    return this;
  }

  @Override
  public HealthMonitor watch(HealthCheck... checks) {
    Check.notNull("checks", checks);
    for (HealthCheck check : checks) {
      Check.notNull("check", check);
    }
    for (HealthCheck check : checks) {
      add(new Watched(check.name(), null, check, check.events()));
    }
    requestEvaluation();
    return this;
  }

  @Override
  public HealthMonitor watch(String component, EventSource events) {
    Check.notNull("component", component);
    Check.name(component);
    Check.notNull("events", events);
    add(new Watched(component, null, null, events));
    requestEvaluation();
    return this;
  }

  @Override
  public boolean unwatch(CircuitBreaker breaker) {
    return remove(Check.notNull("breaker", breaker), null);
  }

  @Override
  public boolean unwatch(EventSource events) {
    return remove(null, Check.notNull("events", events));
  }

  private void add(Watched source) {
    while (true) { // the thread whose CAS lands adds the source; a loser re-checks for duplicates
      Watched[] seen = sources;
      for (Watched s : seen) {
        if (s.events == source.events || (source.breaker != null && s.breaker == source.breaker)) {
          return;
        }
      }
      Watched[] next = Arrays.copyOf(seen, seen.length + 1);
      next[seen.length] = source;
      if (SOURCES.compareAndSet(this, seen, next)) {
        // only the winner subscribes: one listener per source, and only to the kinds health reads,
        // so a watched policy still builds nothing on a successful call
        source.events.subscribe(source, WATCHED_KINDS);
        return;
      }
    }
  }

  private boolean remove(@Nullable CircuitBreaker breaker, @Nullable EventSource events) {
    while (true) { // the thread whose CAS lands removes the source and unsubscribes it
      Watched[] seen = sources;
      int index = -1;
      for (int i = 0; i < seen.length; i++) {
        if ((breaker != null && seen[i].breaker == breaker) || seen[i].events == events) {
          index = i;
          break;
        }
      }
      if (index < 0) {
        return false;
      }
      Watched[] next = new Watched[seen.length - 1];
      System.arraycopy(seen, 0, next, 0, index);
      System.arraycopy(seen, index + 1, next, index, seen.length - index - 1);
      if (SOURCES.compareAndSet(this, seen, next)) {
        seen[index].events.unsubscribe(seen[index]);
        requestEvaluation();
        return true;
      }
    }
  }

  // ---------------------------------------------------------------- listeners

  @Override
  public void onStatusChange(StatusListener listener) {
    Check.notNull("listener", listener);
    while (true) { // the thread whose CAS lands adds its listener; a loser copies the newer array
      StatusListener[] seen = listeners;
      StatusListener[] next = Arrays.copyOf(seen, seen.length + 1);
      next[seen.length] = listener;
      if (LISTENERS.compareAndSet(this, seen, next)) {
        return;
      }
    }
  }

  @Override
  public boolean removeStatusListener(StatusListener listener) {
    Check.notNull("listener", listener);
    while (true) { // the thread whose CAS lands removes the listener; a loser looks again
      StatusListener[] seen = listeners;
      int index = Arrays.asList(seen).indexOf(listener);
      if (index < 0) {
        return false;
      }
      StatusListener[] next = new StatusListener[seen.length - 1];
      System.arraycopy(seen, 0, next, 0, index);
      System.arraycopy(seen, index + 1, next, index, seen.length - index - 1);
      if (LISTENERS.compareAndSet(this, seen, next)) {
        return true;
      }
    }
  }

  // ---------------------------------------------------------------- evaluation

  @Override
  public HealthReport report() {
    if (EVALUATING.compareAndSet(this, 0, 1)) { // the winner evaluates; see evaluatePending
      HealthReport report;
      try {
        pending = false; // this report answers every request made before it is computed
        report = compute();
        publish(report);
        drainPending();
      } finally {
        evaluating = 0;
      }
      evaluatePending();
      return report;
    }
    HealthReport report = compute();
    requestEvaluation(); // the evaluator at work computes one more, at least as fresh as this
    return report;
  }

  /** Bad news from a source: worth an evaluation only if it can change the status. */
  void failureSeen() {
    if (status == HealthStatus.HEALTHY) {
      requestEvaluation();
    }
  }

  void requestEvaluation() {
    pending = true;
    evaluatePending();
  }

  private void evaluatePending() {
    // One evaluator at a time: the thread whose CAS takes the flag evaluates until nothing is
    // pending; a loser leaves, its request seen by the winner (who re-reads pending after letting
    // go of the flag, so a request made while it let go is not lost).
    while (pending && EVALUATING.compareAndSet(this, 0, 1)) {
      try {
        drainPending();
      } finally {
        evaluating = 0;
      }
    }
  }

  /** Evaluates until no request is pending. The caller holds the evaluating flag. */
  private void drainPending() {
    while ((boolean) PENDING.getAndSet(this, false)) {
      publish(compute());
    }
  }

  /** Records the report's status and tells listeners if it changed. Evaluator only. */
  private void publish(HealthReport report) {
    HealthStatus from = status;
    HealthStatus to = report.status();
    if (from == to) {
      return;
    }
    status = to;
    for (StatusListener listener : listeners) {
      try {
        listener.onStatusChange(from, to, report);
      } catch (RuntimeException e) {
        LOG.log(WARNING, () -> "status listener " + listener + " failed on " + from + ">" + to, e);
      }
    }
  }

  private HealthReport compute() {
    long now = clock.nanoTime();
    Instant wallTime = clock.wallTime();
    List<Finding> critical = new ArrayList<>();
    List<Finding> degraded = new ArrayList<>();
    List<Finding> informational = new ArrayList<>();
    for (Watched source : sources) {
      if (source.breaker != null) {
        breakerFinding(source, source.breaker, critical, degraded, informational);
      }
      if (source.check != null && !source.check.isHealthy()) {
        checkFinding(source.component, source.check, critical, degraded);
      }
      long failures = source.failures.sum(now);
      if (failures > 0) {
        degraded.add(
            new Finding(
                source.component,
                HealthStatus.DEGRADED,
                failures
                    + (failures == 1 ? " failure" : " failures")
                    + " in the last "
                    + windowText));
      }
      long served = source.fallbacks.sum(now);
      if (served > 0) {
        degraded.add(
            new Finding(
                source.component,
                HealthStatus.DEGRADED,
                "fallback served "
                    + served
                    + (served == 1 ? " time" : " times")
                    + " in the last "
                    + windowText));
      }
    }
    HealthStatus overall =
        !critical.isEmpty()
            ? HealthStatus.CRITICAL
            : !degraded.isEmpty() ? HealthStatus.DEGRADED : HealthStatus.HEALTHY;
    critical.addAll(degraded);
    critical.addAll(informational);
    return new HealthReport(overall, critical, wallTime);
  }

  private static void breakerFinding(
      Watched source,
      CircuitBreaker breaker,
      List<Finding> critical,
      List<Finding> degraded,
      List<Finding> informational) {
    State state = breaker.state();
    Duration untilProbe = Duration.ZERO;
    if (state == State.OPEN) {
      CircuitBreaker.Snapshot snapshot = breaker.snapshot(); // may have moved on: trust it
      state = snapshot.state();
      untilProbe = snapshot.timeUntilProbe();
    }
    String name = source.component;
    switch (state) {
      case OPEN:
        critical.add(
            new Finding(
                name,
                HealthStatus.CRITICAL,
                untilProbe.isZero()
                    ? "OPEN, the next call may probe"
                    : "OPEN, next probe in " + describeRoundedUp(untilProbe)));
        break;
      case FORCED_OPEN:
        critical.add(new Finding(name, HealthStatus.CRITICAL, "FORCED_OPEN until reset"));
        break;
      case HALF_OPEN:
        degraded.add(new Finding(name, HealthStatus.DEGRADED, "HALF_OPEN"));
        break;
      case DISABLED:
        informational.add(
            new Finding(name, HealthStatus.HEALTHY, "DISABLED, protecting nothing until reset"));
        break;
      case CLOSED:
      default:
        break;
    }
  }

  private static void checkFinding(
      String name, HealthCheck check, List<Finding> critical, List<Finding> degraded) {
    HealthCheck.Status status = check.status(); // may be healthy again by now: trust it
    if (status.healthy()) {
      return;
    }
    boolean isCritical = check.config().countsAs() == HealthCheckConfig.Severity.CRITICAL;
    String reason =
        "unhealthy, "
            + status.consecutiveFailures()
            + (status.consecutiveFailures() == 1 ? " failed check" : " failed checks")
            + " in a row"
            + status.lastResult().map(r -> ": " + r.detail()).orElse("");
    (isCritical ? critical : degraded)
        .add(new Finding(name, isCritical ? HealthStatus.CRITICAL : HealthStatus.DEGRADED, reason));
  }

  /** {@code "60 s"}, {@code "1500 ms"}: whole seconds or whole milliseconds when exact. */
  static String describe(Duration duration) {
    if (duration.getNano() == 0) {
      return duration.getSeconds() + " s";
    }
    if (duration.getNano() % 1_000_000 == 0) {
      return duration.toMillis() + " ms";
    }
    return duration.toString();
  }

  /** Whole seconds from one second on, else whole milliseconds, rounded up. */
  static String describeRoundedUp(Duration duration) {
    long nanos = duration.toNanos();
    if (nanos >= 1_000_000_000L) {
      return ((nanos + 999_999_999L) / 1_000_000_000L) + " s";
    }
    return ((nanos + 999_999L) / 1_000_000L) + " ms";
  }

  @Override
  public String toString() {
    return "HealthMonitor[sources=" + sources.length + ", status=" + status + "]";
  }

  /** One watched source: its name, its breaker if it is one, and its recent bad news. */
  private final class Watched implements EventListener {
    final String component;
    final @Nullable CircuitBreaker breaker; // null for a source known only by its events
    final @Nullable HealthCheck check; // null unless it is a health check
    final EventSource events;
    final TimeBuckets failures = new TimeBuckets(windowNanos, originNanos);
    final TimeBuckets fallbacks = new TimeBuckets(windowNanos, originNanos);

    Watched(
        String component,
        @Nullable CircuitBreaker breaker,
        @Nullable HealthCheck check,
        EventSource events) {
      this.component = component;
      this.breaker = breaker;
      this.check = check;
      this.events = events;
    }

    @Override
    public void onEvent(PolicyEvent event) { // the caller's thread: count, then maybe evaluate
      if (event instanceof FailureRecorded) {
        failures.add(clock.nanoTime());
        failureSeen();
      } else if (event instanceof DegradedOutcome) {
        fallbacks.add(clock.nanoTime());
        failureSeen();
      } else if (event instanceof StateChanged || event instanceof HealthChanged) {
        requestEvaluation();
      }
    }

    @Override
    public String toString() {
      return "HealthMonitor source " + component;
    }
  }
}
