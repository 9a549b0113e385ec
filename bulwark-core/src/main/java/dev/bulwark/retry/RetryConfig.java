package dev.bulwark.retry;

import dev.bulwark.internal.Check;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import javax.security.auth.login.LoginException;
import org.jspecify.annotations.Nullable;

/**
 * How often a {@link Retry} tries a call, how long it waits in between, how long each attempt may
 * take, and which outcomes are worth another attempt.
 *
 * <pre>{@code
 * RetryConfig config = RetryConfig.builder()
 *     .maxAttempts(4)
 *     .backoff(Backoff.exponential(Duration.ofMillis(200), 2.0, Duration.ofSeconds(5)))
 *     .maxDuration(Duration.ofSeconds(10))
 *     .retryOnResult(r -> r instanceof HttpResponse<?> res && res.statusCode() == 503)
 *     .build();
 * }</pre>
 *
 * <p><b>Which failures are retried.</b> A failure is retried if it is an {@link Exception} not
 * listed in {@link #abortOn()}, and it is an instance of a class in {@link #retryOn()} or matches
 * {@link #retryIf()}. When neither {@code retryOn} nor {@code retryIf} is set, every such exception
 * is retried. {@code abortOn} always wins, and an {@link Error} is never retried. A failure that is
 * not retried reaches the caller at once, unwrapped. Classes are matched against the failure itself
 * (after peeling {@code CompletionException}), not against its causes.
 *
 * <p><b>Server-directed delays.</b> When a server says how long to wait (HTTP 429 or 503 with
 * {@code Retry-After}), that delay replaces the backoff, up to {@link #maxServerDelay()}: a failure
 * says it with a {@code ServerBusyException} (itself or in its cause chain), a result through
 * {@link #serverDelay()}. {@link #respectServerDelay()} turns this off.
 *
 * <p><b>Retry budget.</b> With a {@link #budget()} shared by the retries of one resource, retries
 * stop as soon as they would exceed its share of recent calls; see {@link RetryBudget}.
 *
 * <p>Immutable. Thread-safe.
 */
public final class RetryConfig {

  /**
   * The failures {@link #abortOn()} always contains: they are never transient, so trying again only
   * repeats them (an authentication failure, a bad argument, a bug) or ignores a request to stop
   * (an interrupt).
   */
  private static final List<Class<? extends Throwable>> NEVER_RETRIED =
      List.of(
          SecurityException.class,
          GeneralSecurityException.class,
          LoginException.class,
          IllegalArgumentException.class,
          NullPointerException.class,
          ClassCastException.class,
          UnsupportedOperationException.class,
          InterruptedException.class);

  private static final List<Class<? extends Throwable>> EVERY_EXCEPTION = List.of(Exception.class);

