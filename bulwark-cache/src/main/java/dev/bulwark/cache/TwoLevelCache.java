package dev.bulwark.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.bulwark.event.EventSource;
import dev.bulwark.fallback.Aged;
import dev.bulwark.policy.Pipeline;
import dev.bulwark.spi.EventBus;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/*
 * Design. A process-level hit is one Caffeine getIfPresent and one LongAdder increment: no lock of
 * ours, no allocation, no clock read of ours. Entries are immutable and carry their own deadlines
 * on the cache's monotonic clock. The process level is two Caffeine caches ticking on that clock and
 * holding the same entries: `local` drops an entry when its local freshness ends, so finding it
 * there means it is fresh; `kept` drops it when its last stale window ends, and gives the miss path
 * its stale copy. The miss path compares deadlines by subtraction.
 *
 * Everything else is the slow path, where allocation is fine. One load per key at a time: the
 * first miss puts its future in `flights` (putIfAbsent decides who wins), resolves the key (Redis,
 * then a lease, then the loader through the pipeline), completes the future and removes it; the
 * others wait on that future. A background refresh (stale-while-revalidate, XFetch, refresh-ahead)
 * takes part in the same map, so it never runs beside a foreground load of its key.
 *
 * Redis is asked through RedisLevel, which never throws: a failed, timed-out or refused command
 * reads as "nothing there", and the cache goes on with the process level and the loader.
 */
class TwoLevelCache<K, V> implements ResilientCache<K, V> {

  private final String name;
  private final CacheConfig config;
  private final Codec<V> codec;
  private final @Nullable RedisLevel redis; // null: process-only
  // fixed by the builder; a registry's cache gets its registry's pipeline on first named() call
  private volatile Pipeline pipeline;
  private final Clock clock;
  private final Scheduler scheduler;
  private final Executor executor;
  private final Function<? super K, String> keyEncoder;
  // The process level is two Caffeine caches holding the same entries. `local` drops an entry when
  // its local freshness ends, so a hit there is fresh with no clock read of ours; `kept` drops it
  // when its last stale window ends, and serves the miss path's stale values. Both null:
  // Redis-only.
  private final @Nullable Cache<K, Entry<V>> local;
  private final @Nullable Cache<K, Entry<V>> kept;
  private final ConcurrentHashMap<K, CompletableFuture<Entry<V>>> flights =
      new ConcurrentHashMap<>();
  private final EventBus events = new EventBus();

  private final long ttlNanos;
  private final long localTtlNanos;
  private final long revalidateNanos;
  private final long staleIfErrorNanos;
  private final long negativeNanos;
  private final long refreshAheadNanos;
  private final double beta;
  private final boolean earlyRefresh;
  private final String redisPrefix;
  private final String channel;
  private final String instance = UUID.randomUUID().toString();
  private final byte[] instanceBytes = instance.getBytes(StandardCharsets.UTF_8);
  private final Consumer<String> invalidations = this::onInvalidation;

  // Redis's clock on ours: an entry's birth in Redis is stamped, and its age read, in Redis time
  private volatile TimeAnchor anchor;
  private final AtomicBoolean syncing = new AtomicBoolean();
  private final CompletableFuture<TimeAnchor> firstSync;

  private final LongAdder processHits = new LongAdder();
  private final LongAdder redisHits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder loads = new LongAdder();
  private final LongAdder loadFailures = new LongAdder();
  private final LongAdder coalesced = new LongAdder();
  private final LongAdder staleServed = new LongAdder();
  private final LongAdder fallbackUses = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder redisErrors = new LongAdder();
  private final LongAdder loadTimeNanos = new LongAdder();

  TwoLevelCache(ResilientCache.Builder<K, V> b) {
    this.name = b.name;
    this.config = b.config;
    this.codec = b.codec;
    this.redis = b.redis;
    this.pipeline = b.pipeline;
    this.clock = b.clock;
    this.scheduler = b.scheduler;
    this.executor = b.executor;
    this.keyEncoder = b.keyEncoder;
    this.ttlNanos = config.ttl().toNanos();
    this.localTtlNanos =
        config
            .localTtl()
            .map(Duration::toNanos)
            .orElse(
                redis == null ? ttlNanos : Math.min(ttlNanos, Duration.ofSeconds(60).toNanos()));
    this.revalidateNanos = config.staleWhileRevalidate().toNanos();
    this.staleIfErrorNanos = config.staleIfError().toNanos();
    this.negativeNanos = config.negativeTtl().toNanos();
    this.refreshAheadNanos = config.refreshAhead().map(Duration::toNanos).orElse(-1L);
    this.beta = config.earlyRefreshBeta();
    this.earlyRefresh = beta > 0 || refreshAheadNanos > 0;
    this.redisPrefix = config.keyPrefix().orElse("bulwark:" + name) + ":v" + config.version() + ":";
    this.channel = redisPrefix + "#invalidations";
    this.local = b.processLevel ? buildLocal(config.maximumSize(), true) : null;
    this.kept = b.processLevel ? buildLocal(config.maximumSize(), false) : null;
    this.anchor = new TimeAnchor(clock.wallTime().toEpochMilli(), clock.nanoTime(), false);
    this.firstSync =
        redis == null
            ? CompletableFuture.completedFuture(anchor)
            : syncTime(redis, new CompletableFuture<>());
    if (redis != null && local != null) {
      redis.subscribe(channel, invalidations);
    }
  }

