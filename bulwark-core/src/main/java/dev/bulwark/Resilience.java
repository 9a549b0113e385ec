package dev.bulwark;

import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.event.EventSource;
import dev.bulwark.event.PolicyAdded;
import dev.bulwark.event.PolicyEvicted;
import dev.bulwark.health.HealthConfig;
import dev.bulwark.health.HealthMonitor;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.EventBus;
import dev.bulwark.policy.Pipeline;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.RejectedException;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import dev.bulwark.timeout.Timeout;
import dev.bulwark.timeout.TimeoutConfig;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * circuit breakers, retries, rate limiters, bulkheads and timeouts by name, each made on first use
 * from a named or the default configuration, and the same instance for the same name afterwards.
 *
 * <pre>{@code
 * Resilience resilience = Resilience.builder()
 *     .circuitBreakerConfig("payments", b -> b.openDuration(Duration.ofMinutes(1)))
 *     .environment(System.getenv())          // BULWARK_* variables override the code
 *     .build();
 *
 * Stock stock = resilience.call("inventory", () -> inventory.stock(sku)); // breaker, then retry
 * Stock again = resilience.call("inventory-42", "idempotent-reads", () -> inventory.stock(sku));
 * CircuitBreaker perDevice = resilience.circuitBreaker("device-" + deviceId);
 * HealthReport report = resilience.health().report(); // every breaker the registry made
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
 * closes, and so do a rate limiter holding callers back and a bulkhead with calls in flight or
 * waiting. When the registry is full it drops the least recently used sixteenth of the instances
 * that are not busy; if every one is busy, creation fails with a {@link RegistryFullException}
 * naming the bound rather than drop an open breaker. "Used" means looked up through this registry
 * (by name, or through {@link #pipeline}/{@link #call}): calls through an instance held elsewhere
 * do not count, and cost nothing extra. Code that keeps a reference for longer than the idle time
 * should not turn idle eviction on. Dropping an instance publishes {@link PolicyEvicted}; the next
 * lookup of its name creates a fresh one.
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
   * kind goes through the same machinery. Adding a kind (as Bulkhead and Timeout were) is:
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
   *
   * Pipelines are cached per name in `pipelines`, and per (name, retry config) in one map per
   * retry config (RetryChoice, made at build: the retry configs are fixed then). A cached pipeline
   * is dropped when any of its parts is evicted, so each map holds at most one pipeline per live
   * breaker: at most maxInstances entries per map, and the number of maps is fixed.
   *
   * Health is made lazily, on the first health() call, so that a registry nobody asks about health
   * does not subscribe to every breaker. The monitor is published by CAS before the breakers that
   * exist are watched; a breaker created afterwards is watched by its creator (onAdded reads the
   * field after the map holds the entry, so every breaker is seen by one side or both: watching
   * twice is harmless). An evicted breaker is unwatched by its evictor after `evicted` is set; a
   * watcher that finds `evicted` set after watching unwatches it too, so a breaker evicted while
   * being watched is never left watched.
   */

  private static final VarHandle HEALTH;

  static {
    try {
      HEALTH =
          MethodHandles.lookup().findVarHandle(Resilience.class, "health", HealthMonitor.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

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
  private final Map<String, BulkheadConfig> bulkheadConfigs;
  private final Map<String, TimeoutConfig> timeoutConfigs;
  private final ConcurrentHashMap<String, CachedPipeline> pipelines = new ConcurrentHashMap<>();
  private final RetryChoice[] retryChoices;
  private final NamedPolicies<CircuitBreaker> breakers;
  private final NamedPolicies<Retry> retries;
  private final NamedPolicies<RateLimiter> limiters;
  private final NamedPolicies<Bulkhead> bulkheads;
  private final NamedPolicies<Timeout> timeouts;
  private final Function<String, CircuitBreaker> breakerByName;
  private final Function<String, Retry> retryByName;
  private final Function<String, RateLimiter> limiterByName;
  private final Function<String, Bulkhead> bulkheadByName;
  private final Function<String, Timeout> timeoutByName;
  private final HealthConfig healthConfig;

  @SuppressWarnings("unused") // through HEALTH
  private volatile HealthMonitor health; // null until health() is first called

  private volatile boolean healthReady; // true once a health() call watched every breaker

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
    this.bulkheadConfigs = b.bulkheadConfigs.resolve(settings.get(Settings.Kind.BULKHEAD));
    this.timeoutConfigs = b.timeoutConfigs.resolve(settings.get(Settings.Kind.TIMEOUT));
    this.healthConfig = b.healthConfig;
    List<String> retryKeys = new ArrayList<>(retryConfigs.keySet());
    Collections.sort(retryKeys);
    this.retryChoices = new RetryChoice[retryKeys.size()];
    for (int i = 0; i < retryChoices.length; i++) {
      String key = retryKeys.get(i);
      retryChoices[i] =
          new RetryChoice(key, b.retryConfigs.displayName(key), retryConfigs.get(key));
    }
    long idleNanos = idleEviction.toNanos();
    this.breakers =
        new NamedPolicies<>(
            "circuit breaker",
            maxInstances,
            idleNanos,
            clock,
            events,
            breaker -> breaker.state() == CircuitBreaker.State.CLOSED,
            this::breakerAdded,
            this::breakerEvicted);
    this.retries =
        new NamedPolicies<>(
            "retry", maxInstances, idleNanos, clock, events, retry -> true, this::retryEvicted);
    this.limiters =
        new NamedPolicies<>(
            "rate limiter",
            maxInstances,
            idleNanos,
            clock,
            events,
            Resilience::isIdleLimiter,
            this::dropPipelinesOf);
    this.bulkheads =
        new NamedPolicies<>(
            "bulkhead",
            maxInstances,
            idleNanos,
            clock,
            events,
            Resilience::isIdleBulkhead,
            this::dropPipelinesOf);
    this.timeouts =
        new NamedPolicies<>(
            "timeout", maxInstances, idleNanos, clock, events, t -> true, this::dropPipelinesOf);
    this.breakerByName = n -> CircuitBreaker.of(n, configFor(breakerConfigs, n), clock);
    this.retryByName = n -> Retry.of(n, configFor(retryConfigs, n), clock, scheduler);
    this.limiterByName = n -> RateLimiter.of(n, configFor(limiterConfigs, n), clock, scheduler);
    this.bulkheadByName = n -> Bulkhead.of(n, configFor(bulkheadConfigs, n), clock, scheduler);
    this.timeoutByName = n -> Timeout.of(n, configFor(timeoutConfigs, n), clock, scheduler);
  }

  private static boolean isIdleLimiter(RateLimiter limiter) {
    RateLimiter.Snapshot s = limiter.snapshot();
    return s.waitingCallers() == 0 && s.timeUntilNextPermit().isZero();
  }

  private static boolean isIdleBulkhead(Bulkhead bulkhead) {
    Bulkhead.Snapshot s = bulkhead.snapshot();
    return s.inFlight() == 0 && s.waitingCalls() == 0;
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
   * The circuit breaker named {@code name}, created on first use from {@code config}. An existing
   * breaker is returned as it is, whatever its config: a module that keeps one breaker per remote
   * host (the HTTP client does) brings its own default this way, and the breakers still show in
   * {@link #circuitBreakers()}, {@link #health()} and the admin operations.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws RegistryFullException if it must be created and the registry is full
   */
  public CircuitBreaker circuitBreaker(String name, CircuitBreakerConfig config) {
    Check.notNull("config", config);
    return breakers.get(Check.name(name), n -> CircuitBreaker.of(n, config, clock));
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

  /**
   * The rate limiter named {@code name}, created on first use from {@code config}. An existing
   * limiter is returned as it is, whatever its config.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws RegistryFullException if it must be created and the registry is full
   */
  public RateLimiter rateLimiter(String name, RateLimiterConfig config) {
    Check.notNull("config", config);
    return limiters.get(Check.name(name), n -> RateLimiter.of(n, config, clock, scheduler));
  }

  /**
   * The bulkhead named {@code name}, created on first use from the config of the same name if one
   * is declared, else from the default config.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws RegistryFullException if it must be created, the registry holds {@link #maxInstances()}
   *     bulkheads, and none can be evicted (every one has calls in flight or waiting)
   */
  public Bulkhead bulkhead(String name) {
    return bulkheads.get(Check.name(name), bulkheadByName);
  }

  /**
   * The bulkhead named {@code name}, created on first use from the config named {@code configName}.
   * An existing bulkhead is returned as it is, whatever its config.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank, or if it must be created and no
   *     config is named {@code configName}
   * @throws RegistryFullException if it must be created and the registry is full
   */
  public Bulkhead bulkhead(String name, String configName) {
    Check.notNull("configName", configName);
    Bulkhead existing = bulkheads.getIfPresent(Check.name(name));
    if (existing != null) {
      return existing;
    }
    BulkheadConfig config = namedConfig(bulkheadConfigs, configName, "bulkhead");
    return bulkheads.get(name, n -> Bulkhead.of(n, config, clock, scheduler));
  }

  /**
   * The timeout named {@code name}, created on first use from the config of the same name if one is
   * declared, else from the default config (whose limit is {@link #defaultTimeout()} when that is
   * set).
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws RegistryFullException if it must be created and the registry is full
   */
  public Timeout timeout(String name) {
    return timeouts.get(Check.name(name), timeoutByName);
  }

  /**
   * The timeout named {@code name}, created on first use from the config named {@code configName}.
   * An existing timeout is returned as it is, whatever its config.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank, or if it must be created and no
   *     config is named {@code configName}
   * @throws RegistryFullException if it must be created and the registry is full
   */
  public Timeout timeout(String name, String configName) {
    Check.notNull("configName", configName);
    Timeout existing = timeouts.getIfPresent(Check.name(name));
    if (existing != null) {
      return existing;
    }
    TimeoutConfig config = namedConfig(timeoutConfigs, configName, "timeout");
    return timeouts.get(name, n -> Timeout.of(n, config, clock, scheduler));
  }

  // ---- the one-call convenience ----

  /**
   * The pipeline for {@code name}, cached. Outermost first:
   *
   * <ol>
   *   <li>the bulkhead named {@code name}, only if a bulkhead config of that name is declared;
   *   <li>the rate limiter named {@code name}, only if a rate limiter config of that name is
   *       declared;
   *   <li>the circuit breaker named {@code name};
   *   <li>the retry named {@code name};
   *   <li>the timeout named {@code name}, only if a timeout config of that name is declared or
   *       {@link #defaultTimeout()} is set.
   * </ol>
   *
   * <p>Each is got or created as by {@link #circuitBreaker(String)}. The breaker thus counts one
   * outcome per call, not one per attempt, and never counts a bulkhead's or a limiter's rejections;
   * the timeout limits each attempt, and its {@code TimeoutExceededException} is retried and
   * counted by the breaker. (For a limit on the whole call, retries included, set the retry
   * config's {@code maxDuration}.) A config "declared" for a name is one the code declared or a
   * per-name setting created ({@code BULWARK_BULKHEAD_<NAME>_...}). The same pipeline is returned
   * while its policies stay registered. When {@link #enabled()} is false, a pipeline that passes
   * calls straight through.
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
    return assemble(name, now, pipelines, null);
  }

  /**
   * The pipeline of {@code name} with the retry of {@code choice} in place of the retry named
   * {@code name}, cached in {@code choice}'s map. Allocates nothing once cached.
   */
  private Pipeline pipeline(String name, RetryChoice choice) {
    long now = clock.nanoTime();
    CachedPipeline cached = choice.pipelines.get(name);
    if (cached != null && cached.isLive()) {
      cached.touch(now, breakers.touchNanos());
      return cached.pipeline;
    }
    return assemble(name, now, choice.pipelines, choice);
  }

  private Pipeline assemble(
      String name, long now, ConcurrentHashMap<String, CachedPipeline> cache, RetryChoice choice) {
    String key = Settings.normalize(name);
    boolean named = !key.equals(Settings.DEFAULT);
    for (; ; ) { // until a pipeline whose policies are all still registered is in the map
      List<NamedPolicies.Entry<? extends Policy>> parts = new ArrayList<>(5);
      if (named && bulkheadConfigs.containsKey(key)) {
        parts.add(bulkheads.entry(name, bulkheadByName, now));
      }
      if (named && limiterConfigs.containsKey(key)) {
        parts.add(limiters.entry(name, limiterByName, now));
      }
      parts.add(breakers.entry(name, breakerByName, now));
      parts.add(
          choice == null
              ? retries.entry(name, retryByName, now)
              : retries.entry(choice.retryName, choice.factory, now));
      if (defaultTimeout != null || (named && timeoutConfigs.containsKey(key))) {
        parts.add(timeouts.entry(name, timeoutByName, now));
      }
      CachedPipeline built =
          cache.compute( // the lambda only compares and constructs: no user code, no lookups
              name,
              (k, old) -> old != null && old.hasParts(parts) ? old : new CachedPipeline(parts));
      if (built.isLive()) {
        return built.pipeline;
      }
      cache.remove(name, built); // a part was evicted meanwhile
    }
  }

  private void dropPipelinesOf(NamedPolicies.Entry<? extends Policy> evicted) {
    pipelines.computeIfPresent(evicted.name, (k, p) -> p.parts.contains(evicted) ? null : p);
    for (RetryChoice choice : retryChoices) {
      choice.pipelines.computeIfPresent(
          evicted.name, (k, p) -> p.parts.contains(evicted) ? null : p);
    }
  }

  private void retryEvicted(NamedPolicies.Entry<Retry> evicted) {
    dropPipelinesOf(evicted);
    for (RetryChoice choice : retryChoices) {
      if (choice.retryName.equals(evicted.name)) { // every pipeline of that choice may hold it
        choice.pipelines.values().removeIf(p -> p.parts.contains(evicted));
      }
    }
  }

  private void breakerAdded(NamedPolicies.Entry<CircuitBreaker> added) {
    HealthMonitor monitor = health;
    if (monitor != null) {
      watch(monitor, added);
    }
  }

  private void breakerEvicted(NamedPolicies.Entry<CircuitBreaker> evicted) {
    dropPipelinesOf(evicted);
    HealthMonitor monitor = health; // read after `evicted` was set: see the design comment
    if (monitor != null) {
      monitor.unwatch(evicted.policy);
    }
  }

  private static void watch(HealthMonitor monitor, NamedPolicies.Entry<CircuitBreaker> entry) {
    monitor.watch(entry.policy);
    if (entry.evicted) { // its evictor may have unwatched it before we watched: undo
      monitor.unwatch(entry.policy);
    }
  }

  /**
   * Runs {@code call} through {@link #pipeline(String) pipeline(name)}: by default the breaker
   * named {@code name}, then the retry named {@code name}.
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

  /**
   * Runs {@code call} through the pipeline of {@code name} with the retry config {@code
   * retryConfigName} in place of the retry named {@code name}: {@code call("inventory-42",
   * "idempotent-reads", ...)} uses the circuit breaker named {@code "inventory-42"} (and its
   * bulkhead, rate limiter and timeout, as {@link #pipeline(String)} would) with a retry made from
   * the config {@code "idempotent-reads"}.
   *
   * <p>That retry is one registered instance per retry config, shared by every name and named as
   * the config was declared ({@code "idempotent-reads"}; {@code "default"} for the default), got or
   * created as by {@link #retry(String, String) retry(configName, configName)}: it shows in {@link
   * #retries()} and {@link PolicyAdded}, and its {@code RetryExhaustedException} names the config.
   * If a retry of that name was created from another config, that one is used.
   *
   * <p>The pipeline is cached per (name, retry config) pair, so a call allocates nothing once it is
   * cached. The cache is bounded: a pair's pipeline is dropped when any of its policies is evicted
   * (idle or to make room), so it holds at most one pipeline per breaker the registry holds for
   * each retry config: at most {@link #maxInstances()} times the number of retry configs, fixed
   * when the registry is built. When {@link #enabled()} is false, the call runs straight through.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank or no retry config is named {@code
   *     retryConfigName} (matched ignoring case and punctuation)
   * @throws RejectedException if a policy refuses the call
   * @throws RegistryFullException if a policy must be created and the registry is full
   * @throws Exception whatever the call itself threw, unwrapped
   */
  public <T> T call(String name, String retryConfigName, Callable<T> call) throws Exception {
    Check.name(name);
    RetryChoice choice = retryChoice(retryConfigName);
    Check.notNull("call", call);
    if (!enabled) {
      return PASS_THROUGH.call(call);
    }
    return pipeline(name, choice).call(call);
  }

  /**
   * Runs an asynchronous {@code call} as {@link #call(String, String, Callable)} runs a synchronous
   * one. The returned stage completes as {@link Pipeline#callAsync} says; a {@link
   * RegistryFullException} completes it exceptionally too.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank or no retry config is named {@code
   *     retryConfigName}
   */
  public <T> CompletionStage<T> callAsync(
      String name, String retryConfigName, Supplier<CompletionStage<T>> call) {
    Check.name(name);
    RetryChoice choice = retryChoice(retryConfigName);
    Check.notNull("call", call);
    if (!enabled) {
      return PASS_THROUGH.callAsync(call);
    }
    Pipeline pipeline;
    try {
      pipeline = pipeline(name, choice);
    } catch (RegistryFullException e) {
      return CompletableFuture.failedFuture(e);
    }
    return pipeline.callAsync(call);
  }

  /** How many pipelines are cached, for every name and (name, retry config) pair; for tests. */
  int cachedPipelines() {
    int cached = pipelines.size();
    for (RetryChoice choice : retryChoices) {
      cached += choice.pipelines.size();
    }
    return cached;
  }

  private RetryChoice retryChoice(String configName) {
    Check.notNull("retryConfigName", configName);
    for (RetryChoice choice : retryChoices) { // a few configs; names of other lengths skip at once
      if (Settings.sameName(configName, choice.key)) {
        return choice;
      }
    }
    namedConfig(retryConfigs, configName, "retry"); // throws, listing the configs
    throw new AssertionError(configName);
  }

  // ---- health ----

  /**
   * The health monitor of this registry: it watches every circuit breaker the registry holds, and
   * each one it creates from now on, and stops watching a breaker once it is evicted. Made on the
   * first call (with {@link Builder#healthConfig}, on the registry's clock) and the same monitor
   * afterwards. Watch other policies' events with {@link HealthMonitor#watch(String, EventSource)}.
   *
   * <p>Breakers' states are read when a report is made, so an open breaker makes the report {@code
   * CRITICAL} whenever it opened; failures count only from the time the breaker is watched. Call
   * this once at startup to count failures from the start. Until this is first called, no breaker
   * is subscribed to and the registry costs its calls nothing for health; afterwards each breaker
   * builds an event only for failures and state changes, never for a success.
   *
   * <p>Thread-safe.
   */
  public HealthMonitor health() {
    HealthMonitor monitor = health;
    if (monitor != null && healthReady) {
      return monitor;
    }
    if (monitor == null) {
      HealthMonitor fresh = HealthMonitor.of(healthConfig, clock);
      // the thread whose CAS lands publishes its monitor; the others use it
      HealthMonitor witness = (HealthMonitor) HEALTH.compareAndExchange(this, null, fresh);
      monitor = witness == null ? fresh : witness;
    }
    // Every thread that finds the monitor not ready watches what exists (watching is idempotent),
    // so none returns a monitor that misses a breaker created before the monitor was published.
    List<NamedPolicies.Entry<CircuitBreaker>> existing = new ArrayList<>();
    breakers.forEachEntry(existing::add);
    CircuitBreaker[] all = new CircuitBreaker[existing.size()];
    for (int i = 0; i < all.length; i++) {
      all[i] = existing.get(i).policy;
    }
    monitor.watch(all);
    for (NamedPolicies.Entry<CircuitBreaker> entry : existing) {
      if (entry.evicted) {
        monitor.unwatch(entry.policy);
      }
    }
    healthReady = true;
    return monitor;
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
   * The bulkhead named {@code name} if the registry holds one; never creates one.
   *
   * <p>Thread-safe.
   */
  public Optional<Bulkhead> findBulkhead(String name) {
    return bulkheads.find(Check.notNull("name", name));
  }

  /**
   * The timeout named {@code name} if the registry holds one; never creates one.
   *
   * <p>Thread-safe.
   */
  public Optional<Timeout> findTimeout(String name) {
    return timeouts.find(Check.notNull("name", name));
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
   * Every bulkhead the registry holds now, by name in order, with its snapshot. Unmodifiable copy.
   *
   * <p>Thread-safe.
   */
  public SortedMap<String, Bulkhead.Snapshot> bulkheads() {
    return Collections.unmodifiableSortedMap(bulkheads.list(Bulkhead::snapshot));
  }

  /**
   * Every timeout the registry holds now, by name in order, with its config (a timeout keeps no
   * counts). Unmodifiable copy.
   *
   * <p>Thread-safe.
   */
  public SortedMap<String, TimeoutConfig> timeouts() {
    return Collections.unmodifiableSortedMap(timeouts.list(Timeout::config));
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
   * busy (a breaker not closed, a rate limiter holding callers back, a bulkhead with calls in
   * flight or waiting); does nothing without idle eviction. The registry also does this by itself,
   * when it creates an instance and half the idle time has passed since it last did.
   *
   * <p>Thread-safe.
   *
   * @return how many instances were evicted
   */
  public int evictIdle() {
    long now = clock.nanoTime();
    return breakers.evictIdle(now)
        + retries.evictIdle(now)
        + limiters.evictIdle(now)
        + bulkheads.evictIdle(now)
        + timeouts.evictIdle(now);
  }

  /**
   * Where the registry publishes {@link PolicyAdded} for each instance it creates and {@link
   * PolicyEvicted} for each it drops: subscribe here to attach metrics to every policy. Listeners
   * run on the thread that created or evicted, outside any lock.
   *
   * <p>Thread-safe.
   */
  public EventSource events() {
    return events.view();
  }

  // ---- configuration ----

  /**
   * The clock every policy of this registry reads; modules built on the registry read it too, so a
   * test that gives the registry a manual clock drives them all.
   *
   * <p>Thread-safe.
   */
  public Clock clock() {
    return clock;
  }

  /**
   * The scheduler every policy of this registry waits with.
   *
   * <p>Thread-safe.
   */
  public Scheduler scheduler() {
    return scheduler;
  }

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
   * The default time limit for a call, if one is set ({@code BULWARK_TIMEOUT}); default none. When
   * set, every {@link #pipeline(String) pipeline} ends with a timeout, and the default timeout
   * config (so every config derived from it) has this limit unless {@code BULWARK_TIMEOUT_DURATION}
   * says otherwise; a timeout config of a pipeline's name overrides it.
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

  /**
   * The resolved bulkhead config named {@code configName} ({@code "default"} for the default);
   * empty if none has that name.
   *
   * <p>Thread-safe.
   */
  public Optional<BulkheadConfig> bulkheadConfig(String configName) {
    return Optional.ofNullable(
        bulkheadConfigs.get(Settings.normalize(Check.notNull("configName", configName))));
  }

  /**
   * The resolved timeout config named {@code configName} ({@code "default"} for the default); empty
   * if none has that name.
   *
   * <p>Thread-safe.
   */
  public Optional<TimeoutConfig> timeoutConfig(String configName) {
    return Optional.ofNullable(
        timeoutConfigs.get(Settings.normalize(Check.notNull("configName", configName))));
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
        + ", bulkheads="
        + bulkheads.size()
        + ", timeouts="
        + timeouts.size()
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

  /**
   * A retry config that {@link #call(String, String, Callable)} can name: its shared retry's name,
   * how to make that retry, and the pipelines cached for it, by name.
   */
  private final class RetryChoice {
    final String key; // normalized
    final String retryName;
    final Function<String, Retry> factory;
    final ConcurrentHashMap<String, CachedPipeline> pipelines = new ConcurrentHashMap<>();

    RetryChoice(String key, String retryName, RetryConfig config) {
      this.key = key;
      this.retryName = retryName;
      this.factory = n -> Retry.of(n, config, clock, scheduler);
    }
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
    private final NamedConfigs<BulkheadConfig> bulkheadConfigs =
        new NamedConfigs<>(
            Settings.Kind.BULKHEAD, BulkheadConfig.ofDefaults(), Settings::applyBulkhead);
    private final NamedConfigs<TimeoutConfig> timeoutConfigs =
        new NamedConfigs<>(
            Settings.Kind.TIMEOUT, TimeoutConfig.ofDefaults(), Settings::applyTimeout);
    private HealthConfig healthConfig = HealthConfig.ofDefaults();
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
     * The default time limit for a call, in (0, 365 days]. Default none. When set, every {@link
     * Resilience#pipeline pipeline} ends with a timeout, and the default timeout config (so every
     * config derived from it) has this limit, over what {@link #defaultTimeoutConfig} says; a
     * timeout config of a pipeline's name, or {@code BULWARK_TIMEOUT_DURATION}, overrides it.
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
     * The config of bulkheads that have no config of their own name. Default {@link
     * BulkheadConfig#ofDefaults()}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     */
    public Builder defaultBulkheadConfig(BulkheadConfig config) {
      bulkheadConfigs.declare("default", Check.notNull("config", config));
      return this;
    }

    /**
     * Declares the bulkhead config {@code name}. A declared name also puts a bulkhead, outermost,
     * in the {@link Resilience#pipeline pipeline} of that name.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public Builder bulkheadConfig(String name, BulkheadConfig config) {
      Check.notNull("config", config);
      bulkheadConfigs.declare(Check.name(name), config);
      return this;
    }

    /**
     * Declares the bulkhead config {@code name} as the default config with {@code overrides}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public Builder bulkheadConfig(String name, UnaryOperator<BulkheadConfig.Builder> overrides) {
      return bulkheadConfig(name, "default", overrides);
    }

    /**
     * Declares the bulkhead config {@code name} as the config {@code base} with {@code overrides}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a name is blank; at {@link #build()}, if {@code base} is
     *     not declared or the configs derive from each other in a cycle
     */
    public Builder bulkheadConfig(
        String name, String base, UnaryOperator<BulkheadConfig.Builder> overrides) {
      Check.notNull("overrides", overrides);
      Check.name(base);
      bulkheadConfigs.derive(
          Check.name(name), base, c -> overridden(name, overrides.apply(c.toBuilder())).build());
      return this;
    }

    /**
     * The config of timeouts that have no config of their own name. Default {@link
     * TimeoutConfig#ofDefaults()} (1 second); its limit is {@link #defaultTimeout} when that is
     * set.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     */
    public Builder defaultTimeoutConfig(TimeoutConfig config) {
      timeoutConfigs.declare("default", Check.notNull("config", config));
      return this;
    }

    /**
     * Declares the timeout config {@code name}. A declared name also puts a timeout, innermost, in
     * the {@link Resilience#pipeline pipeline} of that name, with this config's limit whatever
     * {@link #defaultTimeout} says.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public Builder timeoutConfig(String name, TimeoutConfig config) {
      Check.notNull("config", config);
      timeoutConfigs.declare(Check.name(name), config);
      return this;
    }

    /**
     * Declares the timeout config {@code name} as the default config with {@code overrides}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public Builder timeoutConfig(String name, UnaryOperator<TimeoutConfig.Builder> overrides) {
      return timeoutConfig(name, "default", overrides);
    }

    /**
     * Declares the timeout config {@code name} as the config {@code base} with {@code overrides}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a name is blank; at {@link #build()}, if {@code base} is
     *     not declared or the configs derive from each other in a cycle
     */
    public Builder timeoutConfig(
        String name, String base, UnaryOperator<TimeoutConfig.Builder> overrides) {
      Check.notNull("overrides", overrides);
      Check.name(base);
      timeoutConfigs.derive(
          Check.name(name), base, c -> overridden(name, overrides.apply(c.toBuilder())).build());
      return this;
    }

    /**
     * The config of the registry's {@link Resilience#health() health monitor}. Default {@link
     * HealthConfig#ofDefaults()}.
     *
     * <p>Not thread-safe.
     *
     * @throws NullPointerException if null
     */
    public Builder healthConfig(HealthConfig config) {
      this.healthConfig = Check.notNull("config", config);
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
        if (defaultTimeout != null) { // the default timeout config's limit, below its own setting
          byKind
              .get(Settings.Kind.TIMEOUT)
              .computeIfAbsent(Settings.DEFAULT, k -> new ArrayList<>())
              .add(
                  0,
                  new Settings.Value(
                      Settings.Key.TIMEOUT_DURATION,
                      Settings.DEFAULT,
                      "defaultTimeout",
                      defaultTimeout.toString(),
                      defaultTimeout));
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
