package dev.bulwark.micrometer;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import dev.bulwark.Resilience;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.StateChanged;
import dev.bulwark.event.CallsHeldBack;
import dev.bulwark.event.EventListener;
import dev.bulwark.event.EventSource;
import dev.bulwark.event.FallbackServed;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.event.RetriesExhausted;
import dev.bulwark.event.RetryBudgetExhausted;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.retry.Retry;
import dev.bulwark.time.Clock;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Logs what an operator wants to read about a {@link Resilience} registry's policies through {@link
 * System.Logger}, so it reaches SLF4J, Log4j or {@code java.util.logging} as the application routes
 * it:
 *
 * <ul>
 *   <li>breaker transitions (logger {@code dev.bulwark.circuitbreaker}): to {@code OPEN}, {@code
 *       FORCED_OPEN} or {@code DISABLED} at {@code WARNING}, to {@code HALF_OPEN} or {@code CLOSED}
 *       at {@code INFO}; on by default;
 *   <li>server holds ({@code dev.bulwark.ratelimit}): a limiter holding every call back after a
 *       server's {@code Retry-After}, at {@code WARNING}; on by default;
 *   <li>exhausted retries ({@code dev.bulwark.retry}): a call that gave up, with its last failure's
 *       message (never a stack trace), at {@code WARNING}; off by default;
 *   <li>fallbacks served ({@code dev.bulwark.fallback}): the rung and the failure replaced, at
 *       {@code INFO}; off by default.
 * </ul>
 *
 * <p><b>An outage cannot flood the log.</b> Each of the four kinds logs at most {@link
 * Builder#maxPerInterval} messages per {@link Builder#interval} (default 20 a minute); the rest are
 * counted, and the next message that passes says how many were left out.
 *
 * {@snippet :
 * BulwarkLogs logs = BulwarkLogs.builder().exhaustedRetries(true).attach(resilience);
 * }
 *
 * <p>Logging happens on the thread that caused the event (a caller's), after the decision, never
 * inside a policy's lock-free step; nothing is formatted unless the logger's level lets it through.
 * Costs a successful call nothing: only state changes, holds, exhausted retries and fallbacks are
 * listened to.
 *
 * <p>Thread-safe.
 */
public final class BulwarkLogs implements AutoCloseable {

  private final PolicyWatch watch;

  private BulwarkLogs(Builder b, Resilience resilience) {
    Clock clock = resilience.clock();
    Channel breakers = b.stateChanges ? new Channel("dev.bulwark.circuitbreaker", b, clock) : null;
    Channel holds = b.serverHolds ? new Channel("dev.bulwark.ratelimit", b, clock) : null;
    Channel retries = b.exhaustedRetries ? new Channel("dev.bulwark.retry", b, clock) : null;
    Channel fallbacks = b.fallbacks ? new Channel("dev.bulwark.fallback", b, clock) : null;
    this.watch =
        new PolicyWatch(
            resilience,
            policy -> {
              if (policy instanceof CircuitBreaker && breakers != null) {
                return listen(
                    ((CircuitBreaker) policy).events(),
                    Set.of(StateChanged.class),
                    e -> breakerChanged(breakers, (StateChanged) e));
              } else if (policy instanceof RateLimiter && holds != null) {
                return listen(
                    ((RateLimiter) policy).events(),
                    Set.of(CallsHeldBack.class),
                    e -> {
                      CallsHeldBack held = (CallsHeldBack) e;
                      holds.log(
                          WARNING,
                          () ->
                              "rate limiter '"
                                  + held.policyName()
                                  + "' holds every call back for "
                                  + held.duration()
                                  + ": the server asked for a pause");
                    });
              } else if (policy instanceof Retry && retries != null) {
                return listen(
                    ((Retry) policy).events(),
                    Set.of(RetriesExhausted.class, RetryBudgetExhausted.class),
                    e -> retryGaveUp(retries, e));
              } else if (policy instanceof Fallback && fallbacks != null) {
                return listen(
                    ((Fallback<?>) policy).events(),
                    Set.of(FallbackServed.class),
                    e -> {
                      FallbackServed served = (FallbackServed) e;
                      fallbacks.log(
                          INFO,
                          () ->
                              "fallback '"
                                  + served.policyName()
                                  + "' served rung '"
                                  + served.rung()
                                  + "' in place of "
                                  + describe(served.failure()));
                    });
              }
              return null;
            });
  }

  /**
   * Logs breaker transitions and server holds of every policy {@code resilience} holds now or makes
   * later, with the defaults: 20 messages a minute per kind at most.
   *
   * @throws NullPointerException if {@code resilience} is null
   */
  public static BulwarkLogs attach(Resilience resilience) {
    return builder().attach(resilience);
  }

  /** A builder holding the defaults. Thread-safe. */
  public static Builder builder() {
    return new Builder();
  }

  /** Stops logging. Idempotent. Thread-safe. */
  @Override
  public void close() {
    watch.close();
  }

  private static Runnable listen(
      EventSource source, Set<Class<? extends PolicyEvent>> types, EventListener listener) {
    source.subscribe(listener, types);
    return () -> source.unsubscribe(listener);
  }

  private static void breakerChanged(Channel channel, StateChanged change) {
    Level level;
    switch (change.to()) {
      case OPEN:
      case FORCED_OPEN:
      case DISABLED:
        level = WARNING;
        break;
      default:
        level = INFO;
    }
    channel.log(
        level,
        () ->
            "circuit breaker '"
                + change.policyName()
                + "' "
                + change.from()
                + " -> "
                + change.to());
  }

  private static void retryGaveUp(Channel channel, PolicyEvent event) {
    if (event instanceof RetryBudgetExhausted) {
      RetryBudgetExhausted e = (RetryBudgetExhausted) event;
      channel.log(
          WARNING,
          () ->
              "retry '"
                  + e.policyName()
                  + "' stopped after "
                  + e.attempts()
                  + " attempts: the retry budget refused another; last "
                  + describe(e.lastFailure()));
    } else {
      RetriesExhausted e = (RetriesExhausted) event;
      channel.log(
          WARNING,
          () ->
              "retry '"
                  + e.policyName()
                  + "' gave up after "
                  + e.attempts()
                  + " attempts; last "
                  + describe(e.lastFailure()));
    }
  }

  private static String describe(@Nullable Throwable failure) {
    return failure == null ? "a result to retry or replace" : failure.toString();
  }

  /**
   * One logger and its rate limit. The window is a start time and a count: the thread whose CAS
   * moves the start opens a new window and resets the count; a message counted by a racing thread
   * in between may land in either window, which only blurs the limit by a message or two.
   */
  static final class Channel {
    private final Logger logger;
    private final Clock clock;
    private final long intervalNanos;
    private final int maxPerInterval;
    private final AtomicLong windowStart;
    private final AtomicInteger used = new AtomicInteger();
    private final AtomicLong suppressed = new AtomicLong();

    Channel(String loggerName, Builder b, Clock clock) {
      this.logger = System.getLogger(loggerName);
      this.clock = clock;
      this.intervalNanos = b.interval.toNanos();
      this.maxPerInterval = b.maxPerInterval;
      this.windowStart = new AtomicLong(clock.nanoTime());
    }

    void log(Level level, java.util.function.Supplier<String> message) {
      if (!logger.isLoggable(level)) {
        return;
      }
      long now = clock.nanoTime();
      long start = windowStart.get();
      if (now - start >= intervalNanos && windowStart.compareAndSet(start, now)) {
        used.set(0); // the CAS winner opens the new window
      }
      if (used.incrementAndGet() > maxPerInterval) {
        suppressed.incrementAndGet();
        return;
      }
      long left = suppressed.getAndSet(0);
      if (left == 0) {
        logger.log(level, message);
      } else {
        logger.log(
            level,
            () -> message.get() + " (" + left + " similar messages left out before this one)");
      }
    }
  }

  /**
   * Builds {@link BulwarkLogs}.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private boolean stateChanges = true;
    private boolean serverHolds = true;
    private boolean exhaustedRetries;
    private boolean fallbacks;
    private int maxPerInterval = 20;
    private Duration interval = Duration.ofMinutes(1);

    private Builder() {}

    /** Whether to log breaker transitions. Default true. */
    public Builder stateChanges(boolean log) {
      this.stateChanges = log;
      return this;
    }

    /** Whether to log a rate limiter holding calls back for a server. Default true. */
    public Builder serverHolds(boolean log) {
      this.serverHolds = log;
      return this;
    }

    /** Whether to log calls whose retries were exhausted. Default false. */
    public Builder exhaustedRetries(boolean log) {
      this.exhaustedRetries = log;
      return this;
    }

    /** Whether to log fallbacks served. Default false. */
    public Builder fallbacks(boolean log) {
      this.fallbacks = log;
      return this;
    }

    /**
     * The most messages of one kind (transitions, holds, retries, fallbacks) per {@link #interval}.
     * Default 20.
     *
     * @throws IllegalArgumentException if {@code messages} is not in [1, 1000000]
     */
    public Builder maxPerInterval(int messages) {
      if (messages < 1 || messages > 1_000_000) {
        throw new IllegalArgumentException(
            "maxPerInterval must be in [1, 1000000], was " + messages);
      }
      this.maxPerInterval = messages;
      return this;
    }

    /**
     * The window {@link #maxPerInterval} counts in. Default 1 minute.
     *
     * @throws IllegalArgumentException if {@code window} is not positive
     * @throws NullPointerException if {@code window} is null
     */
    public Builder interval(Duration window) {
      Objects.requireNonNull(window, "interval must not be null");
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("interval must be positive, was " + window);
      }
      this.interval = window;
      return this;
    }

    /**
     * Starts logging the policies {@code resilience} holds now or makes later.
     *
     * @throws NullPointerException if {@code resilience} is null
     */
    public BulwarkLogs attach(Resilience resilience) {
      return new BulwarkLogs(
          this, Objects.requireNonNull(resilience, "resilience must not be null"));
    }
  }
}