  private Cache<K, Entry<V>> buildLocal(long maximumSize, boolean freshOnly) {
    Caffeine<Object, Object> builder = Caffeine.newBuilder();
    if (!freshOnly) { // an entry evicted from `kept` is gone from the process
      builder.removalListener(
          (@Nullable K key, @Nullable Entry<V> entry, RemovalCause cause) -> {
            if (cause == RemovalCause.SIZE) {
              evictions.increment();
              if (events.hasListeners() && key != null) {
                publish(CacheEvent.Kind.EVICTED, key, 0);
              }
            }
          });
    }
    return builder
        .maximumSize(maximumSize)
        .ticker(clock::nanoTime)
        .executor(executor) // maintenance off the caller's thread, as Caffeine does by default
        .expireAfter(
            new Expiry<K, Entry<V>>() {
              @Override
              public long expireAfterCreate(K key, Entry<V> entry, long currentTime) {
                long until = freshOnly ? entry.localFreshUntilNanos : entry.keepUntilNanos;
                return Math.max(0, until - currentTime);
              }

              @Override
              public long expireAfterUpdate(
                  K key, Entry<V> entry, long currentTime, long currentDuration) {
                return expireAfterCreate(key, entry, currentTime);
              }

              @Override
              public long expireAfterRead(
                  K key, Entry<V> entry, long currentTime, long currentDuration) {
                return currentDuration;
              }
            })
        .build();
  }

  @Override
  public String name() {
    return name;
  }

  /** From now on, loads run through {@code loads}. */
  final void pipeline(Pipeline loads) {
    this.pipeline = loads;
  }

  /** True while a load (foreground or background) runs. */
  final boolean isLoading() {
    return !flights.isEmpty();
  }

  @Override
  public CacheConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- the hit path

  @Override
  public @Nullable V get(K key, Loader<? super K, ? extends V> loader) throws Exception {
    if (local != null) {
      Entry<V> entry = local.getIfPresent(key); // there only while locally fresh
      if (entry != null) {
        processHits.increment();
        if (earlyRefresh && shouldRefreshEarly(entry, clock.nanoTime())) {
          refreshInBackground(key, loader);
        }
        if (events.hasListeners()) {
          publish(CacheEvent.Kind.PROCESS_HIT, key, 0);
        }
        return entry.value;
      }
    }
    return slow(key, loader).value;
  }

  @Override
  public Aged<V> getAged(K key, Loader<? super K, ? extends V> loader) throws Exception {
    if (local != null) {
      Entry<V> entry = local.getIfPresent(key);
      if (entry != null) {
        long now = clock.nanoTime();
        processHits.increment();
        if (earlyRefresh && shouldRefreshEarly(entry, now)) {
          refreshInBackground(key, loader);
        }
        return aged(entry.value, entry.ageNanos(now));
      }
    }
    Entry<V> served = slow(key, loader);
    return aged(served.value, served.ageNanos(clock.nanoTime()));
  }

  // Aged documents its value "may be null" (as get's "not found") but core does not mark it yet.
  @SuppressWarnings("NullAway")
  private static <V> Aged<V> aged(@Nullable V value, long ageNanos) {
    return Aged.of(value, Duration.ofNanos(ageNanos));
  }

  @Override
  public @Nullable V getIfPresent(K key) {
    if (local != null) {
      Entry<V> entry = local.getIfPresent(key);
      if (entry != null) {
        processHits.increment();
        return entry.value;
      }
    }
    return null;
  }

  private boolean shouldRefreshEarly(Entry<V> entry, long now) {
    if (refreshAheadNanos > 0 && now - entry.bornNanos - refreshAheadNanos >= 0) {
      return true; // refreshInBackground skips a key whose load is under way
    }
    if (beta > 0 && entry.loadNanos > 0) {
      // XFetch (Vattani et al.): expire early when now - delta * beta * ln(u) >= expiry, u in (0,
      // 1]
      double u = 1.0 - ThreadLocalRandom.current().nextDouble();
      long early = (long) (-entry.loadNanos * beta * Math.log(u));
      return now + early - entry.freshUntilNanos >= 0;
    }
    return false;
  }

  // ---------------------------------------------------------------- the miss path (synchronous)

  /** A resolution: the entry to serve, and whether a background refresh should follow. */
  private record Resolution<V>(Entry<V> entry, boolean refresh) {}

