package dev.bulwark;

import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.event.EventSource;
import dev.bulwark.event.PolicyAdded;
import dev.bulwark.event.PolicyEvicted;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.health.HealthConfig;
import dev.bulwark.health.HealthMonitor;
import dev.bulwark.hedge.Hedge;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.EventBus;
import dev.bulwark.policy.Pipeline;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Reconfigurable;
import dev.bulwark.policy.RejectedException;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.PolicyKindProvider;
import dev.bulwark.spi.Setting;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import dev.bulwark.timeout.Timeout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The named registry of policies: one per application, shared by every component, handing out
 * policies of every registered {@link PolicyKind kind} (circuit breakers, retries, rate limiters,
 * bulkheads, timeouts, hedges, fallbacks, and any kind a module adds) by name, each made on first
 * use from a named or the default configuration, and the same instance for the same name
 * afterwards.
 *
 * <pre>{@code
 * Resilience resilience = Resilience.builder()
 *     .derive(CircuitBreaker.KIND, "payments", b -> b.openDuration(Duration.ofMinutes(1)))
 *     .environment(System::getenv)           // BULWARK_* variables override the code
 *     .build();
 *
 * Stock stock = resilience.call("inventory", () -> inventory.stock(sku)); // breaker, then retry
 * Stock again = resilience.call("inventory-42", "idempotent-reads", () -> inventory.stock(sku));
 * CircuitBreaker perDevice = resilience.get(CircuitBreaker.KIND, "device-" + deviceId);
 * HealthReport report = resilience.health().report(); // every breaker the registry made
 * }</pre>
 *
 * <p><b>Names and configs.</b> {@code get(kind, name)} makes a policy from the config of the same
 * name if one is declared, else from the default; {@code get(kind, name, configName)} names the
 * config, {@code get(kind, name, config)} brings one. A config applies when the instance is
 * created: asking for an existing name with another config returns the existing instance. Config
 * names are matched ignoring case and punctuation ({@code "user-service"} is {@code USER_SERVICE}
 * in a variable name); instance names are matched exactly.
 *
 * <p><b>Bounded growth.</b> For per-entity names (a breaker per remote device or per tenant), the
 * registry holds at most {@link #maxInstances()} instances of each kind, and with {@link
 * #idleEviction()} drops instances nobody looked up for that long. It never drops a busy instance
 * ({@link PolicyKind#isBusy}): a breaker that is not {@code CLOSED} stays until it closes, and so
 * do a rate limiter holding callers back and a bulkhead with calls in flight or waiting. When the
 * registry is full it drops the least recently used sixteenth of the instances that are not busy;
 * if every one is busy, creation fails with a {@link RegistryFullException} naming the bound rather
 * than drop an open breaker. "Used" means looked up through this registry (by name, or through
 * {@link #pipeline}/{@link #call}): calls through an instance held elsewhere do not count. Code
 * that keeps a reference for longer than the idle time should not turn idle eviction on. Dropping
 * an instance publishes {@link PolicyEvicted}; the next lookup of its name creates a fresh one.
 *
 * <p><b>Changing configs while running.</b> {@link #updateConfig} replaces a named config and
 * {@link #reload()} re-reads the environment and properties sources; live instances built from a
 * changed config take it through {@link Reconfigurable#reconfigure}, and instances made afterwards
 * use it.
 *
 * <p><b>Concurrency.</b> Lookup is one {@code ConcurrentHashMap.get} and, at most once per
 * sixteenth of the idle time (once per second without idle eviction), a write of the lookup time:
 * no lock. Creation builds the policy outside the map, reserves a slot by compare-and-set and
 * publishes the instance with {@code putIfAbsent}: threads racing for a new name all get the
 * winner's instance. No user code runs under a map lock: {@link PolicyAdded} and {@link
 * PolicyEvicted} listeners run on the creating thread after the map is updated, so they may look
 * names up in this registry. Eviction runs on a creating thread (or in {@link #evictIdle()}), never
 * in the background. Config changes take a lock of their own, never taken by calls.
 *
 * <p><b>The switch.</b> When {@link #enabled()} is false ({@code BULWARK_ENABLED=false}), {@link
 * #pipeline}, {@link #call} and {@link #callAsync} pass every call straight through, creating
 * nothing. Policies asked for by name still behave as configured.
 *
 * <p>Thread-safe.
 */
public final class Resilience {
  /*
   * One Slot per kind: its configs (a NamedConfigs, resolved into an immutable map swapped on
   * updates) and its instances (a NamedPolicies). Nothing here knows a kind but the pipeline's
   * retry choice (call(name, retryConfigName, ...)) and the default timeout.
   *
   * Pipelines are cached per name in `pipelines`, and per (name, retry config) in one map per
   * retry config (RetryChoice). A cached pipeline is dropped when any of its parts is evicted, so
   * each map holds at most one pipeline per live breaker. Config changes that add a config name
   * clear the caches, since a declared name can add a policy to a pipeline.
   *
   * Health is made lazily, on the first health() call, so that a registry nobody asks about health
   * does not subscribe to every breaker. The monitor is published by CAS before the instances that
   * exist are watched; an instance created afterwards is watched by its creator (added() reads the
   * field after the map holds the entry, so every instance is seen by one side or both: watching
   * twice is harmless). An evicted instance is unwatched by its evictor after `evicted` is set; a
   * watcher that finds `evicted` set after watching unwatches it too.
   */

  /** The registry's own settings: {@code BULWARK_ENABLED}, {@code BULWARK_TIMEOUT}, ... */
  static final List<Setting<Builder>> GLOBALS =
      List.of(
          Setting.<Builder>ofBoolean("ENABLED", "enabled", Builder::enabled)
              .doc("`false`: pipelines pass calls straight through and create nothing")
              .defaultValue("`true`"),
          Setting.<Builder>ofDuration("TIMEOUT", "defaultTimeout", true, Builder::defaultTimeout)
              .doc("a timeout in every pipeline, and the default timeout config's limit")
              .defaultValue("none"),
          Setting.<Builder>ofInt(
                  "MAX_INSTANCES", "maxInstances", 1, 100_000_000, Builder::maxInstances)
              .doc("most instances of each kind the registry holds")
              .defaultValue("`10000`"),
          Setting.<Builder>ofDuration("IDLE_EVICTION", "idleEviction", false, Builder::idleEviction)
              .doc("evict instances not looked up for this long; never a busy one")
              .defaultValue("`0` (off)"));

  /** The kinds every registry knows. */
  static final List<PolicyKind<?, ?, ?>> CORE_KINDS =
      List.of(
          CircuitBreaker.KIND,
          Retry.KIND,
          RateLimiter.KIND,
          Bulkhead.KIND,
          Timeout.KIND,
          Hedge.KIND,
          Fallback.KIND);

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
  private final long touchNanos;
  private final EventBus events = new EventBus();
  private final Map<PolicyKind<?, ?, ?>, Slot<?, ?, ?>> slots = new LinkedHashMap<>();
  private final List<Slot<?, ?, ?>> inPipelines = new ArrayList<>(); // outermost first
  private final Slot<Retry, RetryConfig, RetryConfig.Builder> retries;
  private final ConcurrentHashMap<String, CachedPipeline> pipelines = new ConcurrentHashMap<>();
  private volatile RetryChoice[] retryChoices;
  private final HealthConfig healthConfig;
  private final Settings parser;
  private final List<Layer> layers;
  private final Map<String, Object> globalValues;
  private final ReentrantLock configLock = new ReentrantLock();

  @SuppressWarnings("unused") // through HEALTH
  private volatile HealthMonitor health; // null until health() is first called

  private volatile boolean healthReady; // true once a health() call watched every instance

  private Resilience(
      Builder b,
      Settings parser,
      Map<String, Object> globalValues,
      Map<PolicyKind<?, ?, ?>, Map<String, List<Settings.Value>>> values) {
    this.clock = b.clock;
    this.scheduler = b.scheduler;
    this.enabled = b.enabled;
    this.defaultTimeout = b.defaultTimeout;
    this.maxInstances = b.maxInstances;
    this.idleEviction = b.idleEviction;
    this.healthConfig = b.healthConfig;
    this.parser = parser;
    this.layers = List.copyOf(b.layers);
    this.globalValues = globalValues;
    long idleNanos = idleEviction.toNanos();
    this.touchNanos = idleNanos > 0 ? Math.max(1, idleNanos / 16) : 1_000_000_000L;
    for (NamedConfigs<?, ?> configs : b.configs.values()) {
      Slot<?, ?, ?> slot = slotOf(configs.copy(), values.getOrDefault(configs.kind, Map.of()));
      slots.put(configs.kind, slot);
      if (configs.kind.pipelineOrder() > 0) {
        inPipelines.add(slot);
      }
    }
    inPipelines.sort((x, y) -> x.kind.pipelineOrder() - y.kind.pipelineOrder());
    this.retries = slot(Retry.KIND);
    this.retryChoices = retryChoices(new RetryChoice[0]);
  }

  @SuppressWarnings("unchecked")
  private <C, B> Slot<?, C, B> slotOf(
      NamedConfigs<C, B> configs, Map<String, List<Settings.Value>> values) {
    return new Slot<>((PolicyKind<Policy, C, B>) configs.kind, configs, values);
  }

  /**
   * A builder holding the defaults: system clock and scheduler, enabled, 10,000 instances of each
   * kind at most, no idle eviction, the built-in default config of every kind, core's kinds and
   * those of every {@link PolicyKindProvider} on the class path.
   *
   * <p>Thread-safe.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A registry with every default; see {@link #builder()}. Thread-safe. */
  public static Resilience ofDefaults() {
    return builder().build();
  }

  /**
   * A registry configured by the process's {@code BULWARK_*} environment variables, re-read by
   * {@link #reload()}; see {@code docs/configuration.md}.
   *
   * <p>Thread-safe.
   *
   * @throws IllegalArgumentException naming the variable, if one is unknown or its value bad
   */
  public static Resilience fromEnvironment() {
    return builder().environment(System::getenv).build();
  }

  /**
   * A registry configured by the {@code bulwark.*} keys of {@code properties} (others are ignored).
   *
   * <p>Thread-safe.
   *
   * @throws IllegalArgumentException naming the key, if one is unknown or its value bad
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
   * @throws IllegalArgumentException naming the key, if one is unknown or its value bad
   * @throws NullPointerException if {@code properties} is null
   */
  public static Resilience fromProperties(Properties properties) {
    return builder().properties(properties).build();
  }

  // ---- named get-or-create, generic over kinds ----

  /**
   * The policy of {@code kind} named {@code name}, created on first use from the config of the same
   * name if one is declared, else from the default config.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank or {@code kind} is not registered
   * @throws RegistryFullException if it must be created and the registry holds {@link
   *     #maxInstances()} of the kind, none of which can be evicted
   */
  public <P extends Policy> P get(PolicyKind<P, ?, ?> kind, String name) {
    Slot<P, ?, ?> slot = slot(kind);
    return slot.instances.get(Check.name(name), NamedPolicies.BY_NAME, slot.byName);
  }

  /**
   * The policy of {@code kind} named {@code name}, created on first use from the config named
   * {@code configName} ({@code "default"} for the default). An existing one is returned as it is.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank, or if the policy must be created and
   *     no config is named {@code configName}
   * @throws RegistryFullException if it must be created and the registry is full
   */
  public <P extends Policy> P get(PolicyKind<P, ?, ?> kind, String name, String configName) {
    return slot(kind).named(Check.name(name), Check.notNull("configName", configName));
  }

  /**
   * The policy of {@code kind} named {@code name}, created on first use from {@code config}; an
   * existing one is returned as it is. A module that keeps one policy per remote host brings its
   * own config this way, and its policies still show in listings, health and the admin operations.
   * Such an instance is never reconfigured by {@link #updateConfig} or {@link #reload()}.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws RegistryFullException if it must be created and the registry is full
   */
  public <P extends Policy, C> P get(PolicyKind<P, C, ?> kind, String name, C config) {
    Slot<P, C, ?> slot = slot(kind);
    Check.notNull("config", config);
    return slot.instances.get(Check.name(name), null, n -> slot.made(n, config));
  }

  /** {@code get(CircuitBreaker.KIND, name)}. Thread-safe. */
  public CircuitBreaker circuitBreaker(String name) {
    return get(CircuitBreaker.KIND, name);
  }

  /** {@code get(Retry.KIND, name)}. Thread-safe. */
  public Retry retry(String name) {
    return get(Retry.KIND, name);
  }

  /** {@code get(RateLimiter.KIND, name)}. Thread-safe. */
  public RateLimiter rateLimiter(String name) {
    return get(RateLimiter.KIND, name);
  }

  /** {@code get(Bulkhead.KIND, name)}. Thread-safe. */
  public Bulkhead bulkhead(String name) {
    return get(Bulkhead.KIND, name);
  }

  /** {@code get(Timeout.KIND, name)}. Thread-safe. */
  public Timeout timeout(String name) {
    return get(Timeout.KIND, name);
  }

  // ---- the one-call convenience ----

  /**
   * The pipeline for {@code name}, cached. It holds, outermost first, the policy named {@code name}
   * of each kind that has a {@linkplain PolicyKind#pipelineOrder() pipeline rank}: by default
   *
   * <ol>
   *   <li>the fallback, only if a fallback config of that name is declared;
   *   <li>the bulkhead, only if a bulkhead config of that name is declared;
   *   <li>the rate limiter, only if a rate limiter config of that name is declared;
   *   <li>the circuit breaker;
   *   <li>the retry;
   *   <li>the timeout, only if a timeout config of that name is declared or {@link
   *       #defaultTimeout()} is set.
   * </ol>
   *
   * <p>Each is got or created as by {@link #get(PolicyKind, String)}. The breaker thus counts one
   * outcome per call, not one per attempt, and never counts a bulkhead's or a limiter's rejections;
   * the timeout limits each attempt. A config "declared" for a name is one the code declared or a
   * per-name setting created. The same pipeline is returned while its policies stay registered.
   * When {@link #enabled()} is false, a pipeline that passes calls straight through.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws RegistryFullException if a policy must be created and the registry is full
   */
  public Pipeline pipeline(String name) {
    Check.name(name);
    return enabled ? pipeline(name, pipelines, null) : PASS_THROUGH;
  }

  private Pipeline pipeline(String name, Map<String, CachedPipeline> cache, RetryChoice choice) {
    long now = clock.nanoTime();
    CachedPipeline cached = cache.get(name);
    if (cached != null && cached.isLive()) {
      cached.touch(now);
      return cached.pipeline;
    }
    return assemble(name, now, cache, choice);
  }

  private Pipeline assemble(
      String name, long now, Map<String, CachedPipeline> cache, RetryChoice choice) {
    String key = Settings.normalize(name);
    boolean named = !key.equals(Settings.DEFAULT);
    for (; ; ) { // until a pipeline whose policies are all still registered is in the map
      List<NamedPolicies.Entry<? extends Policy>> parts = new ArrayList<>(inPipelines.size());
      for (Slot<?, ?, ?> slot : inPipelines) {
        if (slot == retries && choice != null) {
          parts.add(retries.instances.entry(choice.retryName, choice.key, choice.factory, now));
        } else if (slot.kind.alwaysInPipeline()
            || (named && slot.configs.containsKey(key))
            || (slot.kind == Timeout.KIND && defaultTimeout != null)) {
          parts.add(slot.entry(name, now));
        }
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

  /**
   * Runs {@code call} through {@link #pipeline(String) pipeline(name)}.
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
    return callAsync(name, null, call);
  }

  /**
   * Runs {@code call} through the pipeline of {@code name} with the retry config {@code
   * retryConfigName} in place of the retry named {@code name}: {@code call("inventory-42",
   * "idempotent-reads", ...)} uses the breaker named {@code "inventory-42"} (and its other
   * policies, as {@link #pipeline(String)} would) with a retry made from the config {@code
   * "idempotent-reads"}.
   *
   * <p>That retry is one registered instance per retry config, shared by every name and named as
   * the config was declared ({@code "idempotent-reads"}; {@code "default"} for the default): it
   * shows in listings and {@link PolicyAdded}, and its {@code RetryExhaustedException} names the
   * config. If a retry of that name was created from another config, that one is used.
   *
   * <p>The pipeline is cached per (name, retry config) pair, so a call allocates nothing once it is
   * cached; a pair's pipeline is dropped when any of its policies is evicted, so the cache holds at
   * most {@link #maxInstances()} pipelines per retry config. When {@link #enabled()} is false, the
   * call runs straight through.
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
    RetryChoice choice = retryChoice(Check.notNull("retryConfigName", retryConfigName));
    Check.notNull("call", call);
    return enabled ? pipeline(name, choice.pipelines, choice).call(call) : PASS_THROUGH.call(call);
  }

  /**
   * Runs an asynchronous {@code call} as {@link #call(String, String, Callable)} runs a synchronous
   * one ({@code retryConfigName} null: as {@link #callAsync(String, Supplier)}). A {@link
   * RegistryFullException} completes the returned stage exceptionally.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if {@code name} or {@code call} is null
   * @throws IllegalArgumentException if {@code name} is blank or no retry config is named {@code
   *     retryConfigName}
   */
  public <T> CompletionStage<T> callAsync(
      String name, String retryConfigName, Supplier<CompletionStage<T>> call) {
    Check.name(name);
    RetryChoice choice = retryConfigName == null ? null : retryChoice(retryConfigName);
    Check.notNull("call", call);
    if (!enabled) {
      return PASS_THROUGH.callAsync(call);
    }
    Pipeline pipeline;
    try {
      pipeline =
          choice == null
              ? pipeline(name, pipelines, null)
              : pipeline(name, choice.pipelines, choice);
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
    for (RetryChoice choice : retryChoices) { // a few configs; names of other lengths skip at once
      if (Settings.sameName(configName, choice.key)) {
        return choice;
      }
    }
    retries.config(configName); // throws, listing the configs
    throw new AssertionError(configName);
  }

  private void dropPipelinesOf(NamedPolicies.Entry<?> evicted) {
    pipelines.computeIfPresent(evicted.name, (k, p) -> p.parts.contains(evicted) ? null : p);
    for (RetryChoice choice : retryChoices) {
      choice.pipelines.computeIfPresent(
          evicted.name, (k, p) -> p.parts.contains(evicted) ? null : p);
      if (choice.retryName.equals(evicted.name)) { // every pipeline of that choice may hold it
        choice.pipelines.values().removeIf(p -> p.parts.contains(evicted));
      }
    }
  }

  // ---- health ----

  /**
   * The health monitor of this registry: it watches every instance the registry holds of a kind
   * that {@linkplain PolicyKind#healthEvents feeds health} (breakers, by their states and failures;
   * fallbacks, by what they serve), and each one it creates from now on, and stops watching an
   * instance once it is evicted. Made on the first call (with {@link Builder#healthConfig}, on the
   * registry's clock) and the same monitor afterwards.
   *
   * <p>Failures count only from the time an instance is watched: call this once at startup to count
   * them from the start. Until this is first called, the registry costs its calls nothing for
   * health.
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
    // so none returns a monitor that misses an instance created before the monitor was published.
    for (Slot<?, ?, ?> slot : slots.values()) {
      slot.watchAll(monitor);
    }
    healthReady = true;
    return monitor;
  }

  // ---- lookups without creation, listings, admin ----

  /** Every kind this registry knows, core's first. Thread-safe. */
  public List<PolicyKind<?, ?, ?>> kinds() {
    return List.copyOf(slots.keySet());
  }

  /**
   * The policy of {@code kind} named {@code name} if the registry holds one; never creates one and
   * does not count as a use.
   *
   * <p>Thread-safe.
   *
   * @throws IllegalArgumentException if {@code kind} is not registered
   */
  public <P extends Policy> Optional<P> find(PolicyKind<P, ?, ?> kind, String name) {
    return slot(kind).instances.find(Check.notNull("name", name));
  }

  /**
   * Every policy of {@code kind} the registry holds now, by name in order. An unmodifiable copy.
   *
   * <p>Thread-safe.
   */
  public <P extends Policy> SortedMap<String, P> instances(PolicyKind<P, ?, ?> kind) {
    return Collections.unmodifiableSortedMap(slot(kind).instances.list(p -> p));
  }

  /**
   * What every policy of {@code kind} the registry holds reports now ({@link PolicyKind#snapshot}),
   * by name in order. An unmodifiable copy.
   *
   * <p>Thread-safe.
   */
  public SortedMap<String, Object> snapshots(PolicyKind<?, ?, ?> kind) {
    return Collections.unmodifiableSortedMap(slot(kind).snapshots());
  }

  /**
   * Resets the policy of {@code kind} named {@code name} (a breaker closes and empties its window),
   * if the registry holds one; creates nothing.
   *
   * <p>Thread-safe.
   *
   * @return true if there was such a policy
   * @throws UnsupportedOperationException if the kind cannot be reset
   */
  public <P extends Policy> boolean reset(PolicyKind<P, ?, ?> kind, String name) {
    Optional<P> policy = find(kind, name);
    policy.ifPresent(kind::reset);
    return policy.isPresent();
  }

  /**
   * Resets every policy of {@code kind} the registry holds.
   *
   * <p>Thread-safe.
   *
   * @return how many were reset
   * @throws UnsupportedOperationException if the kind cannot be reset
   */
  public <P extends Policy> int resetAll(PolicyKind<P, ?, ?> kind) {
    SortedMap<String, P> all = instances(kind);
    all.values().forEach(kind::reset);
    return all.size();
  }

  /**
   * Forces the circuit breaker named {@code name} open, creating it if needed: every call is
   * rejected until it is {@linkplain #reset reset}. A forced open breaker is never evicted.
   *
   * <p>Thread-safe.
   *
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
    int evicted = 0;
    for (Slot<?, ?, ?> slot : slots.values()) {
      evicted += slot.instances.evictIdle(now);
    }
    return evicted;
  }

  /**
   * Where the registry publishes {@link PolicyAdded} for each instance it creates and {@link
   * PolicyEvicted} for each it drops. Listeners run on the thread that created or evicted, outside
   * any lock.
   *
   * <p>Thread-safe.
   */
  public EventSource events() {
    return events;
  }

  // ---- configuration ----

  /** The clock every policy of this registry reads. Thread-safe. */
  public Clock clock() {
    return clock;
  }

  /** The scheduler every policy of this registry waits with. Thread-safe. */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** Whether pipelines apply their policies. Default true; {@code BULWARK_ENABLED}. Thread-safe. */
  public boolean enabled() {
    return enabled;
  }

  /**
   * The default time limit for a call, if one is set ({@code BULWARK_TIMEOUT}). When set, every
   * {@link #pipeline(String) pipeline} ends with a timeout, and the default timeout config has this
   * limit unless {@code BULWARK_TIMEOUT_DURATION} says otherwise.
   *
   * <p>Thread-safe.
   */
  public Optional<Duration> defaultTimeout() {
    return Optional.ofNullable(defaultTimeout);
  }

  /** The most instances of each kind the registry holds. Default 10,000. Thread-safe. */
  public int maxInstances() {
    return maxInstances;
  }

  /** How long an instance may go without a lookup before it is evicted; empty: never. */
  public Optional<Duration> idleEviction() {
    return idleEviction.isZero() ? Optional.empty() : Optional.of(idleEviction);
  }

  /**
   * The config of {@code kind} named {@code configName} ({@code "default"} for the default), after
   * inheritance and settings; empty if none has that name.
   *
   * <p>Thread-safe.
   */
  public <C> Optional<C> config(PolicyKind<?, C, ?> kind, String configName) {
    return Optional.ofNullable(
        slot(kind).configs.get(Settings.normalize(Check.notNull("configName", configName))));
  }

  /**
   * What a configuration change did: the instances that took the new config live, and those that
   * keep their old one until they are made again (a policy that is not {@link Reconfigurable}, or a
   * registry setting such as {@code BULWARK_MAX_INSTANCES}, which applies when the registry is
   * built).
   *
   * @param reconfigured instances now running with the new config, as {@code "kind 'name'"}
   * @param notLive what could not change live, as {@code "kind 'name'"} or the setting's name
   */
  public record ConfigUpdate(List<String> reconfigured, List<String> notLive) {
    /** Copies both lists. */
    public ConfigUpdate {
      reconfigured = List.copyOf(reconfigured);
      notLive = List.copyOf(notLive);
    }
  }

  /**
   * Replaces the config of {@code kind} named {@code configName} ({@code "default"} for the
   * default; a new name declares it) while the registry runs. Configs derived from it follow, and
   * settings from the environment and properties still apply on top, as at build time. Every live
   * instance whose config changes is {@linkplain Reconfigurable#reconfigure reconfigured};
   * instances made from now on use the new config.
   *
   * <p>All or nothing: if an instance refuses (a setting that cannot change while it runs), the
   * instances already reconfigured are put back, the old configs stay in force, and the exception
   * names the instance and the setting.
   *
   * <p>Thread-safe; changes are made one at a time.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if an instance refuses the change, or a config does not fit
   *     the settings applied to it
   */
  public <C> ConfigUpdate updateConfig(PolicyKind<?, C, ?> kind, String configName, C config) {
    slot(kind);
    Check.notNull("config", config);
    Check.name(configName);
    return changeConfigs(
        kind, configs -> ((NamedConfigs<C, ?>) configs).declare(configName, config));
  }

  /**
   * Replaces the config of {@code kind} named {@code configName} by the one it resolves to now (the
   * default if there is none of that name) with {@code overrides}; otherwise as {@link
   * #updateConfig(PolicyKind, String, Object)}.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if an argument is null, or {@code overrides} returns null
   * @throws IllegalArgumentException as {@link #updateConfig(PolicyKind, String, Object)}
   */
  public <C, B> ConfigUpdate overrideConfig(
      PolicyKind<?, C, B> kind, String configName, UnaryOperator<B> overrides) {
    Check.notNull("overrides", overrides);
    C current = config(kind, configName).orElseGet(() -> config(kind, "default").orElseThrow());
    B changed =
        Check.notNull("the builder overrides returned", overrides.apply(kind.toBuilder(current)));
    return updateConfig(kind, configName, kind.build(changed));
  }

  /**
   * Re-reads every environment and properties source given to the builder and applies what changed,
   * as {@link #updateConfig} does: live instances are reconfigured, later ones use the new configs.
   * Registry settings ({@code BULWARK_ENABLED}, {@code BULWARK_MAX_INSTANCES}, ...) that changed
   * are reported as not live. Give the builder suppliers ({@code environment(System::getenv)}) for
   * a reload to see new values.
   *
   * <p>Thread-safe; changes are made one at a time.
   *
   * @throws IllegalArgumentException for an unknown setting or a bad value (then nothing is
   *     applied), or as {@link #updateConfig}
   */
  public ConfigUpdate reload() {
    return changeConfigs(null, null);
  }

  private ConfigUpdate changeConfigs(
      PolicyKind<?, ?, ?> edited, Consumer<NamedConfigs<?, ?>> edit) {
    configLock.lock();
    try {
      Map<String, Object> globals = new HashMap<>();
      Map<PolicyKind<?, ?, ?>, Map<String, List<Settings.Value>>> values =
          read(parser, layers, globals, defaultTimeout);
      List<String> notLive = new ArrayList<>();
      for (Setting<Builder> global : GLOBALS) {
        if (!Objects.equals(globals.get(global.name()), globalValues.get(global.name()))) {
          notLive.add("BULWARK_" + global.name());
        }
      }
      List<Runnable> undo = new ArrayList<>();
      List<String> reconfigured = new ArrayList<>();
      try {
        for (Slot<?, ?, ?> slot : slots.values()) {
          slot.update(slot.kind == edited ? edit : null, values, undo, reconfigured, notLive);
        }
      } catch (RuntimeException | Error e) {
        for (int i = undo.size() - 1; i >= 0; i--) { // newest first
          undo.get(i).run();
        }
        throw e;
      } finally {
        retryChoices = retryChoices(retryChoices);
      }
      return new ConfigUpdate(reconfigured, notLive);
    } finally {
      configLock.unlock();
    }
  }

  /**
   * One choice per retry config; a choice whose config name still exists is kept, cache and all.
   */
  private RetryChoice[] retryChoices(RetryChoice[] old) {
    List<String> keys = new ArrayList<>(retries.configs.keySet());
    Collections.sort(keys);
    RetryChoice[] choices = new RetryChoice[keys.size()];
    for (int i = 0; i < choices.length; i++) {
      String key = keys.get(i);
      for (RetryChoice choice : old) {
        if (choice.key.equals(key)) {
          choices[i] = choice;
        }
      }
      if (choices[i] == null) {
        choices[i] = new RetryChoice(key, retries.declared.displayName(key));
      }
    }
    return choices;
  }

  /**
   * Every setting in {@code layers}, a later layer winning, by kind and normalized config name; the
   * registry's own settings go to {@code globals}, by name. With {@code defaultTimeout}, the
   * default timeout config's limit, below its own setting.
   */
  private static Map<PolicyKind<?, ?, ?>, Map<String, List<Settings.Value>>> read(
      Settings parser, List<Layer> layers, Map<String, Object> globals, Duration defaultTimeout) {
    Map<String, Settings.Value> merged = new LinkedHashMap<>();
    for (Layer layer : layers) {
      Map<String, String> entries = Check.notNull("a settings source's map", layer.source.get());
      for (Settings.Value v : parser.parse(entries, layer.properties)) {
        merged.put(
            (v.kind() == null ? "" : v.kind().id())
                + "/"
                + v.setting().name()
                + "@"
                + v.configName(),
            v);
      }
    }
    Map<PolicyKind<?, ?, ?>, Map<String, List<Settings.Value>>> byKind = new HashMap<>();
    if (defaultTimeout != null) {
      byKind
          .computeIfAbsent(Timeout.KIND, k -> new HashMap<>())
          .computeIfAbsent(Settings.DEFAULT, k -> new ArrayList<>())
          .add(
              new Settings.Value(
                  Timeout.KIND,
                  Timeout.KIND.settings().get(0),
                  Settings.DEFAULT,
                  "defaultTimeout",
                  defaultTimeout.toString(),
                  defaultTimeout));
    }
    for (Settings.Value v : merged.values()) {
      if (v.kind() == null) {
        globals.put(v.setting().name(), v.value());
      } else {
        byKind
            .computeIfAbsent(v.kind(), k -> new HashMap<>())
            .computeIfAbsent(v.configName(), k -> new ArrayList<>())
            .add(v);
      }
    }
    return byKind;
  }

  @SuppressWarnings("unchecked")
  private <P extends Policy, C, B> Slot<P, C, B> slot(PolicyKind<P, C, B> kind) {
    Slot<P, C, B> slot = (Slot<P, C, B>) slots.get(Check.notNull("kind", kind));
    if (slot == null) {
      throw new IllegalArgumentException(
          "the "
              + kind.label()
              + " kind ('"
              + kind.id()
              + "') is not registered in this registry;"
              + " add it with Resilience.builder().kind(...) or a PolicyKindProvider");
    }
    return slot;
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("Resilience[enabled=").append(enabled);
    for (Slot<?, ?, ?> slot : slots.values()) {
      out.append(", ").append(slot.kind.id()).append('=').append(slot.instances.size());
    }
    return out.append(", maxInstances=")
        .append(maxInstances)
        .append(", idleEviction=")
        .append(idleEviction)
        .append(']')
        .toString();
  }

  /**
   * The configs and instances of one kind. {@code declared} and {@code configs} change only under
   * the configuration lock; {@code configs} is an immutable map, read without a lock.
   */
  private final class Slot<P extends Policy, C, B> {
    final PolicyKind<P, C, B> kind;
    final NamedPolicies<P> instances;
    final NamedPolicies.Factory<P> byName = n -> made(n, configFor(n));
    volatile NamedConfigs<C, B> declared;
    volatile Map<String, C> configs;

    Slot(
        PolicyKind<P, C, B> kind,
        NamedConfigs<C, B> declared,
        Map<String, List<Settings.Value>> values) {
      this.kind = kind;
      this.declared = declared;
      this.configs = declared.resolve(values).configs();
      this.instances =
          new NamedPolicies<>(
              kind,
              maxInstances,
              idleEviction.toNanos(),
              clock,
              events,
              this::added,
              this::evicted);
    }

    NamedPolicies.Made<P> made(String name, C config) {
      return new NamedPolicies.Made<>(kind.create(name, config, clock, scheduler), config);
    }

    NamedPolicies.Entry<P> entry(String name, long nowNanos) {
      return instances.entry(name, NamedPolicies.BY_NAME, byName, nowNanos);
    }

    C configFor(String instanceName) {
      C config = configs.get(Settings.normalize(instanceName));
      return config != null ? config : configs.get(Settings.DEFAULT);
    }

    C config(String configName) {
      Map<String, C> seen = configs;
      C config = seen.get(Settings.normalize(configName));
      if (config == null) {
        throw new IllegalArgumentException(
            "no "
                + kind.label()
                + " config named '"
                + configName
                + "'; configs: "
                + new TreeSet<>(seen.keySet()));
      }
      return config;
    }

    P named(String name, String configName) {
      P existing = instances.getIfPresent(name);
      if (existing != null) {
        return existing;
      }
      config(configName); // fails now for an unknown name
      return instances.get(name, Settings.normalize(configName), n -> made(n, config(configName)));
    }

    SortedMap<String, Object> snapshots() {
      return instances.list(kind::snapshot);
    }

    void watchAll(HealthMonitor monitor) {
      instances.forEachEntry(entry -> watch(monitor, entry));
    }

    void watch(HealthMonitor monitor, NamedPolicies.Entry<P> entry) {
      Optional<EventSource> source = kind.healthEvents(entry.policy);
      if (source.isPresent()) {
        if (entry.policy instanceof CircuitBreaker breaker) { // health reads a breaker's state
          monitor.watch(breaker);
        } else {
          monitor.watch(entry.name, source.get());
        }
        if (entry.evicted) { // its evictor may have unwatched it before we watched: undo
          monitor.unwatch(source.get());
        }
      }
    }

    private void added(NamedPolicies.Entry<P> entry) {
      HealthMonitor monitor = health;
      if (monitor != null) {
        watch(monitor, entry);
      }
    }

    private void evicted(NamedPolicies.Entry<P> entry) {
      dropPipelinesOf(entry);
      HealthMonitor monitor = health; // read after `evicted` was set: see the design comment
      if (monitor != null) {
        kind.healthEvents(entry.policy).ifPresent(monitor::unwatch);
      }
    }

    /**
     * Re-resolves the configs (after {@code edit}, if any) and moves every live instance whose
     * config changed to the new one; adds to {@code undo} how to take each step back.
     */
    @SuppressWarnings("unchecked")
    void update(
        Consumer<NamedConfigs<?, ?>> edit,
        Map<PolicyKind<?, ?, ?>, Map<String, List<Settings.Value>>> values,
        List<Runnable> undo,
        List<String> reconfigured,
        List<String> notLive) {
      NamedConfigs<C, B> next = declared.copy();
      if (edit != null) {
        edit.accept(next);
      }
      Map<String, C> resolved = next.resolve(values.getOrDefault(kind, Map.of())).configs();
      NamedConfigs<C, B> oldDeclared = declared;
      Map<String, C> old = configs;
      declared = next;
      configs = resolved; // from now on, new instances use the new configs
      undo.add(
          () -> {
            declared = oldDeclared;
            configs = old;
          });
      if (!old.keySet().equals(resolved.keySet())) { // a new name may add a policy to a pipeline
        pipelines.clear();
        for (RetryChoice choice : retryChoices) {
          choice.pipelines.clear();
        }
      }
      instances.forEachEntry(
          entry -> {
            if (entry.configKey == null) {
              return; // made from an exact config
            }
            C wanted =
                entry.configKey == NamedPolicies.BY_NAME
                    ? configFor(entry.name)
                    : configs.get(entry.configKey);
            Object before = entry.config;
            if (wanted == null || wanted == before) {
              return;
            }
            String what = kind.label() + " '" + entry.name + "'";
            if (!(entry.policy instanceof Reconfigurable)) {
              notLive.add(what);
              return;
            }
            Reconfigurable<C> policy = (Reconfigurable<C>) entry.policy;
            C running = policy.config();
            try {
              policy.reconfigure(wanted);
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException(
                  what + " cannot take the new config: " + e.getMessage(), e);
            }
            entry.config = wanted;
            reconfigured.add(what);
            undo.add(
                () -> {
                  policy.reconfigure(running);
                  entry.config = before;
                });
          });
    }
  }

  /**
   * A retry config that {@link #call(String, String, Callable)} can name: its shared retry's name,
   * how to make that retry, and the pipelines cached for it, by name.
   */
  private final class RetryChoice {
    final String key; // normalized
    final String retryName;
    final NamedPolicies.Factory<Retry> factory;
    final ConcurrentHashMap<String, CachedPipeline> pipelines = new ConcurrentHashMap<>();

    RetryChoice(String key, String retryName) {
      this.key = key;
      this.retryName = retryName;
      this.factory = n -> retries.made(n, retries.config(key));
    }
  }

  /** A pipeline and the registry entries of its policies, outermost first. */
  private final class CachedPipeline {
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

    void touch(long nowNanos) {
      for (int i = 0; i < parts.size(); i++) {
        parts.get(i).touch(nowNanos, touchNanos);
      }
    }
  }

  /** A source of settings, read at build and again by {@link #reload()}. */
  private record Layer(Supplier<Map<String, String>> source, boolean properties) {}

  /**
   * Builds a {@link Resilience}. Each setter checks its own value; {@link #build()} reads the
   * settings sources and resolves the configs (inheritance, then settings) and checks them.
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
    private HealthConfig healthConfig = HealthConfig.ofDefaults();
    private final Map<PolicyKind<?, ?, ?>, NamedConfigs<?, ?>> configs = new LinkedHashMap<>();
    private final List<Layer> layers = new ArrayList<>();

    private Builder() {
      CORE_KINDS.forEach(this::kind);
    }

    /** The clock every policy reads time from. Default {@link Clock#system()}. */
    public Builder clock(Clock clock) {
      this.clock = Check.notNull("clock", clock);
      return this;
    }

    /** The scheduler every policy waits through. Default {@link Scheduler#system()}. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Check.notNull("scheduler", scheduler);
      return this;
    }

    /**
     * Whether pipelines apply their policies; false passes calls straight through. Default true.
     */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /**
     * The default time limit for a call, in (0, 365 days]. Default none. When set, every {@link
     * Resilience#pipeline pipeline} ends with a timeout, and the default timeout config has this
     * limit; a timeout config of a pipeline's name, or {@code BULWARK_TIMEOUT_DURATION}, overrides
     * it.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder defaultTimeout(Duration timeout) {
      this.defaultTimeout = Check.positive("defaultTimeout", timeout);
      return this;
    }

    /**
     * The most instances of each kind the registry holds, in [1, 100000000]. Default 10,000.
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
     * @throws IllegalArgumentException if out of range
     */
    public Builder idleEviction(Duration idle) {
      this.idleEviction = Check.nonNegative("idleEviction", idle);
      return this;
    }

    /** The config of the registry's health monitor. Default {@link HealthConfig#ofDefaults()}. */
    public Builder healthConfig(HealthConfig config) {
      this.healthConfig = Check.notNull("config", config);
      return this;
    }

    /**
     * Registers {@code kind} (core's are registered already, and so are the kinds of every {@link
     * PolicyKindProvider} on the class path): the registry then holds its policies, and its
     * settings are known to the environment and properties parser. Registering a kind twice does
     * nothing.
     *
     * @throws IllegalArgumentException if another kind has the same id
     */
    public Builder kind(PolicyKind<?, ?, ?> kind) {
      Check.notNull("kind", kind);
      for (PolicyKind<?, ?, ?> known : configs.keySet()) {
        if (known != kind && known.id().equals(kind.id())) {
          throw new IllegalArgumentException(
              "two policy kinds have the id '" + kind.id() + "': " + known + " and " + kind);
        }
      }
      configs.computeIfAbsent(kind, NamedConfigs::new);
      return this;
    }

    @SuppressWarnings("unchecked")
    private <C, B> NamedConfigs<C, B> configs(PolicyKind<?, C, B> kind) {
      kind(kind);
      return (NamedConfigs<C, B>) configs.get(kind);
    }

    /**
     * The config of {@code kind}'s policies that have none of their own name. Default the kind's
     * {@link PolicyKind#defaultConfig()}.
     *
     * @throws NullPointerException if an argument is null
     */
    public <C> Builder defaultConfig(PolicyKind<?, C, ?> kind, C config) {
      configs(kind).declare("default", Check.notNull("config", config));
      return this;
    }

    /**
     * Declares the config of {@code kind} named {@code name}; replaces an earlier one of that name.
     * A declared name of a kind not in every pipeline (a bulkhead, a rate limiter, a timeout, a
     * fallback) also puts a policy of that kind in the {@link Resilience#pipeline pipeline} of that
     * name.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or differs from a declared name
     *     only in case or punctuation
     */
    public <C> Builder config(PolicyKind<?, C, ?> kind, String name, C config) {
      Check.notNull("config", config);
      configs(kind).declare(Check.name(name), config);
      return this;
    }

    /**
     * Declares the config of {@code kind} named {@code name} as the default config with {@code
     * overrides}: {@code b -> b.openDuration(Duration.ofMinutes(1))}. The default is resolved at
     * {@link #build()}, so this sees the default as finally configured.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public <B> Builder derive(PolicyKind<?, ?, B> kind, String name, UnaryOperator<B> overrides) {
      return derive(kind, name, "default", overrides);
    }

    /**
     * Declares the config of {@code kind} named {@code name} as the config {@code base} with {@code
     * overrides}; {@code base} may be declared later, and may itself derive from another.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a name is blank; at {@link #build()}, if {@code base} is
     *     not declared or the configs derive from each other in a cycle
     */
    public <B> Builder derive(
        PolicyKind<?, ?, B> kind, String name, String base, UnaryOperator<B> overrides) {
      Check.notNull("overrides", overrides);
      configs(kind).derive(Check.name(name), Check.name(base), overrides);
      return this;
    }

    /**
     * Adds the {@code BULWARK_*} entries of {@code environment} as a layer of settings (others are
     * ignored); see {@code docs/configuration.md}. The map is read at {@link #build()} and again by
     * {@link Resilience#reload()}.
     *
     * @throws NullPointerException if null
     */
    public Builder environment(Map<String, String> environment) {
      Check.notNull("environment", environment);
      return environment(() -> environment);
    }

    /**
     * Adds a layer of {@code BULWARK_*} settings read from {@code environment} at {@link #build()}
     * and on each {@link Resilience#reload()}: {@code environment(System::getenv)}.
     *
     * @throws NullPointerException if null
     */
    public Builder environment(Supplier<Map<String, String>> environment) {
      layers.add(new Layer(Check.notNull("environment", environment), false));
      return this;
    }

    /**
     * Adds the {@code bulwark.*} entries of {@code properties} (keys in any case) as a layer of
     * settings (others are ignored), read at {@link #build()} and on each {@link
     * Resilience#reload()}.
     *
     * @throws NullPointerException if null
     */
    public Builder properties(Map<String, String> properties) {
      Check.notNull("properties", properties);
      return properties(() -> properties);
    }

    /** Adds a layer of {@code bulwark.*} settings read from {@code properties} when read. */
    public Builder properties(Supplier<Map<String, String>> properties) {
      layers.add(new Layer(Check.notNull("properties", properties), true));
      return this;
    }

    /**
     * Adds the {@code bulwark.*} entries of {@code properties}, its defaults included, as a layer
     * of settings. A value that is not a String but a number, a boolean, a {@code Duration} or an
     * enum constant is read as its {@code toString()}; one of another type fails the build, naming
     * the key.
     *
     * @throws NullPointerException if null
     */
    public Builder properties(Properties properties) {
      Check.notNull("properties", properties);
      return properties(() -> Settings.text(properties));
    }

    /**
     * The registry.
     *
     * @throws IllegalArgumentException naming the variable or key, for an unknown setting (with the
     *     nearest known name), a bad or out-of-range value, or one setting under two spellings in
     *     one layer; or if a config derives from one not declared, or configs derive from each
     *     other in a cycle
     */
    public Resilience build() {
      for (PolicyKindProvider provider : ServiceLoader.load(PolicyKindProvider.class)) {
        provider.kinds().forEach(this::kind);
      }
      Settings parser = new Settings(GLOBALS, List.copyOf(configs.keySet()));
      Map<String, Object> globals = new HashMap<>();
      read(parser, layers, globals, null); // the registry settings, first
      boolean savedEnabled = enabled;
      Duration savedTimeout = defaultTimeout;
      int savedMax = maxInstances;
      Duration savedIdle = idleEviction;
      try {
        for (Setting<Builder> global : GLOBALS) {
          if (globals.containsKey(global.name())) {
            global.apply(this, globals.get(global.name()));
          }
        }
        return new Resilience(
            this, parser, globals, read(parser, layers, new HashMap<>(), defaultTimeout));
      } finally { // settings apply to this registry only, not to the builder's own values
        enabled = savedEnabled;
        defaultTimeout = savedTimeout;
        maxInstances = savedMax;
        idleEviction = savedIdle;
      }
    }
  }
}
