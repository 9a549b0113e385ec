package dev.bulwark.redis;

import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Reconfigurable;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A fleet rate limiter as the {@code Resilience} registry holds it: {@code
 * resilience.get(FleetLimiter.KIND, "partner")} makes one from {@code BULWARK_REDIS_*} settings
 * (see {@link FleetLimiterConfig}), in the registry's pipelines where a config of its name is
 * declared. As a {@link Policy} each call takes one permit; {@link #limiter()} gives the whole
 * {@link RateLimiter} (tryAcquire, reserve, snapshot, events).
 *
 * <p>Instances whose configs name the same URI, command timeout, fallback and expected instances
 * (and run on the same clock and scheduler) share one {@link RedisFleet}: one Lettuce client and
 * connection, kept until {@link #closeSharedFleets()}.
 *
 * <p>Thread-safe.
 */
public final class FleetLimiter implements Policy, Reconfigurable<FleetLimiterConfig> {

  /** The registry's description of fleet limiters, with their {@code BULWARK_REDIS_*} settings. */
  public static final PolicyKind<FleetLimiter, FleetLimiterConfig, FleetLimiterConfig.Builder>
      KIND = RedisKinds.FLEET_LIMITER;

  private record Connection(
      String uri,
      Duration timeout,
      FallbackMode fallback,
      int instances,
      Clock clock,
      Scheduler scheduler) {}

  private static final Map<Connection, RedisFleet> FLEETS = new ConcurrentHashMap<>();

  private final RateLimiter limiter;
  private volatile FleetLimiterConfig config;

  private FleetLimiter(RateLimiter limiter, FleetLimiterConfig config) {
    this.limiter = limiter;
    this.config = config;
  }

  /**
   * A fleet limiter named {@code name} with {@code config}, on a shared {@link RedisFleet}.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public static FleetLimiter of(
      String name, FleetLimiterConfig config, Clock clock, Scheduler scheduler) {
    Check.name(name);
    Check.notNull("config", config);
    Check.notNull("clock", clock);
    Check.notNull("scheduler", scheduler);
    RedisFleet fleet =
        sharedFleet(
            config.uri(),
            config.commandTimeout(),
            config.fallback(),
            config.expectedInstances(),
            clock,
            scheduler);
    return new FleetLimiter(fleet.rateLimiter(name, config.limiter(), config.lease()), config);
  }

  /** The fleet registry-made policies with these connection settings share. */
  static RedisFleet sharedFleet(
      String uri,
      Duration timeout,
      FallbackMode fallback,
      int instances,
      Clock clock,
      Scheduler scheduler) {
    return FLEETS.computeIfAbsent(
        new Connection(uri, timeout, fallback, instances, clock, scheduler),
        k ->
            RedisFleet.builder(k.uri())
                .commandTimeout(k.timeout())
                .fallback(k.fallback())
                .expectedInstances(k.instances())
                .clock(k.clock())
                .scheduler(k.scheduler())
                .build());
  }

  /**
   * Closes every {@link RedisFleet} that registry-made fleet limiters and fleet breakers share
   * (call it when the application stops: Lettuce's threads keep a JVM alive). Limiters made before
   * then decide locally; limiters made after open new connections.
   */
  public static void closeSharedFleets() {
    for (Connection key : java.util.List.copyOf(FLEETS.keySet())) {
      RedisFleet fleet = FLEETS.remove(key);
      if (fleet != null) {
        fleet.close();
      }
    }
  }

  /** The limiter itself: permits, reservations, snapshot and events. */
  public RateLimiter limiter() {
    return limiter;
  }

  /**
   * True while this limiter decides by its local fallback because Redis failed or did not answer,
   * false while Redis decides (and before the first call). One volatile read; thread-safe.
   */
  public boolean onFallback() {
    return limiter instanceof GcraRateLimiter gcra && !gcra.onRedis();
  }

  @Override
  public String name() {
    return limiter.name();
  }

  @Override
  public <T> T execute(Callable<T> call, Next next) throws Exception {
    return limiter.execute(call, next);
  }

  @Override
  public <T> CompletionStage<T> executeAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
    return limiter.executeAsync(call, next);
  }

  @Override
  public FleetLimiterConfig config() {
    return config;
  }

  /**
   * Changes the limit live (limit, period, burst, maxWait); the connection's settings and the lease
   * cannot change while the limiter runs.
   *
   * @throws IllegalArgumentException naming the first connection setting that differs
   */
  @Override
  public void reconfigure(FleetLimiterConfig next) {
    Check.notNull("config", next);
    FleetLimiterConfig now = config;
    String fixed =
        !now.uri().equals(next.uri())
            ? "uri"
            : !now.commandTimeout().equals(next.commandTimeout())
                ? "commandTimeout"
                : now.fallback() != next.fallback()
                    ? "fallback"
                    : now.expectedInstances() != next.expectedInstances()
                        ? "expectedInstances"
                        : now.lease() != next.lease() ? "lease" : null;
    if (fixed != null) {
      throw new IllegalArgumentException(
          fixed + " cannot change while the fleet limiter runs; build a new one");
    }
    limiter.reconfigure(next.limiter());
    config = next;
  }

  @Override
  public String toString() {
    return "FleetLimiter[" + limiter + ", " + Objects.toString(config) + "]";
  }
}
