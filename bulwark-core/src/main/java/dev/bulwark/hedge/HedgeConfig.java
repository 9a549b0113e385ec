package dev.bulwark.hedge;

import dev.bulwark.internal.Check;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * When a {@link Hedge} starts another attempt of a slow call, how many it may start, and how much
 * extra load hedging may add.
 *
 * {@snippet :
 * HedgeConfig fixed = HedgeConfig.builder().delay(Duration.ofMillis(200)).build();
 * HedgeConfig adaptive =
 *     HedgeConfig.builder()
 *         .delayPercentile(95.0) // hedge when a call runs longer than the p95 of recent attempts
 *         .delay(Duration.ofMillis(300)) // until 20 successful attempts have been measured
 *         .minDelay(Duration.ofMillis(5))
 *         .build();
 * }
 *
 * <p>Immutable. Thread-safe.
 */
public final class HedgeConfig {
  private static final HedgeConfig DEFAULTS = new Builder().build();

  private final Duration delay;
  private final double delayPercentile; // NaN: a fixed delay
  private final Duration minDelay;
  private final int minSamples;
  private final int maxHedges;
  private final double maxExtraLoad;
  private final Duration window;
  private final @Nullable Executor executor; // null: the shared hedge threads

  private HedgeConfig(Builder b) {
    this.delay = b.delay;
    this.delayPercentile = b.delayPercentile;
    this.minDelay = b.minDelay;
    this.minSamples = b.minSamples;
    this.maxHedges = b.maxHedges;
    this.maxExtraLoad = b.maxExtraLoad;
    this.window = b.window;
    this.executor = b.executor;
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
   * The default configuration: one hedge after a fixed 1 second, hedges capped at 10% of the calls
   * of the last 10 seconds, synchronous attempts on the shared hedge threads.
   *
   * <p>Thread-safe.
   */
  public static HedgeConfig ofDefaults() {
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
   * How long a call runs unanswered before the first hedge starts, and between one hedge and the
   * next. With a {@link #delayPercentile()}, the delay used until {@link #minSamples()} latencies
   * have been measured. Default 1 s: conservative, so that hedging a service never doubles calls
   * that a healthy service answers; set it near a high percentile of the service's latency (or use
   * {@link #delayPercentile()}). Zero starts every hedge at once. Thread-safe.
   */
  public Duration delay() {
    return delay;
  }

  /**
   * The percentile of recent successful attempt latencies used as the delay, for example 95.0 to
   * hedge calls slower than the p95; empty (the default) for the fixed {@link #delay()}. See {@link
   * Hedge} for how latencies are measured and how precise the percentile is. Thread-safe.
   */
  public OptionalDouble delayPercentile() {
    return Double.isNaN(delayPercentile)
        ? OptionalDouble.empty()
        : OptionalDouble.of(delayPercentile);
  }

  /**
   * The shortest delay a {@link #delayPercentile()} may yield, so that a burst of very fast answers
   * cannot make every call hedge. Default 1 ms. Unused with a fixed delay. Thread-safe.
   */
  public Duration minDelay() {
    return minDelay;
  }

  /**
   * How many successful attempts must have been measured in the recent window before the {@link
   * #delayPercentile()} replaces the {@link #delay()}. Default 20. Unused with a fixed delay.
   * Thread-safe.
   */
  public int minSamples() {
    return minSamples;
  }

  /**
   * How many attempts a call may start beyond its first (primary) one; the k-th hedge starts one
   * delay after the one before. Default 1. Thread-safe.
   */
  public int maxHedges() {
    return maxHedges;
  }

  /**
   * The most hedges allowed per call over the recent {@link #window()}: 0.1 (the default) lets
   * hedging add at most 10% to the load, so that it cannot multiply an outage. A hedge is started
   * only if, counting it, {@code hedges <= floor(maxExtraLoad × calls)} over the window (the call
   * itself counted), so a service with fewer than {@code 1 / maxExtraLoad} calls in a window is not
   * hedged at all. Thread-safe.
   */
  public double maxExtraLoad() {
    return maxExtraLoad;
  }

  /**
   * How far back hedging looks. Default 10 s. The load cap counts the calls and hedges of the last
   * window (kept as 10 buckets of a tenth each); the latency percentile is taken over the
   * successful attempts of the current and the previous window (so between one and two windows of
   * them) and recomputed at most once per tenth of a window. Thread-safe.
   */
  public Duration window() {
    return window;
  }

  /**
   * Where a synchronous call's attempts run; asynchronous calls do not use it. Default: a shared
   * cached pool of daemon threads named {@code bulwark-hedge-N}, started on first use. An executor
   * of your own should interrupt-clean its threads between tasks (as {@code ThreadPoolExecutor}
   * does), because losing attempts are interrupted. Thread-safe.
   */
  public Executor executor() {
    return executor != null ? executor : HedgeThreads.shared();
  }

  @Override
  public String toString() {
    return "HedgeConfig[delay="
        + delay
        + (Double.isNaN(delayPercentile)
            ? ""
            : ", delayPercentile="
                + delayPercentile
                + ", minDelay="
                + minDelay
                + ", minSamples="
                + minSamples)
        + ", maxHedges="
        + maxHedges
        + ", maxExtraLoad="
        + maxExtraLoad
        + ", window="
        + window
        + ", executor="
        + (executor == null ? "shared" : executor)
        + "]";
  }

  /**
   * Builds a {@link HedgeConfig}. Each setter checks its own value and {@link #build()} checks how
   * values fit; messages name the field and the allowed range.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private static final Duration MIN_WINDOW = Duration.ofSeconds(1);
    private static final Duration MAX_WINDOW = Duration.ofHours(1);

    private Duration delay = Duration.ofSeconds(1);
    private double delayPercentile = Double.NaN;
    private Duration minDelay = Duration.ofMillis(1);
    private int minSamples = 20;
    private int maxHedges = 1;
    private double maxExtraLoad = 0.1;
    private Duration window = Duration.ofSeconds(10);
    private @Nullable Executor executor;

    private Builder() {}

    private Builder(HedgeConfig c) {
      this.delay = c.delay;
      this.delayPercentile = c.delayPercentile;
      this.minDelay = c.minDelay;
      this.minSamples = c.minSamples;
      this.maxHedges = c.maxHedges;
      this.maxExtraLoad = c.maxExtraLoad;
      this.window = c.window;
      this.executor = c.executor;
    }

    /**
     * Sets {@link HedgeConfig#delay()}.
     *
     * <p>Not thread-safe.
     *
     * @param delay in [0, 365 days]
     * @throws IllegalArgumentException if out of range
     * @throws NullPointerException if null
     */
    public Builder delay(Duration delay) {
      this.delay = Check.nonNegative("delay", delay);
      return this;
    }

    /**
     * Sets {@link HedgeConfig#delayPercentile()}: the delay becomes this percentile of recent
     * successful attempt latencies.
     *
     * <p>Not thread-safe.
     *
     * @param percentile in (0, 100), for example 95.0
     * @throws IllegalArgumentException if out of range
     */
    public Builder delayPercentile(double percentile) {
      if (!(percentile > 0 && percentile < 100)) { // also rejects NaN
        throw new IllegalArgumentException(
            "delayPercentile must be in (0.0, 100.0), was " + percentile);
      }
      this.delayPercentile = percentile;
      return this;
    }

    /**
     * Sets {@link HedgeConfig#minDelay()}.
     *
     * <p>Not thread-safe.
     *
     * @param minDelay in [0, 365 days]
     * @throws IllegalArgumentException if out of range
     * @throws NullPointerException if null
     */
    public Builder minDelay(Duration minDelay) {
      this.minDelay = Check.nonNegative("minDelay", minDelay);
      return this;
    }

    /**
     * Sets {@link HedgeConfig#minSamples()}.
     *
     * <p>Not thread-safe.
     *
     * @param samples in [1, 1000000]
     * @throws IllegalArgumentException if out of range
     */
    public Builder minSamples(int samples) {
      this.minSamples = Check.inRange("minSamples", samples, 1, 1_000_000);
      return this;
    }

    /**
     * Sets {@link HedgeConfig#maxHedges()}.
     *
     * <p>Not thread-safe.
     *
     * @param hedges in [1, 10]
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxHedges(int hedges) {
      this.maxHedges = Check.inRange("maxHedges", hedges, 1, 10);
      return this;
    }

    /**
     * Sets {@link HedgeConfig#maxExtraLoad()}.
     *
     * <p>Not thread-safe.
     *
     * @param hedgesPerCall in [0, 10]; 0 never hedges
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxExtraLoad(double hedgesPerCall) {
      this.maxExtraLoad = Check.inRange("maxExtraLoad", hedgesPerCall, 0.0, 10.0);
      return this;
    }

    /**
     * Sets {@link HedgeConfig#window()}.
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
     * Sets {@link HedgeConfig#executor()}, where synchronous attempts run.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     */
    public Builder executor(Executor executor) {
      this.executor = Check.notNull("executor", executor);
      return this;
    }

    /**
     * A configuration with the values set so far.
     *
     * <p>Not thread-safe.
     *
     * @throws IllegalArgumentException if a {@link HedgeConfig#delayPercentile()} is set and {@code
     *     minDelay} is longer than {@code delay}
     */
    public HedgeConfig build() {
      if (!Double.isNaN(delayPercentile) && minDelay.compareTo(delay) > 0) {
        throw new IllegalArgumentException(
            "minDelay must be in [0, " + delay + "] (delay), was " + minDelay);
      }
      return new HedgeConfig(this);
    }
  }
}
