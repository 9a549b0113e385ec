package dev.bulwark;

import dev.bulwark.event.PolicyAdded;
import dev.bulwark.event.PolicyEvicted;
import dev.bulwark.policy.Policy;
import dev.bulwark.spi.EventBus;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/*
 * The instances of one policy kind in a Resilience registry, by name, with a bound on their number.
 *
 * Lookup: one ConcurrentHashMap.get. A hit "touches" the entry: it writes lastAccessNanos only if
 * the stored time is at least touchNanos old, so a name looked up by many threads costs a volatile
 * read, not a contended write; calls through the policy itself touch nothing. Last access is thus
 * known to within touchNanos, and idle eviction waits that much longer. Without idle eviction only
 * the LRU order needs the time, so a cached pipeline's lookup reads no clock: it marks its entries
 * used, and LRU eviction counts a mark as a use at that moment (a second chance, as in CLOCK).
 *
 * Creation, lock-free and without user code under a lock: the factory (our own constructors; no
 * listener or config predicate runs at construction) builds the policy outside the map; a slot is
 * reserved by CAS on `count` (each CAS winner takes one slot, so count never passes maxInstances);
 * putIfAbsent publishes the entry, and a loser gives its slot back and returns the winner's
 * instance. Only the winner publishes PolicyAdded, after the map holds the entry and outside any
 * lock, so a listener may look names up in the registry without deadlocking.
 *
 * Eviction (idle, or to make room when full) runs on a creating thread, never in the background:
 * it walks the map (weakly consistent, no lock) and removes with remove(name, entry), so each entry
 * is removed once, by one thread, which alone decrements count and publishes PolicyEvicted. A busy
 * policy (PolicyKind.isBusy: an open breaker, a limiter holding callers back) is never chosen; one
 * that turns busy between the check and the removal (used through a reference held elsewhere) is
 * put back, and dropped, with an event, only if a new instance took the name in that instant.
 *
 * When full and nothing can be evicted, creation throws RegistryFullException: failing loudly beats
 * silently dropping an open breaker. The one exception: when part of the count is slots reserved
 * by creations in flight (the map holds fewer than maxInstances), a creation goes over the bound
 * rather than fail spuriously or wait; so the bound can be exceeded by the number of threads
 * creating at that instant, and only when every registered instance is busy.
 */
final class NamedPolicies<P extends Policy> {

  /** One registered instance and when it was last looked up. */
  static final class Entry<P> {
    final String name;
    final P policy;
    final @Nullable String
        configKey; // the config it follows (normalized), BY_NAME, or null: an exact one
    volatile Object config; // the config it was built with or last reconfigured to
    volatile long lastAccessNanos; // racing touches may each write; any of their times will do
    volatile boolean used; // marked since the last LRU eviction (see mark)
    volatile boolean removed; // out of the map, perhaps only for an instant (see evict)
    volatile boolean evicted; // out for good: set once, before onEvicted runs

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

    /** Notes a use without reading the clock; the next LRU eviction counts it as a use then. */
    void mark() {
      if (!used) {
        used = true;
      }
    }
  }

  /** The configKey of an instance that follows the config of its own name, else the default. */
  static final String BY_NAME = "\0by-name";

  /** Makes a policy named as given, and says which config it was made with. */
  interface Factory<P> {
    Made<P> create(String name);
  }

  /** A policy just made, and its config. */
  record Made<P>(P policy, Object config) {}

  private final PolicyKind<P, ?, ?> kind;
  private final ConcurrentHashMap<String, Entry<P>> map = new ConcurrentHashMap<>();
  private final int maxInstances;
  private final long idleNanos; // 0: no idle eviction
  private final long touchNanos;
  private final Clock clock;
  private final EventBus events;
  private final Consumer<Entry<P>> onAdded;
  private final Consumer<Entry<P>> onEvicted;

  private final AtomicInteger count = new AtomicInteger();
  private final AtomicLong nextSweepNanos;

  /**
   * {@code onAdded} runs on the creating thread once the map holds a new entry, before {@link
   * PolicyAdded} is published; {@code onEvicted} once an entry is out for good, before {@link
   * PolicyEvicted}. Neither runs under a lock.
   */
  NamedPolicies(
      PolicyKind<P, ?, ?> kind,
      int maxInstances,
      long idleNanos,
      Clock clock,
      EventBus events,
      Consumer<Entry<P>> onAdded,
      Consumer<Entry<P>> onEvicted) {
    this.kind = kind;
    this.maxInstances = maxInstances;
    this.idleNanos = idleNanos;
    this.touchNanos = idleNanos > 0 ? Math.max(1, idleNanos / 16) : 1_000_000_000L;
    this.clock = clock;
    this.events = events;
    this.onAdded = onAdded;
    this.onEvicted = onEvicted;
    this.nextSweepNanos = new AtomicLong(clock.nanoTime() + idleNanos / 2);
  }

  /** The instance named {@code name}, created by {@code factory} if there is none. */
  P get(String name, @Nullable String configKey, Factory<P> factory) {
    return entry(name, configKey, factory, clock.nanoTime()).policy;
  }

