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
 * {@link PolicyKind kind} by name, each made on first use from the config of that name or the
 * default config, and the same instance for that name afterwards.
 *
 * <pre>{@code
 * Resilience resilience = Resilience.builder()
 *     .derive(CircuitBreaker.KIND, "payments", b -> b.openDuration(Duration.ofMinutes(1)))
 *     .environment(System::getenv)           // BULWARK_* variables override the code
 *     .build();
 * Stock stock = resilience.call("inventory", () -> inventory.stock(sku)); // breaker, then retry
 * CircuitBreaker perDevice = resilience.get(CircuitBreaker.KIND, "device-" + deviceId);
 * }</pre>
 *
 * <p><b>Shared rules.</b> A null argument throws {@link NullPointerException}; a blank name, or a
 * kind not registered, {@link IllegalArgumentException}. A config applies when an instance is made:
 * asking again with another config returns the existing instance. Config names match ignoring case
 * and punctuation ({@code "user-service"} is {@code USER_SERVICE} in a variable); instance names
 * exactly; {@code "default"} names the default config. A method that may create an instance throws
 * {@link RegistryFullException} when the kind's {@link #maxInstances()} are all busy.
 *
 * <p><b>Bounded growth.</b> At most {@link #maxInstances()} instances of each kind; when full, the
 * least recently used sixteenth is evicted, and with {@link #idleEviction()} those not looked up
 * (by name, or through {@link #pipeline}/{@link #call}) for that long. A {@linkplain
 * PolicyKind#isBusy busy} instance (a breaker not closed, a bulkhead in use) is never evicted.
 * Calls through a reference held elsewhere are not uses. Each eviction publishes {@link
 * PolicyEvicted}.
 *
 * <p><b>Concurrency.</b> A lookup takes no lock; racing creators all get the winner's instance.
 * {@link PolicyAdded} and {@link PolicyEvicted} listeners run on the creating thread outside any
 * lock, so they may use this registry. Config changes take a lock no call takes.
 *
 * <p><b>The switch.</b> When {@link #enabled()} is false, {@link #pipeline}, {@link #call} and
 * {@link #callAsync} pass every call straight through, creating nothing.
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
   * A builder with the defaults: system clock and scheduler, enabled, 10,000 instances of each kind
   * at most, no idle eviction, core's kinds and those of every {@link PolicyKindProvider} on the
   * class path with their default configs. Thread-safe.
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
   * A registry configured by the {@code bulwark.*} keys of {@code properties}. Thread-safe.
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

  /** The policy of {@code kind} named {@code name}, made from its own or the default config. */
  public <P extends Policy> P get(PolicyKind<P, ?, ?> kind, String name) {
    return registry.slot(kind).get(Check.name(name), Registry.BY_NAME, null);
  }

  /**
   * The policy of {@code kind} named {@code name}, made from the config {@code configName}.
   *
   * @throws IllegalArgumentException if it must be made and no config is named {@code configName}
   */
  public <P extends Policy> P get(PolicyKind<P, ?, ?> kind, String name, String configName) {
    return registry.slot(kind).named(Check.name(name), Check.notNull("configName", configName));
  }

  /**
   * The policy of {@code kind} named {@code name}, made from {@code config}, which {@link
   * #updateConfig} and {@link #reload()} never change (a module's per-host policies, say).
   */
  public <P extends Policy, C> P get(PolicyKind<P, C, ?> kind, String name, C config) {
    Registry.Slot<P, C, ?> slot = registry.slot(kind);
    return slot.get(Check.name(name), null, Check.notNull("config", config));
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
   * The pipeline of {@code name}, cached while its policies stay registered: outermost first, the
   * policy of that name of each kind with a {@linkplain PolicyKind#pipelineOrder() rank}, got as by
   * {@link #get(PolicyKind, String)}. By default: the fallback, bulkhead and rate limiter if a
   * config of theirs has that name, then the breaker and the retry, then the timeout if a timeout
   * config has that name or {@link #defaultTimeout()} is set; so the breaker counts one outcome per
   * call, never a rejection, and the timeout limits each attempt. Thread-safe.
   */
  public Pipeline pipeline(String name) {
    Check.notNull("name", name); // a blank name is refused where a pipeline is built
    return registry.enabled ? registry.pipeline(name, registry.pipelines, null) : passThrough(name);
  }

  /** {@link #pipeline(String)}, a cached one looked up first, by a method that stays small. */
  private Pipeline pipelineOf(String name) {
    Registry r = registry;
    Pipeline hit = r.enabled ? r.cached(Check.notNull("name", name), r.pipelines) : null;
    return hit != null ? hit : pipeline(name);
  }

  private static Pipeline passThrough(String name) {
    Check.name(name);
    return PASS_THROUGH;
  }

  /**
   * Runs {@code call} through {@link #pipeline(String) pipeline(name)}. Thread-safe.
   *
   * @throws RejectedException if a policy refuses the call
   * @throws Exception whatever the call itself threw, unwrapped
   */
  public <T> T call(String name, Callable<T> call) throws Exception {
    Check.notNull("call", call);
    return pipelineOf(name).call(call);
  }

  /**
   * Runs an asynchronous {@code call} through {@link #pipeline(String) pipeline(name)}, as {@link
   * Pipeline#callAsync} does; a {@link RegistryFullException} completes the stage. Thread-safe.
   */
  public <T> CompletionStage<T> callAsync(String name, Supplier<CompletionStage<T>> call) {
    Check.notNull("call", call);
    try {
      return pipelineOf(name).callAsync(call);
    } catch (RegistryFullException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Runs {@code call} through the pipeline of {@code name} with, in place of its retry, the one
   * retry made from the config {@code retryConfigName} and named as it was declared ({@code
   * "default"} for the default), shared by every name. Such pipelines are cached per (name, retry
   * config), at most {@link #maxInstances()} per retry config. Thread-safe.
   *
   * @throws IllegalArgumentException if no retry config is named {@code retryConfigName}
   * @throws RejectedException if a policy refuses the call
   * @throws Exception whatever the call itself threw, unwrapped
   */
  public <T> T call(String name, String retryConfigName, Callable<T> call) throws Exception {
    return pipeline(name, retryConfigName, call).call(call);
  }

  /**
   * Runs an asynchronous {@code call} as {@link #call(String, String, Callable)} runs a synchronous
   * one; a {@link RegistryFullException} completes the stage. Thread-safe.
   *
   * @throws IllegalArgumentException if no retry config is named {@code retryConfigName}
   */
  public <T> CompletionStage<T> callAsync(
      String name, String retryConfigName, Supplier<CompletionStage<T>> call) {
    Pipeline pipeline;
    try {
      pipeline = pipeline(name, retryConfigName, call);
    } catch (RegistryFullException e) {
      return CompletableFuture.failedFuture(e);
    }
    return pipeline.callAsync(call);
  }

  private Pipeline pipeline(String name, String retryConfigName, Object call) {
    Check.name(name);
    Check.notNull("call", call);
    var choice = registry.retryChoice(Check.notNull("retryConfigName", retryConfigName));
    return registry.enabled ? registry.pipeline(name, choice.pipelines, choice) : PASS_THROUGH;
  }

  /** How many pipelines are cached, for every name and (name, retry config) pair; for tests. */
  int cachedPipelines() {
    return registry.cachedPipelines();
  }

  /**
   * The health monitor of this registry (on {@link ResilienceBuilder#healthConfig}), made on the
   * first call: it watches every instance, now or later, of a kind that {@linkplain
   * PolicyKind#healthEvents feeds health}, until evicted, counting from then on. Thread-safe.
   */
  public HealthMonitor health() {
    return registry.health();
  }

  /** Every kind this registry knows, core's first. Thread-safe. */
  public List<PolicyKind<?, ?, ?>> kinds() {
    return List.copyOf(registry.slots.keySet());
  }

  /** The policy of {@code kind} named {@code name} if held; never creates, not a use. */
  public <P extends Policy> Optional<P> find(PolicyKind<P, ?, ?> kind, String name) {
    var entry = registry.slot(kind).map.get(Check.notNull("name", name));
    return entry == null ? Optional.empty() : Optional.of(entry.policy);
  }

  /** Every policy of {@code kind} held now, by name; an unmodifiable copy. Thread-safe. */
  public <P extends Policy> SortedMap<String, P> instances(PolicyKind<P, ?, ?> kind) {
    return Collections.unmodifiableSortedMap(registry.slot(kind).list(p -> p));
  }

  /**
   * What each policy of {@code kind} held now {@linkplain PolicyKind#snapshot reports}, by name.
   */
  public SortedMap<String, Object> snapshots(PolicyKind<?, ?, ?> kind) {
    return Collections.unmodifiableSortedMap(registry.slot(kind).snapshots());
  }

  /**
   * Resets the policy of {@code kind} named {@code name} (a breaker closes and empties its window)
   * if held; creates nothing. Thread-safe.
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
   * Resets every policy of {@code kind} held now. Thread-safe.
   *
   * @return how many were reset
   * @throws UnsupportedOperationException if the kind cannot be reset
   */
  public <P extends Policy> int resetAll(PolicyKind<P, ?, ?> kind) {
    SortedMap<String, P> all = instances(kind);
    all.values().forEach(kind::reset);
    return all.size();
  }

  /** Forces the breaker {@code name} open (made if needed) until {@linkplain #reset reset}. */
  public CircuitBreaker forceOpen(String name) {
    CircuitBreaker breaker = circuitBreaker(name);
    breaker.forceOpen();
    return breaker;
  }

  /**
   * Evicts now every instance not looked up for {@link #idleEviction()} and not busy (creations do
   * this too, every half idle time); nothing without idle eviction. Thread-safe.
   *
   * @return how many instances were evicted
   */
  public int evictIdle() {
    long now = registry.clock.nanoTime();
    return registry.slots.values().stream().mapToInt(slot -> slot.evictIdle(now)).sum();
  }

  /** Where {@link PolicyAdded} and {@link PolicyEvicted} are published. Thread-safe. */
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

  /** The time limit every pipeline ends with, if set ({@code BULWARK_TIMEOUT}). Thread-safe. */
  public Optional<Duration> defaultTimeout() {
    return Optional.ofNullable(registry.defaultTimeout);
  }

  /** The most instances of each kind the registry holds. Default 10,000. Thread-safe. */
  public int maxInstances() {
    return registry.maxInstances;
  }

  /** How long an instance may go without a lookup before it is evicted; empty: never. */
  public Optional<Duration> idleEviction() {
    return Optional.of(registry.idleEviction).filter(idle -> !idle.isZero());
  }

  /** The config of {@code kind} named {@code configName}, resolved; empty if none. Thread-safe. */
  public <C> Optional<C> config(PolicyKind<?, C, ?> kind, String configName) {
    String key = Settings.normalize(Check.notNull("configName", configName));
    return Optional.ofNullable(registry.slot(kind).configs.get(key));
  }

  /**
   * What a configuration change did.
   *
   * @param reconfigured instances now running with the new config, as {@code "kind 'name'"}
   * @param notLive what keeps the old config until made again: an instance not {@link
   *     Reconfigurable}, or a registry setting ({@code BULWARK_MAX_INSTANCES})
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
   * registry runs: derived configs follow, settings still apply on top, and each live instance
   * whose config changes is {@linkplain Reconfigurable#reconfigure reconfigured}. All or nothing.
   * Thread-safe.
   *
   * @throws IllegalArgumentException naming the instance and setting if an instance refuses the
   *     change, or if the config does not fit the settings applied to it
   */
  @SuppressWarnings("unchecked") // the slot of `kind` holds configs of type C
  public <C> ConfigUpdate updateConfig(PolicyKind<?, C, ?> kind, String configName, C config) {
    registry.slot(kind);
    Check.notNull("config", config);
    Check.name(Check.notNull("configName", configName));
    return registry.changeConfigs(
        kind,
        configs -> ((Settings.Configs<C, ?>) configs).declare(configName, null, config, null));
  }

  /**
   * Replaces the config of {@code kind} named {@code configName} (else the default) by itself with
   * {@code overrides}, as {@link #updateConfig} does. Thread-safe.
   *
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
   * Re-reads every settings source given to the builder (suppliers, as {@code
   * environment(System::getenv)}, see new values) and applies what changed as {@link #updateConfig}
   * does; changed registry settings are reported not live. Thread-safe.
   *
   * @throws IllegalArgumentException for an unknown setting or a bad value (nothing is applied)
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
    registry.slots.forEach(
        (kind, slot) -> out.append(", ").append(kind.id()).append('=').append(slot.count));
    return out
        + ", maxInstances="
        + registry.maxInstances
        + ", idleEviction="
        + registry.idleEviction
        + "]";
  }
}
