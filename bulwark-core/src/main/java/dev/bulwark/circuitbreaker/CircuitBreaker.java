package dev.bulwark.circuitbreaker;

import dev.bulwark.Policy;

/**
 * Stops calling what keeps failing, tests it again after a wait, closes when it recovers.
 *
 * <p>Thread-safe.
 */
public interface CircuitBreaker extends Policy {

  /** Where a breaker stands. */
  enum State {
    /** Calls pass; outcomes are counted. */
    CLOSED,
    /** Calls are rejected until the wait ends. */
    OPEN,
    /** A limited number of probe calls pass; their outcomes decide between CLOSED and OPEN. */
    HALF_OPEN,
    /** Opened by hand: every call is rejected until {@code reset()}. */
    FORCED_OPEN,
    /** Disabled by hand: every call passes and outcomes are only counted, never acted on. */
    DISABLED
  }
}
