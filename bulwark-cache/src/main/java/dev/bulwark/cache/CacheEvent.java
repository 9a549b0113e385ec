package dev.bulwark.cache;

import dev.bulwark.event.PolicyEvent;
import java.time.Duration;
import java.time.Instant;

/**
 * Something a {@link ResilientCache} did for one key. Built only when someone listens.
 *
 * <p>Immutable; thread-safe.
 *
 * @param policyName the cache's name
 * @param wallTime when, by the cache's clock
 * @param kind what happened
 * @param key the key, as stored in Redis (without the prefix)
 * @param duration the served value's age ({@code STALE_SERVED}, {@code FALLBACK_USED}), or the
 *     load's duration ({@code LOADED}, {@code LOAD_FAILED}); zero otherwise
 */
public record CacheEvent(
    String policyName, Instant wallTime, Kind kind, String key, Duration duration)
    implements PolicyEvent {

  /** What happened. */
  public enum Kind {
    /** The process level answered. */
    PROCESS_HIT,
    /** The Redis level answered; the value was promoted to the process level. */
    REDIS_HIT,
    /** Neither level had a fresh value. */
    MISS,
    /** A load returned a value (or "not found"). */
    LOADED,
    /** A load failed. */
    LOAD_FAILED,
    /** A stale value was served; {@code duration} is its age. */
    STALE_SERVED,
    /** A value went to a fallback; {@code duration} is its age. */
    FALLBACK_USED,
    /** The process level dropped the key to stay within its maximum size. */
    EVICTED,
    /** The key was invalidated here or by another instance. */
    INVALIDATED
  }
}
