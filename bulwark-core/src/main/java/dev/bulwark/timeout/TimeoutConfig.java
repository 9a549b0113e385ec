package dev.bulwark.timeout;

import dev.bulwark.internal.Check;
import java.time.Duration;

/**
 * How long a {@link Timeout} lets a call run, and whether it cancels asynchronous work it gives up
 * on.
 *
 * <p>Immutable; thread-safe.
 */
public final class TimeoutConfig {
  private static final TimeoutConfig DEFAULTS = builder().build();

  private final Duration timeout;
  private final boolean cancelRunningFuture;

  private TimeoutConfig(Builder b) {
    this.timeout = b.timeout;
    this.cancelRunningFuture = b.cancelRunningFuture;
  }

  /** A builder starting from the defaults. Thread-safe. */
  public static Builder builder() {
    return new Builder();
  }

  /** The default configuration: a 1 second timeout that cancels running futures. Thread-safe. */
  public static TimeoutConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder starting from this configuration. Thread-safe. */
  public Builder toBuilder() {
    return new Builder().timeout(timeout).cancelRunningFuture(cancelRunningFuture);
  }

  /**
   * How long a call may run before it is cut short. Default 1 second, as Resilience4j's time
   * limiter: long enough for a healthy remote call, short enough to free a thread fast; set it from
   * the dependency's observed latency (a high percentile plus margin). Thread-safe.
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Whether an asynchronous call's future is cancelled ({@code cancel(true)}) when its time is up.
   * Default true. Synchronous calls are always interrupted. Thread-safe.
   */
  public boolean cancelRunningFuture() {
    return cancelRunningFuture;
  }

  @Override
  public String toString() {
    return "TimeoutConfig[timeout="
        + timeout
        + ", cancelRunningFuture="
        + cancelRunningFuture
        + "]";
  }

  /** Builds a {@link TimeoutConfig}. Setters check their own value. Not thread-safe. */
  public static final class Builder {
    private Duration timeout = Duration.ofSeconds(1);
    private boolean cancelRunningFuture = true;

    private Builder() {}

    /**
     * Sets how long a call may run.
     *
     * @throws IllegalArgumentException if {@code timeout} is not in (0, 365 days]
     * @throws NullPointerException if {@code timeout} is null
     */
    public Builder timeout(Duration timeout) {
      this.timeout = Check.positive("timeout", timeout);
      return this;
    }

    /** Sets whether an asynchronous call's future is cancelled when its time is up. */
    public Builder cancelRunningFuture(boolean cancel) {
      this.cancelRunningFuture = cancel;
      return this;
    }

    /** The configuration. */
    public TimeoutConfig build() {
      return new TimeoutConfig(this);
    }
  }
}