  private static final Backoff DEFAULT_BACKOFF =
      Backoff.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(10))
          .withJitter(Backoff.Jitter.FULL);

  private static final Supplier<RandomGenerator> THREAD_LOCAL_RANDOM = ThreadLocalRandom::current;

  private static final RetryConfig DEFAULTS = new Builder().build();

  private final int maxAttempts;
  private final @Nullable Duration maxDuration;
  private final Backoff backoff;
  private final @Nullable Duration attemptTimeout;
  private final double attemptTimeoutMultiplier;
  private final @Nullable Duration maxAttemptTimeout;
  private final List<Class<? extends Throwable>> retryOn;
  private final @Nullable Predicate<Throwable> retryIf;
  private final List<Class<? extends Throwable>> abortOn;
  private final List<Class<? extends Throwable>> addedAbortOn;
  private final @Nullable Predicate<Object> retryOnResult;
  private final Supplier<? extends RandomGenerator> random;
  private final Duration maxServerDelay;
  private final boolean respectServerDelay;
  private final @Nullable Function<Object, Optional<Duration>> serverDelay;
  private final @Nullable RetryBudget budget;

  private RetryConfig(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.maxDuration = b.maxDuration;
    this.backoff = b.backoff;
    this.attemptTimeout = b.attemptTimeout;
    this.attemptTimeoutMultiplier = b.attemptTimeoutMultiplier;
    this.maxAttemptTimeout = b.maxAttemptTimeout;
    this.retryOn = b.retryOn != null ? b.retryOn : b.retryIf != null ? List.of() : EVERY_EXCEPTION;
    this.retryIf = b.retryIf;
    this.addedAbortOn = b.abortOn;
    List<Class<? extends Throwable>> aborts = new ArrayList<>(NEVER_RETRIED);
    aborts.addAll(b.abortOn);
    this.abortOn = List.copyOf(aborts);
    this.retryOnResult = b.retryOnResult;
    this.random = b.random;
    this.maxServerDelay = b.maxServerDelay;
    this.respectServerDelay = b.respectServerDelay;
    this.serverDelay = b.serverDelay;
    this.budget = b.budget;
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
   * The default configuration: 3 attempts, exponential backoff from 100 ms doubling up to 10 s with
   * full jitter, no time budget, no per-attempt timeout, every exception retried except those never
   * retried (see {@link #abortOn()}), a server's delay respected up to 300 s, no retry budget.
   *
   * <p>Thread-safe.
   */
  public static RetryConfig ofDefaults() {
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
   * How many times a call is tried, counting the first attempt. Default 3. With 1 the call is never
   * retried and its failure reaches the caller unwrapped. Thread-safe.
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * The time budget for the whole call, attempts and waits together: no wait is begun that would
   * end at or past it (the call then gives up). An attempt already running is not cut short by it;
   * use {@link #attemptTimeout()} for that. Default: none. Thread-safe.
   */
  public Optional<Duration> maxDuration() {
    return Optional.ofNullable(maxDuration);
  }

  /**
   * How long to wait before each new attempt. Default: exponential from 100 ms, doubling, capped at
   * 10 s, with {@link Backoff.Jitter#FULL full jitter} (the widest spread, so clients that failed
   * together do not retry together). Thread-safe.
   */
  public Backoff backoff() {
    return backoff;
  }

  /**
   * How long the first attempt may take before it is cut short with a {@code
   * TimeoutExceededException} (which is retried). Default: none. Thread-safe.
   */
  public Optional<Duration> attemptTimeout() {
    return Optional.ofNullable(attemptTimeout);
  }

  /**
   * How much longer each attempt may take than the one before (a progressive timeout): attempt
   * {@code n} gets {@code attemptTimeout × multiplier^(n-1)}, up to {@link #maxAttemptTimeout()}.
   * Default 1.0: every attempt gets the same time. Thread-safe.
   */
  public double attemptTimeoutMultiplier() {
    return attemptTimeoutMultiplier;
  }

  /**
   * The longest any attempt may take under a progressive timeout. Default: none (365 days).
   * Thread-safe.
   */
  public Optional<Duration> maxAttemptTimeout() {
    return Optional.ofNullable(maxAttemptTimeout);
  }

  /**
   * Failure classes that are retried (subclasses included). Default: {@code [Exception]}, or empty
   * when only {@link #retryIf()} is set. Unmodifiable. Thread-safe.
   */
  public List<Class<? extends Throwable>> retryOn() {
    return retryOn;
  }

  /**
   * A test that retries the failures it accepts, besides those in {@link #retryOn()}. Default:
   * none. Thread-safe.
   */
  public Optional<Predicate<Throwable>> retryIf() {
    return Optional.ofNullable(retryIf);
  }

  /**
   * Failure classes that are never retried, whatever {@link #retryOn()} and {@link #retryIf()} say.
   * Always contains {@code SecurityException}, {@code GeneralSecurityException}, {@code
   * LoginException} (an authentication failure is never retried), {@code IllegalArgumentException},
   * {@code NullPointerException}, {@code ClassCastException}, {@code UnsupportedOperationException}
   * and {@code InterruptedException}, followed by those given to {@link Builder#abortOn}.
   * Unmodifiable. Thread-safe.
   */
  public List<Class<? extends Throwable>> abortOn() {
    return abortOn;
  }

  /**
   * A test of a call's result that makes it worth another attempt (an HTTP 503, say). When the
   * attempts run out, the last result is returned, not thrown. Default: none. Thread-safe.
   */
  public Optional<Predicate<Object>> retryOnResult() {
    return Optional.ofNullable(retryOnResult);
  }

  /**
   * Where jitter is drawn from: called once per delay, on the thread computing it, and the
   * generator it returns is used by that thread for that delay only. Default: {@code
   * ThreadLocalRandom::current}, so no generator is shared between threads. Thread-safe.
   */
  public Supplier<? extends RandomGenerator> random() {
    return random;
  }

  /**
   * The longest a server may make a retry wait: a longer {@code Retry-After} is cut to this.
   * Default 300 s (as {@code RetryAfterConfig}'s cap). Thread-safe.
   */
  public Duration maxServerDelay() {
    return maxServerDelay;
  }

  /**
   * Whether a delay the server asks for replaces the backoff. Default true. When true, a failure
   * that is, or is caused by (up to 8 causes deep), a {@code ServerBusyException} waits its {@code
   * retryAfter}, and a retried result waits what {@link #serverDelay()} reads from it; each capped
   * by {@link #maxServerDelay()}. The attempt still counts towards {@link #maxAttempts()}, and the
   * backoff resumes from it once the server stops saying. When false, such failures and results
   * wait the backoff only.
   *
   * <p>A rejection by an inner policy that is not the server's (an inner breaker or rate limiter
   * saying when a call may pass) is a hint, not an order: the wait is the longer of the backoff and
   * that hint, the hint capped by the backoff's {@link Backoff#max() max}, whatever this setting.
   * (In the recommended order the retry sits inside the breaker, so it never sees the breaker's
   * rejections.) Thread-safe.
   */
  public boolean respectServerDelay() {
    return respectServerDelay;
  }

  /**
   * Reads from a retried result (an HTTP 429 response, say) how long the server asks to wait;
   * applied only to results that {@link #retryOnResult()} retries. An empty answer, a null or a
   * negative duration leaves the backoff. Default: none. Thread-safe.
   */
  public Optional<Function<Object, Optional<Duration>>> serverDelay() {
    return Optional.ofNullable(serverDelay);
  }

  /**
   * The retry budget shared with other retries of the same resource. Default: none (retries are
   * limited per call only). Thread-safe.
   */
  public Optional<RetryBudget> budget() {
    return Optional.ofNullable(budget);
  }

  /**
   * The names of the settings, as the builder spells them, in which {@code other} differs from this
   * configuration; empty if they are equal. Predicates, the random source, the server-delay reader
   * and the retry budget are compared by identity; the backoff by value.
   */
  Set<String> changedSettings(RetryConfig other) {
    Set<String> changed = new LinkedHashSet<>();
    if (maxAttempts != other.maxAttempts) {
      changed.add("maxAttempts");
    }
    if (!Objects.equals(maxDuration, other.maxDuration)) {
      changed.add("maxDuration");
    }
    if (!backoff.equals(other.backoff)) {
      changed.add("backoff");
    }
    if (!Objects.equals(attemptTimeout, other.attemptTimeout)) {
      changed.add("attemptTimeout");
    }
    if (Double.compare(attemptTimeoutMultiplier, other.attemptTimeoutMultiplier) != 0) {
      changed.add("attemptTimeoutMultiplier");
    }
    if (!Objects.equals(maxAttemptTimeout, other.maxAttemptTimeout)) {
      changed.add("maxAttemptTimeout");
    }
    if (!retryOn.equals(other.retryOn)) {
      changed.add("retryOn");
    }
    if (retryIf != other.retryIf) {
      changed.add("retryIf");
    }
    if (!addedAbortOn.equals(other.addedAbortOn)) {
      changed.add("abortOn");
    }
    if (retryOnResult != other.retryOnResult) {
      changed.add("retryOnResult");
    }
    if (random != other.random) {
      changed.add("random");
    }
    if (!maxServerDelay.equals(other.maxServerDelay)) {
      changed.add("maxServerDelay");
    }
    if (respectServerDelay != other.respectServerDelay) {
      changed.add("respectServerDelay");
    }
    if (serverDelay != other.serverDelay) {
      changed.add("serverDelay");
    }
    if (budget != other.budget) {
      changed.add("budget");
    }
    return changed;
  }

  /**
   * True if {@code o} is a configuration with the same settings; predicates, the random source, the
   * server-delay reader and the retry budget are compared by identity.
   *
   * <p>Thread-safe.
   */
  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof RetryConfig && changedSettings((RetryConfig) o).isEmpty();
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        maxAttempts,
        maxDuration,
        backoff,
        attemptTimeout,
        attemptTimeoutMultiplier,
        maxAttemptTimeout,
        retryOn,
        System.identityHashCode(retryIf),
        addedAbortOn,
        System.identityHashCode(retryOnResult),
        System.identityHashCode(random),
        maxServerDelay,
        respectServerDelay,
        System.identityHashCode(serverDelay),
        System.identityHashCode(budget));
  }

  @Override
  public String toString() {
    return "RetryConfig[maxAttempts="
        + maxAttempts
        + ", maxDuration="
        + maxDuration
        + ", backoff="
        + backoff
        + ", attemptTimeout="
        + attemptTimeout
        + ", attemptTimeoutMultiplier="
        + attemptTimeoutMultiplier
        + ", maxAttemptTimeout="
        + maxAttemptTimeout
        + ", retryOn="
        + retryOn
        + ", abortOn="
        + abortOn
        + ", maxServerDelay="
        + maxServerDelay
        + ", respectServerDelay="
        + respectServerDelay
        + ", budget="
        + budget
        + "]";
  }

  /**
   * Builds a {@link RetryConfig}. Each setter checks its own value; {@link #build()} checks how the
   * values fit together. Messages name the field and the allowed range.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private int maxAttempts = 3;
    private @Nullable Duration maxDuration;
    private Backoff backoff = DEFAULT_BACKOFF;
    private @Nullable Duration attemptTimeout;
    private double attemptTimeoutMultiplier = 1.0;
    private @Nullable Duration maxAttemptTimeout;
    private @Nullable List<Class<? extends Throwable>> retryOn;
    private @Nullable Predicate<Throwable> retryIf;
    private List<Class<? extends Throwable>> abortOn = List.of();
    private @Nullable Predicate<Object> retryOnResult;
    private Supplier<? extends RandomGenerator> random = THREAD_LOCAL_RANDOM;
    private Duration maxServerDelay = Duration.ofSeconds(300);
    private boolean respectServerDelay = true;
    private @Nullable Function<Object, Optional<Duration>> serverDelay;
    private @Nullable RetryBudget budget;

    private Builder() {}

    private Builder(RetryConfig c) {
      this.maxAttempts = c.maxAttempts;
      this.maxDuration = c.maxDuration;
      this.backoff = c.backoff;
      this.attemptTimeout = c.attemptTimeout;
      this.attemptTimeoutMultiplier = c.attemptTimeoutMultiplier;
      this.maxAttemptTimeout = c.maxAttemptTimeout;
      // Keep "unset" unset, so that setting only retryIf later still narrows as documented.
      this.retryOn = c.retryOn == EVERY_EXCEPTION ? null : c.retryOn;
      this.retryIf = c.retryIf;
      this.abortOn = c.addedAbortOn;
      this.retryOnResult = c.retryOnResult;
      this.random = c.random;
      this.maxServerDelay = c.maxServerDelay;
      this.respectServerDelay = c.respectServerDelay;
      this.serverDelay = c.serverDelay;
      this.budget = c.budget;
    }

    /**
     * Sets {@link RetryConfig#maxAttempts()}.
     *
     * <p>Not thread-safe.
     *
     * @param attempts in [1, 1000], counting the first
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxAttempts(int attempts) {
      this.maxAttempts = Check.inRange("maxAttempts", attempts, 1, 1000);
      return this;
    }

    /**
     * Sets {@link RetryConfig#maxDuration()}.
     *
     * <p>Not thread-safe.
     *
     * @param budget in (0, 365 days]
     * @throws IllegalArgumentException if out of range
     * @throws NullPointerException if null
     */
    public Builder maxDuration(Duration budget) {
      this.maxDuration = Check.positive("maxDuration", budget);
      return this;
    }

    /**
     * Sets {@link RetryConfig#backoff()}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     */
    public Builder backoff(Backoff backoff) {
      this.backoff = Check.notNull("backoff", backoff);
      return this;
    }

    /** The backoff set so far, for the backoff settings (see RetryKind). */
    Backoff currentBackoff() {
      return backoff;
    }

    /**
     * Sets {@link RetryConfig#attemptTimeout()}.
     *
     * <p>Not thread-safe.
     *
     * @param timeout in (0, 365 days]
     * @throws IllegalArgumentException if out of range
     * @throws NullPointerException if null
     */
    public Builder attemptTimeout(Duration timeout) {
      this.attemptTimeout = Check.positive("attemptTimeout", timeout);
      return this;
    }

    /**
     * Sets {@link RetryConfig#attemptTimeoutMultiplier()}; needs {@link #attemptTimeout}.
     *
     * <p>Not thread-safe.
     *
     * @param multiplier in [1.0, 100.0]
     * @throws IllegalArgumentException if out of range
     */
    public Builder attemptTimeoutMultiplier(double multiplier) {
      this.attemptTimeoutMultiplier =
          Check.inRange("attemptTimeoutMultiplier", multiplier, 1.0, 100.0);
      return this;
    }

    /**
     * Sets {@link RetryConfig#maxAttemptTimeout()}; needs {@link #attemptTimeout}, and must be at
     * least that long.
     *
     * <p>Not thread-safe.
     *
     * @param cap in (0, 365 days]
     * @throws IllegalArgumentException if out of range
     * @throws NullPointerException if null
     */
    public Builder maxAttemptTimeout(Duration cap) {
      this.maxAttemptTimeout = Check.positive("maxAttemptTimeout", cap);
      return this;
    }

    /**
     * Sets {@link RetryConfig#retryOn()}, replacing the default {@code [Exception]}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if the array or a class is null
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read, never stored or exposed
    public final Builder retryOn(Class<? extends Throwable>... failures) {
      this.retryOn = classes("retryOn", failures);
      return this;
    }

    /**
     * Sets {@link RetryConfig#retryIf()}. Set alone, it decides alone which failures are retried
     * (the default {@code [Exception]} of {@code retryOn} then no longer applies).
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     */
    public Builder retryIf(Predicate<Throwable> test) {
      this.retryIf = Check.notNull("retryIf", test);
      return this;
    }

    /**
     * Adds failure classes to {@link RetryConfig#abortOn()}, after the ones never retried; replaces
     * what an earlier call to this method added.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if the array or a class is null
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read, never stored or exposed
    public final Builder abortOn(Class<? extends Throwable>... failures) {
      this.abortOn = classes("abortOn", failures);
      return this;
    }

    /**
     * Sets {@link RetryConfig#retryOnResult()}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     */
    public Builder retryOnResult(Predicate<Object> test) {
      this.retryOnResult = Check.notNull("retryOnResult", test);
      return this;
    }

    /**
     * Sets {@link RetryConfig#random()}; tests use it to make jitter predictable.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     */
    public Builder random(Supplier<? extends RandomGenerator> source) {
      this.random = Check.notNull("random", source);
      return this;
    }

    /**
     * Sets {@link RetryConfig#maxServerDelay()}.
     *
     * <p>Not thread-safe.
     *
     * @param cap in (0, 365 days]
     * @throws IllegalArgumentException if out of range
     * @throws NullPointerException if null
     */
    public Builder maxServerDelay(Duration cap) {
      this.maxServerDelay = Check.positive("maxServerDelay", cap);
      return this;
    }

    /**
     * Sets {@link RetryConfig#respectServerDelay()}.
     *
     * <p>Not thread-safe.
     */
    public Builder respectServerDelay(boolean respect) {
      this.respectServerDelay = respect;
      return this;
    }

    /**
     * Sets {@link RetryConfig#serverDelay()}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     */
    public Builder serverDelay(Function<Object, Optional<Duration>> reader) {
      this.serverDelay = Check.notNull("serverDelay", reader);
      return this;
    }

    /**
     * Sets {@link RetryConfig#budget()}; give the same instance to every retry of the resource.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     */
    public Builder budget(RetryBudget budget) {
      this.budget = Check.notNull("budget", budget);
      return this;
    }

    /**
     * A configuration with the values set so far.
     *
     * <p>Not thread-safe.
     *
     * @throws IllegalArgumentException if {@code attemptTimeoutMultiplier} or {@code
     *     maxAttemptTimeout} is set without {@code attemptTimeout}, or {@code maxAttemptTimeout} is
     *     shorter than {@code attemptTimeout}
     */
    public RetryConfig build() {
      if (attemptTimeout == null) {
        if (attemptTimeoutMultiplier != 1.0) {
          throw new IllegalArgumentException(
              "attemptTimeoutMultiplier needs attemptTimeout; set attemptTimeout too");
        }
        if (maxAttemptTimeout != null) {
          throw new IllegalArgumentException(
              "maxAttemptTimeout needs attemptTimeout; set attemptTimeout too");
        }
      } else if (maxAttemptTimeout != null && maxAttemptTimeout.compareTo(attemptTimeout) < 0) {
        throw new IllegalArgumentException(
            "maxAttemptTimeout must be in [attemptTimeout ("
                + attemptTimeout
                + "), "
                + Check.MAX_DURATION
                + "], was "
                + maxAttemptTimeout);
      }
      return new RetryConfig(this);
    }

    private static List<Class<? extends Throwable>> classes(String field, Class<?>[] failures) {
      Check.notNull(field, failures);
      List<Class<? extends Throwable>> copy = new ArrayList<>(failures.length);
      for (int i = 0; i < failures.length; i++) {
        copy.add(Check.notNull(field + "[" + i + "]", failures[i]).asSubclass(Throwable.class));
      }
      return List.copyOf(copy);
    }
  }
}
