package dev.bulwark.cache;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.lang.System.Logger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The Redis level of one or more {@link ResilientCache caches}: one Lettuce connection (standalone
 * or cluster) for commands and one for invalidation messages, set up so that Redis can never hold a
 * caller up for long.
 *
 * <ul>
 *   <li>Lettuce rejects commands while disconnected ({@code DisconnectedBehavior.REJECT_COMMANDS})
 *       instead of queueing them, its request queue is bounded ({@link Builder#requestQueueSize},
 *       default 1,024, instead of unbounded), and every command times out after {@link
 *       Builder#commandTimeout} (default 250 ms, instead of 60 s).
 *   <li>A {@link CircuitBreaker} (default: open after 3 failures in a row, for 500 ms) guards every
 *       command: while Redis is down or hung, the cache stops paying timeouts and serves from the
 *       process level and the loader.
 *   <li>It reconnects by itself every {@link Builder#reconnectDelay} (default 100 ms), including
 *       when Redis was down when this level was built; a connection that comes back closes the
 *       breaker at once, so the level is used again as soon as Redis answers.
 * </ul>
 *
 * No Redis exception ever leaves this class towards a cache's caller: every operation reports
 * failure to the cache, which falls back.
 *
 * <p>Thread-safe.
 */
public final class RedisLevel implements AutoCloseable {

  private static final Logger LOG = System.getLogger(RedisLevel.class.getName());
  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final String name;
  private final Duration commandTimeout;
  private final Duration reconnectDelay;
  private final CircuitBreaker breaker;
  private final Clock clock;
  private final Scheduler scheduler;
  private final ClientResources resources;
  private final reactor.core.Disposable reconnections;
  private final @Nullable RedisClient client; // exactly one of the two clients is set
  private final @Nullable RedisClusterClient clusterClient;
  private final RedisURI uri;
  private final Map<String, List<Consumer<String>>> channels = new ConcurrentHashMap<>();
  private final AtomicBoolean connecting = new AtomicBoolean();
  private volatile long nextConnectNanos;
  private volatile boolean closed;
  // null until connected, and again once closed
  private volatile @Nullable StatefulConnection<String, byte[]> connection;
  private volatile @Nullable RedisClusterAsyncCommands<String, byte[]> commands;
  private volatile @Nullable StatefulRedisPubSubConnection<String, String> pubSub;

  private RedisLevel(Builder b) {
    this.name = b.name;
    this.commandTimeout = b.commandTimeout;
    this.reconnectDelay = b.reconnectDelay;
    this.clock = b.clock;
    this.scheduler = b.scheduler;
    this.breaker = CircuitBreaker.of(b.name, b.breaker, b.clock);
    this.resources =
        DefaultClientResources.builder()
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(2)
            .reconnectDelay(Delay.constant(b.reconnectDelay))
            .build();
    // A connection that comes back closes the breaker at once: its open wait is there to stop
    // paying for a Redis that is gone, not to delay one that is back.
    this.reconnections =
        resources
            .eventBus()
            .get()
            .filter(event -> event instanceof ConnectionActivatedEvent)
            .subscribe(
                event -> {
                  if (breaker.state() != CircuitBreaker.State.CLOSED) {
                    breaker.reset();
                  }
                });
    SocketOptions socket = SocketOptions.builder().connectTimeout(b.connectTimeout).build();
    TimeoutOptions timeouts = TimeoutOptions.enabled(b.commandTimeout);
    List<RedisURI> uris = new ArrayList<>();
    for (String u : b.uris) {
      RedisURI parsed = RedisURI.create(u);
      parsed.setTimeout(b.commandTimeout); // also bounds the connection's handshake
      uris.add(parsed);
    }
    this.uri = uris.get(0);
    if (b.cluster) {
      RedisClusterClient cluster = RedisClusterClient.create(resources, uris);
      this.client = null;
      this.clusterClient = cluster;
      cluster.setOptions(
          ClusterClientOptions.builder()
              .autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .requestQueueSize(b.requestQueueSize)
              .timeoutOptions(timeouts)
              .socketOptions(socket)
              .build());
    } else {
      RedisClient standalone = RedisClient.create(resources, uri);
      this.clusterClient = null;
      this.client = standalone;
      standalone.setOptions(
          ClientOptions.builder()
              .autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .requestQueueSize(b.requestQueueSize)
              .timeoutOptions(timeouts)
              .socketOptions(socket)
              .build());
    }
    connect();
  }

  /**
   * A builder for a standalone Redis at {@code uri} ({@code redis://host:port}, as Lettuce's {@link
   * RedisURI#create(String)} reads it).
   *
   * @throws NullPointerException if {@code uri} is null
   */
  public static Builder builder(String uri) {
    return new Builder(List.of(Check.notNull("uri", uri)), false);
  }

  /**
   * A builder for a Redis Cluster seeded by {@code uris} (any of its nodes).
   *
   * @throws IllegalArgumentException if {@code uris} is empty
   */
  public static Builder cluster(List<String> uris) {
    Check.notNull("uris", uris);
    if (uris.isEmpty()) {
      throw new IllegalArgumentException("uris must name at least one node");
    }
    return new Builder(List.copyOf(uris), true);
  }

  /** A standalone Redis at {@code uri} with every default. */
  public static RedisLevel connect(String uri) {
    return builder(uri).build();
  }

  /** The breaker that guards Redis; its name is this level's name ("redis" by default). */
  public CircuitBreaker breaker() {
    return breaker;
  }

  /** True while connected and the breaker lets commands through. */
  public boolean isAvailable() {
    StatefulConnection<String, byte[]> c = connection;
    return c != null && c.isOpen() && breaker.state() != CircuitBreaker.State.OPEN;
  }

  /** The per-command timeout. */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /** Closes both connections and the client. Caches that use this level then use their others. */
  @Override
  public void close() {
    closed = true;
    reconnections.dispose();
    commands = null; // the client's shutdown closes both connections
    connection = null;
    pubSub = null;
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    } else {
      Objects.requireNonNull(clusterClient, "set whenever client is not")
          .shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "RedisLevel[" + name + ", " + uri + ", " + breaker.state() + "]";
  }

  // ---- operations for the caches: each reports failure in its future, never by throwing ----

  /** GET: the bytes, null if absent; fails if Redis is unavailable or the command fails. */
  CompletableFuture<byte[]> get(String key) {
    return guarded(c -> c.get(key));
  }

  /**
   * GET on the caller's thread, waiting at most the command timeout (plus a margin): the bytes,
   * null if absent, or {@link #FAILED} if Redis did not answer.
   */
  Object getNow(String key) {
    return await(get(key));
  }

  /** SET with an expiry; fire and forget. */
  CompletableFuture<String> set(String key, byte[] value, long pxMillis) {
    return guarded(c -> c.set(key, value, SetArgs.Builder.px(Math.max(1, pxMillis))));
  }

  /** SET with an expiry, on the caller's thread, bounded: true if Redis stored it. */
  boolean setNow(String key, byte[] value, long pxMillis) {
    return "OK".equals(await(set(key, value, pxMillis)));
  }

  /** SET NX PX, true if this caller took the key; on the caller's thread, bounded. */
  boolean setIfAbsentNow(String key, byte[] value, long pxMillis) {
    return "OK".equals(await(setIfAbsent(key, value, pxMillis)));
  }

  /** SET NX PX: "OK" if this caller took the key, null if another holds it. */
  CompletableFuture<String> setIfAbsent(String key, byte[] value, long pxMillis) {
    return guarded(c -> c.set(key, value, SetArgs.Builder.nx().px(Math.max(1, pxMillis))));
  }

  /** TIME: Redis's clock, in epoch microseconds. */
  CompletableFuture<Long> timeMicros() {
    return this.<List<byte[]>>guarded(c -> c.time())
        .thenApply(
            t ->
                Long.parseLong(new String(t.get(0), StandardCharsets.US_ASCII)) * 1_000_000L
                    + Long.parseLong(new String(t.get(1), StandardCharsets.US_ASCII)));
  }

  /** DEL; fire and forget. */
  void delete(String key) {
    guarded(c -> c.del(key));
  }

  /** Deletes every key that starts with {@code prefix}, in the background (SCAN + UNLINK). */
  void deletePrefix(String prefix) {
    ScanArgs args = ScanArgs.Builder.matches(escapeGlob(prefix) + "*").limit(500);
    scanAndUnlink(ScanCursor.INITIAL, args);
  }

  /** PUBLISH on {@code channel}; fire and forget. */
  void publish(String channel, String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    guarded(c -> c.publish(channel, bytes));
  }

  /**
   * Calls {@code listener} with each message on {@code channel}, from now on and after reconnects.
   */
  void subscribe(String channel, Consumer<String> listener) {
    List<Consumer<String>> listeners =
        channels.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>());
    boolean first = listeners.isEmpty();
    listeners.add(listener);
    StatefulRedisPubSubConnection<String, String> p = pubSub;
    if (p != null && first) {
      p.async().subscribe(channel);
    }
  }

  void unsubscribe(String channel, Consumer<String> listener) {
    List<Consumer<String>> listeners = channels.get(channel);
    if (listeners == null) {
      return;
    }
    listeners.remove(listener);
    if (listeners.isEmpty()) {
      channels.remove(channel, listeners);
      StatefulRedisPubSubConnection<String, String> p = pubSub;
      if (p != null) {
        p.async().unsubscribe(channel);
      }
    }
  }

  /** What {@link #getNow} returns when Redis did not answer. */
  static final Object FAILED = new Object();

  // ---- internals ----

  private void scanAndUnlink(ScanCursor cursor, ScanArgs args) {
    CompletableFuture<KeyScanCursor<String>> page = guarded(c -> c.scan(cursor, args));
    page.thenAccept(
        found -> {
          if (!found.getKeys().isEmpty()) {
            String[] keys = found.getKeys().toArray(new String[0]);
            guarded(c -> c.unlink(keys));
          }
          if (!found.isFinished()) {
            scanAndUnlink(found, args);
          }
        });
  }

  private static String escapeGlob(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '*' || ch == '?' || ch == '[' || ch == ']' || ch == '\\') {
        sb.append('\\');
      }
      sb.append(ch);
    }
    return sb.toString();
  }

  private Object await(CompletableFuture<?> future) {
    try {
      Object value = future.get(commandTimeout.toNanos() + 50_000_000L, TimeUnit.NANOSECONDS);
      return value;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return FAILED;
    } catch (ExecutionException | TimeoutException e) {
      return FAILED;
    }
  }

  private <T> CompletableFuture<T> guarded(
      Function<RedisClusterAsyncCommands<String, byte[]>, RedisFuture<T>> command) {
    RedisClusterAsyncCommands<String, byte[]> c = commands;
    if (c == null) {
      connectIfDue();
      return CompletableFuture.failedFuture(Unavailable.NOT_CONNECTED);
    }
    if (!breaker.tryAcquirePermission()) {
      return CompletableFuture.failedFuture(Unavailable.BREAKER_OPEN);
    }
    long start = clock.nanoTime();
    RedisFuture<T> sent;
    try {
      sent = command.apply(c);
    } catch (RuntimeException e) {
      breaker.onError(clock.nanoTime() - start, e);
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<T> future = sent.toCompletableFuture();
    return future.whenComplete(
        (value, failure) -> {
          long took = clock.nanoTime() - start;
          if (failure == null) {
            breaker.onSuccess(took);
          } else {
            breaker.onError(took, failure);
          }
        });
  }

  private void connectIfDue() {
    if (closed || clock.nanoTime() - nextConnectNanos < 0) {
      return;
    }
    connect();
  }

  private void connect() {
    if (closed || commands != null || !connecting.compareAndSet(false, true)) {
      return; // one attempt at a time; the winner reports
    }
    nextConnectNanos = clock.nanoTime() + Math.max(reconnectDelay.toNanos(), 100_000_000L);
    CompletionStage<? extends StatefulConnection<String, byte[]>> main;
    CompletionStage<? extends StatefulRedisPubSubConnection<String, String>> sub;
    if (client != null) {
      main = client.connectAsync(CODEC, uri);
      sub = client.connectPubSubAsync(StringCodec.UTF8, uri);
    } else {
      // Lettuce 7 connects to a cluster only once it knows the topology
      RedisClusterClient seeds =
          Objects.requireNonNull(clusterClient, "set whenever client is not");
      CompletableFuture<StatefulRedisClusterConnection<String, byte[]>> cluster =
          seeds
              .refreshPartitionsAsync()
              .toCompletableFuture()
              .thenCompose(topology -> seeds.connectAsync(CODEC));
      main = cluster;
      sub = cluster.thenCompose(c -> seeds.connectPubSubAsync(StringCodec.UTF8));
    }
    main.toCompletableFuture()
        .thenCombine(sub, (m, s) -> new Object[] {m, s})
        .whenComplete(
            (pair, failure) -> {
              try {
                if (failure != null) {
                  if (!closed) { // keep trying by ourselves: nobody may call until it is back
                    scheduler.schedule(this::connect, reconnectDelay.toNanos());
                  }
                  LOG.log(
                      Logger.Level.DEBUG,
                      () -> name + ": cannot connect to Redis yet: " + failure.getMessage());
                  main.thenAccept(StatefulConnection::closeAsync);
                  sub.thenAccept(StatefulConnection::closeAsync);
                  return;
                }
                @SuppressWarnings("unchecked")
                StatefulConnection<String, byte[]> m = (StatefulConnection<String, byte[]>) pair[0];
                @SuppressWarnings("unchecked")
                StatefulRedisPubSubConnection<String, String> s =
                    (StatefulRedisPubSubConnection<String, String>) pair[1];
                if (closed) {
                  m.closeAsync();
                  s.closeAsync();
                  return;
                }
                s.addListener(
                    new RedisPubSubAdapter<>() {
                      @Override
                      public void message(String channel, String message) {
                        List<Consumer<String>> listeners = channels.get(channel);
                        for (Consumer<String> listener :
                            listeners == null ? List.<Consumer<String>>of() : listeners) {
                          try {
                            listener.accept(message);
                          } catch (RuntimeException e) {
                            LOG.log(Logger.Level.WARNING, name + ": invalidation failed", e);
                          }
                        }
                      }
                    });
                pubSub = s;
                connection = m;
                commands =
                    m instanceof StatefulRedisConnection
                        ? ((StatefulRedisConnection<String, byte[]>) m).async()
                        : ((StatefulRedisClusterConnection<String, byte[]>) m).async();
                // a channel registered while connecting
                for (String channel : channels.keySet()) {
                  s.async().subscribe(channel);
                }
              } finally {
                connecting.set(false);
              }
            });
  }

  /** Why a command was not sent. Its stack trace is never filled: it is a signal, not a bug. */
  static final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    // Shared on purpose: stackless, without cause or suppressed, so a fast refusal allocates
    // nothing.
    @SuppressWarnings("StaticAssignmentOfThrowable")
    static final Unavailable NOT_CONNECTED = new Unavailable("not connected to Redis");

    @SuppressWarnings("StaticAssignmentOfThrowable") // as NOT_CONNECTED: immutable, stackless
    static final Unavailable BREAKER_OPEN = new Unavailable("the Redis breaker is open");

    private Unavailable(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Not thread-safe. Setters check their own value.
   *
   * <table>
   *   <caption>Settings</caption>
   *   <tr><th>setting</th><th>type</th><th>default</th><th>range</th></tr>
   *   <tr><td>name</td><td>String</td><td>"redis"</td><td>not blank</td></tr>
   *   <tr><td>commandTimeout</td><td>Duration</td><td>250 ms</td><td>[1 ms, 60 s]</td></tr>
   *   <tr><td>connectTimeout</td><td>Duration</td><td>500 ms</td><td>[1 ms, 60 s]</td></tr>
   *   <tr><td>requestQueueSize</td><td>int</td><td>1,024</td><td>[1, 1,000,000]</td></tr>
   *   <tr><td>reconnectDelay</td><td>Duration</td><td>100 ms</td><td>[1 ms, 60 s]</td></tr>
   *   <tr><td>breaker</td><td>CircuitBreakerConfig</td><td>3 failures in a row, open 500
   *       ms</td><td>any</td></tr>
   * </table>
   */
  public static final class Builder {
    private final List<String> uris;
    private final boolean cluster;
    private String name = "redis";
    private Duration commandTimeout = Duration.ofMillis(250);
    private Duration connectTimeout = Duration.ofMillis(500);
    private int requestQueueSize = 1024;
    private Duration reconnectDelay = Duration.ofMillis(100);
    private CircuitBreakerConfig breaker =
        CircuitBreakerConfig.builder()
            .consecutiveFailures(3)
            .openDuration(Duration.ofMillis(500))
            .build();
    private Clock clock = Clock.system();
    private Scheduler scheduler = Scheduler.system();

    private Builder(List<String> uris, boolean cluster) {
      this.uris = uris;
      this.cluster = cluster;
    }

    /** The name of this level and of its breaker. Default "redis". */
    public Builder name(String name) {
      this.name = Check.name(name);
      return this;
    }

    /**
     * How long a command may take before it fails. Default 250 ms.
     *
     * @throws IllegalArgumentException if not in [1 ms, 60 s]
     */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = between("commandTimeout", timeout);
      return this;
    }

    /**
     * How long connecting may take. Default 500 ms.
     *
     * @throws IllegalArgumentException if not in [1 ms, 60 s]
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = between("connectTimeout", timeout);
      return this;
    }

    /**
     * Commands Lettuce may hold while they wait to be written. Default 1,024.
     *
     * @throws IllegalArgumentException if not in [1, 1,000,000]
     */
    public Builder requestQueueSize(int commands) {
      this.requestQueueSize = Check.inRange("requestQueueSize", commands, 1, 1_000_000);
      return this;
    }

    /**
     * How long to wait between reconnection attempts. Default 100 ms.
     *
     * @throws IllegalArgumentException if not in [1 ms, 60 s]
     */
    public Builder reconnectDelay(Duration delay) {
      this.reconnectDelay = between("reconnectDelay", delay);
      return this;
    }

    /** The breaker around Redis. Default: 3 failures in a row open it for 500 ms. */
    public Builder breaker(CircuitBreakerConfig config) {
      this.breaker = Check.notNull("breaker", config);
      return this;
    }

    /** The clock of the breaker and of reconnection attempts. Default the system's. */
    public Builder clock(Clock clock) {
      this.clock = Check.notNull("clock", clock);
      return this;
    }

    /**
     * The scheduler that retries a connection that could not be made. Default the system's; the
     * task only starts a non-blocking connection attempt.
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Check.notNull("scheduler", scheduler);
      return this;
    }

    /** Builds the level and starts connecting; never fails because Redis is down. */
    public RedisLevel build() {
      return new RedisLevel(this);
    }

    private static Duration between(String field, Duration value) {
      Check.notNull(field, value);
      if (value.compareTo(Duration.ofMillis(1)) < 0
          || value.compareTo(Duration.ofSeconds(60)) > 0) {
        throw new IllegalArgumentException(field + " must be in [PT0.001S, PT1M], was " + value);
      }
      return value;
    }
  }
}
