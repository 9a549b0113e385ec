package dev.bulwark.timeout;

import dev.bulwark.event.EventSource;
import dev.bulwark.internal.Check;
import dev.bulwark.policy.Policy;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;

/**
 * Cuts a call short when it runs longer than its {@link TimeoutConfig#timeout() timeout}, failing
 * it with a {@link TimeoutExceededException}.
 *
 * <p><b>Synchronous calls</b> run on the caller's thread, as they would without the timeout. A task
 * scheduled on the {@link Scheduler} at the deadline interrupts that thread (the task is cancelled
 * when the call finishes first). When the deadline passed, the caller always gets a {@code
 * TimeoutExceededException}, never the call's outcome, and the interrupt this timeout caused is
 * cleared so the thread is clean for its next task:
 *
 * <ul>
 *   <li>a call that honours the interrupt (blocking queues, {@code Thread.sleep}, {@code
 *       Object.wait}, interruptible channels, {@code java.net.http}) stops at once and its {@code
 *       InterruptedException} (or {@code InterruptedIOException}, {@code
 *       ClosedByInterruptException}) becomes the cause of the {@code TimeoutExceededException};
 *   <li>a call that swallows the interrupt, or is stuck in I/O that ignores interrupts (classic
 *       {@code java.net.Socket} reads, {@code java.io} file reads, JDBC drivers without a query
 *       timeout), <b>cannot be cut short</b>: the caller's thread stays in the call until it
 *       returns by itself. Then its late result or failure is dropped, published as a {@link
 *       dev.bulwark.event.LateOutcome LateOutcome} event, and the caller gets the {@code
 *       TimeoutExceededException}. Give such I/O its own socket or query timeout as well.
 * </ul>
 *
 * <p><b>Asynchronous calls</b>: at the deadline the returned stage completes exceptionally with a
 * {@code TimeoutExceededException} and, if {@link TimeoutConfig#cancelRunningFuture()}, the call's
 * future is cancelled; an outcome that arrives later is published as a {@code LateOutcome}. The
 * stage is completed on the scheduler's {@link Scheduler#completionExecutor() completion executor},
 * never on its timer thread, so a callback chained on it may block without delaying any other
 * deadline. Cancelling the returned stage cancels the deadline and the call's future.
 *
 * <p>Events: {@code CallRejected} (carrying the {@code TimeoutExceededException}) when a call is
 * cut short, {@code LateOutcome} when a dropped outcome arrives. A call through a timeout allocates
 * its deadline task; that is the price of scheduling one.
 *
 * <p>Thread-safe.
 */
public interface Timeout extends Policy {

  /**
   * The registry's description of timeouts: settings, snapshot, eviction, pipeline rank; pass it to
   * {@code Resilience.get(KIND, name)}.
   */
  PolicyKind<Timeout, TimeoutConfig, TimeoutConfig.Builder> KIND = TimeoutKind.KIND;

  /**
   * A timeout named {@code name} with {@code config}, on the system clock and scheduler.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static Timeout of(String name, TimeoutConfig config) {
    return of(name, config, Clock.system(), Scheduler.system());
  }

  /**
   * A timeout named {@code name} with {@code config}, whose deadlines are tasks on {@code
   * scheduler} and whose durations are read from {@code clock}.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static Timeout of(String name, TimeoutConfig config, Clock clock, Scheduler scheduler) {
    return new InterruptingTimeout(
        Check.name(name),
        Check.notNull("config", config),
        Check.notNull("clock", clock),
        Check.notNull("scheduler", scheduler));
  }

  /**
   * A timeout named {@code name} with the {@link TimeoutConfig#ofDefaults() default configuration}
   * (1 second).
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static Timeout ofDefaults(String name) {
    return of(name, TimeoutConfig.ofDefaults());
  }

  /** The configuration this timeout enforces. */
  TimeoutConfig config();

  /** Where this timeout's events can be listened to. */
  EventSource events();
}
