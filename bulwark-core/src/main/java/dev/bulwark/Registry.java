package dev.bulwark;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.event.EventSource;
import dev.bulwark.event.PolicyAdded;
import dev.bulwark.event.PolicyEvicted;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/*
 * The engine behind Resilience: one Slot per kind with its configs and instances, the cached
 * pipelines, health and configuration changes. Nothing here knows a kind but the retry choice of
 * call(name, retryConfigName, ...) and the default timeout. Thread-safe.
 *
 * Instances. A lookup is one ConcurrentHashMap.get; a hit touches its entry, writing the time only
 * if the stored one is touchNanos old, so a hot name costs a volatile read, not a contended write.
 * Without idle eviction only the LRU order needs the time, so a cached pipeline reads no clock: it
 * marks its entries used, and LRU eviction counts a mark as a use at that moment (a second chance,
 * as in CLOCK). Creation builds the policy outside the map (no user code runs under a lock),
 * reserves a slot by CAS on `count` (never past maxInstances), publishes by putIfAbsent (a loser
 * gives its slot back and returns the winner's instance); only the winner publishes PolicyAdded,
 * outside any lock, so a listener may use the registry. Eviction (idle, or the least recently used
 * sixteenth when full) runs on a creating thread: remove(name, entry) lets one thread remove each
 * entry, and it alone counts down and publishes PolicyEvicted. A busy instance is never chosen; one
 * that turns busy between the check and the removal (used through a held reference) is put back,
 * unless a new instance took the name meanwhile. When every instance is busy, creation throws
 * RegistryFullException, unless part of the count is creations in flight: then it goes over the
 * bound by one rather than fail spuriously or wait.
 *
 * Pipelines are cached per name, and per (name, retry config) in one map per RetryChoice. Evicting
 * an entry drops the cached pipelines holding it; a hit still checks its parts, since a pipeline
 * built while one of them was evicted may have been cached after the drop. A config change that
 * adds or removes a config name clears the caches, since a name can add a policy to a pipeline.
 *
 * Health is made on the first health() call, so a registry nobody asks about health watches
 * nothing. The monitor is published by CAS before the existing instances are watched, and an
 * instance created later is watched by its creator: one side or both watch it, harmlessly. An
 * evicted instance is unwatched by its evictor after `evicted` is set; a watcher that finds
 * `evicted` set after watching unwatches it too.
 */
final class Registry {
  /** The configKey of an instance that follows the config of its own name, else the default. */
  static final String BY_NAME = "\0by-name";

