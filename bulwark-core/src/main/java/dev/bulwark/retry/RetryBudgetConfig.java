package dev.bulwark.retry;

import dev.bulwark.internal.Check;
import java.time.Duration;

/**
 * How many retries a {@link RetryBudget} allows: at most {@link #ratio()} retries per call over the
 * last {@link #window()}, plus {@link #minRetriesPerSecond()} × window so that a quiet service can
 * still retry.
 *
 * {@snippet :
 * RetryBudgetConfig tenPercent =
 *     RetryBudgetConfig.builder().ratio(0.1).window(Duration.ofSeconds(30)).build();
 * }
 *
 * <p>Immutable. Thread-safe.
 */
public final class RetryBudgetConfig {
  /** The window is kept as this many buckets of equal length; a whole bucket ages out at once. */
  static final int BUCKETS = 10;

  private static final RetryBudgetConfig DEFAULTS = new Builder().build();

  private final double ratio;
  private final Duration window;
  private final double minRetriesPerSecond;

  private RetryBudgetConfig(Builder b) {
    this.ratio = b.ratio;
    this.window = b.window;
    this.minRetriesPerSecond = b.minRetriesPerSecond;
  }

  /**
   * A builder starting from the defaults.
   *
   * <p>Thread-safe.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The default budget: retries up to 20% of the calls of the last 10 seconds, plus 10 retries per
   * second (100 per window) whatever the traffic.
   *
   * <p>Thread-safe.
   */
  public static RetryBudgetConfig ofDefaults() {
    return DEFAULTS;
  }

  /**
   * A builder starting from this configuration.
   *
   * <p>Thread-safe.
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Retries allowed per call made in the window: 0.2 (the default) lets retries add at most 20% to
   * the load. Kept to a millionth. Thread-safe.
   */
  public double ratio() {
    return ratio;
  }

  /**
   * How far back calls and retries are counted. Default 10 s. It is kept as 10 buckets of a tenth
   * each, so it moves on a tenth at a time. Thread-safe.
   */
  public Duration window() {
    return window;
  }

  /**
   * Retries allowed per second of the window whatever the traffic, so that a service with few calls
   * can still retry. Default 10. The reserve of a window is this times the window's seconds,
   * rounded down. Thread-safe.
   */
  public double minRetriesPerSecond() {
    return minRetriesPerSecond;
  }

  @Override
  public String toString() {
    return "RetryBudgetConfig[ratio="
        + ratio
        + ", window="
        + window
        + ", minRetriesPerSecond="
        + minRetriesPerSecond
        + "]";
  }

  /**
   * Builds a {@link RetryBudgetConfig}. Each setter checks its own value; messages name the field
   * and the allowed range.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private static final Duration MIN_WINDOW = Duration.ofSeconds(1);
    private static final Duration MAX_WINDOW = Duration.ofHours(1);

    private double ratio = 0.2;
    private Duration window = Duration.ofSeconds(10);
    private double minRetriesPerSecond = 10;

    private Builder() {}

    private Builder(RetryBudgetConfig c) {
      this.ratio = c.ratio;
      this.window = c.window;
      this.minRetriesPerSecond = c.minRetriesPerSecond;
    }

    /**
     * Sets {@link RetryBudgetConfig#ratio()}.
     *
     * <p>Not thread-safe.
     *
     * @param retriesPerCall in [0, 1000]
     * @throws IllegalArgumentException if out of range
     */
    public Builder ratio(double retriesPerCall) {
      this.ratio = Check.inRange("ratio", retriesPerCall, 0.0, 1000.0);
      return this;
    }

    /**
     * Sets {@link RetryBudgetConfig#window()}.
     *
     * <p>Not thread-safe.
     *
     * @param window in [1 s, 1 h]
     * @throws IllegalArgumentException if out of range
     * @throws NullPointerException if null
     */
    public Builder window(Duration window) {
      Check.notNull("window", window);
      if (window.compareTo(MIN_WINDOW) < 0 || window.compareTo(MAX_WINDOW) > 0) {
        throw new IllegalArgumentException(
            "window must be in [" + MIN_WINDOW + ", " + MAX_WINDOW + "], was " + window);
      }
      this.window = window;
      return this;
    }

    /**
     * Sets {@link RetryBudgetConfig#minRetriesPerSecond()}.
     *
     * <p>Not thread-safe.
     *
     * @param retries in [0, 1000000]
     * @throws IllegalArgumentException if out of range
     */
    public Builder minRetriesPerSecond(double retries) {
      this.minRetriesPerSecond = Check.inRange("minRetriesPerSecond", retries, 0.0, 1_000_000.0);
      return this;
    }

    /**
     * A configuration with the values set so far (every combination of valid values fits).
     *
     * <p>Not thread-safe.
     */
    public RetryBudgetConfig build() {
      return new RetryBudgetConfig(this);
    }
  }
}
