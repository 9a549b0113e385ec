package dev.bulwark.hedge;

import dev.bulwark.event.EventSource;
import dev.bulwark.internal.Check;
import dev.bulwark.policy.Policy;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.time.Duration;

/**
 * Starts another attempt of a call that has not answered after a delay, takes the first attempt
 * that succeeds and cancels the others: it cuts the tail latency of calls to a service whose slow
 * answers are the exception (one slow replica, a garbage-collection pause, a lost packet), at the
 * price of a bounded share of extra calls.
 *
 * {@snippet :
 * Hedge hedge =
 *     Hedge.of("search", HedgeConfig.builder().delayPercentile(95.0).maxExtraLoad(0.05).build());
 * CompletionStage<HttpResponse<String>> response =
 *     hedge.callAsync(() -> client.sendAsync(request, BodyHandlers.ofString()));
 * }
 *
 * <p>Hedge only calls that are safe to make twice (reads, idempotent writes): every attempt may
 * reach the service, even those that lose.
 *
 * <p><b>Asynchronous calls</b> (the natural mode). The primary attempt starts at once, through the
 * rest of the pipeline. A timer on the {@link Scheduler} fires after the {@link HedgeConfig#delay()
 * delay}; if the call has not ended, hedges remain ({@link HedgeConfig#maxHedges()}) and the load
 * cap allows one (see {@link HedgeConfig#maxExtraLoad()}), it starts another attempt the same way,
 * on the scheduler's {@link Scheduler#completionExecutor() completion executor}, never on its timer
 * thread (the supplier should still start its work and return, as {@code HttpClient.sendAsync}
 * does), and sets the timer again for the next hedge. When the load cap refuses a hedge, the call
 * starts no more hedges.
 *
 * <ul>
 *   <li>The first attempt to succeed completes the call with its value. Every other attempt still
 *       running is cancelled: {@code cancel(true)} on the {@code CompletableFuture} of the stage
 *       its supplier returned (for {@code HttpClient.sendAsync}, this aborts the exchange), and the
 *       timer is cancelled. An outcome that arrives later is dropped.
 *   <li>A failed attempt does not end the call while another attempt is running. When every attempt
 *       started has failed, the call fails at once (no hedge is started afterwards; a hedge is not
 *       a retry) with the failure of the attempt that failed <b>last</b>, unwrapped, with the
 *       failures of the other attempts attached to it as suppressed exceptions in the order the
 *       attempts started. The last failure is the freshest word on the service, and the suppressed
 *       ones keep the others in the stack trace.
 *   <li>If the caller cancels the returned stage's future, or completes it, every attempt is
 *       cancelled and no hedge starts.
 * </ul>
 *
 * Whichever comes first — two attempts succeeding at once, the timer firing as the call ends, the
 * caller cancelling — the call is completed once, its outcome counted once, and its losers
 * cancelled.
 *
 * <p><b>Synchronous calls</b> need a thread per attempt to race them: every attempt, the primary
 * too, runs on the {@link HedgeConfig#executor() executor} while the caller waits for the outcome,
 * which is decided as for asynchronous calls. Losing attempts are interrupted ({@code
 * Future.cancel(true)}). If the waiting caller is interrupted, every attempt is cancelled and
 * {@code InterruptedException} is thrown with the caller's interrupt status restored. Each attempt
 * costs a hand-off to another thread, so prefer the asynchronous mode where the call can be
 * asynchronous.
 *
 * <p><b>Delay.</b> A fixed {@link HedgeConfig#delay()}, or, with {@link
 * HedgeConfig#delayPercentile()}, that percentile of the latencies of recent successful attempts
 * (measured on the {@link Clock} from an attempt's start to its success, hand-off included; each
 * successful attempt counts, winner or not), floored at {@link HedgeConfig#minDelay()}. The
 * latencies are kept in a fixed-size log-linear histogram, so the percentile used is within 1/32
 * (3.2%) of the exact nearest-rank percentile of the latencies recorded, for latencies below 2^40
 * ns (about 18 minutes); it covers the current and the previous {@link HedgeConfig#window()}, and
 * is recomputed at most once per tenth of a window. Until {@link HedgeConfig#minSamples()}
 * latencies are held, the fixed delay is used. Attempts cancelled for losing are not measured, so
 * the samples lean fast once hedging is frequent; the load cap bounds what that can cost.
 *
 * <p><b>Load cap.</b> Each call counts into a {@link dev.bulwark.retry.RetryBudget} with ratio
 * {@link HedgeConfig#maxExtraLoad()}, no reserve, and the hedge's window, and each hedge must be
 * withdrawn from it: over the window, {@code hedges <= floor(maxExtraLoad × calls)} holds at every
 * hedge, exactly, even under races.
 *
 * <p><b>Cost.</b> A call allocates its result future, one small object tracking its attempts (with
 * arrays of {@code maxHedges + 1} slots), the scheduler's timer task, and per attempt one
 * completion callback (synchronous attempts: one {@code FutureTask}); a call that ends before the
 * delay allocates no more. Taking a percentile allocates nothing, and reads about 1,200 counters
 * once per tenth of a window.
 *
 * <p>Events: {@code HedgeStarted} for each hedge started, {@code HedgeRefused} when the load cap
 * refuses one; each is built only if someone listens to its kind.
 *
 * <p>Thread-safe.
 */
