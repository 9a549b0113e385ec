package dev.bulwark.cache;

import java.time.Duration;

/**
 * A snapshot of a {@link ResilientCache}'s counters since it was built, for metrics. Each counter
 * only grows.
 *
 * <p>Immutable; thread-safe.
 *
 * @param name the cache's name
 * @param processHits gets (and {@link ResilientCache#lastKnown} lookups) answered by the process
 *     level
 * @param redisHits gets (and lookups) answered by the Redis level (the value was then promoted to
 *     the process)
 * @param misses gets that neither level answered fresh
 * @param loads loads that ran (foreground and background)
 * @param loadFailures loads that failed
 * @param loadsCoalesced gets that joined a load already under way for their key in this process
 *     instead of running their own: loads saved by single-flight (a get that waited for another
 *     instance's load under a lease counts as a Redis hit)
 * @param staleServed stale values served (stale-while-revalidate, stale-if-error, lease waits)
 * @param fallbackUses values handed to a fallback through {@link ResilientCache#lastKnown}
 * @param evictions entries the process level dropped for size
 * @param redisErrors Redis commands that failed, timed out or were refused by its breaker
 * @param loadTime the total time spent in loads
 */
public record CacheStats(
    String name,
    long processHits,
    long redisHits,
    long misses,
    long loads,
    long loadFailures,
    long loadsCoalesced,
    long staleServed,
    long fallbackUses,
    long evictions,
    long redisErrors,
    Duration loadTime) {

  /** All hits, both levels. */
  public long hits() {
    return processHits + redisHits;
  }

  /**
   * Loads of the source the cache saved: every answer a level gave ({@link #hits()}, fallback
   * lookups included) and every get that joined a load under way ({@link #loadsCoalesced()}).
   */
  public long loadsSaved() {
    return processHits + redisHits + loadsCoalesced;
  }
}
