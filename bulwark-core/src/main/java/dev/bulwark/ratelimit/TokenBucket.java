package dev.bulwark.ratelimit;

import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;

/*
 * A token bucket kept as one number, the generic cell rate algorithm (GCRA).
 *
 * Instead of a token count and a last-refill time (two fields that must change together), the
 * state is the "theoretical arrival time" TAT: the time at which the bucket would be full again
 * if nobody took anything more. With T the interval between permits (period / limit, rounded up)
 * and B the burst, the bucket holds (B*T - (TAT - now)) / T tokens at time `now`, and
 *
 *   n permits can be granted at time t  iff  max(TAT, t) + n*T - t <= B*T,
 *
 * so the earliest grant from time `from` is max(from, TAT + n*T - B*T), and after it TAT becomes
 * max(TAT, grant) + n*T. A TAT in the past means a full bucket: idle time refills it, capped at B,
 * with no refill step to run. Every grant moves TAT on by n*T and TAT never runs more than B*T
 * ahead of a grant, so the permits granted in any span of time d are at most d / T + B <= limit *
 * d / period + burst: rounding T up only ever admits less, by under a nanosecond per permit.
 *
 * TAT starts at 0, the origin, which is "full now". It is relative to the origin, and compared
 * by subtraction.
 */
final class TokenBucket extends LocalRateLimiter {
  private final long intervalNanos;
  private final long capacityNanos;

  TokenBucket(String name, RateLimiterConfig config, Clock clock, Scheduler scheduler) {
    super(name, config, clock, scheduler, config.burst());
    this.intervalNanos = config.intervalNanos();
    this.capacityNanos = config.burst() * intervalNanos; // build() keeps it within 365 days
  }

  @Override
  long grantNanos(long tat, int permits, long fromNanos) {
    long earliest = tat + permits * intervalNanos - capacityNanos;
    return earliest - fromNanos > 0 ? earliest : fromNanos;
  }

  @Override
  long stateAfter(long tat, int permits, long grantNanos) {
    return (tat - grantNanos > 0 ? tat : grantNanos) + permits * intervalNanos;
  }

  @Override
  int availablePermits(long tat, long nowNanos) {
    long ahead = tat - nowNanos;
    long free = ahead > 0 ? capacityNanos - ahead : capacityNanos;
    return free <= 0 ? 0 : (int) (free / intervalNanos);
  }
}
