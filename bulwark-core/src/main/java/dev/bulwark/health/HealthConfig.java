package dev.bulwark.health;

import dev.bulwark.internal.Check;
import java.time.Duration;

/**
 * How far back a {@link HealthMonitor} looks: failures and fallbacks count as "recent" for {@link
 * #recentWindow()}.
 *
 * {@snippet :
 * HealthConfig config = HealthConfig.builder().recentWindow(Duration.ofSeconds(30)).build();
 * }
 *
 * <p>Immutable; thread-safe.
 */
public final class HealthConfig {
  /** The shortest recent window: shorter ones would make the status flicker with every call. */
  static final Duration MIN_RECENT_WINDOW = Duration.ofSeconds(1);

  private static final HealthConfig DEFAULTS = new Builder().build();

  private final Duration recentWindow;

  private HealthConfig(Builder b) {
    this.recentWindow = b.recentWindow;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults: a recent window of 60 seconds. */
  public static HealthConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    return new Builder().recentWindow(recentWindow);
  }

  /**
   * How long a failure or a served fallback keeps a component {@code DEGRADED}. An event counts for
   * at least this long and at most a tenth longer (events are counted in ten time buckets). Default
   * 60 seconds.
   */
  public Duration recentWindow() {
    return recentWindow;
  }

  long recentWindowNanos() {
    return recentWindow.toNanos();
  }

  @Override
  public String toString() {
    return "HealthConfig[recentWindow=" + recentWindow + "]";
  }

  /**
   * Builds a {@link HealthConfig}. Setters check their own value; {@link #build()} checks how
   * values fit.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private Duration recentWindow = Duration.ofSeconds(60);

    private Builder() {}

    /**
     * Sets how long a failure or a served fallback keeps a component {@code DEGRADED}. Default 60
     * seconds.
     *
     * @throws NullPointerException if {@code window} is null
     * @throws IllegalArgumentException if {@code window} is not in [1 s, 365 days]
     */
    public Builder recentWindow(Duration window) {
      Check.notNull("recentWindow", window);
      if (window.compareTo(MIN_RECENT_WINDOW) < 0 || window.compareTo(Check.MAX_DURATION) > 0) {
        throw new IllegalArgumentException(
            "recentWindow must be in ["
                + MIN_RECENT_WINDOW
                + ", "
                + Check.MAX_DURATION
                + "], was "
                + window);
      }
      this.recentWindow = window;
      return this;
    }

    /** The configuration. Nothing to cross-check yet: every value was checked when set. */
    public HealthConfig build() {
      return new HealthConfig(this);
    }
  }
}
