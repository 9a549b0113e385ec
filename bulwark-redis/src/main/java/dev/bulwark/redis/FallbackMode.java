package dev.bulwark.redis;

/**
 * What a fleet rate limiter does while Redis is slow or gone.
 *
 * <p>Immutable; thread-safe.
 */
public enum FallbackMode {
  /**
   * Each instance limits by itself to its share of the fleet's limit: limit and burst divided by
   * {@link RedisFleet.Builder#expectedInstances expected instances}, rounded down, at least 1. With
   * as many instances as expected, the fleet stays within its limit.
   */
  LOCAL_SHARE,
  /** Every call is let through: availability before the limit. */
  ALLOW_ALL,
  /** Every call is refused: the limit before availability. */
  DENY_ALL
}
