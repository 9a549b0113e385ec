package dev.bulwark.ratelimit;

import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;

/*
 * At most `limit` permits in each window of `period`, kept as one number: the permit position.
 *
 * Number every permit the limiter could ever grant: window w (covering [w*period, (w+1)*period)
 * from the origin) owns positions [w*limit, (w+1)*limit). The state is the first position not yet
 * granted. To grant n permits from time `from`: skip to the first position of from's window if
 * the state lies before it (the unused rest of past windows is gone), and to the next window if
 * the n permits do not fit in what is left of this one; the permits are then granted at the
 * start of the window that owns the position (or at `from`, if that window has begun), and the
 * state moves on by n. Reservations past the current window simply make the position run ahead.
 *
 * A position never exceeds the elapsed nanoseconds plus what was reserved (limit <= period in
 * nanoseconds is a configuration rule), so it cannot overflow in the limiter's lifetime.
 */
final class FixedWindow extends LocalRateLimiter {
  private final long limit;
  private final long periodNanos;

  FixedWindow(String name, RateLimiterConfig config, Clock clock, Scheduler scheduler) {
    super(name, config, clock, scheduler, config.limit());
    this.limit = config.limit();
    this.periodNanos = config.period().toNanos();
  }

  /** The first position of the {@code permits} permits granted at {@code atNanos} or later. */
  private long position(long state, int permits, long atNanos) {
    long windowStart = Math.floorDiv(atNanos, periodNanos) * limit;
    long position = state - windowStart > 0 ? state : windowStart;
    if (Math.floorMod(position, limit) + permits > limit) {
      position = (Math.floorDiv(position, limit) + 1) * limit;
    }
    return position;
  }

  @Override
  long grantNanos(long state, int permits, long fromNanos) {
    long windowOpens = Math.floorDiv(position(state, permits, fromNanos), limit) * periodNanos;
    return windowOpens - fromNanos > 0 ? windowOpens : fromNanos;
  }

  @Override
  long stateAfter(long state, int permits, long grantNanos) {
    return position(state, permits, grantNanos) + permits;
  }

  @Override
  int availablePermits(long state, long nowNanos) {
    long used = state - Math.floorDiv(nowNanos, periodNanos) * limit;
    if (used <= 0) {
      return (int) limit;
    }
    return used >= limit ? 0 : (int) (limit - used);
  }
}
