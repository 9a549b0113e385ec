package dev.bulwark.bulkhead;

import dev.bulwark.internal.Check;
import java.time.Duration;

/**
 * How many calls a {@link Bulkhead} lets run at once, and how long a call may wait for a permit.
 *
 * <p>Immutable; thread-safe.
 */
public final class BulkheadConfig {
  private static final BulkheadConfig DEFAULTS = builder().build();

  private final int maxConcurrentCalls;
  private final Duration maxWait;

  private BulkheadConfig(Builder b) {
    this.maxConcurrentCalls = b.maxConcurrentCalls;
    this.maxWait = b.maxWait;
  }

  /** A builder starting from the defaults. Thread-safe. */
  public static Builder builder() {
    return new Builder();
  }

  /** The default configuration: 25 concurrent calls, no waiting. Thread-safe. */
  public static BulkheadConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder starting from this configuration. Thread-safe. */
  public Builder toBuilder() {
    return new Builder().maxConcurrentCalls(maxConcurrentCalls).maxWait(maxWait);
  }

  /** How many calls may run at once. Default 25, in [1, 100_000]. Thread-safe. */
  public int maxConcurrentCalls() {
    return maxConcurrentCalls;
  }

  /**
   * How long a call waits for a permit when all are in use, first come first served. Default zero:
   * a call that finds the bulkhead full is rejected at once. Thread-safe.
   */
  public Duration maxWait() {
    return maxWait;
  }

  /** True if {@code other} is a configuration with the same settings. Thread-safe. */
  @Override
  public boolean equals(Object other) {
    return other instanceof BulkheadConfig
        && ((BulkheadConfig) other).maxConcurrentCalls == maxConcurrentCalls
        && ((BulkheadConfig) other).maxWait.equals(maxWait);
  }

  @Override
  public int hashCode() {
    return 31 * maxConcurrentCalls + maxWait.hashCode();
  }

  @Override
  public String toString() {
    return "BulkheadConfig[maxConcurrentCalls=" + maxConcurrentCalls + ", maxWait=" + maxWait + "]";
  }

  /** Builds a {@link BulkheadConfig}. Setters check their own value. Not thread-safe. */
  public static final class Builder {
    private int maxConcurrentCalls = 25;
    private Duration maxWait = Duration.ZERO;

    private Builder() {}

    /**
     * Sets how many calls may run at once.
     *
     * @throws IllegalArgumentException if {@code calls} is not in [1, 100_000]
     */
    public Builder maxConcurrentCalls(int calls) {
      this.maxConcurrentCalls = Check.inRange("maxConcurrentCalls", calls, 1, 100_000);
      return this;
    }

    /**
     * Sets how long a call may wait for a permit; zero rejects at once.
     *
     * @throws IllegalArgumentException if {@code wait} is negative or longer than 365 days
     * @throws NullPointerException if {@code wait} is null
     */
    public Builder maxWait(Duration wait) {
      this.maxWait = Check.nonNegative("maxWait", wait);
      return this;
    }

    /** The configuration. */
    public BulkheadConfig build() {
      return new BulkheadConfig(this);
    }
  }
}
