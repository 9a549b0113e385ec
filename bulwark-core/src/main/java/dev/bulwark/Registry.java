package dev.bulwark;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.event.EventSource;
import dev.bulwark.health.HealthConfig;
import dev.bulwark.health.HealthMonitor;
import dev.bulwark.healthcheck.HealthCheck;
import dev.bulwark.internal.Check;
import dev.bulwark.policy.Pipeline;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Reconfigurable;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.spi.EventBus;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.Setting;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import dev.bulwark.timeout.Timeout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The engine of a {@link Resilience} registry: its kinds' configs and instances, the cached
 * pipelines, health and configuration changes. {@code Resilience} is its public face. Thread-safe.
 */
final class Registry {
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
   * Health is made on the first health() call, so a registry nobody asks about health subscribes
   * to no breaker. The monitor is published by CAS before the existing instances are watched; an
   * instance created afterwards is watched by its creator (added() reads `health` after the map
   * holds the entry, so each instance is watched by one side or both, which is harmless). An
   * evicted instance is unwatched by its evictor after `evicted` is set; a watcher that finds
   * `evicted` set after watching unwatches it too.
   */

  final Clock clock;
  final Scheduler scheduler;
  final boolean enabled;
  final @Nullable Duration defaultTimeout;
  final int maxInstances;
  final Duration idleEviction;
  final long touchNanos;
  final EventBus events = new EventBus();
  final Map<PolicyKind<?, ?, ?>, Slot<?, ?, ?>> slots = new LinkedHashMap<>();
  final List<Slot<?, ?, ?>> inPipelines = new ArrayList<>(); // outermost first
  final Slot<Retry, RetryConfig, RetryConfig.Builder> retries;
  final ConcurrentHashMap<String, CachedPipeline> pipelines = new ConcurrentHashMap<>();
  volatile RetryChoice[] retryChoices = {};
  final HealthConfig healthConfig;
  final Settings parser;
  final List<Settings.Layer> layers;
  final Map<String, Object> globalValues;
  final ReentrantLock configLock = new ReentrantLock();
  final AtomicReference<HealthMonitor> health = new AtomicReference<>(); // null until health()
  volatile boolean healthReady; // true once a health() call watched every instance
  volatile boolean closed; // set by close(), before it stops what runs; see Slot.added

