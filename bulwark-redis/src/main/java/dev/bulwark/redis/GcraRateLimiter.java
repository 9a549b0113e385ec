package dev.bulwark.redis;

import dev.bulwark.event.CallPermitted;
import dev.bulwark.event.CallRejected;
import dev.bulwark.event.CallsHeldBack;
import dev.bulwark.event.ConfigChanged;
import dev.bulwark.event.EventSource;
import dev.bulwark.ratelimit.RateLimitedException;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.ratelimit.ServerBusyException;
import dev.bulwark.spi.EventBus;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/*
 * A fleet rate limiter: GCRA on one Redis key, in one Lua script, one round trip per request.
 *
 * The key holds the bucket's "theoretical arrival time" (TAT) in Redis microseconds. A request for
 * n permits at Redis time `now` (from TIME, inside the script) computes tat' = max(TAT, now) +
 * n × interval; it is granted, with a wait of max(0, tat' − burst × interval − now), if that wait
 * is within the caller's maxWait, and then the key is set to tat' with an expiry of tat' − now:
 * the key disappears exactly when the bucket is full again, so idle limiters cost Redis nothing.
 * A refusal writes nothing and returns −1 − wait. Redis runs a script alone, so racing requests
 * from any number of instances are serialized there and none is lost or counted twice.
 *
 * The caller's thread waits for the answer at most the command timeout (and Lettuce times the
 * command out by itself at the same bound); any failure or timeout flips the RedisSwitch and the
 * request is decided by the fallback: a local limiter with this instance's share, or allow all,
 * or deny all. Times on this side are nanoseconds; the script's are microseconds.
 */
final class GcraRateLimiter implements RateLimiter {

  static final Script ACQUIRE =
      new Script(
          """
          local interval = tonumber(ARGV[1])
          local capacity = tonumber(ARGV[2])
          local permits = tonumber(ARGV[3])
          local max_wait = tonumber(ARGV[4])
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
          local tat = tonumber(redis.call('GET', KEYS[1]))
          if tat == nil or tat < now then tat = now end
          local new_tat = tat + permits * interval
          local wait = new_tat - capacity - now
          if wait > max_wait then return -1 - wait end
          if wait < 0 then wait = 0 end
          redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
          return wait
          """);

  static final Script PEEK =
      new Script(
          """
          local interval = tonumber(ARGV[1])
          local capacity = tonumber(ARGV[2])
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
          local tat = tonumber(redis.call('GET', KEYS[1]))
          if tat == nil or tat < now then tat = now end
          local available = math.floor((now + capacity - tat) / interval)
          if available < 0 then available = 0 end
          local wait = tat + interval - capacity - now
          if wait < 0 then wait = 0 end
          return {available, wait}
          """);

  /*
   * Leases: a single permit asked with leases on takes up to `lease` permits at once if the bucket
   * holds them (never waiting for the extra ones), returns {permits taken, wait}; with fewer than
   * two free it is ACQUIRE for one permit. The extra permits are handed out here, without Redis,
   * until they run out or expire.
   */
  static final Script LEASE =
      new Script(
          """
          local interval = tonumber(ARGV[1])
          local capacity = tonumber(ARGV[2])
          local lease = tonumber(ARGV[3])
          local max_wait = tonumber(ARGV[4])
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
          local tat = tonumber(redis.call('GET', KEYS[1]))
          if tat == nil or tat < now then tat = now end
          local available = math.floor((now + capacity - tat) / interval)
          local n = 1
          if available > 1 then n = math.min(lease, available) end
          local new_tat = tat + n * interval
          local wait = new_tat - capacity - now
          if wait > max_wait then return {0, -1 - wait} end
          if wait < 0 then wait = 0 end
          redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
          return {n, wait}
          """);

  /** Permits taken from Redis and not handed out yet, usable until {@code expiresNanos}. */
  private static final class Lease {
    final AtomicInteger left;
    final long expiresNanos;

    Lease(int left, long expiresNanos) {
      this.left = new AtomicInteger(left);
      this.expiresNanos = expiresNanos;
    }

