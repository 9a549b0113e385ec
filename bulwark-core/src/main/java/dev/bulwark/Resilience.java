package dev.bulwark;

import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.event.EventSource;
import dev.bulwark.event.PolicyAdded;
import dev.bulwark.event.PolicyEvicted;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.health.HealthMonitor;
import dev.bulwark.healthcheck.HealthCheck;
import dev.bulwark.hedge.Hedge;
import dev.bulwark.internal.Check;
import dev.bulwark.policy.Pipeline;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Reconfigurable;
import dev.bulwark.policy.RejectedException;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.retry.Retry;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.PolicyKindProvider;
import dev.bulwark.spi.Setting;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import dev.bulwark.timeout.Timeout;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The named registry of policies: one per application, handing out policies of every registered
 * {@link PolicyKind kind} (breakers, retries, rate limiters, bulkheads, timeouts, hedges,
 * fallbacks, and any kind a module adds) by name, each made on first use from a named or the
 * default config, and the same instance for the same name afterwards.
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
 * <p><b>Shared rules.</b> A null argument throws {@link NullPointerException}; a blank name, or a
 * kind not registered, {@link IllegalArgumentException}. A config applies when the instance is
 * created: asking for an existing name with another config returns the existing instance. Config
 * names are matched ignoring case and punctuation ({@code "user-service"} is {@code USER_SERVICE}
 * in a variable name); instance names exactly; {@code "default"} names the default config.
 *
 * <p><b>Bounded growth.</b> At most {@link #maxInstances()} instances of each kind; with {@link
 * #idleEviction()}, those not looked up (by name, or through {@link #pipeline}/{@link #call}) for
 * that long are dropped; when full, the least recently used sixteenth. A busy instance ({@link
 * PolicyKind#isBusy}: a breaker not {@code CLOSED}, a limiter holding callers back, a bulkhead in
 * use) is never dropped: if all are, creation throws {@link RegistryFullException}. Calls through a
 * reference held elsewhere are not uses. A drop publishes {@link PolicyEvicted}; the next lookup of
 * the name creates a fresh instance.
 *
 * <p><b>Concurrency.</b> A lookup takes no lock: one map read and, at most once per sixteenth of
 * the idle time (a second without idle eviction), a write of its time. Threads racing to create a
 * name all get the winner's instance. {@link PolicyAdded} and {@link PolicyEvicted} listeners run
 * on the creating thread outside any lock, so they may use this registry; eviction never runs in
 * the background. Config changes ({@link #updateConfig}, {@link #reload()}) take a lock no call
 * takes, and reach live instances through {@link Reconfigurable#reconfigure}.
 *
 * <p><b>The switch.</b> When {@link #enabled()} is false ({@code BULWARK_ENABLED=false}), {@link
 * #pipeline}, {@link #call} and {@link #callAsync} pass every call straight through, creating
 * nothing. Policies asked for by name still behave as configured.
 *
 * <p>Thread-safe.
 */
public final class Resilience implements AutoCloseable {

  /** The registry's own settings: {@code BULWARK_ENABLED}, {@code BULWARK_TIMEOUT}, ... */
  static final List<Setting<ResilienceBuilder>> GLOBALS =
      List.of(
          Setting.<ResilienceBuilder>ofBoolean("ENABLED", "enabled", ResilienceBuilder::enabled)
              .doc("`false`: pipelines pass calls straight through and create nothing")
              .defaultValue("`true`"),
          Setting.<ResilienceBuilder>ofDuration(
                  "TIMEOUT", "defaultTimeout", true, ResilienceBuilder::defaultTimeout)
              .doc("a timeout in every pipeline, and the default timeout config's limit")
              .defaultValue("none"),
          Setting.<ResilienceBuilder>ofInt(
                  "MAX_INSTANCES", "maxInstances", 1, 100_000_000, ResilienceBuilder::maxInstances)
              .doc("most instances of each kind the registry holds")
              .defaultValue("`10000`"),
          Setting.<ResilienceBuilder>ofDuration(
                  "IDLE_EVICTION", "idleEviction", false, ResilienceBuilder::idleEviction)
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
          Fallback.KIND,
          HealthCheck.KIND);

  private static final Pipeline PASS_THROUGH = Pipeline.of();

  private final Registry registry;

  Resilience(Registry registry) {
    this.registry = registry;
  }

  /**
   * A builder holding the defaults: system clock and scheduler, enabled, 10,000 instances of each
   * kind at most, no idle eviction, the built-in default config of every kind, core's kinds and
   * those of every {@link PolicyKindProvider} on the class path. Thread-safe.
   */
  public static ResilienceBuilder builder() {
    return new ResilienceBuilder();
  }

  /** A registry with every default; see {@link #builder()}. Thread-safe. */
  public static Resilience ofDefaults() {
    return builder().build();
  }

  /**
   * A registry configured by the process's {@code BULWARK_*} environment variables, re-read by
   * {@link #reload()}; see {@code docs/configuration.md}. Thread-safe.
   *
   * @throws IllegalArgumentException naming the variable, if one is unknown or its value bad
   */
  public static Resilience fromEnvironment() {
    return builder().environment(System::getenv).build();
  }

  /**
   * A registry configured by the {@code bulwark.*} keys of {@code properties} (others are ignored).
   * Thread-safe.
   *
   * @throws IllegalArgumentException naming the key, if one is unknown or its value bad
   */
  public static Resilience fromProperties(Map<String, String> properties) {
    return builder().properties(properties).build();
  }

  /**
   * As {@link #fromProperties(Map)}, reading {@code properties}' defaults too. Thread-safe.
   *
   * @throws IllegalArgumentException naming the key, if one is unknown or its value bad
   */
  public static Resilience fromProperties(Properties properties) {
    return builder().properties(properties).build();
  }

  /**
   * The policy of {@code kind} named {@code name}, created on first use from the config of the same
   * name if one is declared, else from the default config. Thread-safe.
   *
   * @throws RegistryFullException if it must be created and none of the kind's {@link
   *     #maxInstances()} instances can be evicted
   */
  public <P extends Policy> P get(PolicyKind<P, ?, ?> kind, String name) {
    Registry.Slot<P, ?, ?> slot = registry.slot(kind);
    return slot.instances.get(Check.name(name), NamedPolicies.BY_NAME, slot.byName);
  }

  /**
   * The policy of {@code kind} named {@code name}, created on first use from the config named
   * {@code configName}. Thread-safe.
   *
   * @throws IllegalArgumentException if it must be created and no config is named {@code
   *     configName}
   * @throws RegistryFullException if it must be created and the registry is full
   */
  public <P extends Policy> P get(PolicyKind<P, ?, ?> kind, String name, String configName) {
    return registry.slot(kind).named(Check.name(name), Check.notNull("configName", configName));
  }

  /**
   * The policy of {@code kind} named {@code name}, created on first use from {@code config}, which
   * {@link #updateConfig} and {@link #reload()} never change. A module keeping one policy per
   * remote host brings its config this way; its policies still show in listings, health and admin.
   * Thread-safe.
   *
   * @throws RegistryFullException if it must be created and the registry is full
   */
  public <P extends Policy, C> P get(PolicyKind<P, C, ?> kind, String name, C config) {
    Registry.Slot<P, C, ?> slot = registry.slot(kind);
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

  /**
   * The pipeline for {@code name}, cached while its policies stay registered. It holds, outermost
   * first, the policy named {@code name} of each kind with a {@linkplain PolicyKind#pipelineOrder()
   * pipeline rank}, got as by {@link #get(PolicyKind, String)}: by default the fallback, bulkhead
   * and rate limiter if a config of theirs has that name (declared in code or made by a per-name
   * setting), then the breaker and the retry, then the timeout if a timeout config has that name or
   * {@link #defaultTimeout()} is set. So the breaker counts one outcome per call, never a
   * bulkhead's or limiter's rejection, and the timeout limits each attempt. When {@link #enabled()}
   * is false, a pipeline that passes calls straight through. Thread-safe.
   *
   * @throws RegistryFullException if a policy must be created and the registry is full
   */
  public Pipeline pipeline(String name) {
    Check.notNull("name", name); // blank names are refused when a pipeline is built, off this path
    return registry.enabled ? registry.pipeline(name, registry.pipelines, null) : passThrough(name);
  }

  private static Pipeline passThrough(String name) {
    Check.name(name);
    return PASS_THROUGH;
  }

  /**
   * Runs {@code call} through {@link #pipeline(String) pipeline(name)}. Thread-safe.
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
   * Runs an asynchronous {@code call} through {@link #pipeline(String) pipeline(name)}; the stage
   * completes as {@link Pipeline#callAsync} says, and exceptionally with a {@link
   * RegistryFullException} too. Thread-safe.
   *
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public <T> CompletionStage<T> callAsync(String name, Supplier<CompletionStage<T>> call) {
    Check.notNull("call", call);
    try {
      return pipeline(name).callAsync(call);
    } catch (RegistryFullException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Runs {@code call} through the pipeline of {@code name} with a retry made from the config {@code
   * retryConfigName} in place of the retry named {@code name}: {@code call("inventory-42",
   * "idempotent-reads", ...)} uses the breaker (and other policies) of {@code "inventory-42"}.
   *
   * <p>That retry is one registered instance per retry config, shared by every name and named as
   * the config was declared ({@code "default"} for the default): it shows in listings and {@link
   * PolicyAdded}, and its {@code RetryExhaustedException} names the config. If a retry of that name
   * was created from another config, that one is used. The pipeline is cached per (name, retry
   * config) pair, and dropped when any of its policies is evicted, so the cache holds at most
   * {@link #maxInstances()} pipelines per retry config. Disabled, the call runs straight through.
   * Thread-safe.
   *
   * @throws IllegalArgumentException if {@code name} is blank or no retry config is named {@code
   *     retryConfigName}
   * @throws RejectedException if a policy refuses the call
   * @throws RegistryFullException if a policy must be created and the registry is full
   * @throws Exception whatever the call itself threw, unwrapped
   */
  public <T> T call(String name, String retryConfigName, Callable<T> call) throws Exception {
    return pipeline(name, Check.notNull("retryConfigName", retryConfigName), call).call(call);
  }

  /**
   * Runs an asynchronous {@code call} as {@link #call(String, String, Callable)} runs a synchronous
   * one; a {@link RegistryFullException} completes the stage exceptionally. Thread-safe.
   *
   * @throws IllegalArgumentException if {@code name} is blank or no retry config is named {@code
   *     retryConfigName}
   */
  public <T> CompletionStage<T> callAsync(
      String name, String retryConfigName, Supplier<CompletionStage<T>> call) {
    Pipeline pipeline;
    try {
      pipeline = pipeline(name, Check.notNull("retryConfigName", retryConfigName), call);
    } catch (RegistryFullException e) {
      return CompletableFuture.failedFuture(e);
    }
    return pipeline.callAsync(call);
  }

  /** The pipeline of {@code name} with the retry of {@code retryConfigName} in place of its own. */
  private Pipeline pipeline(String name, String retryConfigName, Object call) {
    Check.name(name);
    Check.notNull("call", call);
    Registry.RetryChoice choice = registry.retryChoice(retryConfigName);
    return registry.enabled ? registry.pipeline(name, choice.pipelines, choice) : PASS_THROUGH;
  }

  /** How many pipelines are cached, for every name and (name, retry config) pair; for tests. */
  int cachedPipelines() {
    return registry.cachedPipelines();
  }

  /**
   * The health monitor of this registry, made on the first call (with {@link
   * ResilienceBuilder#healthConfig}, on the registry's clock) and the same afterwards. It watches
   * every instance, now held or created later, of a kind that {@linkplain PolicyKind#healthEvents
   * feeds health} (breakers, fallbacks), until the instance is evicted. Failures count from the
   * time an instance is watched, so call this at startup; until then, health costs calls nothing.
   * Thread-safe.
   */
  public HealthMonitor health() {
    return registry.health();
  }

  /** Every kind this registry knows, core's first. Thread-safe. */
  public List<PolicyKind<?, ?, ?>> kinds() {
    return List.copyOf(registry.slots.keySet());
  }

  /**
   * The policy of {@code kind} named {@code name} if the registry holds one; never creates one, and
   * is not a use. Thread-safe.
   *
   * @throws IllegalArgumentException if {@code kind} is not registered
   */
  public <P extends Policy> Optional<P> find(PolicyKind<P, ?, ?> kind, String name) {
    return registry.slot(kind).instances.find(Check.notNull("name", name));
  }

  /** Every policy of {@code kind} held now, by name; an unmodifiable copy. Thread-safe. */
  public <P extends Policy> SortedMap<String, P> instances(PolicyKind<P, ?, ?> kind) {
    return Collections.unmodifiableSortedMap(registry.slot(kind).instances.list(p -> p));
  }

  /**
   * What every policy of {@code kind} held now reports ({@link PolicyKind#snapshot}), by name; an
   * unmodifiable copy. Thread-safe.
   */
  public SortedMap<String, Object> snapshots(PolicyKind<?, ?, ?> kind) {
    return Collections.unmodifiableSortedMap(registry.slot(kind).snapshots());
  }

  /**
   * Resets the policy of {@code kind} named {@code name} (a breaker closes and empties its window)
   * if the registry holds one; creates nothing. Thread-safe.
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
   * Resets every policy of {@code kind} the registry holds. Thread-safe.
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
   * Forces the breaker named {@code name} open, creating it if needed: it rejects every call until
   * {@linkplain #reset reset}, and is never evicted. Thread-safe.
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
   * busy; nothing without idle eviction. Creations also do this, once half the idle time has passed
   * since it was last done. Thread-safe.
   *
   * @return how many instances were evicted
   */
  public int evictIdle() {
    long now = registry.clock.nanoTime();
    int evicted = 0;
    for (Registry.Slot<?, ?, ?> slot : registry.slots.values()) {
      evicted += slot.instances.evictIdle(now);
    }
    return evicted;
  }

  /**
   * Where the registry publishes {@link PolicyAdded} and {@link PolicyEvicted}, on the creating or
   * evicting thread, outside any lock. Thread-safe.
   */
  public EventSource events() {
    return registry.events.view();
  }

  /** The clock every policy of this registry reads. Thread-safe. */
  public Clock clock() {
    return registry.clock;
  }

  /** The scheduler every policy of this registry waits with. Thread-safe. */
  public Scheduler scheduler() {
    return registry.scheduler;
  }

  /** Whether pipelines apply their policies. Default true; {@code BULWARK_ENABLED}. Thread-safe. */
  public boolean enabled() {
    return registry.enabled;
  }

  /**
   * The default time limit for a call, if set ({@code BULWARK_TIMEOUT}): then every {@link
   * #pipeline(String) pipeline} ends with a timeout, and the default timeout config has this limit
   * unless {@code BULWARK_TIMEOUT_DURATION} says otherwise. Thread-safe.
   */
  public Optional<Duration> defaultTimeout() {
    return Optional.ofNullable(registry.defaultTimeout);
  }

  /** The most instances of each kind the registry holds. Default 10,000. Thread-safe. */
  public int maxInstances() {
    return registry.maxInstances;
  }

  /** How long an instance may go without a lookup before it is evicted; empty: never. */
  public Optional<Duration> idleEviction() {
    Duration idle = registry.idleEviction;
    return idle.isZero() ? Optional.empty() : Optional.of(idle);
  }

  /**
   * The config of {@code kind} named {@code configName}, after inheritance and settings; empty if
   * none has that name. Thread-safe.
   */
  public <C> Optional<C> config(PolicyKind<?, C, ?> kind, String configName) {
    String key = Settings.normalize(Check.notNull("configName", configName));
    return Optional.ofNullable(registry.slot(kind).configs.get(key));
  }

  /**
   * What a configuration change did: the instances that took the new config live, and what keeps
   * the old one until made again (a policy not {@link Reconfigurable}, or a registry setting such
   * as {@code BULWARK_MAX_INSTANCES}, which applies when the registry is built).
   *
   * @param reconfigured instances now running with the new config, as {@code "kind 'name'"}
   * @param notLive what could not change live, as {@code "kind 'name'"} or the setting's name
   */
  public record ConfigUpdate(List<String> reconfigured, List<String> notLive) {
    /** Copies both lists. */
    public ConfigUpdate {
      reconfigured = List.copyOf(Check.notNull("reconfigured", reconfigured));
      notLive = List.copyOf(Check.notNull("notLive", notLive));
    }
  }

  /**
   * Replaces the config of {@code kind} named {@code configName} (a new name declares it) while the
   * registry runs: configs derived from it follow, settings still apply on top, every live instance
   * whose config changes is {@linkplain Reconfigurable#reconfigure reconfigured}, and later ones
   * use the new config. All or nothing: if an instance refuses, those already reconfigured are put
   * back and the old configs stay. Thread-safe; changes are made one at a time.
   *
   * @throws IllegalArgumentException naming the instance and setting if an instance refuses the
   *     change, or if a config does not fit the settings applied to it
   */
  @SuppressWarnings("unchecked") // the slot of `kind` holds configs of type C
  public <C> ConfigUpdate updateConfig(PolicyKind<?, C, ?> kind, String configName, C config) {
    registry.slot(kind);
    Check.notNull("config", config);
    Check.name(Check.notNull("configName", configName));
    return registry.changeConfigs(
        kind, configs -> ((NamedConfigs<C, ?>) configs).declare(configName, config));
  }

  /**
   * Replaces the config of {@code kind} named {@code configName} by the one it resolves to now (the
   * default if none has that name) with {@code overrides}; otherwise as {@link #updateConfig}.
   * Thread-safe.
   *
   * @throws NullPointerException if {@code overrides} returns null
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
   * Re-reads every environment and properties source given to the builder (give suppliers, as
   * {@code environment(System::getenv)}, to see new values) and applies what changed as {@link
   * #updateConfig} does; changed registry settings ({@code BULWARK_ENABLED}, ...) are reported not
   * live. Thread-safe; changes are made one at a time.
   *
   * @throws IllegalArgumentException for an unknown setting or a bad value (then nothing is
   *     applied), or as {@link #updateConfig}
   */
  public ConfigUpdate reload() {
    return registry.changeConfigs(null, null);
  }

  /**
   * Stops what this registry's policies run on their own: every health check's schedule, now and of
   * checks made later. Policies still answer and calls still pass. Idempotent. Thread-safe.
   */
  @Override
  public void close() {
    registry.close();
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("Resilience[enabled=").append(registry.enabled);
    for (Registry.Slot<?, ?, ?> slot : registry.slots.values()) {
      out.append(", ").append(slot.kind.id()).append('=').append(slot.instances.size());
    }
    return out
        + ", maxInstances="
        + registry.maxInstances
        + ", idleEviction="
        + registry.idleEviction
        + "]";
  }
}
