package dev.bulwark.healthcheck;

import dev.bulwark.internal.Check;
import dev.bulwark.spi.Setting;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link HealthCheck} probes a dependency: how often, how long it waits for an answer, how
 * many results in a row switch its verdict, which breaker it steers and how an unhealthy verdict
 * counts in the registry's health.
 *
 * <p>Immutable; thread-safe.
 */
public final class HealthCheckConfig {

  /** How an unhealthy check counts in a {@code HealthMonitor}. */
  public enum Severity {
    /** The monitor reports at least {@code DEGRADED}: working, but not well. */
    DEGRADED,
    /** The monitor reports {@code CRITICAL}. */
    CRITICAL
  }

  private static final HealthCheckConfig DEFAULTS = new Builder().build();

  private final @Nullable HealthProbe probe;
  private final Duration interval;
  private final double jitter;
  private final Duration timeout;
  private final int unhealthyThreshold;
  private final int healthyThreshold;
  private final String breaker;
  private final boolean opensBreaker;
  private final Severity countsAs;

  private HealthCheckConfig(Builder b) {
    this.probe = b.probe;
    this.interval = b.interval;
    this.jitter = b.jitter;
    this.timeout = b.timeout;
    this.unhealthyThreshold = b.unhealthyThreshold;
    this.healthyThreshold = b.healthyThreshold;
    this.breaker = b.breaker;
    this.opensBreaker = b.opensBreaker;
    this.countsAs = b.countsAs;
  }