    /** Takes one permit if one is left and the lease has not expired at {@code now}. */
    boolean take(long now) {
      if (now - expiresNanos >= 0) {
        return false;
      }
      for (int n = left.get(); n > 0; n = left.get()) {
        if (left.compareAndSet(n, n - 1)) {
          return true;
        }
      }
      return false;
    }
  }

  private static final String ONE = "1";
  private static final String NO_WAIT = "0";
  private static final long MAX_HOLD_NANOS = Check.MAX_DURATION.toNanos();

  private final RedisFleet fleet;
  private final String name;
  private final String key;
  private final Clock clock;
  private final Scheduler scheduler;
  private final long timeoutNanos;
  private final EventBus events = new EventBus();
  private final RedisSwitch redis;
  private final RateLimiter local;
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong holdUntilNanos;
  private final int lease;
  private final String leaseArg;
  private final java.util.concurrent.atomic.AtomicReference<
          @org.jspecify.annotations.Nullable Lease>
      leased = new java.util.concurrent.atomic.AtomicReference<>();
  private volatile Params params;

  /** A configuration and the script's arguments for it, computed once. Immutable. */
  private static final class Params {
    final RateLimiterConfig config;
    final String interval; // microseconds between two permits
    final String capacity; // burst × interval, microseconds
    final String maxWait; // microseconds
    final long maxWaitNanos;
    final long intervalNanos;

    Params(RateLimiterConfig config) {
      this.config = config;
      long periodMicros = checkLimit(config);
      long intervalMicros = (periodMicros + config.limit() - 1) / config.limit();
      this.interval = Long.toString(intervalMicros);
      this.intervalNanos = TimeUnit.MICROSECONDS.toNanos(intervalMicros);
      this.capacity = Long.toString(Math.multiplyExact(intervalMicros, (long) config.burst()));
      this.maxWaitNanos = config.maxWait().toNanos();
      this.maxWait = Long.toString(TimeUnit.NANOSECONDS.toMicros(maxWaitNanos));
    }
  }

  /**
   * The period in microseconds, if the limit is at most one permit per microsecond of it.
   *
   * @throws IllegalArgumentException if it is more
   */
  static long checkLimit(RateLimiterConfig config) {
    long periodMicros = TimeUnit.NANOSECONDS.toMicros(config.period().toNanos());
    if (config.limit() > periodMicros) {
      throw new IllegalArgumentException(
          "limit must be in [1, "
              + periodMicros
              + "] (one permit per microsecond of period "
              + config.period()
              + ") for a fleet rate limiter, was "
              + config.limit());
    }
    return periodMicros;
  }

  GcraRateLimiter(RedisFleet fleet, String name, RateLimiterConfig config) {
    this(fleet, name, config, 1);
  }

  GcraRateLimiter(RedisFleet fleet, String name, RateLimiterConfig config, int lease) {
    if (config.algorithm() != RateLimiterConfig.Algorithm.TOKEN_BUCKET) {
      throw new IllegalArgumentException(
          "algorithm must be TOKEN_BUCKET for a fleet rate limiter, was " + config.algorithm());
    }
    this.fleet = fleet;
    this.name = name;
    this.key = fleet.key("rl", name);
    this.clock = fleet.clock();
    this.scheduler = fleet.scheduler();
    this.timeoutNanos = fleet.commandTimeout().toNanos();
    this.params = new Params(config);
    this.redis = new RedisSwitch(fleet, name, key, events);
    this.local = RateLimiter.of(name, share(config), clock, scheduler);
    this.holdUntilNanos = new AtomicLong(clock.nanoTime());
    this.lease = lease;
    this.leaseArg = Integer.toString(lease);
  }

  /** This instance's share of {@code config}: limit and burst over the expected instances. */
  private RateLimiterConfig share(RateLimiterConfig config) {
    int n = fleet.expectedInstances();
    return config.toBuilder()
        .limit(Math.max(1, config.limit() / n))
        .burst(Math.max(1, config.burst() / n))
        .build();
  }

  // ------------------------------------------------------------------ permits

