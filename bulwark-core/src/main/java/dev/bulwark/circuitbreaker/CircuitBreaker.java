package dev.bulwark.circuitbreaker;

import dev.bulwark.event.EventSource;
import dev.bulwark.internal.Check;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Reconfigurable;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.time.Clock;
import java.time.Duration;

/**
 * Stops calling what keeps failing, tests it again after a wait, closes when it recovers.
 *
 * <p>Use it as a {@link Policy} in a {@link dev.bulwark.policy.Pipeline} (it then counts each
 * call's outcome itself, exactly once), or by hand around code it cannot wrap:
 *
 * <pre>{@code
 * if (breaker.tryAcquirePermission()) {
 *   long start = clock.nanoTime(); // the clock the breaker was given
 *   try {
 *     Response r = client.send(request);
 *     breaker.onResult(clock.nanoTime() - start, r);
 *   } catch (IOException e) {
 *     breaker.onError(clock.nanoTime() - start, e);
 *   }
 * }
 * }</pre>
 *
 * <p>Through {@code execute}, a call remembers the phase it was let through in: its outcome is
 * ignored for decisions once the breaker has moved on (a slow call let through while closed cannot
 * close a half-open breaker). The standalone methods cannot tell phases apart and report into the
 * current one.
 *
 * <p>Its thresholds, waits and predicates can be replaced while it runs ({@link #reconfigure}),
 * keeping what it has recorded and the phase it is in.
 *
 * <p>Thread-safe.
 */
public interface CircuitBreaker extends Policy, Reconfigurable<CircuitBreakerConfig> {

  /**
   * The registry's description of circuit breakers: settings, snapshot, eviction, pipeline rank;
   * pass it to {@code Resilience.get(KIND, name)}.
   */
  PolicyKind<CircuitBreaker, CircuitBreakerConfig, CircuitBreakerConfig.Builder> KIND =
      CircuitBreakerKind.KIND;

  /** Where a breaker stands. */
  enum State {
    /** Calls pass; outcomes are counted. */
    CLOSED,
    /** Calls are rejected until the wait ends. */
    OPEN,
    /** A limited number of probe calls pass; their outcomes decide between CLOSED and OPEN. */
    HALF_OPEN,
    /** Opened by hand: every call is rejected until {@code reset()}. */
    FORCED_OPEN,
    /** Disabled by hand: every call passes and outcomes are only counted, never acted on. */
    DISABLED
  }

  /**
   * What a breaker has seen, at one moment.
   *
   * @param state the breaker's state
   * @param failureRate failed calls in percent of the calls in the window, or -1 when the window
   *     holds fewer than {@code minimumCalls}
   * @param slowCallRate slow calls in percent of the calls in the window, or -1 when the window
   *     holds fewer than {@code minimumCalls}
   * @param bufferedCalls calls in the window (for a half-open breaker: probe outcomes so far)
   * @param failedCalls failed calls in the window
   * @param slowCalls slow calls in the window, failed or not
   * @param successfulCalls calls in the window that did not fail
   * @param notPermittedCalls calls refused since the breaker was made or last {@code reset()}
   * @param timeUntilProbe time until the next probe may pass when {@code OPEN}, else zero
   */
  record Snapshot(
      State state,
      float failureRate,
      float slowCallRate,
      int bufferedCalls,
      int failedCalls,
      int slowCalls,
      int successfulCalls,
      long notPermittedCalls,
      Duration timeUntilProbe) {
    /**
     * Checks that no component is null.
     *
     * @throws NullPointerException if {@code state} or {@code timeUntilProbe} is null
     */
    public Snapshot {
      Check.notNull("state", state);
      Check.notNull("timeUntilProbe", timeUntilProbe);
    }
  }

  /**
   * A breaker named {@code name} with {@code config}, on the system clock.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the name is blank
   */
  static CircuitBreaker of(String name, CircuitBreakerConfig config) {
    return of(name, config, Clock.system());
  }

  /**
   * A breaker named {@code name} with {@code config}, reading time from {@code clock}.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the name is blank
   */
  static CircuitBreaker of(String name, CircuitBreakerConfig config, Clock clock) {
    return new LocalCircuitBreaker(
        Check.name(name), Check.notNull("config", config), Check.notNull("clock", clock));
  }

  /**
   * A breaker named {@code name} with the default configuration, on the system clock.
   *
   * @throws NullPointerException if the name is null
   * @throws IllegalArgumentException if the name is blank
   */
  static CircuitBreaker ofDefaults(String name) {
    return of(name, CircuitBreakerConfig.ofDefaults());
  }

  /** The configuration in force now: the one made with, or the latest {@link #reconfigure}. */
  @Override
  CircuitBreakerConfig config();

