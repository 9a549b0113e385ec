package dev.bulwark.redis;

import dev.bulwark.retry.RetryBudget;
import dev.bulwark.retry.RetryBudgetConfig;
import dev.bulwark.spi.EventBus;
import io.lettuce.core.ScriptOutputType;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/*
 * A retry budget counted across the fleet, in one Redis hash per budget: ten buckets of a tenth
 * of the window, each three fields (its bucket number s<i>, calls c<i>, retries r<i>, i = bucket
 * number mod 10), bucket numbers from Redis TIME. One script does everything: adds the calls
 * deposited since the last trip, sums the buckets of the last ten, and grants a retry if
 * retries + 1 <= floor(ratio × calls) + reserve, counting it in the same step. Redis runs it
 * alone, so racing instances never overdraw the budget.
 *
 * Calls are not sent one by one: deposit() adds to a local count that the next script run takes
 * along, and a flush a tenth of a window (at most 100 ms) after the first unsent call sends it if
 * no retry did. Calls reach the fleet's count late by that much at most, which only ever makes the
 * budget grant less. Every call is also deposited in a local budget with the same configuration,
 * which decides while Redis is slow or gone.
 */
final class FleetRetryBudget implements RetryBudget {

  static final Script BUDGET =
      new Script(
          """
          local bucket = tonumber(ARGV[1])
          local deposit = tonumber(ARGV[2])
          local withdraw = tonumber(ARGV[3])
          local ratio = tonumber(ARGV[4])
          local reserve = tonumber(ARGV[5])
          local ttl = tonumber(ARGV[6])
          local t = redis.call('TIME')
          local b = math.floor((tonumber(t[1]) * 1000000 + tonumber(t[2])) / bucket)
          local slot = tostring(b % 10)
          local stamp = tonumber(redis.call('HGET', KEYS[1], 's' .. slot))
          if stamp ~= b then
            redis.call('HSET', KEYS[1], 's' .. slot, string.format('%.0f', b), 'c' .. slot, 0, 'r' .. slot, 0)
          end
          if deposit > 0 then redis.call('HINCRBY', KEYS[1], 'c' .. slot, deposit) end
          local calls = 0
          local retries = 0
          for i = 0, 9 do
            local f = redis.call('HMGET', KEYS[1], 's' .. i, 'c' .. i, 'r' .. i)
            local s = tonumber(f[1])
            if s ~= nil and s > b - 10 then
              calls = calls + tonumber(f[2])
              retries = retries + tonumber(f[3])
            end
          end
          local allowed = math.floor(calls * ratio / 1000000) + reserve
          local granted = 0
          if withdraw == 1 and retries + 1 <= allowed then
            redis.call('HINCRBY', KEYS[1], 'r' .. slot, 1)
            retries = retries + 1
            granted = 1
          end
          redis.call('PEXPIRE', KEYS[1], ttl)
          local available = allowed - retries
          if available < 0 then available = 0 end
          return {granted, calls, retries, available}
          """);

  private final RedisFleet fleet;
  private final RetryBudgetConfig config;
  private final String key;
  private final RetryBudget local;
  private final RedisSwitch redis;
  private final long timeoutNanos;
  private final String bucketMicros;
  private final String ratioMillionths;
  private final String reserve;
  private final String ttlMillis;
  private final long flushDelayNanos;
  private final AtomicLong unsent = new AtomicLong();

  FleetRetryBudget(RedisFleet fleet, String name, RetryBudgetConfig config) {
    this.fleet = fleet;
    this.config = config;
    this.key = fleet.key("rb", name);
    this.local = RetryBudget.of(config, fleet.clock());
    this.redis = new RedisSwitch(fleet, name, key, new EventBus());
    this.timeoutNanos = fleet.commandTimeout().toNanos();
    long windowNanos = config.window().toNanos();
    long bucket = Math.max(1, TimeUnit.NANOSECONDS.toMicros(windowNanos) / 10);
    this.bucketMicros = Long.toString(bucket);
    this.ratioMillionths = Long.toString(Math.round(config.ratio() * 1_000_000));
    this.reserve =
        Long.toString((long) Math.floor(config.minRetriesPerSecond() * (windowNanos / 1e9)));
    this.ttlMillis = Long.toString(Math.max(1, 2 * TimeUnit.NANOSECONDS.toMillis(windowNanos)));
    this.flushDelayNanos = Math.min(windowNanos / 10, TimeUnit.MILLISECONDS.toNanos(100));
  }

  @Override
  public RetryBudgetConfig config() {
    return config;
  }

  @Override
  public void deposit() {
    local.deposit();
    if (unsent.getAndIncrement() == 0 && redis.onRedis()) {
      try { // the first unsent call schedules the flush; later ones ride along
        fleet.scheduler().schedule(this::flush, flushDelayNanos);
      } catch (RuntimeException e) {
        // a scheduler that refuses work: the next withdrawal carries the calls
      }
    }
  }

  private void flush() {
    long calls = unsent.getAndSet(0);
    if (calls == 0) {
      return;
    }
    this.<List<Long>>send(calls, false)
        .whenComplete(
            (r, failure) -> {
              if (failure != null) {
                redis.failed(failure);
              }
            });
  }

  @Override
  public boolean tryWithdraw() {
    if (!redis.onRedis()) {
      return local.tryWithdraw();
    }
    List<Long> r = await(unsent.getAndSet(0), true);
    if (r == null) {
      return local.tryWithdraw();
    }
    return r.get(0) == 1;
  }

  @Override
  public Snapshot snapshot() {
    @Nullable List<Long> r = redis.onRedis() ? await(unsent.getAndSet(0), false) : null;
    if (r == null) {
      return local.snapshot();
    }
    return new Snapshot(r.get(1), r.get(2), r.get(3));
  }

  /** True while Redis decides, false while the local budget does. */
  boolean onRedis() {
    return redis.onRedis();
  }

  private @Nullable List<Long> await(long calls, boolean withdraw) {
    CompletableFuture<List<Long>> answer = send(calls, withdraw);
    try {
      return answer.get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      redis.failed(e.getCause() == null ? e : e.getCause());
    } catch (TimeoutException e) {
      answer.cancel(false);
      redis.failed(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      answer.cancel(false);
    }
    return null;
  }

  private <T> CompletableFuture<T> send(long calls, boolean withdraw) {
    return fleet.eval(
        BUDGET,
        ScriptOutputType.MULTI,
        key,
        bucketMicros,
        Long.toString(calls),
        withdraw ? "1" : "0",
        ratioMillionths,
        reserve,
        ttlMillis);
  }

  @Override
  public String toString() {
    return "FleetRetryBudget[" + key + (redis.onRedis() ? ", on Redis" : ", local") + "]";
  }
}
