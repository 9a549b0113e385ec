package dev.bulwark;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.event.EventSource;
import dev.bulwark.event.PolicyAdded;
import dev.bulwark.event.PolicyEvicted;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.EventBus;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The named registry of policies: one per application, shared by every component, handing out
 * circuit breakers, retries and rate limiters by name, each made on first use from a named or the
 * default configuration, and the same instance for the same name afterwards.
 *
 * <pre>{@code
 * Resilience resilience = Resilience.builder()
 *     .circuitBreakerConfig("payments", b -> b.openDuration(Duration.ofMinutes(1)))
 *     .environment(System.getenv())          // BULWARK_* variables override the code
 *     .build();
 *
 * Stock stock = resilience.call("inventory", () -> inventory.stock(sku)); // breaker, then retry
 * CircuitBreaker perDevice = resilience.circuitBreaker("device-" + deviceId);
 * }</pre>
 *
 * <p><b>Names and configs.</b> {@code circuitBreaker(name)} makes a breaker from the config of the
 * same name if one is declared, else from the default; {@code circuitBreaker(name, configName)}
 * names the config. A config applies only when the instance is created: asking for an existing name
 * with another config returns the existing instance. Config names are matched ignoring case and
 * punctuation ({@code "user-service"} is {@code USER_SERVICE} in a variable name); instance names
 * are matched exactly.
 *
 * <p><b>Bounded growth.</b> For per-entity names (a breaker per remote device or per tenant), the
 * registry holds at most {@link #maxInstances()} instances of each kind, and with {@link
 * #idleEviction()} drops instances nobody looked up for that long. It never drops a busy instance:
 * a breaker that is not {@code CLOSED} (open, half-open, forced open or disabled) stays until it
 * closes, and so does a rate limiter holding callers back. When the registry is full it drops the
 * least recently used sixteenth of the instances that are not busy; if every one is busy, creation
 * fails with a {@link RegistryFullException} naming the bound rather than drop an open breaker.
 * "Used" means looked up through this registry (by name, or through {@link #pipeline}/{@link
 * #call}): calls through an instance held elsewhere do not count, and cost nothing extra. Code that
 * keeps a reference for longer than the idle time should not turn idle eviction on. Dropping an
 * instance publishes {@link PolicyEvicted}; the next lookup of its name creates a fresh one.
 *
 * <p><b>Concurrency.</b> Lookup is one {@code ConcurrentHashMap.get} and, at most once per
 * sixteenth of the idle time (once per second without idle eviction), a write of the lookup time:
 * no lock. Creation builds the policy outside the map, reserves a slot by compare-and-set and
 * publishes the instance with {@code putIfAbsent}: threads racing for a new name all get the
 * winner's instance. No user code runs under a map lock: {@link PolicyAdded} and {@link
 * PolicyEvicted} listeners run on the creating thread after the map is updated, so they may look
 * names up in this registry. Eviction runs on a creating thread (or in {@link #evictIdle()}), never
 * in the background.
 *
 * <p><b>The switch.</b> When {@link #enabled()} is false ({@code BULWARK_ENABLED=false}), {@link
 * #pipeline}, {@link #call} and {@link #callAsync} pass every call straight through, creating
 * nothing. Policies asked for by name still behave as configured.
 *
 * <p>Thread-safe.
 */
public final class Resilience {
  /*
   * One NamedConfigs (builder side) and one NamedPolicies (runtime side) per policy kind; every
   * kind goes through the same machinery. Adding a kind (Bulkhead, Timeout) is:
   *   1. Settings: a Kind constant (BULKHEAD("BULKHEAD_", "bulkhead.", "bulkhead")), its Key
   *      constants (BULKHEAD_MAX_CONCURRENT_CALLS, ...) and an applyBulkhead(config, values, name)
   *      switch like applyRateLimiter; add the rows to docs/configuration.md.
   *   2. Builder: a NamedConfigs<BulkheadConfig> field and the four config methods
   *      (defaultBulkheadConfig, bulkheadConfig(name, config | overrides | base, overrides)).
   *   3. Here: a resolved config map, a NamedPolicies<Bulkhead> with its "busy" predicate (for a
   *      bulkhead: calls in flight or waiting), a byName factory, bulkhead(name[, configName]),
   *      findBulkhead, bulkheads() and a term in evictIdle().
   *   4. assemble(): add its entry at its place in the documented order (fallback, bulkhead,
   *      rate limiter, breaker, retry, timeout), opted in the way the rate limiter is (a config
   *      declared for the name) or, for Timeout, also when defaultTimeout is set.
   */

  private static final Pipeline PASS_THROUGH = Pipeline.of();

  private final Clock clock;
  private final Scheduler scheduler;
  private final boolean enabled;
  private final Duration defaultTimeout;
  private final int maxInstances;
  private final Duration idleEviction;
  private final EventBus events = new EventBus();
  private final Map<String, CircuitBreakerConfig> breakerConfigs;
  private final Map<String, RetryConfig> retryConfigs;
  private final Map<String, RateLimiterConfig> limiterConfigs;
  private final ConcurrentHashMap<String, CachedPipeline> pipelines = new ConcurrentHashMap<>();
  private final NamedPolicies<CircuitBreaker> breakers;
  private final NamedPolicies<Retry> retries;
  private final NamedPolicies<RateLimiter> limiters;
  private final Function<String, CircuitBreaker> breakerByName;
  private final Function<String, Retry> retryByName;
  private final Function<String, RateLimiter> limiterByName;

  private Resilience(Builder b, Map<Settings.Kind, Map<String, List<Settings.Value>>> settings) {
    this.clock = b.clock;
    this.scheduler = b.scheduler;
    this.enabled = b.enabled;
    this.defaultTimeout = b.defaultTimeout;
    this.maxInstances = b.maxInstances;
    this.idleEviction = b.idleEviction;
    this.breakerConfigs = b.breakerConfigs.resolve(settings.get(Settings.Kind.BREAKER));
    this.retryConfigs = b.retryConfigs.resolve(settings.get(Settings.Kind.RETRY));
    this.limiterConfigs = b.limiterConfigs.resolve(settings.get(Settings.Kind.RATE_LIMITER));
    long idleNanos = idleEviction.toNanos();
    this.breakers =
        new NamedPolicies<>(
            "circuit breaker",
            maxInstances,
            idleNanos,
            clock,
            events,
            breaker -> breaker.state() == CircuitBreaker.State.CLOSED,
            this::dropPipelinesOf);
    this.retries =
        new NamedPolicies<>(
            "retry", maxInstances, idleNanos, clock, events, retry -> true, this::dropPipelinesOf);
    this.limiters =
        new NamedPolicies<>(
            "rate limiter",
            maxInstances,
            idleNanos,
            clock,
            events,
            Resilience::isIdleLimiter,
            this::dropPipelinesOf);
    this.breakerByName = n -> CircuitBreaker.of(n, configFor(breakerConfigs, n), clock);
    this.retryByName = n -> Retry.of(n, configFor(retryConfigs, n), clock, scheduler);
    this.limiterByName = n -> RateLimiter.of(n, configFor(limiterConfigs, n), clock, scheduler);
  }

  private static boolean isIdleLimiter(RateLimiter limiter) {
    RateLimiter.Snapshot s = limiter.snapshot();
    return s.waitingCallers() == 0 && s.timeUntilNextPermit().isZero();
  }

  /**
   * A builder holding the defaults: system clock and scheduler, enabled, 10,000 instances of each
   * kind at most, no idle eviction, the built-in default config of every kind.
   *
   * <p>Thread-safe.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A registry with every default; see {@link #builder()}.
   *
   * <p>Thread-safe.
   */
  public static Resilience ofDefaults() {
    return builder().build();
  }

  /**
   * A registry configured by the process's {@code BULWARK_*} environment variables; see {@code
   * docs/configuration.md} for every variable.
   *
   * <p>Thread-safe.
   *
   * @throws IllegalArgumentException naming the variable, its value and the allowed range, if a
   *     variable is unknown or its value bad
   */
  public static Resilience fromEnvironment() {
    return builder().environment(System.getenv()).build();
  }

  /**
   * A registry configured by the {@code bulwark.*} keys of {@code properties} (other keys are
   * ignored); see {@code docs/configuration.md}.
   *
   * <p>Thread-safe.
   *
   * @throws IllegalArgumentException naming the key, its value and the allowed range, if a key is
   *     unknown or its value bad
   * @throws NullPointerException if {@code properties} is null
   */
  public static Resilience fromProperties(Map<String, String> properties) {
    return builder().properties(properties).build();
  }

  /**
   * A registry configured by the {@code bulwark.*} keys of {@code properties}, defaults included.
   *
   * <p>Thread-safe.
   *
   * @throws IllegalArgumentException naming the key, its value and the allowed range, if a key is
   *     unknown or its value bad
   * @throws NullPointerException if {@code properties} is null
   */
  public static Resilience fromProperties(Properties properties) {
    return builder().properties(properties).build();
  }

  // ---- named get-or-create ----

  /**
   * The circuit breaker named {@code name}, created on first use from the config of the same name
   * if one is declared, else from the default config.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws RegistryFullException if it must be created, the registry holds {@link #maxInstances()}
   *     breakers, and none can be evicted
   */
  public CircuitBreaker circuitBreaker(String name) {
    return breakers.get(Check.name(name), breakerByName);
  }

  /**
   * The circuit breaker named {@code name}, created on first use from the config named {@code
   * configName} ({@code "default"} for the default). An existing breaker is returned as it is,
   * whatever its config.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank, or if the breaker must be created
   *     and no config is named {@code configName}
   * @throws RegistryFullException if it must be created and the registry is full
   */
  public CircuitBreaker circuitBreaker(String name, String configName) {
    Check.notNull("configName", configName);
    CircuitBreaker existing = breakers.getIfPresent(Check.name(name));
    if (existing != null) {
      return existing;
    }
    CircuitBreakerConfig config = namedConfig(breakerConfigs, configName, "circuit breaker");
    return breakers.get(name, n -> CircuitBreaker.of(n, config, clock));
  }

  /**
   * The retry named {@code name}, created on first use from the config of the same name if one is
   * declared, else from the default config.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws RegistryFullException if it must be created and the registry is full
   */
  public Retry retry(String name) {
    return retries.get(Check.name(name), retryByName);
  }

  /**
   * The retry named {@code name}, created on first use from the config named {@code configName}.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank, or if it must be created and no
   *     config is named {@code configName}
   * @throws RegistryFullException if it must be created and the registry is full
   */
  public Retry retry(String name, String configName) {
    Check.notNull("configName", configName);
    Retry existing = retries.getIfPresent(Check.name(name));
    if (existing != null) {
      return existing;
    }
    RetryConfig config = namedConfig(retryConfigs, configName, "retry");
    return retries.get(name, n -> Retry.of(n, config, clock, scheduler));
  }

  /**
   * The rate limiter named {@code name}, created on first use from the config of the same name if
   * one is declared, else from the default config.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws RegistryFullException if it must be created and the registry is full
   */
  public RateLimiter rateLimiter(String name) {
    return limiters.get(Check.name(name), limiterByName);
  }

  /**
   * The rate limiter named {@code name}, created on first use from the config named {@code
   * configName}.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank, or if it must be created and no
   *     config is named {@code configName}
   * @throws RegistryFullException if it must be created and the registry is full
   */
  public RateLimiter rateLimiter(String name, String configName) {
    Check.notNull("configName", configName);
    RateLimiter existing = limiters.getIfPresent(Check.name(name));
    if (existing != null) {
      return existing;
    }
    RateLimiterConfig config = namedConfig(limiterConfigs, configName, "rate limiter");
    return limiters.get(name, n -> RateLimiter.of(n, config, clock, scheduler));
  }

  // ---- the one-call convenience ----

  /**
   * The pipeline for {@code name}, cached: outermost first, the rate limiter named {@code name}
   * (only if a rate limiter config of that name is declared), the circuit breaker named {@code
   * name}, then the retry named {@code name}, each got or created as by {@link
   * #circuitBreaker(String)}. The breaker thus counts one outcome per call, not one per attempt.
   * The same pipeline is returned while its policies stay registered. When {@link #enabled()} is
   * false, a pipeline that passes calls straight through.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws RegistryFullException if a policy must be created and the registry is full
   */
  public Pipeline pipeline(String name) {
    Check.name(name);
    if (!enabled) {
      return PASS_THROUGH;
    }
    long now = clock.nanoTime();
    CachedPipeline cached = pipelines.get(name);
    if (cached != null && cached.isLive()) {
      cached.touch(now, breakers.touchNanos());
      return cached.pipeline;
    }
    return assemble(name, now);
  }

  private Pipeline assemble(String name, long now) {
    for (; ; ) { // until a pipeline whose policies are all still registered is in the map
      List<NamedPolicies.Entry<? extends Policy>> parts = new ArrayList<>(3);
      String key = Settings.normalize(name);
      if (!key.equals(Settings.DEFAULT) && limiterConfigs.containsKey(key)) {
        parts.add(limiters.entry(name, limiterByName, now));
      }
      parts.add(breakers.entry(name, breakerByName, now));
      parts.add(retries.entry(name, retryByName, now));
      // Bulkhead goes before the limiter and Timeout after the retry, once they are wired in.
      CachedPipeline built =
          pipelines.compute( // the lambda only compares and constructs: no user code, no lookups
              name,
              (k, old) -> old != null && old.hasParts(parts) ? old : new CachedPipeline(parts));
      if (built.isLive()) {
        return built.pipeline;
      }
      pipelines.remove(name, built); // a part was evicted meanwhile
    }
  }

  private void dropPipelinesOf(NamedPolicies.Entry<? extends Policy> evicted) {
    pipelines.computeIfPresent(evicted.name, (k, p) -> p.parts.contains(evicted) ? null : p);
  }

  /**
   * Runs {@code call} through {@link #pipeline(String) pipeline(name)}: the breaker named {@code
   * name}, then the retry named {@code name}.
   *
   * <p>Thread-safe.
   *
   * @throws RejectedException if a policy refuses the call
   * @throws RegistryFullException if a policy must be created and the registry is full
   * @throws Exception whatever the call itself threw, unwrapped
   */
  public <T> T call(String name, Callable<T> call) throws Exception {
    Check.notNull("call", call);
    return pipeline(name).call(call);
  }

  /**
   * Runs an asynchronous {@code call} through {@link #pipeline(String) pipeline(name)}. The
   * returned stage completes as {@link Pipeline#callAsync} says; a {@link RegistryFullException}
   * completes it exceptionally too.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public <T> CompletionStage<T> callAsync(String name, Supplier<CompletionStage<T>> call) {
    Check.name(name);
    Check.notNull("call", call);
    Pipeline pipeline;
    try {
      pipeline = pipeline(name);
    } catch (RegistryFullException e) {
      return CompletableFuture.failedFuture(e);
    }
    return pipeline.callAsync(call);
  }

  // ---- lookups without creation, listings, admin ----

  /**
   * The circuit breaker named {@code name} if the registry holds one; never creates one and does
   * not count as a use.
   *
   * <p>Thread-safe.
   */
  public Optional<CircuitBreaker> findCircuitBreaker(String name) {
    return breakers.find(Check.notNull("name", name));
  }

  /**
   * The retry named {@code name} if the registry holds one; never creates one.
   *
   * <p>Thread-safe.
   */
  public Optional<Retry> findRetry(String name) {
    return retries.find(Check.notNull("name", name));
  }

  /**
   * The rate limiter named {@code name} if the registry holds one; never creates one.
   *
   * <p>Thread-safe.
   */
  public Optional<RateLimiter> findRateLimiter(String name) {
    return limiters.find(Check.notNull("name", name));
  }

  /**
   * Every circuit breaker the registry holds now, by name in order, with its snapshot. A copy:
   * unmodifiable, and not updated afterwards.
   *
   * <p>Thread-safe.
   */
  public SortedMap<String, CircuitBreaker.Snapshot> circuitBreakers() {
    return Collections.unmodifiableSortedMap(breakers.list(CircuitBreaker::snapshot));
  }

  /**
   * Every retry the registry holds now, by name in order, with its statistics. Unmodifiable copy.
   *
   * <p>Thread-safe.
   */
  public SortedMap<String, Retry.Statistics> retries() {
    return Collections.unmodifiableSortedMap(retries.list(Retry::statistics));
  }

  /**
   * Every rate limiter the registry holds now, by name in order, with its snapshot. Unmodifiable
   * copy.
   *
   * <p>Thread-safe.
   */
  public SortedMap<String, RateLimiter.Snapshot> rateLimiters() {
    return Collections.unmodifiableSortedMap(limiters.list(RateLimiter::snapshot));
  }

  /**
   * Closes the circuit breaker named {@code name} and empties its window, if the registry holds
   * one; creates nothing.
   *
   * <p>Thread-safe.
   *
   * @return true if there was such a breaker
   */
  public boolean resetCircuitBreaker(String name) {
    Optional<CircuitBreaker> breaker = findCircuitBreaker(name);
    breaker.ifPresent(CircuitBreaker::reset);
    return breaker.isPresent();
  }

  /**
   * Closes every circuit breaker the registry holds and empties its window.
   *
   * <p>Thread-safe.
   *
   * @return how many breakers were reset
   */
  public int resetAllCircuitBreakers() {
    int reset = 0;
    for (CircuitBreaker breaker : breakers.list(Function.identity()).values()) {
      breaker.reset();
      reset++;
    }
    return reset;
  }

  /**
   * Forces the circuit breaker named {@code name} open, creating it if needed so that the very
   * first call is rejected: every call is rejected until {@link #resetCircuitBreaker}. A forced
   * open breaker is never evicted.
   *
   * <p>Thread-safe.
   *
   * @return the breaker
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws RegistryFullException if it must be created and the registry is full
   */
  public CircuitBreaker forceOpen(String name) {
    CircuitBreaker breaker = circuitBreaker(name);
    breaker.forceOpen();
    return breaker;
  }

  /**
   * Evicts now every instance, of every kind, not looked up for {@link #idleEviction()} and not
   * busy; does nothing without idle eviction. The registry also does this by itself, when it
   * creates an instance and half the idle time has passed since it last did.
   *
   * <p>Thread-safe.
   *
   * @return how many instances were evicted
   */
  public int evictIdle() {
    long now = clock.nanoTime();
    return breakers.evictIdle(now) + retries.evictIdle(now) + limiters.evictIdle(now);
  }

  /**
   * Where the registry publishes {@link PolicyAdded} for each instance it creates and {@link
   * PolicyEvicted} for each it drops: subscribe here to attach metrics to every policy. Listeners
   * run on the thread that created or evicted, outside any lock.
   *
   * <p>Thread-safe.
   */
  public EventSource events() {
    return events;
  }

  // ---- configuration ----

  /**
   * Whether pipelines apply their policies; when false they pass calls straight through. Default
   * true; {@code BULWARK_ENABLED}.
   *
   * <p>Thread-safe.
   */
  public boolean enabled() {
    return enabled;
  }

  /**
   * The default time limit for a call, if one is set ({@code BULWARK_TIMEOUT}); default none.
   * Stored for the Timeout policy: pipelines apply it once Timeout is wired into the registry.
   *
   * <p>Thread-safe.
   */
  public Optional<Duration> defaultTimeout() {
    return Optional.ofNullable(defaultTimeout);
  }

  /**
   * The most instances of each kind the registry holds. Default 10,000; {@code
   * BULWARK_MAX_INSTANCES}.
   *
   * <p>Thread-safe.
   */
  public int maxInstances() {
    return maxInstances;
  }

  /**
   * How long an instance may go without a lookup before it is evicted; empty (the default) if
   * instances are never evicted for idleness. {@code BULWARK_IDLE_EVICTION}.
   *
   * <p>Thread-safe.
   */
  public Optional<Duration> idleEviction() {
    return idleEviction.isZero() ? Optional.empty() : Optional.of(idleEviction);
  }

  /**
   * The resolved circuit breaker config named {@code configName} ({@code "default"} for the
   * default), after inheritance and settings; empty if none has that name.
   *
   * <p>Thread-safe.
   */
  public Optional<CircuitBreakerConfig> circuitBreakerConfig(String configName) {
    return Optional.ofNullable(
        breakerConfigs.get(Settings.normalize(Check.notNull("configName", configName))));
  }

  /**
   * The resolved retry config named {@code configName} ({@code "default"} for the default); empty
   * if none has that name.
   *
   * <p>Thread-safe.
   */
  public Optional<RetryConfig> retryConfig(String configName) {
    return Optional.ofNullable(
        retryConfigs.get(Settings.normalize(Check.notNull("configName", configName))));
  }

  /**
   * The resolved rate limiter config named {@code configName} ({@code "default"} for the default);
   * empty if none has that name.
   *
   * <p>Thread-safe.
   */
  public Optional<RateLimiterConfig> rateLimiterConfig(String configName) {
    return Optional.ofNullable(
        limiterConfigs.get(Settings.normalize(Check.notNull("configName", configName))));
  }

  @Override
  public String toString() {
    return "Resilience[enabled="
        + enabled
        + ", circuitBreakers="
        + breakers.size()
        + ", retries="
        + retries.size()
        + ", rateLimiters="
        + limiters.size()
        + ", maxInstances="
        + maxInstances
        + ", idleEviction="
        + idleEviction
        + "]";
  }

  private static <C> C configFor(Map<String, C> configs, String instanceName) {
    C config = configs.get(Settings.normalize(instanceName));
    return config != null ? config : configs.get(Settings.DEFAULT);
  }

  private static <C> C namedConfig(Map<String, C> configs, String configName, String kind) {
    Check.notNull("configName", configName);
    C config = configs.get(Settings.normalize(configName));
    if (config == null) {
      List<String> names = new ArrayList<>(configs.keySet());
      Collections.sort(names);
      throw new IllegalArgumentException(
          "no " + kind + " config named '" + configName + "'; configs: " + names);
    }
    return config;
  }

  /** A pipeline and the registry entries of its policies, outermost first. */
  private static final class CachedPipeline {
    final Pipeline pipeline;
    final List<NamedPolicies.Entry<? extends Policy>> parts;

    CachedPipeline(List<NamedPolicies.Entry<? extends Policy>> parts) {
      this.parts = List.copyOf(parts);
      List<Policy> policies = new ArrayList<>(parts.size());
      for (NamedPolicies.Entry<? extends Policy> part : parts) {
        policies.add(part.policy);
      }
      this.pipeline = Pipeline.of(policies);
    }

    boolean isLive() {
      for (int i = 0; i < parts.size(); i++) {
        if (parts.get(i).removed) {
          return false;
        }
      }
      return true;
    }

    boolean hasParts(List<NamedPolicies.Entry<? extends Policy>> others) {
      if (others.size() != parts.size()) {
        return false;
      }
      for (int i = 0; i < parts.size(); i++) {
        if (parts.get(i) != others.get(i)) {
          return false;
        }
      }
      return true;
    }

    void touch(long nowNanos, long touchNanos) {
      for (int i = 0; i < parts.size(); i++) {
        parts.get(i).touch(nowNanos, touchNanos);
      }
    }
  }

  /**
   * Builds a {@link Resilience}. Each setter checks its own value; {@link #build()} resolves the
   * configs (inheritance, then settings from the environment and properties) and checks them.
   *
   * <p><b>Layers.</b> Settings from {@link #environment} and {@link #properties} override what the
   * code set, whatever the order of the calls: the code states defaults, the deployment tunes them.
   * Between layers, a later call wins for the same setting. A setting for the default config
   * reaches every config derived from the default; a per-name setting ({@code
   * BULWARK_BREAKER_PAYMENTS_OPEN_DURATION}) applies on top of the config of that name, or of the
   * default if the code declared none.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private Clock clock = Clock.system();
    private Scheduler scheduler = Scheduler.system();
    private boolean enabled = true;
    private Duration defaultTimeout;
    private int maxInstances = 10_000;
    private Duration idleEviction = Duration.ZERO;
    private final NamedConfigs<CircuitBreakerConfig> breakerConfigs =
        new NamedConfigs<>(
            Settings.Kind.BREAKER, CircuitBreakerConfig.ofDefaults(), Settings::applyBreaker);
    private final NamedConfigs<RetryConfig> retryConfigs =
        new NamedConfigs<>(Settings.Kind.RETRY, RetryConfig.ofDefaults(), Settings::applyRetry);
    private final NamedConfigs<RateLimiterConfig> limiterConfigs =
        new NamedConfigs<>(
            Settings.Kind.RATE_LIMITER, RateLimiterConfig.ofDefaults(), Settings::applyRateLimiter);
    private final Map<String, Settings.Value> settings = new LinkedHashMap<>();

    private Builder() {}

    /**
     * The clock every policy reads time from. Default {@link Clock#system()}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     */
    public Builder clock(Clock clock) {
      this.clock = Check.notNull("clock", clock);
      return this;
    }

    /**
     * The scheduler every policy waits through. Default {@link Scheduler#system()}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Check.notNull("scheduler", scheduler);
      return this;
    }

    /**
     * Whether pipelines apply their policies; false makes them pass calls straight through. Default
     * true.
     *
     * <p>Not thread-safe.
     */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /**
     * The default time limit for a call, in (0, 365 days]. Default none. Stored; applied by
     * pipelines once the Timeout policy is wired into the registry.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     * @throws IllegalArgumentException if out of range
     */
    public Builder defaultTimeout(Duration timeout) {
      this.defaultTimeout = Check.positive("defaultTimeout", timeout);
      return this;
    }

    /**
     * The most instances of each kind the registry holds, in [1, 100000000]. Default 10,000.
     *
     * <p>Not thread-safe.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxInstances(int instances) {
      this.maxInstances = Check.inRange("maxInstances", instances, 1, 100_000_000);
      return this;
    }

    /**
     * Evicts instances not looked up for {@code idle}, in [0, 365 days]; zero (the default) turns
     * idle eviction off. Judged by the registry's clock, to within a sixteenth of {@code idle}
     * (never early).
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     * @throws IllegalArgumentException if out of range
     */
    public Builder idleEviction(Duration idle) {
      this.idleEviction = Check.nonNegative("idleEviction", idle);
      return this;
    }

    /**
     * The config of circuit breakers that have no config of their own name. Default {@link
     * CircuitBreakerConfig#ofDefaults()}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     */
    public Builder defaultCircuitBreakerConfig(CircuitBreakerConfig config) {
      breakerConfigs.declare("default", Check.notNull("config", config));
      return this;
    }

    /**
     * Declares the circuit breaker config {@code name}; replaces an earlier one of that name.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or differs from a declared name
     *     only in case or punctuation
     */
    public Builder circuitBreakerConfig(String name, CircuitBreakerConfig config) {
      Check.notNull("config", config);
      breakerConfigs.declare(Check.name(name), config);
      return this;
    }

    /**
     * Declares the circuit breaker config {@code name} as the default config with {@code
     * overrides}: {@code b -> b.openDuration(Duration.ofMinutes(1))}. The default is resolved at
     * {@link #build()}, so this sees the default as finally configured.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public Builder circuitBreakerConfig(
        String name, UnaryOperator<CircuitBreakerConfig.Builder> overrides) {
      return circuitBreakerConfig(name, "default", overrides);
    }

    /**
     * Declares the circuit breaker config {@code name} as the config {@code base} with {@code
     * overrides}; {@code base} may be declared later, and may itself derive from another.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a name is blank; at {@link #build()}, if {@code base} is
     *     not declared or the configs derive from each other in a cycle
     */
    public Builder circuitBreakerConfig(
        String name, String base, UnaryOperator<CircuitBreakerConfig.Builder> overrides) {
      Check.notNull("overrides", overrides);
      Check.name(base);
      breakerConfigs.derive(
          Check.name(name), base, c -> overridden(name, overrides.apply(c.toBuilder())).build());
      return this;
    }

    /**
     * The config of retries that have no config of their own name. Default {@link
     * RetryConfig#ofDefaults()}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     */
    public Builder defaultRetryConfig(RetryConfig config) {
      retryConfigs.declare("default", Check.notNull("config", config));
      return this;
    }

    /**
     * Declares the retry config {@code name}; replaces an earlier one of that name.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public Builder retryConfig(String name, RetryConfig config) {
      Check.notNull("config", config);
      retryConfigs.declare(Check.name(name), config);
      return this;
    }

    /**
     * Declares the retry config {@code name} as the default config with {@code overrides}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public Builder retryConfig(String name, UnaryOperator<RetryConfig.Builder> overrides) {
      return retryConfig(name, "default", overrides);
    }

    /**
     * Declares the retry config {@code name} as the config {@code base} with {@code overrides}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a name is blank; at {@link #build()}, if {@code base} is
     *     not declared or the configs derive from each other in a cycle
     */
    public Builder retryConfig(
        String name, String base, UnaryOperator<RetryConfig.Builder> overrides) {
      Check.notNull("overrides", overrides);
      Check.name(base);
      retryConfigs.derive(
          Check.name(name), base, c -> overridden(name, overrides.apply(c.toBuilder())).build());
      return this;
    }

    /**
     * The config of rate limiters that have no config of their own name. Default {@link
     * RateLimiterConfig#ofDefaults()}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     */
    public Builder defaultRateLimiterConfig(RateLimiterConfig config) {
      limiterConfigs.declare("default", Check.notNull("config", config));
      return this;
    }

    /**
     * Declares the rate limiter config {@code name}. A declared name also puts a rate limiter in
     * the {@link Resilience#pipeline pipeline} of that name.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public Builder rateLimiterConfig(String name, RateLimiterConfig config) {
      Check.notNull("config", config);
      limiterConfigs.declare(Check.name(name), config);
      return this;
    }

    /**
     * Declares the rate limiter config {@code name} as the default config with {@code overrides}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public Builder rateLimiterConfig(
        String name, UnaryOperator<RateLimiterConfig.Builder> overrides) {
      return rateLimiterConfig(name, "default", overrides);
    }

    /**
     * Declares the rate limiter config {@code name} as the config {@code base} with {@code
     * overrides}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a name is blank; at {@link #build()}, if {@code base} is
     *     not declared or the configs derive from each other in a cycle
     */
    public Builder rateLimiterConfig(
        String name, String base, UnaryOperator<RateLimiterConfig.Builder> overrides) {
      Check.notNull("overrides", overrides);
      Check.name(base);
      limiterConfigs.derive(
          Check.name(name), base, c -> overridden(name, overrides.apply(c.toBuilder())).build());
      return this;
    }

    /**
     * Adds the {@code BULWARK_*} entries of {@code environment} as a layer of settings (others are
     * ignored); pass {@code System.getenv()}, or a map in tests. See {@code docs/configuration.md}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     * @throws IllegalArgumentException naming the variable, for an unknown {@code BULWARK_*}
     *     variable (with the nearest known name) or a value of the wrong type; ranges are checked
     *     by {@link #build()}
     */
    public Builder environment(Map<String, String> environment) {
      addLayer(Settings.fromEnvironment(Check.notNull("environment", environment)));
      return this;
    }

    /**
     * Adds the {@code bulwark.*} entries of {@code properties} as a layer of settings (others are
     * ignored).
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     * @throws IllegalArgumentException naming the key, for an unknown {@code bulwark.*} key or a
     *     value of the wrong type
     */
    public Builder properties(Map<String, String> properties) {
      addLayer(Settings.fromProperties(Check.notNull("properties", properties)));
      return this;
    }

    /**
     * Adds the {@code bulwark.*} entries of {@code properties}, its defaults included, as a layer
     * of settings.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     * @throws IllegalArgumentException naming the key, for an unknown {@code bulwark.*} key or a
     *     value of the wrong type
     */
    public Builder properties(Properties properties) {
      Check.notNull("properties", properties);
      Map<String, String> copy = new LinkedHashMap<>();
      for (String key : properties.stringPropertyNames()) {
        copy.put(key, properties.getProperty(key));
      }
      addLayer(Settings.fromProperties(copy));
      return this;
    }

    private void addLayer(List<Settings.Value> values) {
      for (Settings.Value v : values) {
        settings.put(v.key().name() + "@" + v.configName(), v); // a later layer wins
      }
    }

    /**
     * The registry.
     *
     * <p>Not thread-safe.
     *
     * @throws IllegalArgumentException if a setting is out of range (naming the variable or key,
     *     its value and the range), a config derives from one not declared, or configs derive from
     *     each other in a cycle
     */
    public Resilience build() {
      Map<Settings.Kind, Map<String, List<Settings.Value>>> byKind =
          new EnumMap<>(Settings.Kind.class);
      for (Settings.Kind kind : Settings.Kind.values()) {
        byKind.put(kind, new HashMap<>());
      }
      boolean savedEnabled = enabled;
      Duration savedTimeout = defaultTimeout;
      int savedMax = maxInstances;
      Duration savedIdle = idleEviction;
      try {
        for (Settings.Value v : settings.values()) {
          if (v.key().kind == Settings.Kind.GLOBAL) {
            applyGlobal(v);
          } else {
            byKind.get(v.key().kind).computeIfAbsent(v.configName(), k -> new ArrayList<>()).add(v);
          }
        }
        return new Resilience(this, byKind);
      } finally { // settings apply to this registry only, not to the builder's own values
        enabled = savedEnabled;
        defaultTimeout = savedTimeout;
        maxInstances = savedMax;
        idleEviction = savedIdle;
      }
    }

    private void applyGlobal(Settings.Value v) {
      try {
        switch (v.key()) {
          case ENABLED:
            enabled = (Boolean) v.value();
            break;
          case TIMEOUT:
            defaultTimeout(v.duration());
            break;
          case MAX_INSTANCES:
            maxInstances(v.intValue());
            break;
          case IDLE_EVICTION:
            idleEviction(v.duration());
            break;
          default:
            throw new AssertionError(v.key());
        }
      } catch (IllegalArgumentException e) {
        throw v.rename(e);
      }
    }

    private static <B> B overridden(String name, B builder) {
      if (builder == null) {
        throw new NullPointerException("the overrides of config '" + name + "' returned null");
      }
      return builder;
    }
  }
}