  /**
   * Replaces the configuration while the breaker runs, keeping its state: the outcomes in its
   * window, its phase, an open breaker's open-until time and re-open count, a half-open breaker's
   * probes in flight and successes so far. Publishes a {@link dev.bulwark.event.ConfigChanged}
   * naming the settings that differ, and nothing if {@code config} equals the one in force.
   *
   * <p>What changes live, and when it takes effect:
   *
   * <ul>
   *   <li>{@code failureRateThreshold}, {@code slowCallRateThreshold}, {@code minimumCalls}, {@code
   *       consecutiveFailures}: judged on the next outcome recorded while closed, whatever that
   *       outcome is. A breaker whose window already holds a rate above a lowered threshold does
   *       not open at the change; it opens when the next outcome is recorded, if the window, with
   *       that outcome, still reaches the threshold. A run of failures in progress counts toward a
   *       {@code consecutiveFailures} turned on or lowered.
   *   <li>{@code slowCallDuration}: classifies outcomes recorded from now on; outcomes already in
   *       the window keep the class they were recorded with. A call started while slow calls were
   *       not detected is not timed, so it is never slow.
   *   <li>{@code recordExceptions}, {@code ignoreExceptions}, {@code recordFailurePredicate},
   *       {@code recordResultAsFailure}: classify outcomes recorded from now on, including those of
   *       calls already running.
   *   <li>{@code openDuration}, {@code openDurationMultiplier}, {@code maxOpenDuration}: apply to
   *       the next opening. An open breaker keeps the open-until time it was given, so the wait its
   *       rejections announced ({@code retryAfter}) stays true.
   *   <li>{@code halfOpenMaxCalls}, {@code successThreshold}, {@code halfOpenMaxWait}: apply to the
   *       next probe let through or finished; probes already in flight above a lowered {@code
   *       halfOpenMaxCalls} finish, and no new one passes until they are below it.
   * </ul>
   *
   * <p>What cannot change live: {@code windowType}, and the {@code windowSize} of a {@code COUNT}
   * window or the {@code windowDuration} of a {@code TIME} window (the window would have to drop or
   * invent outcomes). The other kind's size may change; it is unused.
   *
   * @throws NullPointerException if {@code config} is null
   * @throws IllegalArgumentException if {@code config} differs in a setting that cannot change
   *     live; the message names it, and nothing is applied
   */
  @Override
  void reconfigure(CircuitBreakerConfig config);

  /** The current state. An {@code OPEN} breaker whose wait is over reports OPEN until a call. */
  State state();

  /** Counts and rates as they stand now. Allocates; meant for metrics and health, not per call. */
  Snapshot snapshot();

  /**
   * Where this breaker's events can be listened to: permissions, rejections, outcomes, state
   * changes, and {@code ConfigChanged} when it is reconfigured.
   */
  EventSource events();

  /**
   * Asks to run one call, for code that reports outcomes itself: true if the call may run. A
   * permitted call must then report exactly once, through {@link #onSuccess}, {@link #onError},
   * {@link #onResult} or {@link #releasePermission}.
   */
  boolean tryAcquirePermission();

  /**
   * Like {@link #tryAcquirePermission()} but throws instead of returning false.
   *
   * @throws CircuitBreakerOpenException if the call may not run
   */
  void acquirePermission();

  /** Gives back a permission whose call will not report (it was never made, or cancelled). */
  void releasePermission();

  /** Reports that a permitted call succeeded after {@code durationNanos}. */
  void onSuccess(long durationNanos);

  /**
   * Reports that a permitted call failed with {@code failure} after {@code durationNanos}; the
   * configuration decides whether it counts as a failure or is ignored.
   *
   * @throws NullPointerException if {@code failure} is null
   */
  void onError(long durationNanos, Throwable failure);

  /**
   * Reports that a permitted call returned {@code result} after {@code durationNanos}; counted as a
   * failure when the configuration's {@code recordResultAsFailure} predicate holds. {@code result}
   * may be null: a call may return null.
   */
  void onResult(long durationNanos, Object result);

  /** Closes the breaker and empties its window, whatever its state. */
  void reset();

  /** Rejects every call until {@link #reset()}. */
  void forceOpen();

  /** Lets every call pass until {@link #reset()}, still counting outcomes. */
  void disable();

  /**
   * Opens a {@code CLOSED} or {@code HALF_OPEN} breaker now, as if its thresholds had been crossed
   * (from {@code HALF_OPEN}, as if a probe had failed: the open wait grows as configured); an
   * active health check that found the service down calls it. Does nothing in another state: an
   * open breaker keeps the wait its rejections announced, and a breaker forced open or disabled by
   * hand stays so. Publishes {@link StateChanged} when it moves.
   *
   * @return true if this call moved the breaker to {@code OPEN}
   */
  boolean trip();

  /**
   * Ends an {@code OPEN} breaker's wait now: it turns {@code HALF_OPEN}, and the next calls are let
   * through as probes ({@code halfOpenMaxCalls} at once) whose outcomes close or re-open it. An
   * active health check that found the service back calls it, so recovery is found without waiting
   * out the open duration. Does nothing in another state. Publishes {@link StateChanged} when it
   * moves.
   *
   * @return true if this call moved the breaker to {@code HALF_OPEN}
   */
  boolean halfOpen();
}