  /** The instance named {@code name}, touched, or null if there is none; never creates. */
  @Nullable P getIfPresent(String name) {
    Entry<P> seen = map.get(name);
    if (seen != null) {
      seen.touch(clock.nanoTime(), touchNanos);
    }
    return seen == null ? null : seen.policy;
  }

  /** The entry named {@code name}, created if absent; touched as of {@code nowNanos}. */
  Entry<P> entry(String name, @Nullable String configKey, Factory<P> factory, long nowNanos) {
    Entry<P> seen = map.get(name);
    if (seen != null) {
      seen.touch(nowNanos, touchNanos);
      return seen;
    }
    Made<P> made = factory.create(name); // outside any lock; may throw for an unknown config name
    P policy = made.policy();
    reserveSlot(name, nowNanos);
    Entry<P> fresh = new Entry<>(name, policy, configKey, made.config(), nowNanos);
    try {
      seen = map.putIfAbsent(name, fresh);
    } catch (RuntimeException | Error e) {
      count.decrementAndGet();
      throw e;
    }
    if (seen != null) { // another thread created it first: give the slot back, use theirs
      count.decrementAndGet();
      seen.touch(nowNanos, touchNanos);
      return seen;
    }
    onAdded.accept(fresh);
    if (events.hasListeners()) {
      events.publish(new PolicyAdded(name, policy, clock.wallTime()));
    }
    maybeSweepIdle(nowNanos);
    return fresh;
  }

  private void reserveSlot(String name, long nowNanos) {
    for (; ; ) { // each CAS winner takes one slot; losers re-read the count
      int seen = count.get();
      if (seen < maxInstances) {
        if (count.compareAndSet(seen, seen + 1)) {
          return;
        }
        continue;
      }
      if (evictIdle(nowNanos) > 0 || evictLeastRecentlyUsed() >= 0) {
        continue; // evicted some, or other creators evicted our candidates first: count again
      }
      if (map.size() >= maxInstances) { // every instance busy
        throw new RegistryFullException(name, kind.label(), maxInstances);
      }
      // Some slots are held by creations in flight (or by losers about to give theirs back), not
      // by busy instances: rather than fail this call or wait for them, go over the bound by one;
      // the next creation that finds the registry full evicts again.
      count.incrementAndGet();
      return;
    }
  }

  private void maybeSweepIdle(long nowNanos) {
    long due = nextSweepNanos.get();
    // the thread whose CAS moves the due time on sweeps; the others go on at once
    if (idleNanos != 0
        && nowNanos - due >= 0
        && nextSweepNanos.compareAndSet(due, nowNanos + idleNanos / 2)) {
      evictIdle(nowNanos);
    }
  }

  /** Evicts every instance not looked up for the idle time and not busy; returns how many. */
  int evictIdle(long nowNanos) {
    if (idleNanos == 0) {
      return 0;
    }
    int evicted = 0;
    for (Entry<P> e : map.values()) {
      // idle for sure: the true last access is less than touchNanos after the stored one
      if (nowNanos - e.lastAccessNanos - touchNanos - idleNanos >= 0
          && evict(e, PolicyEvicted.Reason.IDLE)) {
        evicted++;
      }
    }
    return evicted;
  }

  /**
   * Evicts the least recently used sixteenth of the instances that are not busy; returns how many,
   * or -1 when every instance is busy (0: each candidate was taken by another evictor first).
   */
  private int evictLeastRecentlyUsed() {
    List<Entry<P>> candidates = new ArrayList<>();
    long now = clock.nanoTime();
    for (Entry<P> e : map.values()) {
      if (e.used) { // used since the last eviction, through a pipeline: as if used now
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
    long minAge = sorted[sorted.length - batch]; // evict the batch oldest, ties included
    int evicted = 0;
    for (int i = 0; i < ages.length && evicted < batch; i++) {
      if (ages[i] >= minAge && evict(candidates.get(i), PolicyEvicted.Reason.CAPACITY)) {
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
    if (kind.isBusy(e.policy)) {
      // It turned busy after the check (used through a held reference): put it back, unless a new
      // instance already took the name.
      if (map.putIfAbsent(e.name, e) == null) {
        e.removed = false;
        return false;
      }
    }
    count.decrementAndGet();
    e.evicted = true;
    onEvicted.accept(e);
    if (events.hasListeners()) {
      events.publish(new PolicyEvicted(e.name, e.policy, reason, clock.wallTime()));
    }
    return true;
  }

  /** The instance named {@code name}, without creating or touching it. */
  Optional<P> find(String name) {
    return Optional.ofNullable(map.get(name)).map(e -> e.policy);
  }

  /** Every instance by name, sorted, mapped by {@code view}. */
  <V> SortedMap<String, V> list(Function<P, V> view) {
    SortedMap<String, V> out = new TreeMap<>();
    map.forEach((name, e) -> out.put(name, view.apply(e.policy)));
    return out;
  }

  /** Runs {@code action} on every entry in the map now (weakly consistent, no lock). */
  void forEachEntry(Consumer<Entry<P>> action) {
    map.values().forEach(action);
  }

  /** How many instances the registry holds now. */
  int size() {
    return count.get();
  }
}
