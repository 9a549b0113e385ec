package dev.bulwark.hedge;

import dev.bulwark.event.EventSource;
import dev.bulwark.event.HedgeRefused;
import dev.bulwark.event.HedgeStarted;
import dev.bulwark.hedge.HedgedCall.Outcome;
import dev.bulwark.internal.Check;
import dev.bulwark.retry.RetryBudget;
import dev.bulwark.retry.RetryBudgetConfig;
import dev.bulwark.spi.EventBus;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/*
 * Design. Each call races its attempts in one HedgedCall (see there for who wins what). This class
 * holds what calls share: the load cap, a RetryBudget used through its public API (a deposit per
 * call, a withdrawal per hedge: exactly "hedges <= floor(share x calls) over the window"); the
 * latency histogram; the statistics, in LongAdders so concurrent calls do not contend on one cache
 * line; and, with a percentile delay, the delay in force, recomputed by whichever call first finds
 * it due (a CAS on the due time picks it) while every other call uses the delay already there.
 */
final class RacingHedge implements Hedge {
  private static final VarHandle REFRESH_DUE;

  static {
    try {
      REFRESH_DUE =
          MethodHandles.lookup().findVarHandle(RacingHedge.class, "refreshDueNanos", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String name;
  private final HedgeConfig config;
  private final Clock clock;
  private final Scheduler scheduler;
  private final EventBus events = new EventBus();
  private final RetryBudget budget;
  private final @Nullable LatencyHistogram latencies; // null: a fixed delay
  private final int maxHedges;
  private final long fixedDelayNanos;
  private final long minDelayNanos;
  private final double percentile;
  private final int minSamples;
  private final long refreshNanos;

  private final LongAdder calls = new LongAdder();
  private final LongAdder successfulCalls = new LongAdder();
  private final LongAdder failedCalls = new LongAdder();
  private final LongAdder cancelledCalls = new LongAdder();
  private final LongAdder hedgesStarted = new LongAdder();
  private final LongAdder hedgesWon = new LongAdder();
  private final LongAdder hedgesRefused = new LongAdder();

  private volatile long delayNanos;
  private volatile long refreshDueNanos;

  RacingHedge(String name, HedgeConfig config, Clock clock, Scheduler scheduler) {
    this.name = name;
    this.config = config;
    this.clock = clock;
    this.scheduler = scheduler;
    this.maxHedges = config.maxHedges();
    this.fixedDelayNanos = config.delay().toNanos();
    this.minDelayNanos = config.minDelay().toNanos();
    this.percentile = config.delayPercentile().orElse(Double.NaN);
    this.minSamples = config.minSamples();
    long windowNanos = config.window().toNanos();
    this.refreshNanos = windowNanos / 10;
    long now = clock.nanoTime();
    this.latencies = Double.isNaN(percentile) ? null : new LatencyHistogram(now, windowNanos);
    this.budget =
        RetryBudget.of(
            RetryBudgetConfig.builder()
                .ratio(config.maxExtraLoad())
                .minRetriesPerSecond(0)
                .window(config.window())
                .build(),
            clock);
    this.delayNanos = fixedDelayNanos;
    this.refreshDueNanos = now;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public HedgeConfig config() {
    return config;
  }

  @Override
  public EventSource events() {
    return events.view();
  }

  @Override
  public <T> T execute(Callable<T> call, Next next) throws Exception {
    Check.notNull("call", call);
    Check.notNull("next", next);
    long now = clock.nanoTime();
    calls.increment();
    budget.deposit();
    SyncHedgedCall<T> hedged =
        new SyncHedgedCall<>(this, call, next, config.executor(), now, delayNanos(now));
    hedged.start();
    try {
      return hedged.result.get();
    } catch (InterruptedException e) {
      hedged.result.cancel(true); // cancels every attempt
      Thread.currentThread().interrupt();
      throw e;
    } catch (ExecutionException e) {
      Throwable failure = e.getCause();
      if (failure instanceof Error) {
        throw (Error) failure;
      }
      throw (Exception) failure; // attempts are Callables: nothing else can fail them
    }
  }

  @Override
  public <T> CompletionStage<T> executeAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
    Check.notNull("call", call);
    Check.notNull("next", next);
    long now = clock.nanoTime();
    calls.increment();
    budget.deposit();
    AsyncHedgedCall<T> hedged = new AsyncHedgedCall<>(this, call, next, now, delayNanos(now));
    hedged.start();
    return hedged.result;
  }

  @Override
  public Statistics statistics() {
    long now = clock.nanoTime();
    return new Statistics(
        calls.sum(),
        successfulCalls.sum(),
        failedCalls.sum(),
        cancelledCalls.sum(),
        hedgesStarted.sum(),
        hedgesWon.sum(),
        hedgesRefused.sum(),
        Duration.ofNanos(delayNanos(now)),
        latencies == null ? 0 : latencies.samples(now));
  }

  /** The delay before a call's first hedge, for a call starting at {@code now}. */
  private long delayNanos(long now) {
    if (latencies == null) {
      return fixedDelayNanos;
    }
    long due = refreshDueNanos;
    // CAS on the due time: the call that moves it recomputes the delay; the others use the last
    if (now - due >= 0 && REFRESH_DUE.compareAndSet(this, due, now + refreshNanos)) {
      long samples = latencies.samples(now);
      long measured = samples < minSamples ? -1 : latencies.percentile(percentile, now);
      delayNanos = measured < 0 ? fixedDelayNanos : Math.max(minDelayNanos, measured);
    }
    return delayNanos;
  }

  int maxHedges() {
    return maxHedges;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  long nanoTime() {
    return clock.nanoTime();
  }

  /** Asks the load cap for attempt number {@code attempt}; counts and reports a refusal. */
  boolean tryHedge(int attempt) {
    if (budget.tryWithdraw()) {
      return true;
    }
    hedgesRefused.increment();
    if (events.hasListeners(HedgeRefused.class)) {
      events.publish(new HedgeRefused(name, attempt, clock.wallTime()));
    }
    return false;
  }

  void hedgeStarted(int attempt, long elapsedNanos) {
    hedgesStarted.increment();
    if (events.hasListeners(HedgeStarted.class)) {
      events.publish(
          new HedgeStarted(name, attempt, Duration.ofNanos(elapsedNanos), clock.wallTime()));
    }
  }

  void recordLatency(long latencyNanos, long nowNanos) {
    if (latencies != null) {
      latencies.record(latencyNanos, nowNanos);
    }
  }

  void recordOutcome(Outcome outcome, boolean hedgeWon) {
    switch (outcome) {
      case SUCCESS:
        successfulCalls.increment();
        if (hedgeWon) {
          hedgesWon.increment();
        }
        break;
      case FAILURE:
        failedCalls.increment();
        break;
      default:
        cancelledCalls.increment();
    }
  }

  @Override
  public String toString() {
    return "Hedge[" + name + ", " + config + "]";
  }
}