  final Clock clock;
  final Scheduler scheduler;
  final boolean enabled;
  final @Nullable Duration defaultTimeout;
  final int maxInstances;
  final Duration idleEviction;
  final long idleNanos; // 0: no idle eviction
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
  final AtomicReference<HealthMonitor> health = new AtomicReference<>();
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
    this.idleNanos = idleEviction.toNanos();
    this.touchNanos = idleNanos > 0 ? Math.max(1, idleNanos / 16) : 1_000_000_000L;
    this.healthConfig = b.healthConfig;
    this.parser = parser;
    this.layers = List.copyOf(b.layers);
    this.globalValues = globalValues;
    for (Settings.Configs<?, ?> configs : b.configs.values()) {
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

  @SuppressWarnings("unchecked")
  <P extends Policy, C, B> Slot<P, C, B> slot(PolicyKind<P, C, B> kind) {
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

  /** The pipeline cached for {@code name} in {@code cache}, marked used; else one built. */
  Pipeline pipeline(String name, Map<String, CachedPipeline> cache, @Nullable RetryChoice choice) {
    Pipeline hit = cached(name, cache);
    return hit != null ? hit : build(name, cache, choice);
  }

  /**
   * The pipeline cached for {@code name}, marked used; null if none is. Kept apart from the miss
   * path, which the JIT may inline into its callers once the registry is filled at startup: a
   * caller that calls this first keeps a hit small and inlined whatever became of the miss path.
   */
  @Nullable Pipeline cached(String name, Map<String, CachedPipeline> cache) {
    CachedPipeline cached = cache.get(name);
    return cached != null && cached.use() ? cached.pipeline : null;
  }

  private Pipeline build(
      String name, Map<String, CachedPipeline> cache, @Nullable RetryChoice choice) {
    Check.name(name); // a blank name is never cached, so a hit needs no check
    long now = clock.nanoTime();
    String key = Settings.normalize(name);
    boolean named = !key.equals(Settings.DEFAULT);
    for (; ; ) { // until a pipeline whose policies are all still registered is in the map
      List<Entry<?>> parts = new ArrayList<>(inPipelines.size());
      for (Slot<?, ?, ?> slot : inPipelines) {
        if (slot == retries && choice != null) {
          parts.add(retries.entry(choice.retryName, choice.key, null, now));
        } else if (slot.kind.alwaysInPipeline()
            || (named && slot.configs.containsKey(key))
            || (slot.kind == Timeout.KIND && defaultTimeout != null)) {
          parts.add(slot.entry(name, BY_NAME, null, now));
        }
      }
      CachedPipeline built =
          cache.compute( // the lambda only compares and constructs: no user code, no lookups
              name,
              (k, old) -> old != null && old.sameParts(parts) ? old : new CachedPipeline(parts));
      if (built.use()) {
        return built.pipeline;
      }
      cache.remove(name, built); // a part was evicted meanwhile
    }
  }

  /** A pipeline and the entries of its policies, outermost first. */
  final class CachedPipeline {
    final Pipeline pipeline;
    final Entry<?>[] parts;

    CachedPipeline(List<Entry<?>> parts) {
      this.parts = parts.toArray(new Entry<?>[0]);
      this.pipeline = Pipeline.of(parts.stream().<Policy>map(part -> part.policy).toList());
    }

    boolean sameParts(List<Entry<?>> entries) {
      return Arrays.asList(parts).equals(entries); // entries compare by identity
    }

    boolean holds(Entry<?> entry) {
      return Arrays.asList(parts).contains(entry);
    }

    /** Marks (or, with idle eviction, touches) every part, and says whether all are registered. */
    boolean use() {
      long now = idleNanos == 0 ? 0 : clock.nanoTime();
      for (Entry<?> part : parts) { // an array: no iterator on the hot path
        if (part.removed) {
          return false; // rebuilt by the caller; marks already made only count as uses
        }
        if (idleNanos != 0) {
          part.touch(now, touchNanos);
        } else if (!part.used) {
          part.used = true;
        }
      }
      return true;
    }
  }

  /**
   * A retry config that {@code call(name, retryConfigName, call)} can name: its shared retry's name
   * (the config's, as declared) and the pipelines cached for it, by name.
   */
  static final class RetryChoice {
    final String key; // normalized
    final String retryName;
    final ConcurrentHashMap<String, CachedPipeline> pipelines = new ConcurrentHashMap<>();

    RetryChoice(String key, String retryName) {
      this.key = key;
      this.retryName = retryName;
    }
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

  /** One choice per retry config; a choice whose config still exists is kept, cache and all. */
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

  /** How many pipelines are cached, for every name and (name, retry config) pair; for tests. */
  int cachedPipelines() {
    int cached = pipelines.size();
    for (RetryChoice choice : retryChoices) {
      cached += choice.pipelines.size();
    }
    return cached;
  }

  private void clearPipelines() {
    pipelines.clear();
    for (RetryChoice choice : retryChoices) {
      choice.pipelines.clear();
    }
  }

  /** Applies {@code edit} to the configs of {@code edited} (none: a reload), all or nothing. */
  Resilience.ConfigUpdate changeConfigs(
      @Nullable PolicyKind<?, ?, ?> edited, @Nullable Consumer<Settings.Configs<?, ?>> edit) {
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

  Policy peer(PolicyKind<?, ?, ?> kind, String name) {
    return slot(kind).get(Check.name(name), BY_NAME, null);
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

  @SuppressWarnings("ReferenceEquality") // BY_NAME is a sentinel: the very instance, not a name
  static boolean byName(String configKey) {
    return configKey == BY_NAME;
  }

  /** One registered instance, the config it follows and when it was last looked up. */
  static final class Entry<P extends Policy> {
    final String name;
    final P policy;
    final @Nullable String configKey; // its config's (normalized), BY_NAME, or null: its own
    volatile Object config; // the config it was built with or last reconfigured to
    volatile long lastAccessNanos; // racing touches may each write; any of their times will do
    volatile boolean used; // marked through a pipeline since the last LRU eviction
    volatile boolean removed; // out of the map, perhaps only for an instant (see evict)
    volatile boolean evicted; // out for good: set once, before its pipelines are dropped

    Entry(String name, P policy, @Nullable String configKey, Object config, long nowNanos) {
      this.name = name;
      this.policy = policy;
      this.configKey = configKey;
      this.config = config;
      this.lastAccessNanos = nowNanos;
    }

    void touch(long nowNanos, long touchNanos) {
      if (nowNanos - lastAccessNanos >= touchNanos) {
        lastAccessNanos = nowNanos;
      }
    }
  }

  /**
   * The configs and instances of one kind. {@code declared} and {@code configs} change only under
   * the configuration lock; {@code configs} is an immutable map, read without a lock.
   */
  final class Slot<P extends Policy, C, B> {
    final PolicyKind<P, C, B> kind;
    final ConcurrentHashMap<String, Entry<P>> map = new ConcurrentHashMap<>();
    final AtomicInteger count = new AtomicInteger();
    final AtomicLong nextSweepNanos = new AtomicLong(clock.nanoTime() + idleNanos / 2);
    volatile Settings.Configs<C, B> declared;
    volatile Map<String, C> configs;

    @SuppressWarnings("unchecked")
    Slot(Settings.Configs<C, B> declared, Map<String, List<Settings.Value>> values) {
      this.kind = (PolicyKind<P, C, B>) declared.kind;
      this.declared = declared;
      this.configs = declared.resolve(values);
    }

    /**
     * The entry named {@code name}, touched as of {@code nowNanos}; if absent, created from {@code
     * exact}, or the config {@code key} names ({@link #BY_NAME}: the name's own, else the default).
     */
    Entry<P> entry(String name, @Nullable String key, @Nullable C exact, long nowNanos) {
      Entry<P> seen = map.get(name);
      if (seen == null) {
        C config =
            key == null ? Objects.requireNonNull(exact) : byName(key) ? own(name) : config(key);
        P policy = kind.create(name, config, clock, scheduler); // outside any lock
        reserveSlot(name, nowNanos);
        Entry<P> fresh = new Entry<>(name, policy, key, config, nowNanos);
        seen = map.putIfAbsent(name, fresh);
        if (seen == null) {
          HealthMonitor monitor = health.get(); // read after the map holds it: see the comment
          if (monitor != null) {
            watch(monitor, fresh);
          }
          kind.start(policy, Registry.this::peer);
          if (closed) { // close() may have walked the map before it held this entry: stop it here
            kind.stop(policy);
          }
          if (events.hasListeners()) {
            events.publish(new PolicyAdded(name, policy, clock.wallTime()));
          }
          long due = nextSweepNanos.get(); // the thread whose CAS moves it on sweeps
          if (idleNanos != 0
              && nowNanos - due >= 0
              && nextSweepNanos.compareAndSet(due, nowNanos + idleNanos / 2)) {
            evictIdle(nowNanos);
          }
          return fresh;
        }
        count.decrementAndGet(); // another thread created it first: give the slot back
      }
      seen.touch(nowNanos, touchNanos);
      return seen;
    }

    P get(String name, @Nullable String key, @Nullable C exact) {
      return entry(name, key, exact, clock.nanoTime()).policy;
    }

    /** The instance named {@code name}, made from the config {@code configName} if absent. */
    P named(String name, String configName) {
      if (!map.containsKey(name)) {
        config(configName); // an unknown config fails as the caller spelled it
      }
      return get(name, Settings.normalize(configName), null);
    }

    /** The config of {@code name}'s own name, else the default. */
    C own(String name) {
      C config = configs.get(Settings.normalize(name));
      return config != null ? config : Objects.requireNonNull(configs.get(Settings.DEFAULT));
    }

    C config(String configName) {
      Map<String, C> seen = configs;
      C config = seen.get(Settings.normalize(configName));
      if (config == null) {
        String known = "'; configs: " + new TreeSet<>(seen.keySet());
        throw new IllegalArgumentException(
            "no " + kind.label() + " config named '" + configName + known);
      }
      return config;
    }

    private void reserveSlot(String name, long nowNanos) {
      for (; ; ) { // each CAS winner takes one slot; losers re-read the count
        int seen = count.get();
        if (seen < maxInstances) {
          if (count.compareAndSet(seen, seen + 1)) {
            return;
          }
        } else if (evictIdle(nowNanos) == 0 && evictLeastRecentlyUsed() < 0) {
          // (0 evicted with candidates: other creators took them first, so count again)
          if (map.size() >= maxInstances) {
            throw new RegistryFullException(name, kind.label(), maxInstances);
          }
          count.incrementAndGet(); // slots held by creations in flight: over the bound by one
          return;
        }
      }
    }

    /** Evicts every instance not looked up for the idle time and not busy; returns how many. */
    int evictIdle(long nowNanos) {
      int evicted = 0;
      for (Entry<P> e : idleNanos == 0 ? List.<Entry<P>>of() : map.values()) {
        // idle for sure: the true last access is less than touchNanos after the stored one
        if (nowNanos - e.lastAccessNanos - touchNanos - idleNanos >= 0
            && evict(e, PolicyEvicted.Reason.IDLE)) {
          evicted++;
        }
      }
      return evicted;
    }

    /** Evicts the LRU sixteenth of the instances not busy: how many, or -1 if all are busy. */
    private int evictLeastRecentlyUsed() {
      List<Entry<P>> candidates = new ArrayList<>();
      long now = clock.nanoTime();
      for (Entry<P> e : map.values()) {
        if (e.used) { // used through a pipeline since the last eviction: as if used now
          e.used = false;
          e.lastAccessNanos = now;
        }
        if (!kind.isBusy(e.policy)) {
          candidates.add(e);
        }
      }
      if (candidates.isEmpty()) {
        return -1;
      }
      int batch = Math.min(candidates.size(), Math.max(1, maxInstances / 16));
      long[] ages = new long[candidates.size()];
      for (int i = 0; i < ages.length; i++) {
        ages[i] = now - candidates.get(i).lastAccessNanos; // an age, so wrap-around cannot mislead
      }
      long[] sorted = ages.clone();
      Arrays.sort(sorted);
      int evicted = 0;
      for (int i = 0; i < ages.length && evicted < batch; i++) { // the batch oldest, ties included
        if (ages[i] >= sorted[sorted.length - batch]
            && evict(candidates.get(i), PolicyEvicted.Reason.CAPACITY)) {
          evicted++;
        }
      }
      return evicted;
    }

    private boolean evict(Entry<P> e, PolicyEvicted.Reason reason) {
      if (kind.isBusy(e.policy) || !map.remove(e.name, e)) {
        return false; // busy, or another thread removed it
      }
      e.removed = true;
      if (kind.isBusy(e.policy) && map.putIfAbsent(e.name, e) == null) {
        e.removed = false; // it turned busy after the check (used through a held reference)
        return false;
      }
      count.decrementAndGet();
      e.evicted = true;
      kind.stop(e.policy);
      pipelines.computeIfPresent(e.name, (k, p) -> p.holds(e) ? null : p);
      for (RetryChoice choice : retryChoices) {
        choice.pipelines.computeIfPresent(e.name, (k, p) -> p.holds(e) ? null : p);
        if (choice.retryName.equals(e.name)) { // every pipeline of that choice may hold it
          choice.pipelines.values().removeIf(p -> p.holds(e));
        }
      }
      HealthMonitor monitor = health.get(); // read after `evicted` was set: see the comment
      if (monitor != null) {
        kind.healthEvents(e.policy).ifPresent(monitor::unwatch);
      }
      if (events.hasListeners()) {
        events.publish(new PolicyEvicted(e.name, e.policy, reason, clock.wallTime()));
      }
      return true;
    }

    SortedMap<String, Object> snapshots() {
      return list(kind::snapshot);
    }

    /** Every instance by name, sorted, mapped by {@code view}. */
    <V> SortedMap<String, V> list(Function<P, V> view) {
      SortedMap<String, V> out = new TreeMap<>();
      map.forEach((name, e) -> out.put(name, view.apply(e.policy)));
      return out;
    }

    void stopAll() {
      map.values().forEach(entry -> kind.stop(entry.policy));
    }

    void watchAll(HealthMonitor monitor) {
      map.values().forEach(entry -> watch(monitor, entry));
    }

    void watch(HealthMonitor monitor, Entry<P> entry) {
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

    /**
     * Re-resolves the configs (after {@code edit}, if any) and moves every live instance whose
     * config changed to the new one; adds to {@code undo} how to take each step back.
     */
    @SuppressWarnings("unchecked")
    void update(
        @Nullable Consumer<Settings.Configs<?, ?>> edit,
        Map<PolicyKind<?, ?, ?>, Map<String, List<Settings.Value>>> values,
        List<Runnable> undo,
        List<String> reconfigured,
        List<String> notLive) {
      Settings.Configs<C, B> next = declared.copy();
      if (edit != null) {
        edit.accept(next);
      }
      Map<String, C> resolved = next.resolve(values.getOrDefault(kind, Map.of()));
      Settings.Configs<C, B> oldDeclared = declared;
      Map<String, C> old = configs;
      declared = next;
      configs = resolved; // from now on, new instances use the new configs
      undo.add(
          () -> {
            declared = oldDeclared;
            configs = old;
          });
      if (!old.keySet().equals(resolved.keySet())) { // a new name may add a policy to a pipeline
        clearPipelines();
      }
      for (Entry<P> entry : map.values()) {
        String key = entry.configKey;
        C wanted = key == null ? null : byName(key) ? own(entry.name) : configs.get(key);
        Object before = entry.config;
        if (wanted == null || wanted == before) {
          continue; // made from an exact config, or unchanged
        }
        String what = kind.label() + " '" + entry.name + "'";
        if (!(entry.policy instanceof Reconfigurable)) {
          notLive.add(what);
          continue;
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
      }
    }
  }
}