  private Entry<V> slow(K key, Loader<? super K, ? extends V> loader) throws Exception {
    Entry<V> seen = kept == null ? null : kept.getIfPresent(key); // a stale copy, if any
    misses.increment();
    if (events.hasListeners()) {
      publish(CacheEvent.Kind.MISS, key, 0);
    }
    CompletableFuture<Entry<V>> mine = new CompletableFuture<>();
    CompletableFuture<Entry<V>> running = flights.putIfAbsent(key, mine);
    if (running != null) { // another caller is loading this key: wait for its answer
      coalesced.increment();
      long now = clock.nanoTime();
      if (seen != null && !seen.isFresh(now) && seen.canRevalidate(now)) {
        serveStale(key, seen, now); // a refresh is under way: stale-while-revalidate
        return seen;
      }
      return awaitFlight(running);
    }
    Resolution<V> resolution;
    try {
      resolution = resolve(key, loader, seen);
      mine.complete(resolution.entry);
    } catch (Throwable t) {
      mine.completeExceptionally(t);
      throw t;
    } finally {
      flights.remove(key, mine);
    }
    if (resolution.refresh) {
      refreshInBackground(key, loader);
    }
    return resolution.entry;
  }

  private Entry<V> awaitFlight(CompletableFuture<Entry<V>> running) throws Exception {
    try {
      return running.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception) {
        throw (Exception) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw e;
    }
  }

  /*
   * Ages across instances. Each instance reads Redis's clock (TIME) once at start and every
   * RESYNC_NANOS after, and keeps it as an anchor on its own monotonic clock: "Redis time now" is
   * the anchor's Redis time plus the monotonic time since. A writer stamps an entry with that, a
   * reader subtracts the stamp from its own "Redis time now": no instance's wall clock takes part,
   * so skewed clocks cannot make an entry look fresher or older than it is. The anchor is as exact
   * as half a TIME round trip. Until Redis first answers, the wall clock stands in (and every use
   * asks Redis again, which costs nothing while it is refused).
   */
  private record TimeAnchor(long redisMillis, long atNanos, boolean measured) {
    long millisAt(long now) {
      return redisMillis + Math.floorDiv(now - atNanos, 1_000_000L);
    }
  }

  private static final long RESYNC_NANOS = TimeUnit.MINUTES.toNanos(10);

  /** Reads Redis's clock; completes {@code done} (never exceptionally) once the anchor is set. */
  private CompletableFuture<TimeAnchor> syncTime(
      RedisLevel shared, CompletableFuture<TimeAnchor> done) {
    if (!syncing.compareAndSet(false, true)) { // one reading at a time; the others use the last
      done.complete(anchor);
      return done;
    }
    long sent = clock.nanoTime();
    CompletableFuture<Long> micros;
    try {
      micros = shared.timeMicros();
    } catch (RuntimeException e) {
      micros = CompletableFuture.failedFuture(e);
    }
    micros.whenComplete(
        (redisMicros, failure) -> {
          if (failure == null && redisMicros != null) {
            long got = clock.nanoTime();
            long mid = sent + (got - sent) / 2;
            anchor = new TimeAnchor(Math.floorDiv(redisMicros, 1000L), mid, true);
          }
          syncing.set(false);
          done.complete(anchor);
        });
    return done;
  }

  /** Redis's time now, in epoch millis; asks Redis again when the anchor is missing or old. */
  private long redisMillis(long now) {
    TimeAnchor a = anchor;
    RedisLevel shared = redis;
    if (shared != null && (!a.measured || now - a.atNanos - RESYNC_NANOS > 0)) {
      syncTime(shared, new CompletableFuture<>());
    }
    return a.millisAt(now);
  }

  /** True once Redis's clock has been read (or there is no Redis); asks again if not. */
  boolean clockSynced() {
    return redis == null || redisMillisIsMeasured();
  }

  private boolean redisMillisIsMeasured() {
    redisMillis(clock.nanoTime()); // asks Redis again if the anchor is missing
    return anchor.measured;
  }

