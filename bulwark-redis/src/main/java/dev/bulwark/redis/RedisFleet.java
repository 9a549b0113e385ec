package dev.bulwark.redis;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.retry.RetryBudget;
import dev.bulwark.retry.RetryBudgetConfig;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.lang.System.Logger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One Redis (standalone or cluster) shared by every instance of a service, and the fleet policies
 * kept in it: {@link #rateLimiter rate limiters} and {@link #retryBudget retry budgets} whose
 * limits hold for the whole fleet rather than for each instance.
 *
 * {@snippet :
 * RedisFleet fleet =
 *     RedisFleet.builder("rediss://:secret@redis.internal:6380")
 *         .expectedInstances(3) // each falls back to a third of the limit without Redis
 *         .build();
 * RateLimiter partner =
 *     fleet.rateLimiter("partner-api", RateLimiterConfig.builder().limit(50).build());
 * String body = partner.call(() -> client.fetch(uri)); // at most 50/s across the fleet
 * }
 *
 * <p><b>Redis never holds a caller up for long, and never fails a call.</b> Lettuce is set up to
 * reject commands while disconnected ({@code DisconnectedBehavior.REJECT_COMMANDS}) rather than
 * queue them, with a bounded request queue ({@link Builder#requestQueueSize}, default 1,024) and a
 * short command timeout ({@link Builder#commandTimeout}, default 250 ms, instead of 60 s). A policy
 * whose command fails or does not answer within the command timeout falls back at once to its local
 * form (see {@link FallbackMode}), publishes a {@link FleetEvent}, probes Redis every {@link
 * Builder#probeInterval} (default 100 ms) on its own key, and decides through Redis again as soon
 * as Redis answers. No Redis exception reaches a caller.
 *
 * <p><b>Time comes from Redis.</b> Scripts read Redis {@code TIME}, so instances whose clocks
 * disagree still share one limit exactly; the client's clock only measures local waits.
 *
 * <p><b>Cluster.</b> Each policy keeps its state in one key with its name as hash tag ({@code
 * bulwark:rl:{name}}) and every script touches that key only, so it runs on the key's slot owner.
 *
 * <p><b>Credentials.</b> TLS and AUTH are given in the URI ({@code rediss://user:password@host}),
 * as Lettuce reads it; this class names only host and port in messages and logs.
 *
 * <p>Thread-safe.
 */
public final class RedisFleet implements AutoCloseable {

  private static final Logger LOG = System.getLogger(RedisFleet.class.getName());

  private final Duration commandTimeout;
  private final Duration reconnectDelay;
  private final Duration probeInterval;
  private final FallbackMode fallback;
  private final int expectedInstances;
  private final String keyPrefix;
  private final Clock clock;
  private final Scheduler scheduler;
  private final ClientResources resources;
  private final @Nullable RedisClient client; // exactly one of the two clients is set
  private final @Nullable RedisClusterClient clusterClient;
  private final RedisURI uri;
  private final String where; // host:port of the first URI, without credentials
  private final AtomicBoolean connecting = new AtomicBoolean();
  private volatile boolean closed;
  private volatile @Nullable StatefulConnection<String, String> connection;
  private volatile @Nullable RedisClusterAsyncCommands<String, String> commands;
  private volatile @Nullable StatefulRedisPubSubConnection<String, String> pubSub;
  private volatile @Nullable FleetBreakers breakers;
  // Guards the breakers' set-up and their pub/sub connection (once per fleet, off every call's
  // path); a ReentrantLock rather than a monitor, since connecting blocks and may run on a virtual
  // thread.
  private final ReentrantLock setUp = new ReentrantLock();

  private RedisFleet(Builder b) {
    this.commandTimeout = b.commandTimeout;
    this.reconnectDelay = b.reconnectDelay;
    this.probeInterval = b.probeInterval;
    this.fallback = b.fallback;
    this.expectedInstances = b.expectedInstances;
    this.keyPrefix = b.keyPrefix;
    this.clock = b.clock;
    this.scheduler = b.scheduler;
    this.resources =
        DefaultClientResources.builder()
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(2)
            .reconnectDelay(Delay.constant(b.reconnectDelay))
            .build();
    SocketOptions socket = SocketOptions.builder().connectTimeout(b.connectTimeout).build();
    TimeoutOptions timeouts = TimeoutOptions.enabled(b.commandTimeout);
    List<RedisURI> uris = new ArrayList<>();
    for (String u : b.uris) {
      RedisURI parsed = RedisURI.create(u);
      parsed.setTimeout(b.commandTimeout); // also bounds the connection's handshake
      uris.add(parsed);
    }
    this.uri = uris.get(0);
    this.where = uri.getHost() + ":" + uri.getPort();
    if (b.cluster) {
      RedisClusterClient cluster = RedisClusterClient.create(resources, uris);
      cluster.setOptions(
          ClusterClientOptions.builder()
              .autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .requestQueueSize(b.requestQueueSize)
              .timeoutOptions(timeouts)
              .socketOptions(socket)
              .build());
      this.client = null;
      this.clusterClient = cluster;
    } else {
      RedisClient standalone = RedisClient.create(resources, uri);
      standalone.setOptions(
          ClientOptions.builder()
              .autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .requestQueueSize(b.requestQueueSize)
              .timeoutOptions(timeouts)
              .socketOptions(socket)
              .build());
      this.client = standalone;
      this.clusterClient = null;
    }
    CompletionStage<?> first = connect();
    try { // a freshly started instance decides through Redis from its first call, if it can
      first.toCompletableFuture().get(b.connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // not yet: the policies decide locally until it connects in the background
    }
  }

  /**
   * A builder for a standalone Redis at {@code uri} ({@code redis://host:port}, {@code
   * rediss://user:password@host:port/0} for TLS and AUTH, as Lettuce's {@link RedisURI#create}
   * reads it).
   *
   * @throws NullPointerException if {@code uri} is null
   */
  public static Builder builder(String uri) {
    return new Builder(List.of(Check.notNull("uri", uri)), false);
  }

  /**
   * A builder for a Redis Cluster seeded by {@code uris} (any of its nodes).
   *
   * @throws NullPointerException if {@code uris} or one of them is null
   * @throws IllegalArgumentException if {@code uris} is empty
   */
  public static Builder cluster(List<String> uris) {
    Check.notNull("uris", uris);
    if (uris.isEmpty()) {
      throw new IllegalArgumentException("uris must name at least one node");
    }
    return new Builder(List.copyOf(uris), true);
  }

  /**
   * A rate limiter named {@code name} whose limit holds for every instance that makes one with the
   * same name on the same Redis: GCRA (a token bucket) in one Lua script on one key, one round trip
   * per permit. Only {@link RateLimiterConfig.Algorithm#TOKEN_BUCKET} is supported; the time
   * between two permits is rounded up to a whole microsecond. Instances must agree on the
   * configuration; the last to ask decides for that call.
   *
   * <p>A {@link RateLimiter#holdFor hold} applies to this instance only. Without Redis, it limits
   * as {@link Builder#fallback} says.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank, the algorithm is a fixed window, or
   *     the limit is more than one permit per microsecond of the period
   */
  public RateLimiter rateLimiter(String name, RateLimiterConfig config) {
    Check.name(name);
    Check.notNull("config", config);
    return new GcraRateLimiter(this, name, config);
  }

  /**
   * A fleet rate limiter as {@link #rateLimiter(String, RateLimiterConfig)}, with leases for very
   * hot limits: a single permit asked of Redis takes up to {@code lease} permits in the same round
   * trip (as many as the bucket holds, never waiting for the extra ones), and this instance hands
   * the extra ones out without Redis until they run out or until the bucket would have refilled
   * them ({@code taken} × the interval between two permits). {@code lease} 1 is no lease.
   *
   * <p>The trade-off: fewer round trips (about one per {@code lease} permits) for a looser limit.
   * Every permit handed out was granted by Redis, so the fleet's admissions since any instant never
   * exceed what the limit allows then plus the permits leased but not spent at that instant: at
   * most {@code lease − 1} per instance, spent later than Redis counted them. The other way,
   * permits sitting in one instance's lease are refused to the others (under-admission, at most
   * {@code lease − 1} per instance), and those of an instance that dies are lost to the fleet until
   * the bucket refills. Requests for several permits, and all requests while Redis is away, go as
   * without leases.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank, {@code lease} is not in [1, burst],
   *     or as {@link #rateLimiter(String, RateLimiterConfig)}
   */
  public RateLimiter rateLimiter(String name, RateLimiterConfig config, int lease) {
    Check.name(name);
    Check.notNull("config", config);
    Check.inRange("lease", lease, 1, config.burst(), "burst");
    return new GcraRateLimiter(this, name, config, lease);
  }

  /**
   * A retry budget named {@code name} counted across every instance that makes one with the same
   * name on the same Redis: calls and retries of the whole fleet, in Redis buckets of a tenth of
   * the window. Without Redis, a local budget with the same configuration decides.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public RetryBudget retryBudget(String name, RetryBudgetConfig config) {
    Check.name(name);
    Check.notNull("config", config);
    return new FleetRetryBudget(this, name, config);
  }

  /**
   * The Lua script a fleet rate limiter runs for each request, for those who audit what runs in
   * their Redis or measure it: {@code KEYS[1]} the limiter's key; {@code ARGV} the microseconds
   * between two permits, the bucket's capacity in microseconds (burst × interval), the permits
   * asked, and the longest wait accepted in microseconds. Returns the wait in microseconds, or −1 −
   * the time until the permits would be free if the wait is too long.
   */
  public static String rateLimiterScript() {
    return GcraRateLimiter.ACQUIRE.text();
  }

  /**
   * Shares {@code breaker} with the fleet (opt-in); each instance still decides for itself:
   *
   * <ul>
   *   <li>when it opens by itself, it reports so in Redis and to the other instances, and records
   *       "open until" now + its open duration (Redis time);
   *   <li>it opens (forced, for its open duration) when at least {@code quorum} distinct other
   *       instances reported the same breaker open within {@code window}: one sick instance does
   *       not open the others when the quorum is 2 or more;
   *   <li>{@link #forceOpenBreaker}, {@link #forceCloseBreaker} and {@link #resetBreaker} from any
   *       instance reach it through pub/sub;
   *   <li>if its "open until" record lies ahead when it is shared (a restarted instance), it starts
   *       forced open until then.
   * </ul>
   *
   * Redis failures are logged and skipped: the breaker then works alone. Close the returned handle
   * to stop sharing.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code quorum} is not in [1, 1000] or {@code window} is not
   *     in [1 ms, 1 day]
   * @throws IllegalStateException if a breaker of that name is already shared by this fleet
   */
  public AutoCloseable shareBreaker(CircuitBreaker breaker, int quorum, Duration window) {
    Check.notNull("breaker", breaker);
    Check.inRange("quorum", quorum, 1, 1_000);
    Builder.range("window", window, Duration.ofMillis(1), Duration.ofDays(1));
    return breakers().share(breaker, quorum, window);
  }

  /** Force-opens the breaker named {@code name} on every instance that shares it. */
  public void forceOpenBreaker(String name) {
    command("FORCE_OPEN", name);
  }

  /**
   * Lets every call through the breaker named {@code name} on every instance that shares it
   * (outcomes still counted), until a reset.
   */
  public void forceCloseBreaker(String name) {
    command("FORCE_CLOSE", name);
  }

  /** Closes and empties the breaker named {@code name} on every instance that shares it. */
  public void resetBreaker(String name) {
    command("RESET", name);
  }

  private void command(String command, String name) {
    Check.name(name);
    publish(command + " - " + name);
  }

  FleetBreakers breakers() {
    FleetBreakers b = breakers;
    if (b == null) {
      setUp.lock();
      try {
        b = breakers;
        if (b == null) {
          b = new FleetBreakers(this);
          breakers = b;
        }
      } finally {
        setUp.unlock();
      }
    }
    return b;
  }

  /**
   * True while connected to Redis. A policy may still be on its fallback until its probe answers.
   */
  public boolean isConnected() {
    StatefulConnection<String, String> c = connection;
    return c != null && c.isOpen();
  }

  /** The most a command may take before a policy falls back. */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /** What a rate limiter does without Redis. */
  public FallbackMode fallback() {
    return fallback;
  }

  /** How many instances share each limit, for {@link FallbackMode#LOCAL_SHARE}. */
  public int expectedInstances() {
    return expectedInstances;
  }

  /** Closes the connection and the client; fleet policies made by it then decide locally. */
  @Override
  public void close() {
    closed = true;
    commands = null;
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
    return "RedisFleet[" + where + (clusterClient != null ? ", cluster" : "") + "]";
  }

  // ---- for the fleet policies ----

  Clock clock() {
    return clock;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  Duration probeInterval() {
    return probeInterval;
  }

  boolean isClosed() {
    return closed;
  }

  /** The key of policy {@code name} of type {@code type}, its name as hash tag. */
  String key(String type, String name) {
    return keyPrefix + ":" + type + ":{" + name + "}";
  }

  /**
   * Runs {@code script} on {@code key} (EVALSHA, then EVAL once if Redis answers NOSCRIPT). The
   * future fails, never throws, if Redis is not connected, fails or does not answer in time.
   */
  <T> CompletableFuture<T> eval(Script script, ScriptOutputType type, String key, String... args) {
    return eval(script, type, new String[] {key}, args);
  }

  /** {@link #eval(Script, ScriptOutputType, String, String...)} on keys of one slot. */
  <T> CompletableFuture<T> eval(
      Script script, ScriptOutputType type, List<String> keys, String... args) {
    return eval(script, type, keys.toArray(new String[0]), args);
  }

  private <T> CompletableFuture<T> eval(
      Script script, ScriptOutputType type, String[] keys, String... args) {
    RedisClusterAsyncCommands<String, String> c = commands;
    if (c == null) {
      connectIfDue();
      return CompletableFuture.failedFuture(NotConnected.INSTANCE);
    }
    RedisFuture<T> sent;
    try {
      sent = c.evalsha(script.sha(), type, keys, args);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<T> first = sent.toCompletableFuture();
    return first
        .handle(
            (value, failure) -> {
              if (failure == null) {
                return CompletableFuture.completedFuture(value);
              }
              String message = String.valueOf(failure.getMessage());
              if (!message.contains("NOSCRIPT")) {
                return CompletableFuture.<T>failedFuture(failure);
              }
              try { // EVAL runs it and caches it for the EVALSHAs after
                return c.<T>eval(script.text(), type, keys, args).toCompletableFuture();
              } catch (RuntimeException e) {
                return CompletableFuture.<T>failedFuture(e);
              }
            })
        .thenCompose(stage -> stage);
  }

  /** PUBLISH on the fleet's breaker channel; fire and forget (a failure is logged). */
  void publish(String message) {
    RedisClusterAsyncCommands<String, String> c = commands;
    if (c == null) {
      LOG.log(Logger.Level.WARNING, () -> this + ": not connected, cannot publish " + message);
      return;
    }
    c.publish(keyPrefix + FleetBreakers.CHANNEL_SUFFIX, message)
        .whenComplete(
            (receivers, failure) -> {
              if (failure != null) {
                LOG.log(
                    Logger.Level.WARNING,
                    () -> this + ": cannot publish " + message + ": " + describe(failure));
              }
            });
  }

  /** Listens on the fleet's breaker channel for {@code breakers}, from now on. */
  void subscribe(FleetBreakers breakers) {
    if (pubSub != null || closed) {
      return;
    }
    setUp.lock(); // once per fleet, off every call's path
    try {
      if (pubSub != null) {
        return;
      }
      try {
        StatefulRedisPubSubConnection<String, String> p =
            client != null
                ? client.connectPubSub(StringCodec.UTF8, uri)
                : Objects.requireNonNull(clusterClient, "set whenever client is not")
                    .connectPubSub(StringCodec.UTF8);
        p.addListener(
            new RedisPubSubAdapter<>() {
              @Override
              public void message(String channel, String message) {
                try {
                  breakers.onMessage(message);
                } catch (RuntimeException e) {
                  LOG.log(Logger.Level.WARNING, () -> this + ": cannot apply " + message, e);
                }
              }
            });
        p.sync().subscribe(keyPrefix + FleetBreakers.CHANNEL_SUFFIX);
        pubSub = p;
      } catch (RuntimeException e) {
        LOG.log(
            Logger.Level.WARNING,
            () -> this + ": cannot listen for breaker commands: " + describe(e));
      }
    } finally {
      setUp.unlock();
    }
  }

  /** PTTL of {@code key}: a cheap command routed to the key's slot owner, to see Redis answer. */
  CompletableFuture<Long> probe(String key) {
    RedisClusterAsyncCommands<String, String> c = commands;
    if (c == null) {
      connectIfDue();
      return CompletableFuture.failedFuture(NotConnected.INSTANCE);
    }
    try {
      return c.pttl(key).toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** A short description of {@code failure} for events and logs: its type and message. */
  String describe(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + " from " + where + ": " + t.getMessage();
  }

  // ---- connecting ----

  private volatile long nextConnectNanos;

  private void connectIfDue() {
    if (closed || clock.nanoTime() - nextConnectNanos < 0) {
      return;
    }
    connect();
  }

  /** Starts connecting unless connected or connecting; completes when this attempt ends. */
  private CompletionStage<?> connect() {
    if (closed || commands != null || !connecting.compareAndSet(false, true)) {
      return CompletableFuture.completedFuture(null); // one attempt at a time
    }
    nextConnectNanos = clock.nanoTime() + reconnectDelay.toNanos();
    CompletionStage<? extends StatefulConnection<String, String>> attempt;
    if (client != null) {
      attempt = client.connectAsync(StringCodec.UTF8, uri);
    } else {
      // Lettuce connects to a cluster only once it knows the topology
      RedisClusterClient seeds =
          Objects.requireNonNull(clusterClient, "set whenever client is not");
      attempt =
          seeds
              .refreshPartitionsAsync()
              .toCompletableFuture()
              .thenCompose(topology -> seeds.connectAsync(StringCodec.UTF8));
    }
    return attempt.whenComplete(
        (c, failure) -> {
          try {
            if (failure != null) {
              LOG.log(
                  Logger.Level.DEBUG, () -> this + ": cannot connect yet: " + describe(failure));
              if (!closed) { // keep trying by ourselves: Lettuce reconnects only once connected
                scheduler.schedule(this::connect, reconnectDelay.toNanos());
              }
              return;
            }
            if (closed) {
              c.closeAsync();
              return;
            }
            connection = c;
            commands =
                c instanceof StatefulRedisConnection
                    ? ((StatefulRedisConnection<String, String>) c).async()
                    : ((StatefulRedisClusterConnection<String, String>) c).async();
          } finally {
            connecting.set(false);
          }
        });
  }

  /** Why a command was not sent. Stackless and shared: a signal, not a bug. */
  static final class NotConnected extends RuntimeException {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings("StaticAssignmentOfThrowable") // stackless and immutable: safe to share
    static final NotConnected INSTANCE = new NotConnected();

    private NotConnected() {
      super("not connected to Redis yet", null, false, false);
    }
  }

  /**
   * Builds a {@link RedisFleet}. Setters check their own value.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final List<String> uris;
    private final boolean cluster;
    private Duration commandTimeout = Duration.ofMillis(250);
    private Duration connectTimeout = Duration.ofSeconds(1);
    private Duration reconnectDelay = Duration.ofMillis(100);
    private Duration probeInterval = Duration.ofMillis(100);
    private int requestQueueSize = 1_024;
    private FallbackMode fallback = FallbackMode.LOCAL_SHARE;
    private int expectedInstances = 1;
    private String keyPrefix = "bulwark";
    private Clock clock = Clock.system();
    private Scheduler scheduler = Scheduler.system();

    private Builder(List<String> uris, boolean cluster) {
      for (int i = 0; i < uris.size(); i++) {
        Check.notNull("uris[" + i + "]", uris.get(i));
      }
      this.uris = uris;
      this.cluster = cluster;
    }

    /**
     * The most a command may take before a policy falls back, in [1 ms, 1 min]. Default 250 ms.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = range("commandTimeout", timeout, Duration.ofMillis(1), MINUTE);
      return this;
    }

    /**
     * The most a TCP connect may take, in [1 ms, 1 min]. Default 1 s.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = range("connectTimeout", timeout, Duration.ofMillis(1), MINUTE);
      return this;
    }

    /**
     * The wait between two reconnection attempts, in [1 ms, 1 min]. Default 100 ms.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder reconnectDelay(Duration delay) {
      this.reconnectDelay = range("reconnectDelay", delay, Duration.ofMillis(1), MINUTE);
      return this;
    }

    /**
     * How often a policy on its fallback asks Redis whether it answers again, in [1 ms, 1 min].
     * Default 100 ms.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder probeInterval(Duration interval) {
      this.probeInterval = range("probeInterval", interval, Duration.ofMillis(1), MINUTE);
      return this;
    }

    /**
     * Commands Lettuce keeps waiting for an answer at most, in [1, 1,000,000]; more are refused
     * (and the policy falls back). Default 1,024.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder requestQueueSize(int commands) {
      this.requestQueueSize = Check.inRange("requestQueueSize", commands, 1, 1_000_000);
      return this;
    }

    /**
     * What a rate limiter does without Redis. Default {@link FallbackMode#LOCAL_SHARE}.
     *
     * @throws NullPointerException if {@code mode} is null
     */
    public Builder fallback(FallbackMode mode) {
      this.fallback = Check.notNull("fallback", mode);
      return this;
    }

    /**
     * How many instances share each limit, in [1, 100,000]: without Redis each takes {@code 1 /
     * expectedInstances} of it. Default 1 (each takes the whole limit: set it to the fleet's size).
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder expectedInstances(int instances) {
      this.expectedInstances = Check.inRange("expectedInstances", instances, 1, 100_000);
      return this;
    }

    /**
     * The prefix of every key, so several applications can share one Redis. Default {@code
     * bulwark}.
     *
     * @throws IllegalArgumentException if blank or holding braces (they would change the slot)
     */
    public Builder keyPrefix(String prefix) {
      Check.notNull("keyPrefix", prefix);
      if (prefix.isBlank() || prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
        throw new IllegalArgumentException(
            "keyPrefix must be non-blank and without braces, was '" + prefix + "'");
      }
      this.keyPrefix = prefix;
      return this;
    }

    /**
     * The clock for local waits and the fallback limiters (never for the fleet's limit, which runs
     * on Redis time). Default the system clock.
     *
     * @throws NullPointerException if {@code clock} is null
     */
    public Builder clock(Clock clock) {
      this.clock = Check.notNull("clock", clock);
      return this;
    }

    /**
     * The scheduler for waits, probes and reconnection attempts. Default the system scheduler.
     *
     * @throws NullPointerException if {@code scheduler} is null
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Check.notNull("scheduler", scheduler);
      return this;
    }

    /**
     * The fleet. Waits up to the {@link #connectTimeout connect timeout} for its first connection;
     * if Redis does not answer by then, it goes on connecting in the background and its policies
     * decide locally until it does.
     *
     * @throws IllegalArgumentException if a URI cannot be read (the message names no credentials)
     */
    public RedisFleet build() {
      for (String u : uris) {
        try {
          RedisURI.create(u);
        } catch (RuntimeException e) {
          throw new IllegalArgumentException(
              "uri must be redis://host:port or rediss://[user:password@]host:port[/db], and could"
                  + " not be read ("
                  + e.getClass().getSimpleName()
                  + ")");
        }
      }
      return new RedisFleet(this);
    }

    private static final Duration MINUTE = Duration.ofMinutes(1);

    static Duration range(String field, Duration value, Duration min, Duration max) {
      Check.notNull(field, value);
      if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            field + " must be in [" + min + ", " + max + "], was " + value);
      }
      return value;
    }
  }
}
