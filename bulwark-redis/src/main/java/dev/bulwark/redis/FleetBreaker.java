package dev.bulwark.redis;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.policy.Policy;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.lang.System.Logger;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Fleet breaker sharing as the {@code Resilience} registry turns it on: declaring a config of this
 * kind for a name ({@code BULWARK_FLEET_BREAKER_PARTNER_QUORUM=2}, or any {@code
 * BULWARK_FLEET_BREAKER_PARTNER_*} setting) puts it in that name's pipeline, and once the registry
 * holds it, the registry's circuit breaker of the same name is shared through Redis as {@link
 * RedisFleet#shareBreaker} does (quorum opens, operators' commands by pub/sub, "open until" kept
 * across restarts). {@code resilience.get(FleetBreaker.KIND, "partner")} does the same without a
 * pipeline. As a {@link Policy} it only passes calls on; the breaker decides.
 *
 * <p>Instances whose configs name the same URI and command timeout (on the same clock and
 * scheduler) share one {@link RedisFleet} with the registry's fleet limiters, kept until {@link
 * FleetLimiter#closeSharedFleets()}. If Redis cannot be reached, the breaker works alone.
 *
 * <p>Thread-safe.
 */
public final class FleetBreaker implements Policy {
  private static final Logger LOG = System.getLogger(FleetBreaker.class.getName());

  /**
   * The registry's description of shared breakers, with their {@code BULWARK_FLEET_BREAKER_*}
   * settings.
   */
  public static final PolicyKind<FleetBreaker, FleetBreakerConfig, FleetBreakerConfig.Builder>
      KIND = RedisKinds.FLEET_BREAKER;

  private final String name;
  private final FleetBreakerConfig config;
  private final RedisFleet fleet;
  private final AtomicReference<@Nullable AutoCloseable> sharing = new AtomicReference<>();

  private FleetBreaker(String name, FleetBreakerConfig config, RedisFleet fleet) {
    this.name = name;
    this.config = config;
    this.fleet = fleet;
  }

  /**
   * A fleet breaker for the breaker named {@code name}, on a shared {@link RedisFleet}; it shares
   * nothing until the registry starts it.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public static FleetBreaker of(
      String name, FleetBreakerConfig config, Clock clock, Scheduler scheduler) {
    Check.name(name);
    Check.notNull("config", config);
    Check.notNull("clock", clock);
    Check.notNull("scheduler", scheduler);
    RedisFleet fleet =
        FleetLimiter.sharedFleet(
            config.uri(), config.commandTimeout(), FallbackMode.LOCAL_SHARE, 1, clock, scheduler);
    return new FleetBreaker(name, config, fleet);
  }

  /** Shares {@code breaker} (the registry's breaker of this name); once only. */
  void start(CircuitBreaker breaker) {
    if (sharing.get() != null) {
      return;
    }
    AutoCloseable handle;
    try {
      handle = fleet.shareBreaker(breaker, config.quorum(), config.window());
    } catch (IllegalStateException e) { // already shared by hand on this fleet: leave it so
      LOG.log(Logger.Level.WARNING, () -> name + ": " + e.getMessage());
      return;
    }
    if (!sharing.compareAndSet(null, handle)) {
      close(handle);
    }
  }

  /** Stops sharing; idempotent. */
  void stop() {
    AutoCloseable handle = sharing.getAndSet(null);
    if (handle != null) {
      close(handle);
    }
  }

  private void close(AutoCloseable handle) {
    try {
      handle.close();
    } catch (Exception e) { // FleetBreakers.Shared.close throws nothing
      throw new IllegalStateException(e);
    }
  }

  /** True while the registry's breaker of this name is shared with the fleet. */
  public boolean isSharing() {
    return sharing.get() != null;
  }

  /** The fleet it shares through: force-open, force-close or reset the breaker fleet-wide. */
  public RedisFleet fleet() {
    return fleet;
  }

  /** Its settings. */
  public FleetBreakerConfig config() {
    return config;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public <T> T execute(Callable<T> call, Next next) throws Exception {
    return next.proceed(call);
  }

  @Override
  public <T> CompletionStage<T> executeAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
    return next.proceed(call);
  }

  @Override
  public String toString() {
    return "FleetBreaker[" + name + ", sharing=" + isSharing() + ", " + config + "]";
  }
}