public interface Hedge extends Policy {

  /**
   * The registry's description of hedges: settings, snapshot, eviction, pipeline rank; pass it to
   * {@code Resilience.get(KIND, name)}.
   */
  PolicyKind<Hedge, HedgeConfig, HedgeConfig.Builder> KIND = HedgeKind.KIND;

  /**
   * A hedge named {@code name} on the system clock and scheduler.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static Hedge of(String name, HedgeConfig config) {
    return of(name, config, Clock.system(), Scheduler.system());
  }

  /**
   * A hedge named {@code name} that reads {@code clock} and sets its timers on {@code scheduler}.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static Hedge of(String name, HedgeConfig config, Clock clock, Scheduler scheduler) {
    return new RacingHedge(
        Check.name(name),
        Check.notNull("config", config),
        Check.notNull("clock", clock),
        Check.notNull("scheduler", scheduler));
  }

  /**
   * A hedge named {@code name} with {@link HedgeConfig#ofDefaults()}, on the system clock and
   * scheduler.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static Hedge ofDefaults(String name) {
    return of(name, HedgeConfig.ofDefaults());
  }

  /** This hedge's configuration. Thread-safe. */
  HedgeConfig config();

  /**
   * Where to listen to this hedge's events: {@code HedgeStarted} and {@code HedgeRefused}.
   * Thread-safe.
   */
  EventSource events();

  /** Counts of calls and hedges since this hedge was created, and the delay in use. Thread-safe. */
  Statistics statistics();

  /**
   * Counts of calls through a {@link Hedge} and of their hedges. Read while calls run, the counts
   * are each exact but not taken at one instant.
   *
   * @param calls calls started
   * @param successfulCalls calls that ended with an attempt's value
   * @param failedCalls calls that ended because every attempt failed
   * @param cancelledCalls calls ended by their caller (cancelled, interrupted or completed by hand)
   * @param hedgesStarted hedges started (attempts beyond the primary)
   * @param hedgesWon successful calls whose value came from a hedge, not the primary
   * @param hedgesRefused hedges the load cap refused
   * @param delay the delay a call starting now would wait before its first hedge
   * @param latencySamples successful attempt latencies held for the percentile (0 with a fixed
   *     delay)
   */
  record Statistics(
      long calls,
      long successfulCalls,
      long failedCalls,
      long cancelledCalls,
      long hedgesStarted,
      long hedgesWon,
      long hedgesRefused,
      Duration delay,
      long latencySamples) {

    /**
     * Checks the one reference component.
     *
     * @throws NullPointerException if {@code delay} is null
     */
    public Statistics {
      Check.notNull("delay", delay);
    }
  }
}
