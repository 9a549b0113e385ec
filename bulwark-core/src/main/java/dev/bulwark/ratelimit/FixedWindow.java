package dev.bulwark.ratelimit;

/*
 * At most `limit` permits in each window of `period`, kept as one number: the permit position.
 *
 * Number every permit the limiter could ever grant: window w (covering [o + w*period,
 * o + (w+1)*period), o the ledger's origin) owns positions [w*limit, (w+1)*limit). The state is
 * the first position not yet granted. To grant n permits from time `from`: skip to the first
 * position of from's window if the state lies before it (the unused rest of past windows is
 * gone), and to the next window if the n permits do not fit in what is left of this one; the
 * permits are then granted at the start of the window that owns the position (or at `from`, if
 * that window has begun), and the state moves on by n. Reservations past the current window
 * simply make the position run ahead.
 *
 * A position never exceeds the elapsed nanoseconds plus what was reserved (limit <= period in
 * nanoseconds is a configuration rule), so it cannot overflow in the limiter's lifetime.
 *
 * Carry-over (reconfiguration at time c). If neither limit nor period changes, the ledger keeps
 * its origin and position. Otherwise the new ledger's first window starts at c (o' = c), and the
 * permits already granted in the current window, u, count against it: min(u, limit') of its
 * positions are taken. Permits reserved into later windows (u beyond the old limit) stay reserved:
 * they take the positions right after the first new window. So the window in force at the change
 * is cut short at c, and every window from c on admits at most limit', counting what its first
 * window inherited.
 */
final class FixedWindow extends Ledger {
  private final long limit;
  private final long periodNanos;
  private final long originNanos; // where window 0 starts, relative to the limiter's origin

  FixedWindow(RateLimiterConfig config, long originNanos, long position) {
    super(config, config.limit(), position);
    this.limit = config.limit();
    this.periodNanos = config.period().toNanos();
    this.originNanos = originNanos;
  }

  private long windowIndex(long atNanos) {
    return Math.floorDiv(atNanos - originNanos, periodNanos);
  }

  /** The first position of the {@code permits} permits granted at {@code atNanos} or later. */
  private long position(long state, int permits, long atNanos) {
    long windowStart = windowIndex(atNanos) * limit;
    long position = state - windowStart > 0 ? state : windowStart;
    if (Math.floorMod(position, limit) + permits > limit) {
      position = (Math.floorDiv(position, limit) + 1) * limit;
    }
    return position;
  }

  @Override
  long grantNanos(long state, int permits, long fromNanos) {
    long windowOpens =
        originNanos + Math.floorDiv(position(state, permits, fromNanos), limit) * periodNanos;
    return windowOpens - fromNanos > 0 ? windowOpens : fromNanos;
  }

  @Override
  long stateAfter(long state, int permits, long grantNanos) {
    return position(state, permits, grantNanos) + permits;
  }

  @Override
  int availablePermits(long state, long nowNanos) {
    long used = state - windowIndex(nowNanos) * limit;
    if (used <= 0) {
      return (int) limit;
    }
    return used >= limit ? 0 : (int) (limit - used);
  }

  @Override
  Ledger carriedOver(long state, long nowNanos, RateLimiterConfig next) {
    if (next.limit() == limit && next.period().toNanos() == periodNanos) {
      return new FixedWindow(next, originNanos, state);
    }
    long used = Math.max(0, state - windowIndex(nowNanos) * limit);
    long nextLimit = next.limit();
    long carried = used <= limit ? Math.min(used, nextLimit) : nextLimit + (used - limit);
    return new FixedWindow(next, nowNanos, carried);
  }
}