  /** A builder holding the defaults. Thread-safe. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults: no probe (one must be given before a check runs), every 30 s. Thread-safe. */
  public static HealthCheckConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder holding this config's values. Thread-safe. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.probe = probe;
    b.interval = interval;
    b.jitter = jitter;
    b.timeout = timeout;
    b.unhealthyThreshold = unhealthyThreshold;
    b.healthyThreshold = healthyThreshold;
    b.breaker = breaker;
    b.opensBreaker = opensBreaker;
    b.countsAs = countsAs;
    return b;
  }

  /** What the check runs; empty in the defaults, and a check cannot be made without one. */
  public Optional<HealthProbe> probe() {
    return Optional.ofNullable(probe);
  }

  /** The mean time between two checks. Default 30 s. */
  public Duration interval() {
    return interval;
  }

  /**
   * How far each wait between checks strays from {@link #interval()}, as a fraction of it: each
   * wait is drawn uniformly from {@code [interval × (1 - jitter), interval × (1 + jitter))}, so
   * checks of a fleet started together drift apart. Default 0.1.
   */
  public double jitter() {
    return jitter;
  }

  /** How long a probe may take; a later answer counts as unhealthy. Default 5 s. */
  public Duration timeout() {
    return timeout;
  }

  /** Unhealthy results in a row that make a healthy check unhealthy. Default 2. */
  public int unhealthyThreshold() {
    return unhealthyThreshold;
  }

  /** Healthy results in a row that make an unhealthy check healthy. Default 1. */
  public int healthyThreshold() {
    return healthyThreshold;
  }

  /** The name of the breaker this check steers; empty (the default) for none. */
  public String breaker() {
    return breaker;
  }

  /**
   * Whether an unhealthy verdict alone opens the {@linkplain #breaker() breaker}. When false, the
   * breaker opens only on the failures of real calls, and the check only speeds its recovery (a
   * healthy result moves it from {@code OPEN} to {@code HALF_OPEN}). Default true.
   */
  public boolean opensBreaker() {
    return opensBreaker;
  }

  /** How an unhealthy check counts in a {@code HealthMonitor}. Default {@code DEGRADED}. */
  public Severity countsAs() {
    return countsAs;
  }

  /**
   * The settings of a check, for a config builder of type {@code B} that holds a check's builder
   * (core's kind passes {@code b -> b}; {@code bulwark-http}'s check passes its nested builder), so
   * each setting is declared once. Thread-safe.
   *
   * @throws NullPointerException if {@code checkOf} is null
   */
  public static <B> List<Setting<B>> settings(Function<B, Builder> checkOf) {
    Check.notNull("checkOf", checkOf);
    return List.of(
        Setting.<B>ofDuration("INTERVAL", "interval", true, (b, v) -> checkOf.apply(b).interval(v))
            .doc("mean time between two checks")
            .defaultValue("`30s`"),
        Setting.<B>ofDecimal(
                "JITTER", "jitter", 0, false, 0.5, (b, v) -> checkOf.apply(b).jitter(v))
            .doc("each wait is drawn from interval × (1 ± jitter)")
            .defaultValue("`0.1`"),
        Setting.<B>ofDuration("TIMEOUT", "timeout", true, (b, v) -> checkOf.apply(b).timeout(v))
            .doc("how long a probe may take; later counts as unhealthy")
            .defaultValue("`5s`"),
        Setting.<B>ofInt(
                "UNHEALTHY_THRESHOLD",
                "unhealthyThreshold",
                1,
                1_000,
                (b, v) -> checkOf.apply(b).unhealthyThreshold(v))
            .doc("unhealthy results in a row that make it unhealthy")
            .defaultValue("`2`"),
        Setting.<B>ofInt(
                "HEALTHY_THRESHOLD",
                "healthyThreshold",
                1,
                1_000,
                (b, v) -> checkOf.apply(b).healthyThreshold(v))
            .doc("healthy results in a row that make it healthy again")
            .defaultValue("`1`"),
        Setting.<B>ofText("BREAKER", "breaker", (b, v) -> checkOf.apply(b).breaker(v))
            .doc("name of the breaker it steers")
            .defaultValue("none"),
        Setting.<B>ofBoolean(
                "OPENS_BREAKER", "opensBreaker", (b, v) -> checkOf.apply(b).opensBreaker(v))
            .doc("an unhealthy verdict alone opens the breaker")
            .defaultValue("`true`"),
        Setting.<B, Severity>ofChoice(
                "COUNTS_AS", "countsAs", Severity.class, (b, v) -> checkOf.apply(b).countsAs(v))
            .doc("how an unhealthy check counts in the registry's health")
            .defaultValue("`DEGRADED`"));
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof HealthCheckConfig c
        && Objects.equals(probe, c.probe)
        && interval.equals(c.interval)
        && jitter == c.jitter
        && timeout.equals(c.timeout)
        && unhealthyThreshold == c.unhealthyThreshold
        && healthyThreshold == c.healthyThreshold
        && breaker.equals(c.breaker)
        && opensBreaker == c.opensBreaker
        && countsAs == c.countsAs;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        probe,
        interval,
        jitter,
        timeout,
        unhealthyThreshold,
        healthyThreshold,
        breaker,
        opensBreaker,
        countsAs);
  }

  @Override
  public String toString() {
    return "HealthCheckConfig[interval="
        + interval
        + ", jitter="
        + jitter
        + ", timeout="
        + timeout
        + ", unhealthyThreshold="
        + unhealthyThreshold
        + ", healthyThreshold="
        + healthyThreshold
        + ", breaker="
        + (breaker.isEmpty() ? "none" : breaker)
        + ", opensBreaker="
        + opensBreaker
        + ", countsAs="
        + countsAs
        + "]";
  }

  /**
   * Builds a {@link HealthCheckConfig}. Each setter checks its own value; {@link #build()} checks
   * how they fit.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private @Nullable HealthProbe probe;
    private Duration interval = Duration.ofSeconds(30);
    private double jitter = 0.1;
    private Duration timeout = Duration.ofSeconds(5);
    private int unhealthyThreshold = 2;
    private int healthyThreshold = 1;
    private String breaker = "";
    private boolean opensBreaker = true;
    private Severity countsAs = Severity.DEGRADED;

    private Builder() {}

    /** What the check runs. Required before a check is made. */
    public Builder probe(HealthProbe probe) {
      this.probe = Check.notNull("probe", probe);
      return this;
    }

    /**
     * The mean time between two checks, in (0, 365 days]. Default 30 s.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder interval(Duration interval) {
      this.interval = Check.positive("interval", interval);
      return this;
    }

    /**
     * How far each wait strays from the interval, as a fraction of it, in [0, 0.5]. Default 0.1.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder jitter(double fraction) {
      this.jitter = Check.inRange("jitter", fraction, 0, 0.5);
      return this;
    }

    /**
     * How long a probe may take, in (0, 365 days]. Default 5 s. It may exceed the interval: a check
     * never runs two probes at once, and a tick that finds one still running past its timeout
     * counts another unhealthy result instead of starting a second.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder timeout(Duration timeout) {
      this.timeout = Check.positive("timeout", timeout);
      return this;
    }

    /**
     * Unhealthy results in a row that make a healthy check unhealthy, in [1, 1000]. Default 2.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder unhealthyThreshold(int results) {
      this.unhealthyThreshold = Check.inRange("unhealthyThreshold", results, 1, 1_000);
      return this;
    }

    /**
     * Healthy results in a row that make an unhealthy check healthy, in [1, 1000]. Default 1.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder healthyThreshold(int results) {
      this.healthyThreshold = Check.inRange("healthyThreshold", results, 1, 1_000);
      return this;
    }

    /** The name of the breaker the check steers, trimmed; empty for none (the default). */
    public Builder breaker(String breaker) {
      this.breaker = Check.notNull("breaker", breaker).trim();
      return this;
    }

    /** Whether an unhealthy verdict alone opens the breaker. Default true. */
    public Builder opensBreaker(boolean opens) {
      this.opensBreaker = opens;
      return this;
    }

    /** How an unhealthy check counts in a {@code HealthMonitor}. Default {@code DEGRADED}. */
    public Builder countsAs(Severity severity) {
      this.countsAs = Check.notNull("severity", severity);
      return this;
    }

    /** The config. */
    public HealthCheckConfig build() {
      return new HealthCheckConfig(this);
    }
  }
}