  /** Reserves permits: the wait in nanos (>= 0), or -1 - (time until a permit is free). */
  private long reserve(int permits, long maxWaitNanos, String maxWaitMicros) {
    long now = clock.nanoTime();
    long held = holdUntilNanos.get() - now;
    if (held > 0) {
      if (held - maxWaitNanos > 0) {
        return -1 - held;
      }
      maxWaitNanos -= held;
      maxWaitMicros = Long.toString(TimeUnit.NANOSECONDS.toMicros(maxWaitNanos));
    } else {
      held = 0;
    }
    if (lease > 1 && permits == 1) {
      Lease l = leased.get();
      if (l != null && l.take(now)) {
        return held;
      }
    }
    long wait =
        !redis.onRedis()
            ? Long.MIN_VALUE
            : lease > 1 && permits == 1
                ? onRedisLeasing(maxWaitMicros)
                : onRedis(permits, maxWaitMicros);
    if (wait == Long.MIN_VALUE) {
      wait = onFallback(permits, maxWaitNanos);
    }
    return wait < 0 ? wait : Math.max(wait, held);
  }

  /** Asks Redis; Long.MIN_VALUE if it failed or did not answer in time (then it fell back). */
  private long onRedis(int permits, String maxWaitMicros) {
    Params p = params;
    CompletableFuture<Long> answer =
        fleet.eval(
            ACQUIRE,
            ScriptOutputType.INTEGER,
            key,
            p.interval,
            p.capacity,
            permits == 1 ? ONE : Integer.toString(permits),
            maxWaitMicros);
    try {
      return fromMicros(answer.get(timeoutNanos, TimeUnit.NANOSECONDS));
    } catch (ExecutionException e) {
      redis.failed(e.getCause() == null ? e : e.getCause());
    } catch (TimeoutException e) {
      answer.cancel(false);
      redis.failed(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // decided locally; the caller sees its interrupt
      answer.cancel(false);
    }
    return Long.MIN_VALUE;
  }

  /** Asks Redis for a lease; as {@link #onRedis}, keeping the extra permits taken. */
  private long onRedisLeasing(String maxWaitMicros) {
    Params p = params;
    CompletableFuture<List<Long>> answer =
        fleet.eval(
            LEASE, ScriptOutputType.MULTI, key, p.interval, p.capacity, leaseArg, maxWaitMicros);
    try {
      List<Long> r = answer.get(timeoutNanos, TimeUnit.NANOSECONDS);
      long taken = r.get(0);
      if (taken > 1) { // the extras last as long as the bucket takes to refill them
        leased.set(new Lease((int) taken - 1, clock.nanoTime() + taken * p.intervalNanos));
      }
      return fromMicros(r.get(1));
    } catch (ExecutionException e) {
      redis.failed(e.getCause() == null ? e : e.getCause());
    } catch (TimeoutException e) {
      answer.cancel(false);
      redis.failed(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      answer.cancel(false);
    }
    return Long.MIN_VALUE;
  }

  /** The script's answer in nanos: a wait, or -1 - retry-after. */
  private static long fromMicros(long micros) {
    return micros >= 0 ? micros * 1_000 : -1 - (-1 - micros) * 1_000;
  }

  private long onFallback(int permits, long maxWaitNanos) {
    switch (fleet.fallback()) {
      case ALLOW_ALL:
        return 0;
      case DENY_ALL:
        return -1 - fleet.probeInterval().toNanos();
      case LOCAL_SHARE:
      default:
        if (permits > local.config().burst()) {
          return -1 - local.snapshot().timeUntilNextPermit().toNanos();
        }
        if (permits > 1) {
          return local.tryAcquire(permits)
              ? 0
              : -1 - local.snapshot().timeUntilNextPermit().toNanos();
        }
        Optional<Duration> wait = local.reserve(Duration.ofNanos(maxWaitNanos));
        return wait.isPresent()
            ? wait.get().toNanos()
            : -1 - local.snapshot().timeUntilNextPermit().toNanos();
    }
  }

  @Override
  public boolean tryAcquire() {
    return decided(reserve(1, 0, NO_WAIT)) >= 0;
  }

  @Override
  public boolean tryAcquire(int permits) {
    int burst = params.config.burst();
    if (permits < 1 || permits > burst) {
      throw new IllegalArgumentException(
          "permits must be in [1, " + burst + "] (burst), was " + permits);
    }
    return decided(reserve(permits, 0, NO_WAIT)) >= 0;
  }

  @Override
  public long reserveNanos() {
    Params p = params;
    long result = decided(reserve(1, p.maxWaitNanos, p.maxWait));
    return result >= 0 ? result : -1;
  }

  @Override
  public Optional<Duration> reserve(Duration maxWait) {
    Check.nonNegative("maxWait", maxWait);
    long nanos = maxWait.toNanos();
    long result = decided(reserve(1, nanos, Long.toString(TimeUnit.NANOSECONDS.toMicros(nanos))));
    return result >= 0 ? Optional.of(Duration.ofNanos(result)) : Optional.empty();
  }

  @Override
  public void acquire() throws InterruptedException {
    Params p = params;
    long wait = reserve(1, p.maxWaitNanos, p.maxWait);
    if (wait < 0) {
      throw rejection(-1 - wait);
    }
    if (wait > 0) {
      waiting.incrementAndGet();
      try {
        scheduler.sleep(wait);
      } finally {
        waiting.decrementAndGet();
      }
    }
    if (events.hasListeners(CallPermitted.class)) {
      events.publish(new CallPermitted(name, clock.wallTime()));
    }
  }

  /** Counts and publishes a decision of tryAcquire or reserve; returns it. */
  private long decided(long result) {
    if (result >= 0) {
      if (events.hasListeners(CallPermitted.class)) {
        events.publish(new CallPermitted(name, clock.wallTime()));
      }
    } else {
      rejected.incrementAndGet();
      if (events.hasListeners(CallRejected.class)) {
        events.publish(
            new CallRejected(
                name,
                new RateLimitedException(name, Duration.ofNanos(-1 - result)),
                clock.wallTime()));
      }
    }
    return result;
  }

  private RateLimitedException rejection(long retryAfterNanos) {
    rejected.incrementAndGet();
    RateLimitedException e = new RateLimitedException(name, Duration.ofNanos(retryAfterNanos));
    if (events.hasListeners(CallRejected.class)) {
      events.publish(new CallRejected(name, e, clock.wallTime()));
    }
    return e;
  }

  // ------------------------------------------------------------------ holds

  @Override
  public void holdFor(Duration delay) {
    Check.nonNegative("delay", delay);
    holdForNanos(delay.toNanos());
  }

  @Override
  public void holdForNanos(long delayNanos) {
    if (delayNanos <= 0) {
      return;
    }
    long delay = Math.min(delayNanos, MAX_HOLD_NANOS);
    long until = clock.nanoTime() + delay;
    while (true) { // the hold that ends latest wins
      long seen = holdUntilNanos.get();
      if (seen - until >= 0) {
        return;
      }
      if (holdUntilNanos.compareAndSet(seen, until)) {
        if (events.hasListeners(CallsHeldBack.class)) {
          events.publish(new CallsHeldBack(name, Duration.ofNanos(delay), clock.wallTime()));
        }
        return;
      }
    }
  }

  // ------------------------------------------------------------------ the policy

  @Override
  public <T> T execute(Callable<T> call, Next next) throws Exception {
    Check.notNull("call", call);
    Check.notNull("next", next);
    acquire();
    try {
      return next.proceed(call);
    } catch (ServerBusyException e) {
      if (params.config.holdOnServerBusy()) {
        holdForNanos(e.retryAfterNanos());
      }
      throw e;
    }
  }

  @Override
  public <T> CompletionStage<T> executeAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
    Check.notNull("call", call);
    Check.notNull("next", next);
    CompletableFuture<T> result = new CompletableFuture<>();
    // decided on a completion thread, so a caller's thread never waits for Redis here
    CompletableFuture.runAsync(
        () -> {
          long wait = reserve(1, params.maxWaitNanos, params.maxWait);
          if (wait < 0) {
            result.completeExceptionally(rejection(-1 - wait));
            return;
          }
          Runnable start =
              () -> {
                if (result.isDone()) {
                  return; // cancelled while waiting: the call never starts
                }
                if (events.hasListeners(CallPermitted.class)) {
                  events.publish(new CallPermitted(name, clock.wallTime()));
                }
                CompletionStage<T> stage = next.proceed(call);
                stage.whenComplete(
                    (value, failure) -> {
                      if (failure == null) {
                        result.complete(value);
                      } else {
                        result.completeExceptionally(failure);
                      }
                    });
                result.whenComplete(
                    (value, failure) -> {
                      if (result.isCancelled()) {
                        stage.toCompletableFuture().cancel(true);
                      }
                    });
              };
          if (wait == 0) {
            start.run();
          } else {
            waiting.incrementAndGet();
            scheduler.schedule(
                () -> {
                  waiting.decrementAndGet();
                  scheduler.completionExecutor().execute(start);
                },
                wait);
          }
        },
        scheduler.completionExecutor());
    return result;
  }

  // ------------------------------------------------------------------ reading

  @Override
  public String name() {
    return name;
  }

  @Override
  public RateLimiterConfig config() {
    return params.config;
  }

  @Override
  public void reconfigure(RateLimiterConfig config) {
    Check.notNull("config", config);
    RateLimiterConfig previous = params.config;
    if (previous.equals(config)) {
      return;
    }
    if (config.algorithm() != previous.algorithm()) {
      throw new IllegalArgumentException(
          name
              + ": algorithm cannot change while the limiter runs (was "
              + previous.algorithm()
              + ", asked "
              + config.algorithm()
              + ")");
    }
    Params next = new Params(config); // checks before anything changes
    local.reconfigure(share(config));
    params = next;
    leased.set(null); // permits leased under the old limit are not handed out under the new one
    if (events.hasListeners(ConfigChanged.class)) {
      events.publish(new ConfigChanged(name, changed(previous, config), clock.wallTime()));
    }
  }

  private static Set<String> changed(RateLimiterConfig a, RateLimiterConfig b) {
    Set<String> changed = new LinkedHashSet<>();
    if (a.limit() != b.limit()) {
      changed.add("limit");
    }
    if (!a.period().equals(b.period())) {
      changed.add("period");
    }
    if (a.burst() != b.burst()) {
      changed.add("burst");
    }
    if (!a.maxWait().equals(b.maxWait())) {
      changed.add("maxWait");
    }
    if (a.holdOnServerBusy() != b.holdOnServerBusy()) {
      changed.add("holdOnServerBusy");
    }
    return changed;
  }

  /** Where this limiter's events are published, {@link FleetEvent}s among them. */
  @Override
  public EventSource events() {
    return events.view();
  }

  /**
   * The fleet's bucket as Redis sees it (one bounded round trip), or this instance's fallback when
   * Redis does not answer. Rejections and waiting callers are this instance's.
   */
  @Override
  public Snapshot snapshot() {
    if (redis.onRedis()) {
      Params p = params;
      CompletableFuture<List<Long>> answer =
          fleet.eval(PEEK, ScriptOutputType.MULTI, key, p.interval, p.capacity);
      try {
        List<Long> r = answer.get(timeoutNanos, TimeUnit.NANOSECONDS);
        return new Snapshot(
            (int) Math.min(Integer.MAX_VALUE, r.get(0)),
            waiting.get(),
            rejected.get(),
            Duration.ofNanos(r.get(1) * 1_000));
      } catch (ExecutionException | TimeoutException e) {
        answer.cancel(false);
        redis.failed(e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Snapshot s = local.snapshot();
    return new Snapshot(
        s.availablePermits(), waiting.get(), rejected.get(), s.timeUntilNextPermit());
  }

  /** True while Redis decides, false while the fallback does. */
  boolean onRedis() {
    return redis.onRedis();
  }

  @Override
  public String toString() {
    return "FleetRateLimiter[" + name + (redis.onRedis() ? ", on Redis" : ", local") + "]";
  }
}
