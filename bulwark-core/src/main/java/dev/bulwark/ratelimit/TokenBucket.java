package dev.bulwark.ratelimit;

import java.math.BigInteger;

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
 *
 * Carry-over (reconfiguration at time c). The tokens at c, k = (B*T - max(0, TAT - c)) / T, a
 * fraction, possibly negative when permits are reserved ahead, are kept: the new bucket holds
 * k' = min(k, B') tokens, rounded down to a whole nanosecond of its interval T', so
 * TAT' = c + B'*T' - floor(k * T') (or c if that is below c: a full bucket). If neither T nor B
 * changes, TAT is kept as it is. The bucket never gains a token by the change, so in any span
 * [a, b] the permits granted without waiting are at most the tokens held at a (at most the burst
 * in force at a) plus what the rates in force refill over the span: burst(a) + the integral of
 * limit / period over [a, b]. A debt (permits reserved ahead) is re-priced at the new interval;
 * beyond 2^60 ns (36 years) it is capped there, which only keeps the bucket empty longer.
 */
final class TokenBucket extends Ledger {
  private static final long MAX_DEBT_NANOS = 1L << 60;

  private final long intervalNanos;
  private final long capacityNanos;

  TokenBucket(RateLimiterConfig config, long tat) {
    super(config, config.burst(), tat);
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

  @Override
  Ledger carriedOver(long tat, long nowNanos, RateLimiterConfig next) {
    long nextInterval = next.intervalNanos();
    long nextCapacity = next.burst() * nextInterval;
    if (nextInterval == intervalNanos && nextCapacity == capacityNanos) {
      return new TokenBucket(next, tat);
    }
    long ahead = tat - nowNanos;
    long free = ahead > 0 ? capacityNanos - ahead : capacityNanos; // k * T; negative: a debt
    long scaled = floorScale(free, nextInterval, intervalNanos); // floor(k * T')
    long kept = Math.max(-MAX_DEBT_NANOS, Math.min(scaled, nextCapacity));
    return new TokenBucket(next, nowNanos + nextCapacity - kept);
  }

  /** floor(value * multiplier / divisor), clamped to ±2^62; exact. */
  private static long floorScale(long value, long multiplier, long divisor) {
    BigInteger[] qr =
        BigInteger.valueOf(value)
            .multiply(BigInteger.valueOf(multiplier))
            .divideAndRemainder(BigInteger.valueOf(divisor));
    BigInteger floor = qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
    BigInteger bound = BigInteger.ONE.shiftLeft(62);
    return floor.max(bound.negate()).min(bound).longValue();
  }
}
