package dev.bulwark.ratelimit;

import dev.bulwark.event.EventSource;
import dev.bulwark.internal.Check;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Reconfigurable;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.Optional;

/**
 * Lets calls through at no more than a configured rate, so that we never send a remote service more
 * than it allows (client-side rate limiting); and holds every caller back when the service itself
 * says it is busy ({@link #holdFor}).
 *
 * <p>As a {@link Policy}, each call takes one permit: at once if one is free, after a wait of at
 * most {@link RateLimiterConfig#maxWait()} (through the {@link Scheduler}, never by spinning), or
 * not at all: a caller whose wait would exceed {@code maxWait} is rejected at once with a {@link
 * RateLimitedException} saying when a permit will be free. A permit is spent when it is granted,
 * whatever the call's outcome.
 *
 * {@snippet :
 * RateLimiterConfig tenPerSecond =
 *     RateLimiterConfig.builder().limit(10).period(Duration.ofSeconds(1)).build();
 * RateLimiter limiter = RateLimiter.of("github", tenPerSecond);
 * String body = limiter.call(() -> client.fetch(uri)); // RateLimitedException when over
 * }
 *
 * <p>Taking a permit is one read of the clock and one compare-and-set of one {@code long}; it takes
 * no lock and allocates nothing.
 *
 * <p>The configuration can be replaced while the limiter runs ({@link #reconfigure}): limit,
 * period, burst, maxWait and holdOnServerBusy change live, and the permits available at the moment
 * of change are kept (see {@link #reconfigure} for the exact rule); the algorithm cannot change.
 *
 * <p>Thread-safe.
 */
public interface RateLimiter extends Policy, Reconfigurable<RateLimiterConfig> {

  /**
   * The registry's description of rate limiters: settings, snapshot, eviction, pipeline rank; pass
   * it to {@code Resilience.get(KIND, name)}.
   */
  PolicyKind<RateLimiter, RateLimiterConfig, RateLimiterConfig.Builder> KIND = RateLimiterKind.KIND;

  /**
   * A limiter named {@code name} on the system clock and scheduler.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static RateLimiter of(String name, RateLimiterConfig config) {
    return of(name, config, Clock.system(), Scheduler.system());
  }

  /**
   * A limiter named {@code name} that reads time from {@code clock} and waits through {@code
   * scheduler}. Its permits are counted from the clock's time now: a full bucket, or the start of
   * the first window.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static RateLimiter of(String name, RateLimiterConfig config, Clock clock, Scheduler scheduler) {
    Check.name(name);
    Check.notNull("config", config);
    Check.notNull("clock", clock);
    Check.notNull("scheduler", scheduler);
    return new LocalRateLimiter(name, config, clock, scheduler);
  }

  /**
   * A limiter named {@code name} with {@link RateLimiterConfig#ofDefaults()}: 100 permits per
   * second, no waiting.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static RateLimiter ofDefaults(String name) {
    return of(name, RateLimiterConfig.ofDefaults());
  }

  /** The name reported in events, metrics and rejections. */
  @Override
  String name();

  /** The configuration in force now: the one built with, or the latest {@link #reconfigure}. */
  @Override
  RateLimiterConfig config();

  /**
   * Replaces the configuration; the next request for a permit uses it, and what was already granted
   * or reserved is kept. Publishes a {@link dev.bulwark.event.ConfigChanged} naming the settings
   * that differ, and nothing if {@code config} equals the one in force.
   *
   * <p>Permits carry over as follows, at the instant of change {@code c}:
   *
   * <ul>
   *   <li>{@link RateLimiterConfig.Algorithm#TOKEN_BUCKET TOKEN_BUCKET}: the tokens in the bucket
   *       at {@code c} (a fraction, negative while permits are reserved ahead) are kept, capped at
   *       the new burst and rounded down; they then refill at the new rate. The bucket never gains
   *       by the change, so in any span of time {@code [a, b]}, the permits granted without waiting
   *       are at most the burst in force at {@code a} plus the sum, over the configurations in
   *       force during the span, of {@code limit × time in force / period}.
   *   <li>{@link RateLimiterConfig.Algorithm#FIXED_WINDOW FIXED_WINDOW}: if limit or period
   *       changes, the window in force is cut short at {@code c} and a new window starts there,
   *       holding the permits already granted in the cut window (at most the new limit of them) and
   *       keeping later reservations after it.
   *   <li>{@code maxWait} and {@code holdOnServerBusy} apply from the next call; a hold in force
   *       stays.
   * </ul>
   *
   * <p>Takes no lock a caller takes: callers racing with it are admitted either before the change
   * (and counted in what carries over) or after it, never both and never lost.
   *
   * @throws NullPointerException if {@code config} is null
   * @throws IllegalArgumentException if {@code config} has another {@link
   *     RateLimiterConfig#algorithm() algorithm}; nothing is applied
   */
  @Override
  void reconfigure(RateLimiterConfig config);

