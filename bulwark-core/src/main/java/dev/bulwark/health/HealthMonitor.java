package dev.bulwark.health;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.event.DegradedOutcome;
import dev.bulwark.event.EventSource;
import dev.bulwark.event.FailureRecorded;
import dev.bulwark.healthcheck.HealthCheck;
import dev.bulwark.internal.Check;
import dev.bulwark.time.Clock;

/**
 * Tells how healthy a set of policies is, {@link HealthStatus#HEALTHY}, {@link
 * HealthStatus#DEGRADED} or {@link HealthStatus#CRITICAL}, with a reason for each component that is
 * not fine, and tells listeners when that status changes.
 *
 * <p>It reads only what policies publish: breakers' states through {@link CircuitBreaker#state()}
 * and {@link CircuitBreaker#snapshot()}, and events from any {@link EventSource}. A watched source
 * makes its component
 *
 * <ul>
 *   <li>{@code CRITICAL} while it is a breaker that is {@code OPEN} or {@code FORCED_OPEN}, or an
 *       unhealthy health check configured to count as {@code CRITICAL};
 *   <li>{@code DEGRADED} while it is a breaker that is {@code HALF_OPEN}, or an unhealthy health
 *       check configured to count as {@code DEGRADED}, or while it published a {@link
 *       FailureRecorded} or a {@link DegradedOutcome} (a fallback served, for example) within the
 *       {@linkplain HealthConfig#recentWindow() recent window};
 *   <li>nothing worse than {@code HEALTHY} otherwise. A {@code DISABLED} breaker is listed as an
 *       informational finding: it no longer protects anything, but it refuses nothing either, and
 *       the failures it still records degrade the status like any others.
 * </ul>
 *
 * <p>Only events published after a source is watched count. Watching a breaker subscribes to its
 * events, so from then on it builds an event for every call.
 *
 * <p><b>When status changes are noticed.</b> {@link #report()} always computes the status afresh.
 * Status listeners also hear of changes without anyone calling it: a watched source's state change
 * (for example a breaker opening) is evaluated on the thread that made it, at once, and so is the
 * first failure or fallback while the last status was {@code HEALTHY}. A status that only time can
 * improve (failures ageing out of the window, a breaker whose open wait is over but that no call
 * has probed) is noticed on the next {@code report()} or event. Call {@code report()} on a schedule
 * (a health endpoint polled every few seconds does) to hear of recoveries.
 *
 * {@snippet :
 * HealthMonitor health = HealthMonitor.of(HealthConfig.ofDefaults(), clock);
 * health.watch(paymentsBreaker, inventoryBreaker);
 * health.watch("catalog", catalogFallback.events());
 * health.onStatusChange((from, to, report) -> alerts.send(to + ": " + report.reasons()));
 * HealthReport report = health.report();
 * }
 *
 * <p>Thread-safe.
 */
public interface HealthMonitor {

  /**
   * A monitor with {@code config}, reading time from {@code clock}. Give it the clock its policies
   * use, so that their events and its window agree.
   *
   * @throws NullPointerException if an argument is null
   */
  static HealthMonitor of(HealthConfig config, Clock clock) {
    return new BucketedHealthMonitor(
        Check.notNull("config", config), Check.notNull("clock", clock));
  }

  /** A monitor with the default configuration (a 60-second recent window), on the system clock. */
  static HealthMonitor ofDefaults() {
    return of(HealthConfig.ofDefaults(), Clock.system());
  }

  /** The configuration this monitor was made with. */
  HealthConfig config();

  /**
   * Watches {@code breakers}, each under its own name: their states and the failures they record
   * from now on. A breaker already watched is skipped. Evaluates the status at once, so listeners
   * hear of a breaker that was already open.
   *
   * @return this monitor
   * @throws NullPointerException if the array or a breaker is null
   */
  HealthMonitor watch(CircuitBreaker... breakers);

  /**
   * Watches {@code checks}, each under its own name: while a check's verdict is unhealthy, its
   * component is {@code DEGRADED} or {@code CRITICAL} as its {@link
   * dev.bulwark.healthcheck.HealthCheckConfig#countsAs() config} says; each switch of its verdict
   * is evaluated at once. A check already watched is skipped.
   *
   * @return this monitor
   * @throws NullPointerException if the array or a check is null
   */
  HealthMonitor watch(HealthCheck... checks);

  /**
   * Watches any policy's events under the name {@code component}: every {@link FailureRecorded} and
   * {@link DegradedOutcome} it publishes from now on counts for the recent window, and a {@link
   * dev.bulwark.circuitbreaker.StateChanged} it publishes triggers an evaluation. A source already
   * watched (also as a breaker's events) is skipped.
   *
   * @return this monitor
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code component} is blank
   */
  HealthMonitor watch(String component, EventSource events);

  /**
   * Stops watching {@code breaker} and forgets what it recorded, then evaluates the status.
   *
   * @return true if it was watched
   * @throws NullPointerException if {@code breaker} is null
   */
  boolean unwatch(CircuitBreaker breaker);

  /**
   * Stops watching the source {@code events} (a breaker's events or another policy's) and forgets
   * what it recorded, then evaluates the status.
   *
   * @return true if it was watched
   * @throws NullPointerException if {@code events} is null
   */
  boolean unwatch(EventSource events);

  /**
   * Computes the current health of every watched source. Also tells status listeners if the status
   * changed since they last heard. Allocates; meant for health endpoints and alerting, not per
   * call.
   */
  HealthReport report();

  /**
   * Tells {@code listener} each time the overall status changes, with the old and new status and
   * the report that showed the change. Listeners are never called concurrently, and hear changes in
   * the order they were seen; one that throws is logged and cannot hurt the others or the call that
   * caused the change. A status that lasts less than one evaluation (a breaker forced open and
   * reset at once) may go unannounced, but what is announced always adds up: each change starts
   * from the status the one before ended in. A listener added now is not told the current status:
   * read {@link #report()} for it.
   *
   * @throws NullPointerException if {@code listener} is null
   */
  void onStatusChange(StatusListener listener);

  /**
   * Stops telling {@code listener} about status changes.
   *
   * @return true if it was listening
   * @throws NullPointerException if {@code listener} is null
   */
  boolean removeStatusListener(StatusListener listener);

  /**
   * Hears that the overall status changed. Runs on the thread that noticed the change: often a
   * caller's thread inside a policy, so keep it quick and hand slow work (sending an alert) to an
   * executor.
   *
   * <p>Implementations need not be thread-safe: a monitor never calls its listeners concurrently.
   */
  @FunctionalInterface
  interface StatusListener {

    /** Called once for each change of the overall status, from {@code from} to {@code to}. */
    void onStatusChange(HealthStatus from, HealthStatus to, HealthReport report);
  }
}
