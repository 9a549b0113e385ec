/**
 * Fleet mode on Redis (Lettuce): {@link dev.bulwark.redis.RedisFleet} hands out a rate limiter and
 * a retry budget that every instance of a service shares through one Redis (standalone or cluster),
 * each working on with its local form when Redis is slow or gone.
 */
package dev.bulwark.redis;
