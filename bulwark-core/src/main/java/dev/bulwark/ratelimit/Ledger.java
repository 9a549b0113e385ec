package dev.bulwark.ratelimit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/*
 * The permits of one configuration: its parameters (final) and the one long that decides
 * admission (see LocalRateLimiter). A reconfiguration does not change a ledger; it retires it and
 * hands the limiter a successor that carries its permits over.
 *
 * Retirement. The reconfigurer writes `successor`, then CASes `state` to RETIRED, a value no
 * algorithm ever produces (states start at 0 and grow). That CAS is the instant of the change: a
 * caller's CAS from any earlier state now fails, so no permit can be taken from a ledger after its
 * permits were counted into the successor, and none is counted twice. A caller that reads RETIRED
 * follows `successor` (visible: written before the CAS that published RETIRED) and tries there;
 * it never waits for the reconfigurer to finish swapping the limiter's field.
 */
abstract class Ledger {
  /** The state of a retired ledger; never a state of an algorithm. */
  static final long RETIRED = Long.MIN_VALUE;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Ledger.class, "state", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final RateLimiterConfig config;
  final long maxWaitNanos;
  final boolean holdOnServerBusy;
  final int maxPermits;

  private volatile long state; // see STATE

  /** Written before {@code state} becomes {@link #RETIRED}; read only after seeing it. */
  @Nullable Ledger successor;

  /** The ledger that replaced this one; call only after seeing {@link #RETIRED}. */
  Ledger successor() {
    return Objects.requireNonNull(successor, "a retired ledger has a successor");
  }

  Ledger(RateLimiterConfig config, int maxPermits, long initialState) {
    this.config = config;
    this.maxWaitNanos = config.maxWait().toNanos();
    this.holdOnServerBusy = config.holdOnServerBusy();
    this.maxPermits = maxPermits;
    this.state = initialState;
  }

  final long state() {
    return state;
  }

  final boolean compareAndSet(long seen, long next) {
    return STATE.compareAndSet(this, seen, next);
  }

  /**
   * When {@code permits} permits could be granted given {@code state}, at {@code fromNanos} or
   * later. Pure.
   */
  abstract long grantNanos(long state, int permits, long fromNanos);

  /** The state once {@code permits} permits are granted at {@code grantNanos}. Pure. */
  abstract long stateAfter(long state, int permits, long grantNanos);

  /** How many permits could be taken at {@code nowNanos} without waiting, ignoring holds. Pure. */
  abstract int availablePermits(long state, long nowNanos);

  /**
   * A ledger for {@code next} (same algorithm) holding what {@code state} holds at {@code
   * nowNanos}, by the algorithm's carry-over rule. Pure; allocates.
   */
  abstract Ledger carriedOver(long state, long nowNanos, RateLimiterConfig next);
}
