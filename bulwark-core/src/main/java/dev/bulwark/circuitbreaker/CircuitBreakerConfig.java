package dev.bulwark.circuitbreaker;

import dev.bulwark.internal.Check;
import dev.bulwark.policy.RejectedException;
import dev.bulwark.timeout.TimeoutExceededException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * When a {@link CircuitBreaker} opens, how long it stays open and how it tests the way back.
 *
 * <p>A breaker opens when {@link #consecutiveFailures()} calls in a row fail, or when, with at
 * least {@link #minimumCalls()} calls in its window, the failure rate reaches {@link
 * #failureRateThreshold()} or the slow-call rate reaches {@link #slowCallRateThreshold()}. It then
 * rejects calls for {@link #openDuration()} (growing by {@link #openDurationMultiplier()} with each
 * re-open, up to {@link #maxOpenDuration()}), lets {@link #halfOpenMaxCalls()} probes through at a
 * time, and closes after {@link #successThreshold()} probe successes.
 *
 * <pre>{@code
 * CircuitBreakerConfig config = CircuitBreakerConfig.builder()
 *     .consecutiveFailures(3)
 *     .openDuration(Duration.ofSeconds(30))
 *     .successThreshold(2)
 *     .build();
 * }</pre>
 *
 * <p>Immutable; thread-safe.
 */
public final class CircuitBreakerConfig {

  /** How a breaker's window remembers outcomes. */
  public enum WindowType {
    /** The last {@link CircuitBreakerConfig#windowSize()} calls. */
    COUNT,
    /**
     * The calls of the last {@link CircuitBreakerConfig#windowDuration()}, in ten buckets: the
     * oldest tenth ages out at once, so the window spans between 90% and 100% of the duration.
     */
    TIME
  }

  private static final CircuitBreakerConfig DEFAULTS = new Builder().build();

  private final float failureRateThreshold;
  private final float slowCallRateThreshold;
  private final long slowCallNanos;
  private final int consecutiveFailures;
  private final WindowType windowType;
  private final int windowSize;
  private final long windowNanos;
  private final int minimumCalls;
  private final long openNanos;
  private final double openDurationMultiplier;
  private final long maxOpenNanos;
  private final boolean maxOpenExplicit;
  private final int halfOpenMaxCalls;
  private final int successThreshold;
  private final long halfOpenMaxWaitNanos;
  private final List<Class<? extends Throwable>> recordExceptions;
  private final List<Class<? extends Throwable>> ignoreExceptions;
  private final boolean defaultIgnores;
  private final @Nullable Predicate<Throwable> recordFailurePredicate;
  private final @Nullable Predicate<Object> recordResultAsFailure;

  private CircuitBreakerConfig(Builder b) {
    this.failureRateThreshold = b.failureRateThreshold;
    this.slowCallRateThreshold = b.slowCallRateThreshold;
    this.slowCallNanos = b.slowCallDuration.toNanos();
    this.consecutiveFailures = b.consecutiveFailures;
    this.windowType = b.windowType;
    this.windowSize = b.windowSize;
    this.windowNanos = b.windowDuration.toNanos();
    this.minimumCalls = b.minimumCalls;
    this.openNanos = b.openDuration.toNanos();
    this.openDurationMultiplier = b.openDurationMultiplier;
    this.maxOpenNanos = b.effectiveMaxOpenDuration().toNanos();
    this.maxOpenExplicit = b.maxOpenDuration != null;
    this.halfOpenMaxCalls = b.halfOpenMaxCalls;
    this.successThreshold = b.successThreshold;
    this.halfOpenMaxWaitNanos = b.halfOpenMaxWait.toNanos();
    this.recordExceptions = b.recordExceptions;
    this.ignoreExceptions = b.ignoreExceptions;
    this.defaultIgnores = b.defaultIgnores;
    this.recordFailurePredicate = b.recordFailurePredicate;
    this.recordResultAsFailure = b.recordResultAsFailure;
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The configuration with every default. */
  public static CircuitBreakerConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder holding this configuration's values, to derive a variant. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Failure rate, in percent of the calls in the window, at which the breaker opens. Default 50.
   */
  public float failureRateThreshold() {
    return failureRateThreshold;
  }

  /**
   * Slow-call rate, in percent of the calls in the window, at which the breaker opens. Default 100.
   * Only used when {@link #slowCallDuration()} is set.
   */
  public float slowCallRateThreshold() {
    return slowCallRateThreshold;
  }

  /**
   * How long a call may take before it counts as slow; empty (the default) when slow calls are not
   * detected. Timing a call costs two clock reads, so a breaker times calls only when slow calls
   * are detected or a listener wants durations.
   */
  public Optional<Duration> slowCallDuration() {
    return slowCallNanos == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(slowCallNanos));
  }

  /** Failures in a row that open the breaker, whatever the rate; 0 (the default) turns it off. */
  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  /** Whether the window counts the last calls or the last seconds. Default {@code COUNT}. */
  public WindowType windowType() {
    return windowType;
  }

  /** Calls a {@code COUNT} window remembers. Default 100. */
  public int windowSize() {
    return windowSize;
  }

  /** How far back a {@code TIME} window remembers. Default 60 seconds. */
  public Duration windowDuration() {
    return Duration.ofNanos(windowNanos);
  }

  /** Calls the window must hold before a rate can open the breaker. Default 20. */
  public int minimumCalls() {
    return minimumCalls;
  }

  /** How long the breaker stays open the first time. Default 30 seconds. */
  public Duration openDuration() {
    return Duration.ofNanos(openNanos);
  }

  /**
   * Factor by which the open wait grows with each re-open without closing in between. Default 1 (a
   * fixed wait).
   */
  public double openDurationMultiplier() {
    return openDurationMultiplier;
  }

  /**
   * The longest open wait the multiplier can reach. Default 5 minutes, or openDuration if longer.
   */
  public Duration maxOpenDuration() {
    return Duration.ofNanos(maxOpenNanos);
  }

  /** Probe calls let through at the same time when half-open. Default 1. */
  public int halfOpenMaxCalls() {
    return halfOpenMaxCalls;
  }

  /** Successful probes that close the breaker. Default 1. */
  public int successThreshold() {
    return successThreshold;
  }

  /**
   * How long half-open probes may stay in flight without reporting before their slots are given to
   * new probes (their late outcomes are then ignored). Default 60 seconds.
   */
  public Duration halfOpenMaxWait() {
    return Duration.ofNanos(halfOpenMaxWaitNanos);
  }

  /** Exceptions counted as failures; empty (the default) means every exception not ignored. */
  public List<Class<? extends Throwable>> recordExceptions() {
    return recordExceptions;
  }

  /**
   * Exceptions counted neither way. By default every {@link RejectedException} except a {@link
   * TimeoutExceededException}: a bulkhead's or limiter's rejection is not the remote service
   * failing, a timeout is.
   */
  public List<Class<? extends Throwable>> ignoreExceptions() {
    return ignoreExceptions;
  }

  /** An extra test an exception must pass to count as a failure; empty by default. */
  public Optional<Predicate<Throwable>> recordFailurePredicate() {
    return Optional.ofNullable(recordFailurePredicate);
  }

  /** A test that counts a returned value as a failure (an HTTP 503); empty by default. */
  public Optional<Predicate<Object>> recordResultAsFailure() {
    return Optional.ofNullable(recordResultAsFailure);
  }

  long slowCallNanos() {
    return slowCallNanos;
  }

  long windowNanos() {
    return windowNanos;
  }

  long openNanos() {
    return openNanos;
  }

  long maxOpenNanos() {
    return maxOpenNanos;
  }

  long halfOpenMaxWaitNanos() {
    return halfOpenMaxWaitNanos;
  }

  @Nullable Predicate<Object> resultPredicate() {
    return recordResultAsFailure;
  }

  /** True if {@code failure} (already unwrapped) is counted neither as success nor failure. */
  boolean isIgnored(Throwable failure) {
    if (defaultIgnores) {
      if (failure instanceof RejectedException && !(failure instanceof TimeoutExceededException)) {
        return true;
      }
    } else if (matches(ignoreExceptions, failure)) {
      return true;
    }
    if (!recordExceptions.isEmpty() && !matches(recordExceptions, failure)) {
      return true;
    }
    return recordFailurePredicate != null && !recordFailurePredicate.test(failure);
  }

  private static boolean matches(List<Class<? extends Throwable>> types, Throwable failure) {
    for (int i = 0; i < types.size(); i++) {
      if (types.get(i).isInstance(failure)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The first setting, as the builder spells it, in which {@code next} differs from this
   * configuration and that a running breaker cannot take: the window's type, and its size or
   * duration when that is the kind of window in use. Null if there is none.
   */
  @Nullable String settingFixedWhileRunning(CircuitBreakerConfig next) {
    if (windowType != next.windowType) {
      return "windowType";
    }
    if (windowType == WindowType.COUNT && windowSize != next.windowSize) {
      return "windowSize";
    }
    if (windowType == WindowType.TIME && windowNanos != next.windowNanos) {
      return "windowDuration";
    }
    return null;
  }

  /**
   * The names of the settings, as the builder spells them, in which {@code other} differs from this
   * configuration; empty if they are equal. Predicates are compared by identity; the ignored
   * exceptions differ also when one side keeps the default. The effective {@code maxOpenDuration}
   * counts, so a longer {@code openDuration} can change it too. Rates and the multiplier are
   * checked ranges, never NaN, so {@code !=} compares them.
   */
  Set<String> changedSettings(CircuitBreakerConfig other) {
    Set<String> changed = new LinkedHashSet<>();
    note(changed, "failureRateThreshold", failureRateThreshold != other.failureRateThreshold);
    note(changed, "slowCallRateThreshold", slowCallRateThreshold != other.slowCallRateThreshold);
    note(changed, "slowCallDuration", slowCallNanos != other.slowCallNanos);
    note(changed, "consecutiveFailures", consecutiveFailures != other.consecutiveFailures);
    note(changed, "windowType", windowType != other.windowType);
    note(changed, "windowSize", windowSize != other.windowSize);
    note(changed, "windowDuration", windowNanos != other.windowNanos);
    note(changed, "minimumCalls", minimumCalls != other.minimumCalls);
    note(changed, "openDuration", openNanos != other.openNanos);
    note(changed, "openDurationMultiplier", openDurationMultiplier != other.openDurationMultiplier);
    note(
        changed,
        "maxOpenDuration",
        maxOpenNanos != other.maxOpenNanos || maxOpenExplicit != other.maxOpenExplicit);
    note(changed, "halfOpenMaxCalls", halfOpenMaxCalls != other.halfOpenMaxCalls);
    note(changed, "successThreshold", successThreshold != other.successThreshold);
    note(changed, "halfOpenMaxWait", halfOpenMaxWaitNanos != other.halfOpenMaxWaitNanos);
    note(changed, "recordExceptions", !recordExceptions.equals(other.recordExceptions));
    note(
        changed,
        "ignoreExceptions",
        !ignoreExceptions.equals(other.ignoreExceptions) || defaultIgnores != other.defaultIgnores);
    note(changed, "recordFailurePredicate", recordFailurePredicate != other.recordFailurePredicate);
    note(changed, "recordResultAsFailure", recordResultAsFailure != other.recordResultAsFailure);
    return changed;
  }

  private static void note(Set<String> changed, String setting, boolean differs) {
    if (differs) {
      changed.add(setting);
    }
  }

  /**
   * True if {@code o} is a configuration with the same settings; predicates are compared by
   * identity, so two configurations built with two equal-looking lambdas differ.
   */
  @Override
  public boolean equals(Object o) {
    return o == this
        || o instanceof CircuitBreakerConfig && changedSettings((CircuitBreakerConfig) o).isEmpty();
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        failureRateThreshold,
        slowCallRateThreshold,
        slowCallNanos,
        consecutiveFailures,
        windowType,
        windowSize,
        windowNanos,
        minimumCalls,
        openNanos,
        openDurationMultiplier,
        maxOpenNanos,
        halfOpenMaxCalls,
        successThreshold,
        halfOpenMaxWaitNanos,
        recordExceptions,
        ignoreExceptions,
        defaultIgnores,
        System.identityHashCode(recordFailurePredicate),
        System.identityHashCode(recordResultAsFailure));
  }

  @Override
  public String toString() {
    return "CircuitBreakerConfig[failureRateThreshold="
        + failureRateThreshold
        + ", slowCallRateThreshold="
        + slowCallRateThreshold
        + ", slowCallDuration="
        + slowCallDuration().map(Duration::toString).orElse("none")
        + ", consecutiveFailures="
        + consecutiveFailures
        + ", windowType="
        + windowType
        + ", windowSize="
        + windowSize
        + ", windowDuration="
        + windowDuration()
        + ", minimumCalls="
        + minimumCalls
        + ", openDuration="
        + openDuration()
        + ", openDurationMultiplier="
        + openDurationMultiplier
        + ", maxOpenDuration="
        + maxOpenDuration()
        + ", halfOpenMaxCalls="
        + halfOpenMaxCalls
        + ", successThreshold="
        + successThreshold
        + ", halfOpenMaxWait="
        + halfOpenMaxWait()
        + "]";
  }

  /**
   * Builds a {@link CircuitBreakerConfig}. Each setter checks its own value; {@link #build()}
   * checks how the values fit together.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private float failureRateThreshold = 50;
    private float slowCallRateThreshold = 100;
    private Duration slowCallDuration = Duration.ZERO;
    private int consecutiveFailures = 0;
    private WindowType windowType = WindowType.COUNT;
    private int windowSize = 100;
    private Duration windowDuration = Duration.ofSeconds(60);
    private int minimumCalls = 20;
    private Duration openDuration = Duration.ofSeconds(30);
    private double openDurationMultiplier = 1.0;
    private @Nullable Duration maxOpenDuration = null; // null: 5 minutes, or openDuration if longer
    private int halfOpenMaxCalls = 1;
    private int successThreshold = 1;
    private Duration halfOpenMaxWait = Duration.ofSeconds(60);
    private List<Class<? extends Throwable>> recordExceptions = List.of();
    private List<Class<? extends Throwable>> ignoreExceptions = List.of(RejectedException.class);
    private boolean defaultIgnores = true;
    private @Nullable Predicate<Throwable> recordFailurePredicate;
    private @Nullable Predicate<Object> recordResultAsFailure;

    private Builder() {}

    private Builder(CircuitBreakerConfig c) {
      this.failureRateThreshold = c.failureRateThreshold;
      this.slowCallRateThreshold = c.slowCallRateThreshold;
      this.slowCallDuration = Duration.ofNanos(c.slowCallNanos);
      this.consecutiveFailures = c.consecutiveFailures;
      this.windowType = c.windowType;
      this.windowSize = c.windowSize;
      this.windowDuration = Duration.ofNanos(c.windowNanos);
      this.minimumCalls = c.minimumCalls;
      this.openDuration = Duration.ofNanos(c.openNanos);
      this.openDurationMultiplier = c.openDurationMultiplier;
      this.maxOpenDuration = c.maxOpenExplicit ? Duration.ofNanos(c.maxOpenNanos) : null;
      this.halfOpenMaxCalls = c.halfOpenMaxCalls;
      this.successThreshold = c.successThreshold;
      this.halfOpenMaxWait = Duration.ofNanos(c.halfOpenMaxWaitNanos);
      this.recordExceptions = c.recordExceptions;
      this.ignoreExceptions = c.ignoreExceptions;
      this.defaultIgnores = c.defaultIgnores;
      this.recordFailurePredicate = c.recordFailurePredicate;
      this.recordResultAsFailure = c.recordResultAsFailure;
    }

    /**
     * Failure rate, in percent, at which the breaker opens: in (0, 100]. Default 50.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder failureRateThreshold(float percent) {
      this.failureRateThreshold = checkPercent("failureRateThreshold", percent);
      return this;
    }

    /**
     * Slow-call rate, in percent, at which the breaker opens: in (0, 100]. Default 100.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder slowCallRateThreshold(float percent) {
      this.slowCallRateThreshold = checkPercent("slowCallRateThreshold", percent);
      return this;
    }

    /**
     * How long a call may take before it counts as slow; {@link Duration#ZERO} turns slow-call
     * detection off (the default).
     *
     * @throws IllegalArgumentException if negative or longer than 365 days
     */
    public Builder slowCallDuration(Duration duration) {
      this.slowCallDuration = Check.nonNegative("slowCallDuration", duration);
      return this;
    }

    /**
     * Failures in a row that open the breaker whatever the rate, in [0, 1000000]; 0 turns it off
     * (the default).
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder consecutiveFailures(int failures) {
      this.consecutiveFailures = Check.inRange("consecutiveFailures", failures, 0, 1_000_000);
      return this;
    }

    /**
     * Whether the window counts calls or time. Default {@code COUNT}.
     *
     * @throws NullPointerException if null
     */
    public Builder windowType(WindowType type) {
      this.windowType = Check.notNull("windowType", type);
      return this;
    }

    /**
     * Calls a {@code COUNT} window remembers, in [1, 100000]. Default 100.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder windowSize(int calls) {
      this.windowSize = Check.inRange("windowSize", calls, 1, 100_000);
      return this;
    }

    /**
     * How far back a {@code TIME} window remembers, in [10 ms, 365 days]. Default 60 seconds.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder windowDuration(Duration duration) {
      Check.positive("windowDuration", duration);
      if (duration.compareTo(Duration.ofMillis(10)) < 0) {
        throw new IllegalArgumentException(
            "windowDuration must be in [PT0.01S, " + Check.MAX_DURATION + "], was " + duration);
      }
      this.windowDuration = duration;
      return this;
    }

    /**
     * Calls the window must hold before a rate can open the breaker, in [1, 100000]; for a {@code
     * COUNT} window, at most {@code windowSize}. Default 20.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder minimumCalls(int calls) {
      this.minimumCalls = Check.inRange("minimumCalls", calls, 1, 100_000);
      return this;
    }

    /**
     * How long the breaker stays open the first time, in (0, 365 days]. Default 30 seconds.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder openDuration(Duration duration) {
      this.openDuration = Check.positive("openDuration", duration);
      return this;
    }

    /**
     * Factor by which the open wait grows with each re-open, in [1, 100]. Default 1 (fixed).
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder openDurationMultiplier(double multiplier) {
      this.openDurationMultiplier = Check.inRange("openDurationMultiplier", multiplier, 1.0, 100.0);
      return this;
    }

    /**
     * The longest open wait the multiplier can reach, in (0, 365 days] and at least {@code
     * openDuration}. Default 5 minutes, or {@code openDuration} if that is longer.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxOpenDuration(Duration duration) {
      this.maxOpenDuration = Check.positive("maxOpenDuration", duration);
      return this;
    }

    /**
     * Probe calls let through at the same time when half-open, in [1, 10000]. Default 1.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder halfOpenMaxCalls(int calls) {
      this.halfOpenMaxCalls = Check.inRange("halfOpenMaxCalls", calls, 1, 10_000);
      return this;
    }

    /**
     * Successful probes that close the breaker, in [1, 1000000]. Default 1. May exceed {@code
     * halfOpenMaxCalls}: another probe is let through whenever one finishes.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder successThreshold(int successes) {
      this.successThreshold = Check.inRange("successThreshold", successes, 1, 1_000_000);
      return this;
    }

    /**
     * How long probes may stay in flight without reporting before new probes take their slots, in
     * (0, 365 days]. Default 60 seconds.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder halfOpenMaxWait(Duration duration) {
      this.halfOpenMaxWait = Check.positive("halfOpenMaxWait", duration);
      return this;
    }

    /**
     * Counts only these exceptions (and their subclasses) as failures; others not ignored are
     * counted neither way. No types (the default) counts every exception not ignored.
     *
     * @throws NullPointerException if the array or any type is null
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read, never stored or exposed
    public final Builder recordExceptions(Class<? extends Throwable>... types) {
      this.recordExceptions = copy("recordExceptions", types);
      return this;
    }

    /**
     * Counts these exceptions (and their subclasses) neither as success nor failure; replaces the
     * default, which ignores every {@link RejectedException} except a {@link
     * TimeoutExceededException}. Ignoring wins over {@link #recordExceptions}.
     *
     * @throws NullPointerException if the array or any type is null
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read, never stored or exposed
    public final Builder ignoreExceptions(Class<? extends Throwable>... types) {
      this.ignoreExceptions = copy("ignoreExceptions", types);
      this.defaultIgnores = false;
      return this;
    }

    /**
     * An extra test a recorded exception must pass to count as a failure; one that fails it is
     * counted neither way. The predicate must be thread-safe and quick.
     *
     * @throws NullPointerException if null
     */
    public Builder recordFailurePredicate(Predicate<Throwable> predicate) {
      this.recordFailurePredicate = Check.notNull("recordFailurePredicate", predicate);
      return this;
    }

    /**
     * Counts a returned value as a failure when {@code predicate} holds (an HTTP 503 response). The
     * predicate must be thread-safe and quick; it sees every value, including null.
     *
     * @throws NullPointerException if null
     */
    public Builder recordResultAsFailure(Predicate<Object> predicate) {
      this.recordResultAsFailure = Check.notNull("recordResultAsFailure", predicate);
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalArgumentException if values do not fit together: minimumCalls above windowSize
     *     for a COUNT window, or maxOpenDuration below openDuration
     */
    public CircuitBreakerConfig build() {
      if (windowType == WindowType.COUNT) {
        Check.inRange("minimumCalls", minimumCalls, 1, windowSize, "windowSize");
      }
      if (maxOpenDuration != null && maxOpenDuration.compareTo(openDuration) < 0) {
        throw new IllegalArgumentException(
            "maxOpenDuration must be in ["
                + openDuration
                + " (openDuration), "
                + Check.MAX_DURATION
                + "], was "
                + maxOpenDuration);
      }
      return new CircuitBreakerConfig(this);
    }

    private Duration effectiveMaxOpenDuration() {
      if (maxOpenDuration != null) {
        return maxOpenDuration;
      }
      Duration fiveMinutes = Duration.ofMinutes(5);
      return openDuration.compareTo(fiveMinutes) > 0 ? openDuration : fiveMinutes;
    }

    private static float checkPercent(String field, float percent) {
      if (!(percent > 0 && percent <= 100)) { // also rejects NaN
        throw new IllegalArgumentException(field + " must be in (0, 100], was " + percent);
      }
      return percent;
    }

    private static List<Class<? extends Throwable>> copy(
        String field, Class<? extends Throwable>[] types) {
      Check.notNull(field, types);
      for (int i = 0; i < types.length; i++) {
        Check.notNull(field + "[" + i + "]", types[i]);
      }
      return List.of(types);
    }
  }
}