  /**
   * Where this limiter's events are published: {@code CallPermitted}, {@code CallRejected}, {@code
   * CallsHeldBack} and {@code ConfigChanged}.
   */
  EventSource events();

  /** What the limiter looks like now: free permits, waiting callers, rejections so far. */
  Snapshot snapshot();

  /**
   * Takes one permit if one is free now; never waits, whatever {@link RateLimiterConfig#maxWait()}
   * says.
   *
   * @return true if a permit was taken
   */
  boolean tryAcquire();

  /**
   * Takes {@code permits} permits if they are all free now; never waits. Takes none otherwise.
   *
   * @return true if the permits were taken
   * @throws IllegalArgumentException if {@code permits} is below 1 or above the burst (for a fixed
   *     window, the limit): such a request could never succeed
   */
  boolean tryAcquire(int permits);

  /**
   * Reserves one permit without waiting and says how long the caller must wait before using it, in
   * nanoseconds; or reserves nothing and returns -1 if that wait would exceed {@link
   * RateLimiterConfig#maxWait()}. A reserved permit is spent: a caller that does not wait it out
   * exceeds the rate.
   *
   * @return the wait in nanoseconds (0 = use it now), or -1 if nothing was reserved
   */
  long reserveNanos();

  /**
   * Reserves one permit without waiting and says how long the caller must wait before using it; or
   * reserves nothing if that wait would exceed {@code maxWait}.
   *
   * @return the wait (zero = use it now), or empty if nothing was reserved
   * @throws NullPointerException if {@code maxWait} is null
   * @throws IllegalArgumentException if {@code maxWait} is negative or above 365 days
   */
  Optional<Duration> reserve(Duration maxWait);

  /**
   * Takes one permit, waiting for it through the scheduler for at most {@link
   * RateLimiterConfig#maxWait()}. If the wait would be longer, throws at once without waiting and
   * without taking a permit.
   *
   * @throws RateLimitedException if no permit is free within {@code maxWait}; its {@link
   *     RateLimitedException#retryAfter()} says when one will be
   * @throws InterruptedException if the thread is interrupted while waiting; the permit is then
   *     spent
   */
  void acquire() throws InterruptedException;

  /**
   * Holds back every caller of this limiter for {@code delay} from now: until then, callers wait
   * (if {@code maxWait} allows) or are rejected with the time left as {@code retryAfter}. Meant for
   * a server's pause ({@code 429 Too Many Requests} or {@code 503} with {@code Retry-After}). Holds
   * never shorten each other: the one that ends latest wins. A zero delay changes nothing.
   *
   * @throws NullPointerException if {@code delay} is null
   * @throws IllegalArgumentException if {@code delay} is negative or above 365 days
   */
  void holdFor(Duration delay);

  /**
   * {@link #holdFor(Duration)} in nanoseconds, for code that must not allocate: a negative or zero
   * delay changes nothing, one above 365 days holds for 365 days.
   */
  void holdForNanos(long delayNanos);

  /**
   * A limiter's state at one moment. Immutable; thread-safe.
   *
   * @param availablePermits permits a caller could take now without waiting (0 while held back or
   *     when permits are reserved ahead)
   * @param waitingCallers callers now waiting out a reserved permit (in {@code acquire}, or in a
   *     call through the limiter, synchronous or asynchronous)
   * @param rejectedCalls refusals since the limiter was created, of calls and of {@code
   *     tryAcquire}/{@code reserve}
   * @param timeUntilNextPermit how long until one permit is free (zero if one is free now)
   */
  record Snapshot(
      int availablePermits, int waitingCallers, long rejectedCalls, Duration timeUntilNextPermit) {
    /**
     * Checks that no component is null.
     *
     * @throws NullPointerException if {@code timeUntilNextPermit} is null
     */
    public Snapshot {
      Check.notNull("timeUntilNextPermit", timeUntilNextPermit);
    }
  }
}