  Registry(
      ResilienceBuilder b,
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
      Slot<?, ?, ?> slot = new Slot<>(configs.copy(), values.getOrDefault(configs.kind, Map.of()));
      slots.put(configs.kind, slot);
      if (configs.kind.pipelineOrder() > 0) {
        inPipelines.add(slot);
      }
    }
    inPipelines.sort((x, y) -> x.kind.pipelineOrder() - y.kind.pipelineOrder());
    this.retries = slot(Retry.KIND);
    this.retryChoices = retryChoices(retryChoices);
  }

  Pipeline pipeline(String name, Map<String, CachedPipeline> cache, @Nullable RetryChoice choice) {
    CachedPipeline cached = cache.get(name);
    if (cached != null) {
      if (idleEviction.isZero()) { // only the LRU order needs the time: marked, no clock read
        if (cached.markIfLive()) {
          return cached.pipeline;
        }
      } else if (cached.isLive()) {
        cached.touch(clock.nanoTime());
        return cached.pipeline;
      }
    }
    Check.name(name); // a blank name is never cached, so the hit above needs no check
    long now = clock.nanoTime();
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
              (k, old) -> old != null && old.parts.equals(parts) ? old : new CachedPipeline(parts));
      if (built.isLive()) {
        return built.pipeline;
      }
      cache.remove(name, built); // a part was evicted meanwhile
    }
  }

  /** How many pipelines are cached, for every name and (name, retry config) pair; for tests. */
  int cachedPipelines() {
    int cached = pipelines.size();
    for (RetryChoice choice : retryChoices) {
      cached += choice.pipelines.size();
    }
    return cached;
  }

  RetryChoice retryChoice(String configName) {
    for (RetryChoice choice : retryChoices) { // a few configs; names of other lengths skip at once
      if (Settings.sameName(configName, choice.key)) {
        return choice;
      }
    }
    retries.config(configName); // throws, listing the configs
    throw new AssertionError(configName);
  }

  /**
   * One choice per retry config; a choice whose config name still exists is kept, cache and all.
   */
  private RetryChoice[] retryChoices(RetryChoice[] old) {
    List<RetryChoice> choices = new ArrayList<>();
    for (String key : new TreeSet<>(retries.configs.keySet())) {
      RetryChoice kept = null;
      for (RetryChoice choice : old) {
        kept = choice.key.equals(key) ? choice : kept;
      }
      choices.add(kept != null ? kept : new RetryChoice(key, retries.declared.displayName(key)));
    }
    return choices.toArray(new RetryChoice[0]);
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

  /** Applies {@code edit} to the configs of {@code edited} (none: a reload), all or nothing. */
  Resilience.ConfigUpdate changeConfigs(
      @Nullable PolicyKind<?, ?, ?> edited, @Nullable Consumer<NamedConfigs<?, ?>> edit) {
    configLock.lock();
    try {
      Map<String, Object> globals = new HashMap<>();
      var values = parser.read(layers, globals, defaultTimeout);
      List<String> notLive = new ArrayList<>();
      for (Setting<ResilienceBuilder> global : Resilience.GLOBALS) {
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
      return new Resilience.ConfigUpdate(reconfigured, notLive);
    } finally {
      configLock.unlock();
    }
  }

  @SuppressWarnings("unchecked")
  <P extends Policy, C, B> Slot<P, C, B> slot(PolicyKind<P, C, B> kind) {
    Slot<P, C, B> slot = (Slot<P, C, B>) slots.get(Check.notNull("kind", kind));
    if (slot == null) {
      String what = "the " + kind.label() + " kind ('" + kind.id() + "')";
      throw new IllegalArgumentException(
          what
              + " is not registered in this registry;"
              + " add it with Resilience.builder().kind(...) or a PolicyKindProvider");
    }
    return slot;
  }

  /**
   * The configs and instances of one kind. {@code declared} and {@code configs} change only under
   * the configuration lock; {@code configs} is an immutable map, read without a lock.
   */
  final class Slot<P extends Policy, C, B> {
    final PolicyKind<P, C, B> kind;
    final NamedPolicies<P> instances;
    final NamedPolicies.Factory<P> byName = n -> made(n, configFor(n));
    volatile NamedConfigs<C, B> declared;
    volatile Map<String, C> configs;

    @SuppressWarnings("unchecked")
    Slot(NamedConfigs<C, B> declared, Map<String, List<Settings.Value>> values) {
      this.kind = (PolicyKind<P, C, B>) declared.kind;
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

    SortedMap<String, Object> snapshots() {
      return instances.list(kind::snapshot);
    }

    @SuppressWarnings("ReferenceEquality") // BY_NAME is a sentinel: the very instance, not a name
    private static boolean isByName(@Nullable String configKey) {
      return configKey == NamedPolicies.BY_NAME;
    }

    C configFor(String instanceName) {
      C config = configs.get(Settings.normalize(instanceName));
      return config != null ? config : Objects.requireNonNull(configs.get(Settings.DEFAULT));
    }

    C config(String configName) {
      Map<String, C> seen = configs;
      C config = seen.get(Settings.normalize(configName));
      if (config == null) {
        String known = "; configs: " + new TreeSet<>(seen.keySet());
        throw new IllegalArgumentException(
            "no " + kind.label() + " config named '" + configName + "'" + known);
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

    void watchAll(HealthMonitor monitor) {
      instances.forEachEntry(entry -> watch(monitor, entry));
    }

    void watch(HealthMonitor monitor, NamedPolicies.Entry<P> entry) {
      Optional<EventSource> source = kind.healthEvents(entry.policy);
      if (source.isPresent()) {
        if (entry.policy instanceof CircuitBreaker breaker) { // health reads a breaker's state
          monitor.watch(breaker);
        } else if (entry.policy instanceof HealthCheck check) { // and a check's
          monitor.watch(check);
        } else {
          monitor.watch(entry.name, source.get());
        }
        if (entry.evicted) { // its evictor may have unwatched it before we watched: undo
          monitor.unwatch(source.get());
        }
      }
    }

    private void added(NamedPolicies.Entry<P> entry) {
      HealthMonitor monitor = health.get();
      if (monitor != null) {
        watch(monitor, entry);
      }
      kind.start(entry.policy, Registry.this::peer);
      if (closed) { // close() may have walked the map before it held this entry: stop it here
        kind.stop(entry.policy);
      }
    }

    void stopAll() {
      instances.forEachEntry(entry -> kind.stop(entry.policy));
    }

    private void evicted(NamedPolicies.Entry<P> entry) {
      kind.stop(entry.policy);
      dropPipelinesOf(entry);
      HealthMonitor monitor = health.get(); // read after `evicted` was set: see the design comment
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
        @Nullable Consumer<NamedConfigs<?, ?>> edit,
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
                isByName(entry.configKey) ? configFor(entry.name) : configs.get(entry.configKey);
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
   * A retry config that {@code Resilience.call(name, retryConfigName, call)} can name: its shared
   * retry's name, how to make that retry, and the pipelines cached for it, by name.
   */
  final class RetryChoice {
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
  final class CachedPipeline {
    final Pipeline pipeline;
    final List<NamedPolicies.Entry<? extends Policy>> parts; // entries compare by identity

    CachedPipeline(List<NamedPolicies.Entry<? extends Policy>> parts) {
      this.parts = List.copyOf(parts);
      this.pipeline = Pipeline.of(parts.stream().<Policy>map(part -> part.policy).toList());
    }

    boolean isLive() {
      for (int i = 0; i < parts.size(); i++) { // indexed: no iterator on the hot path
        if (parts.get(i).removed) {
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

    /** Marks every part used, in one pass, and says whether all are still registered. */
    boolean markIfLive() {
      for (int i = 0; i < parts.size(); i++) {
        NamedPolicies.Entry<? extends Policy> part = parts.get(i);
        if (part.removed) {
          return false; // rebuilt by the caller; marks already made only count as uses
        }
        part.mark();
      }
      return true;
    }
  }

  Policy peer(PolicyKind<?, ?, ?> kind, String name) {
    return peer(slot(kind), Check.name(name));
  }

  private static <P extends Policy> P peer(Slot<P, ?, ?> slot, String name) {
    return slot.instances.get(name, NamedPolicies.BY_NAME, slot.byName);
  }

  void close() {
    closed = true;
    for (Slot<?, ?, ?> slot : slots.values()) {
      slot.stopAll();
    }
  }

  HealthMonitor health() {
    HealthMonitor monitor = health.get();
    if (monitor != null && healthReady) {
      return monitor;
    }
    if (monitor == null) {
      HealthMonitor fresh = HealthMonitor.of(healthConfig, clock);
      // the thread whose CAS lands publishes its monitor; the others use it
      HealthMonitor witness = health.compareAndExchange(null, fresh);
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
}