  /** Waits (at most a command timeout) for Redis's first reading of its clock. */
  private void awaitFirstSync() {
    if (redis == null || firstSync.isDone()) {
      return;
    }
    try {
      firstSync.get(redis.commandTimeout().toNanos() + 50_000_000L, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      // the wall clock stands in until Redis answers
    }
  }

  private Resolution<V> resolve(
      K key, Loader<? super K, ? extends V> loader, @Nullable Entry<V> seen) throws Exception {
    awaitFirstSync();
    long now = clock.nanoTime();
    @Nullable Entry<V> mineLocal = seen;
    if (kept != null) { // a flight may have finished between our miss and our win
      Entry<V> latest = kept.getIfPresent(key);
      if (latest != null) {
        if (latest.isLocallyFresh(now)) {
          processHits.increment();
          putLocal(key, latest); // back in `local` if it was evicted there for size
          return new Resolution<>(latest, false);
        }
        mineLocal = latest;
      }
    }
    @Nullable Entry<V> shared = null;
    @Nullable String redisKey = null;
    if (redis != null) {
      redisKey = redisKey(key);
      Object got = redis.getNow(redisKey);
      if (got == RedisLevel.FAILED) {
        redisErrors.increment();
        if (mineLocal != null && mineLocal.isFresh(now)) { // Redis is out; ours is still fresh
          processHits.increment();
          return new Resolution<>(mineLocal, false);
        }
      } else if (got != null) {
        shared = fromRedis((byte[]) got, now);
        if (shared != null && shared.isFresh(now)) {
          redisHits.increment();
          putLocal(key, shared);
          if (events.hasListeners()) {
            publish(CacheEvent.Kind.REDIS_HIT, key, 0);
          }
          return new Resolution<>(shared, false);
        }
      }
    }
    Entry<V> stale = newest(mineLocal, shared, now);
    if (stale != null && stale.canRevalidate(now)) {
      serveStale(key, stale, now);
      return new Resolution<>(stale, true);
    }
    boolean leaseHeld = false;
    String leaseKey = null;
    if (redis != null && !config.lease().isZero()) {
      String sharedKey = Objects.requireNonNull(redisKey, "set above whenever there is Redis");
      leaseKey = sharedKey + "#lease";
      leaseHeld =
          redis.setIfAbsentNow(
              leaseKey, instance.getBytes(StandardCharsets.UTF_8), config.lease().toMillis());
      if (!leaseHeld) {
        Entry<V> waited = awaitOtherInstance(key, sharedKey, stale);
        if (waited != null) {
          return new Resolution<>(waited, false);
        }
      }
    }
    try {
      return new Resolution<>(load(key, loader), false);
    } catch (Exception e) {
      long at = clock.nanoTime();
      if (stale != null && at - stale.freshUntilNanos - staleIfErrorNanos < 0 && !stale.absent) {
        serveStale(key, stale, at);
        return new Resolution<>(stale, false);
      }
      throw e;
    } finally {
      if (leaseHeld) {
        Objects.requireNonNull(redis, "a lease is only taken with a Redis level")
            .delete(Objects.requireNonNull(leaseKey, "set before the lease was taken"));
      }
    }
  }

  /**
   * Another instance holds the lease: serve our stale value if we have one, else poll Redis for its
   * value until the lease would have ended. Null means "load it yourself".
   */
  private @Nullable Entry<V> awaitOtherInstance(K key, String redisKey, @Nullable Entry<V> stale)
      throws InterruptedException {
    RedisLevel shared = Objects.requireNonNull(redis, "another instance's lease is seen in Redis");
    long now = clock.nanoTime();
    if (stale != null && !stale.absent) {
      serveStale(key, stale, now);
      return stale;
    }
    long deadline = now + config.lease().toNanos();
    long pause = Math.min(TimeUnit.MILLISECONDS.toNanos(10), config.lease().toNanos());
    while (clock.nanoTime() - deadline < 0) {
      scheduler.sleep(pause);
      Object got = shared.getNow(redisKey);
      if (got == RedisLevel.FAILED) {
        redisErrors.increment();
        return null; // Redis is out: nobody can share a load through it
      }
      if (got != null) {
        long at = clock.nanoTime();
        Entry<V> theirs = fromRedis((byte[]) got, at);
        if (theirs != null && theirs.isFresh(at)) {
          redisHits.increment(); // another instance's load: a Redis hit, not a coalesced get
          putLocal(key, theirs);
          return theirs;
        }
      }
    }
    return null;
  }

  private Entry<V> load(K key, Loader<? super K, ? extends V> loader) throws Exception {
    long start = clock.nanoTime();
    V value;
    try {
      value = pipeline.call(() -> loader.load(key));
    } catch (Exception e) {
      long took = clock.nanoTime() - start;
      loads.increment();
      loadFailures.increment();
      loadTimeNanos.add(took);
      if (events.hasListeners()) {
        publish(CacheEvent.Kind.LOAD_FAILED, key, took);
      }
      throw e;
    }
    long end = clock.nanoTime();
    long took = end - start;
    loads.increment();
    loadTimeNanos.add(took);
    if (events.hasListeners()) {
      publish(CacheEvent.Kind.LOADED, key, took);
    }
    return store(key, value, end, took, ttlNanos, false);
  }

  /**
   * Builds the entry of a value loaded (or put) now and writes it to both levels: a load's write to
   * Redis is not waited for, a put's is (bounded by the command timeout).
   */
  private Entry<V> store(
      K key, @Nullable V value, long now, long loadNanos, long freshNanos, boolean awaitRedis) {
    boolean absent = value == null;
    Entry<V> entry = entry(value, absent, now, freshNanos, now, loadNanos);
    if (absent && negativeNanos == 0) {
      return entry; // "not found" is not remembered
    }
    putLocal(key, entry);
    if (redis != null) {
      long freshMillis =
          Math.max(1, TimeUnit.NANOSECONDS.toMillis(absent ? negativeNanos : freshNanos));
      byte[] payload = value == null ? new byte[0] : codec.encode(value); // null: absent
      long lifeMillis =
          freshMillis
              + (absent
                  ? 0
                  : TimeUnit.NANOSECONDS.toMillis(Math.max(revalidateNanos, staleIfErrorNanos)));
      RedisLevel shared = redis;
      String sharedKey = redisKey(key);
      if (awaitRedis) { // a put: once it returns, every instance that asks Redis sees it
        awaitFirstSync();
        Envelope envelope = new Envelope(absent, redisMillis(now), freshMillis, loadNanos, payload);
        if (!shared.setNow(sharedKey, envelope.encode(), lifeMillis)) {
          redisErrors.increment();
        }
      } else { // stamped in Redis time, once Redis's clock has been read (or could not be)
        firstSync.thenRun(
            () -> {
              Envelope envelope =
                  new Envelope(absent, redisMillis(now), freshMillis, loadNanos, payload);
              shared.set(sharedKey, envelope.encode(), lifeMillis);
            });
      }
    }
    return entry;
  }

  /** An entry born {@code ageNanos} before {@code now}, fresh for {@code freshNanos} from birth. */
  private Entry<V> entry(
      @Nullable V value,
      boolean absent,
      long bornNanos,
      long freshNanos,
      long now,
      long loadNanos) {
    if (absent) {
      freshNanos = negativeNanos == 0 ? freshNanos : Math.min(freshNanos, negativeNanos);
    }
    long freshUntil = bornNanos + freshNanos;
    // without Redis there is nothing to ask: the process copy is fresh as long as the value
    long localFreshUntil = redis == null ? freshUntil : Math.min(freshUntil, now + localTtlNanos);
    long revalidateUntil = absent ? freshUntil : freshUntil + revalidateNanos;
    long keepUntil =
        absent ? freshUntil : freshUntil + Math.max(revalidateNanos, staleIfErrorNanos);
    return new Entry<>(
        value,
        absent,
        bornNanos,
        localFreshUntil,
        freshUntil,
        revalidateUntil,
        keepUntil,
        loadNanos);
  }

  /** The entry stored in Redis, or null if the bytes are not ours or do not decode. */
  private @Nullable Entry<V> fromRedis(byte[] bytes, long now) {
    Envelope envelope = Envelope.decode(bytes);
    if (envelope == null) {
      return null; // not our envelope (a foreign or crafted payload): never decoded, a miss
    }
    @Nullable V value = null;
    if (!envelope.absent()) {
      try {
        value = codec.decode(envelope.payload());
      } catch (RuntimeException e) {
        return null; // a value of another shape (forgot to bump the version?): a miss
      }
    }
    long ageMillis = Math.max(0, redisMillis(now) - envelope.writtenMillis());
    long born = now - TimeUnit.MILLISECONDS.toNanos(ageMillis);
    return entry(
        value,
        envelope.absent(),
        born,
        TimeUnit.MILLISECONDS.toNanos(envelope.freshMillis()),
        now,
        envelope.loadNanos());
  }

  private @Nullable Entry<V> newest(@Nullable Entry<V> a, @Nullable Entry<V> b, long now) {
    @Nullable Entry<V> best = null;
    for (Entry<V> e : java.util.Arrays.asList(a, b)) {
      if (e != null && e.isKept(now) && (best == null || e.bornNanos - best.bornNanos > 0)) {
        best = e;
      }
    }
    return best;
  }

  private void serveStale(K key, Entry<V> stale, long now) {
    staleServed.increment();
    if (events.hasListeners()) {
      publish(CacheEvent.Kind.STALE_SERVED, key, stale.ageNanos(now));
    }
  }

  // ---------------------------------------------------------------- background refresh

  private void refreshInBackground(K key, Loader<? super K, ? extends V> loader) {
    if (flights.containsKey(key)) {
      return;
    }
    try {
      executor.execute(
          () -> {
            CompletableFuture<Entry<V>> mine = new CompletableFuture<>();
            if (flights.putIfAbsent(key, mine) != null) {
              return; // a load of this key is already under way
            }
            try {
              mine.complete(load(key, loader));
            } catch (Throwable t) {
              mine.completeExceptionally(t); // the stale value stays until its windows end
            } finally {
              flights.remove(key, mine);
            }
          });
    } catch (RuntimeException rejected) {
      // a saturated executor: the next hit asks again
    }
  }

  // ---------------------------------------------------------------- asynchronous

  @Override
  public CompletableFuture<V> getAsync(K key, AsyncLoader<? super K, ? extends V> loader) {
    Check.notNull("loader", loader);
    if (local != null) {
      Entry<V> fresh = local.getIfPresent(key);
      if (fresh != null) {
        processHits.increment();
        if (earlyRefresh && shouldRefreshEarly(fresh, clock.nanoTime())) {
          refreshAsyncInBackground(key, loader);
        }
        return CompletableFuture.completedFuture(fresh.value);
      }
    }
    Entry<V> seen = kept == null ? null : kept.getIfPresent(key); // a stale copy, if any
    misses.increment();
    CompletableFuture<Entry<V>> mine = new CompletableFuture<>();
    CompletableFuture<Entry<V>> running = flights.putIfAbsent(key, mine);
    if (running != null) {
      coalesced.increment();
      long now = clock.nanoTime();
      if (seen != null && !seen.isFresh(now) && seen.canRevalidate(now)) {
        serveStale(key, seen, now); // a refresh is under way: stale-while-revalidate
        return CompletableFuture.completedFuture(seen.value);
      }
      return running.thenApply(e -> e.value);
    }
    Entry<V> mineLocal = seen;
    CompletableFuture<Resolution<V>> resolved;
    if (redis == null) {
      resolved = resolveAfterRedis(key, loader, mineLocal, null, false);
    } else {
      RedisLevel shared = redis;
      String sharedKey = redisKey(key);
      CompletableFuture<byte[]> got =
          firstSync.isDone()
              ? shared.get(sharedKey)
              : firstSync.thenCompose(synced -> shared.get(sharedKey));
      resolved =
          got.handleAsync(
                  (bytes, failure) -> {
                    if (failure != null) {
                      redisErrors.increment();
                    }
                    return resolveAfterRedis(key, loader, mineLocal, bytes, failure != null);
                  },
                  executor)
              .thenCompose(Function.identity());
    }
    resolved.whenComplete(
        (resolution, failure) -> {
          flights.remove(key, mine);
          if (failure != null) {
            mine.completeExceptionally(unwrap(failure));
            return;
          }
          mine.complete(resolution.entry);
          if (resolution.refresh) { // after our flight is gone, so the refresh can take its place
            refreshAsyncInBackground(key, loader);
          }
        });
    return mine.thenApply(e -> e.value);
  }

  private CompletableFuture<Resolution<V>> resolveAfterRedis(
      K key,
      AsyncLoader<? super K, ? extends V> loader,
      @Nullable Entry<V> mineLocal,
      byte @Nullable [] bytes,
      boolean redisFailed) {
    long now = clock.nanoTime();
    if (redisFailed && mineLocal != null && mineLocal.isFresh(now)) {
      processHits.increment();
      return CompletableFuture.completedFuture(new Resolution<>(mineLocal, false));
    }
    Entry<V> shared = bytes == null ? null : fromRedis(bytes, now);
    if (shared != null && shared.isFresh(now)) {
      redisHits.increment();
      putLocal(key, shared);
      return CompletableFuture.completedFuture(new Resolution<>(shared, false));
    }
    Entry<V> stale = newest(mineLocal, shared, now);
    if (stale != null && stale.canRevalidate(now)) {
      serveStale(key, stale, now);
      return CompletableFuture.completedFuture(new Resolution<>(stale, true));
    }
    if (redis != null && !config.lease().isZero()) {
      return loadUnderLeaseAsync(key, loader, stale, redis);
    }
    return loadOrServeStaleAsync(key, loader, stale);
  }

  /**
   * As the synchronous path's lease: take the key's lease in Redis (SET NX PX) and load, or, if
   * another instance holds it, serve our stale value, else poll Redis for that instance's value
   * until the lease would have ended, then load. Redis out: load.
   */
  private CompletableFuture<Resolution<V>> loadUnderLeaseAsync(
      K key,
      AsyncLoader<? super K, ? extends V> loader,
      @Nullable Entry<V> stale,
      RedisLevel shared) {
    String sharedKey = redisKey(key);
    String leaseKey = sharedKey + "#lease";
    return shared
        .setIfAbsent(leaseKey, instanceBytes, config.lease().toMillis())
        .handleAsync(
            (taken, failure) -> {
              if (failure != null) {
                redisErrors.increment(); // nobody can share a load through Redis: load
                return loadOrServeStaleAsync(key, loader, stale);
              }
              if ("OK".equals(taken)) {
                return loadOrServeStaleAsync(key, loader, stale)
                    .whenComplete((r, f) -> shared.delete(leaseKey));
              }
              long now = clock.nanoTime();
              if (stale != null && !stale.absent) {
                serveStale(key, stale, now);
                return CompletableFuture.completedFuture(new Resolution<>(stale, false));
              }
              CompletableFuture<Resolution<V>> result = new CompletableFuture<>();
              pollOtherInstance(
                  key, sharedKey, loader, shared, now + config.lease().toNanos(), result);
              return result;
            },
            executor)
        .thenCompose(Function.identity());
  }

  /**
   * One poll for another instance's value of {@code key}, after a pause on the scheduler; the
   * answer is handled on the executor (no user code on a timer thread). Completes {@code result}
   * with that value, or with our own load once Redis fails or the lease would have ended.
   */
  private void pollOtherInstance(
      K key,
      String sharedKey,
      AsyncLoader<? super K, ? extends V> loader,
      RedisLevel shared,
      long deadlineNanos,
      CompletableFuture<Resolution<V>> result) {
    if (clock.nanoTime() - deadlineNanos >= 0) {
      loadOrServeStaleAsync(key, loader, null).whenComplete(completing(result));
      return;
    }
    long pause = Math.min(TimeUnit.MILLISECONDS.toNanos(10), config.lease().toNanos());
    try {
      scheduler.schedule(
          () ->
              shared
                  .get(sharedKey)
                  .whenCompleteAsync(
                      (bytes, failure) -> {
                        try {
                          if (failure != null) {
                            redisErrors.increment(); // Redis is out: load it ourselves
                            loadOrServeStaleAsync(key, loader, null)
                                .whenComplete(completing(result));
                            return;
                          }
                          long at = clock.nanoTime();
                          Entry<V> theirs = bytes == null ? null : fromRedis(bytes, at);
                          if (theirs != null && theirs.isFresh(at)) {
                            redisHits.increment(); // another instance's load
                            putLocal(key, theirs);
                            result.complete(new Resolution<>(theirs, false));
                            return;
                          }
                          pollOtherInstance(key, sharedKey, loader, shared, deadlineNanos, result);
                        } catch (RuntimeException e) {
                          result.completeExceptionally(e);
                        }
                      },
                      executor),
          pause);
    } catch (RuntimeException rejected) { // a scheduler that is shut down: load it ourselves
      loadOrServeStaleAsync(key, loader, null).whenComplete(completing(result));
    }
  }

  private static <T> java.util.function.BiConsumer<T, @Nullable Throwable> completing(
      CompletableFuture<T> result) {
    return (value, failure) -> {
      if (failure != null) {
        result.completeExceptionally(unwrap(failure));
      } else {
        result.complete(value);
      }
    };
  }

  /**
   * Loads {@code key}; if the load fails, serves {@code stale} within its stale-if-error window.
   */
  private CompletableFuture<Resolution<V>> loadOrServeStaleAsync(
      K key, AsyncLoader<? super K, ? extends V> loader, @Nullable Entry<V> stale) {
    return loadAsync(key, loader)
        .thenApply(entry -> new Resolution<>(entry, false))
        .exceptionally(
            failure -> {
              long at = clock.nanoTime();
              if (stale != null
                  && !stale.absent
                  && at - stale.freshUntilNanos - staleIfErrorNanos < 0) {
                serveStale(key, stale, at);
                return new Resolution<>(stale, false);
              }
              throw failure instanceof CompletionException
                  ? (CompletionException) failure
                  : new CompletionException(failure);
            });
  }

  /** A background load of {@code key} through the asynchronous loader, unless one is under way. */
  private void refreshAsyncInBackground(K key, AsyncLoader<? super K, ? extends V> loader) {
    if (flights.containsKey(key)) {
      return;
    }
    CompletableFuture<Entry<V>> mine = new CompletableFuture<>();
    if (flights.putIfAbsent(key, mine) != null) {
      return; // a load of this key is already under way
    }
    CompletableFuture<Entry<V>> loaded;
    try {
      loaded = loadAsync(key, loader);
    } catch (RuntimeException e) {
      loaded = CompletableFuture.failedFuture(e);
    }
    loaded.whenComplete(
        (entry, failure) -> {
          flights.remove(key, mine);
          if (failure != null) {
            mine.completeExceptionally(unwrap(failure)); // the stale value stays
          } else {
            mine.complete(entry);
          }
        });
  }

  private CompletableFuture<Entry<V>> loadAsync(K key, AsyncLoader<? super K, ? extends V> loader) {
    long start = clock.nanoTime();
    return pipeline
        .<V>callAsync(() -> loader.load(key).thenApply(v -> (V) v))
        .toCompletableFuture()
        .handle(
            (value, failure) -> {
              long end = clock.nanoTime();
              long took = end - start;
              loads.increment();
              loadTimeNanos.add(took);
              if (failure != null) {
                loadFailures.increment();
                if (events.hasListeners()) {
                  publish(CacheEvent.Kind.LOAD_FAILED, key, took);
                }
                throw failure instanceof CompletionException
                    ? (CompletionException) failure
                    : new CompletionException(failure);
              }
              if (events.hasListeners()) {
                publish(CacheEvent.Kind.LOADED, key, took);
              }
              return store(key, value, end, took, ttlNanos, false);
            });
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  // ---------------------------------------------------------------- fallback, writes, invalidation

  @Override
  public @Nullable Aged<V> lastKnown(K key) {
    long now = clock.nanoTime();
    Entry<V> mine = kept == null ? null : kept.getIfPresent(key);
    Entry<V> best = mine;
    boolean fromRedis = false;
    if ((mine == null || !mine.isLocallyFresh(now)) && redis != null) {
      // ours may be older than what another instance wrote since: ask Redis (bounded)
      awaitFirstSync();
      Object got = redis.getNow(redisKey(key));
      if (got == RedisLevel.FAILED) {
        redisErrors.increment();
      } else if (got != null) {
        Entry<V> shared = fromRedis((byte[]) got, now);
        if (shared != null && (mine == null || shared.bornNanos - mine.bornNanos > 0)) {
          best = shared;
          fromRedis = true;
          if (shared.isKept(now)) {
            putLocal(key, shared);
          }
        }
      }
    }
    if (best == null || best.absent || !best.isKept(now)) {
      return null;
    }
    if (fromRedis) {
      redisHits.increment();
    } else {
      processHits.increment();
    }
    fallbackUses.increment();
    long age = best.ageNanos(now);
    if (!best.isFresh(now)) {
      serveStale(key, best, now);
    }
    if (events.hasListeners()) {
      publish(CacheEvent.Kind.FALLBACK_USED, key, age);
    }
    return Aged.of(
        Objects.requireNonNull(best.value, "only an absent entry has no value"),
        Duration.ofNanos(age));
  }

  @Override
  public void put(K key, V value) {
    put(key, value, config.ttl());
  }

  @Override
  public void put(K key, V value, Duration ttl) {
    Check.notNull("value", value);
    Check.positive("ttl", ttl);
    store(key, value, clock.nanoTime(), 0, ttl.toNanos(), true);
    announce(keyEncoder.apply(key));
  }

  @Override
  public void invalidate(K key) {
    if (local != null && kept != null) {
      local.invalidate(key);
      kept.invalidate(key);
    }
    if (redis != null) {
      redis.delete(redisKey(key));
    }
    announce(keyEncoder.apply(key));
    if (events.hasListeners()) {
      publish(CacheEvent.Kind.INVALIDATED, key, 0);
    }
  }

  @Override
  public void invalidateAll() {
    if (local != null && kept != null) {
      local.invalidateAll();
      kept.invalidateAll();
    }
    if (redis != null) {
      redis.deletePrefix(redisPrefix);
    }
    announce("*");
  }

  /** Tells the other instances to drop their process copy of {@code encodedKey} ("*": all). */
  private void announce(String encodedKey) {
    if (redis != null) {
      redis.publish(channel, instance + " " + encodedKey);
    }
  }

  private void onInvalidation(String message) {
    int space = message.indexOf(' ');
    if (space < 0 || message.regionMatches(0, instance, 0, space) && space == instance.length()) {
      return; // our own announcement, or not one of ours
    }
    Cache<K, Entry<V>> fresh =
        Objects.requireNonNull(local, "only a cache with a process level subscribes");
    Cache<K, Entry<V>> all = Objects.requireNonNull(kept, "set with local");
    String encoded = message.substring(space + 1);
    if ("*".equals(encoded)) {
      fresh.invalidateAll();
      all.invalidateAll();
      return;
    }
    fresh.asMap().keySet().removeIf(k -> encoded.equals(keyEncoder.apply(k)));
    all.asMap().keySet().removeIf(k -> encoded.equals(keyEncoder.apply(k)));
    if (events.hasListeners()) {
      events.publish(
          new CacheEvent(
              name, clock.wallTime(), CacheEvent.Kind.INVALIDATED, encoded, Duration.ZERO));
    }
  }

  // ---------------------------------------------------------------- statistics and events

  @Override
  public CacheStats stats() {
    return new CacheStats(
        name,
        processHits.sum(),
        redisHits.sum(),
        misses.sum(),
        loads.sum(),
        loadFailures.sum(),
        coalesced.sum(),
        staleServed.sum(),
        fallbackUses.sum(),
        evictions.sum(),
        redisErrors.sum(),
        Duration.ofNanos(loadTimeNanos.sum()));
  }

  @Override
  public EventSource events() {
    return events.view();
  }

  @Override
  public void close() {
    if (redis != null && local != null) {
      redis.unsubscribe(channel, invalidations);
    }
  }

  @Override
  public String toString() {
    return "ResilientCache[" + name + (redis == null ? "" : ", " + redis) + "]";
  }

  /** Puts {@code entry} in both caches of the process level, if there is one. */
  private void putLocal(K key, Entry<V> entry) {
    if (local != null && kept != null) {
      kept.put(key, entry);
      local.put(key, entry); // expires at once if no longer locally fresh
    }
  }

  private String redisKey(K key) {
    return redisPrefix + keyEncoder.apply(key);
  }

  private void publish(CacheEvent.Kind kind, K key, long nanos) {
    events.publish(
        new CacheEvent(
            name, clock.wallTime(), kind, keyEncoder.apply(key), Duration.ofNanos(nanos)));
  }
}
