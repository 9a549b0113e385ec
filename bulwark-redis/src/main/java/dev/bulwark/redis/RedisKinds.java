package dev.bulwark.redis;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.PolicyKindProvider;
import dev.bulwark.spi.Setting;
import java.util.List;

/**
 * The policy kinds of this module, for the {@code Resilience} registry (found by {@link
 * java.util.ServiceLoader}).
 *
 * <p>Thread-safe.
 */
public final class RedisKinds implements PolicyKindProvider {

  static final PolicyKind<FleetLimiter, FleetLimiterConfig, FleetLimiterConfig.Builder>
      FLEET_LIMITER =
          PolicyKind.builder(
                  "redis",
                  "fleet rate limiter",
                  FleetLimiterConfig.ofDefaults(),
                  FleetLimiter::of,
                  FleetLimiterConfig::toBuilder,
                  FleetLimiterConfig.Builder::build)
              .settings(
                  Setting.<FleetLimiterConfig.Builder>ofText(
                          "URI", "uri", FleetLimiterConfig.Builder::uri)
                      .secret()
                      .doc("where Redis is; rediss:// and user:password@ for TLS and AUTH")
                      .defaultValue("`redis://localhost:6379`"),
                  Setting.<FleetLimiterConfig.Builder>ofDuration(
                          "COMMAND_TIMEOUT",
                          "commandTimeout",
                          java.time.Duration.ofMillis(1),
                          false,
                          java.time.Duration.ofMinutes(1),
                          FleetLimiterConfig.Builder::commandTimeout)
                      .doc("the most a Redis command may take before the limiter falls back")
                      .defaultValue("`250ms`"),
                  Setting.<FleetLimiterConfig.Builder, FallbackMode>ofChoice(
                          "FALLBACK",
                          "fallback",
                          FallbackMode.class,
                          FleetLimiterConfig.Builder::fallback)
                      .doc("what the limiter does while Redis is slow or gone")
                      .defaultValue("`LOCAL_SHARE`"),
                  Setting.<FleetLimiterConfig.Builder>ofInt(
                          "EXPECTED_INSTANCES",
                          "expectedInstances",
                          1,
                          100_000,
                          FleetLimiterConfig.Builder::expectedInstances)
                      .doc("instances sharing the limit; each takes its share without Redis")
                      .defaultValue("`1`"),
                  Setting.<FleetLimiterConfig.Builder>ofInt(
                          "LIMIT", "limit", 1, Integer.MAX_VALUE, FleetLimiterConfig.Builder::limit)
                      .doc("permits per period for the whole fleet")
                      .defaultValue("`100`")
                      .note("at most one per microsecond of the period"),
                  Setting.<FleetLimiterConfig.Builder>ofDuration(
                          "PERIOD", "period", true, FleetLimiterConfig.Builder::period)
                      .doc("the period the limit is counted over")
                      .defaultValue("`1s`"),
                  Setting.<FleetLimiterConfig.Builder>ofInt(
                          "BURST", "burst", 1, Integer.MAX_VALUE, FleetLimiterConfig.Builder::burst)
                      .doc("permits the fleet can take at once after a quiet time")
                      .defaultValue("the limit"),
                  Setting.<FleetLimiterConfig.Builder>ofDuration(
                          "MAX_WAIT", "maxWait", false, FleetLimiterConfig.Builder::maxWait)
                      .doc("how long a call may wait for a permit")
                      .defaultValue("`0` (never wait)"),
                  Setting.<FleetLimiterConfig.Builder>ofInt(
                          "LEASE", "lease", 1, 10_000, FleetLimiterConfig.Builder::lease)
                      .doc("permits one round trip takes for this instance to hand out locally")
                      .defaultValue("`1` (no lease)")
                      .note("at most the burst; see the trade-off below"))
              .snapshot(limiter -> limiter.limiter().snapshot())
              .busy(
                  limiter -> {
                    RateLimiter.Snapshot s = limiter.limiter().snapshot();
                    return s.waitingCallers() != 0;
                  })
              .pipeline(300, false)
              .build();

  // A kind of its own rather than settings on "redis": turning breaker sharing on must not put a
  // fleet rate limit on the name too, and a breaker's pipeline only holds what is declared for it.
  static final PolicyKind<FleetBreaker, FleetBreakerConfig, FleetBreakerConfig.Builder>
      FLEET_BREAKER =
          PolicyKind.builder(
                  "fleet-breaker",
                  "fleet breaker sharing",
                  FleetBreakerConfig.ofDefaults(),
                  FleetBreaker::of,
                  FleetBreakerConfig::toBuilder,
                  FleetBreakerConfig.Builder::build)
              .settings(
                  Setting.<FleetBreakerConfig.Builder>ofText(
                          "URI", "uri", FleetBreakerConfig.Builder::uri)
                      .secret()
                      .doc("where Redis is; rediss:// and user:password@ for TLS and AUTH")
                      .defaultValue("`redis://localhost:6379`"),
                  Setting.<FleetBreakerConfig.Builder>ofDuration(
                          "COMMAND_TIMEOUT",
                          "commandTimeout",
                          java.time.Duration.ofMillis(1),
                          false,
                          java.time.Duration.ofMinutes(1),
                          FleetBreakerConfig.Builder::commandTimeout)
                      .doc("the most a Redis command may take; the breaker then works alone")
                      .defaultValue("`250ms`"),
                  Setting.<FleetBreakerConfig.Builder>ofInt(
                          "QUORUM", "quorum", 1, 1_000, FleetBreakerConfig.Builder::quorum)
                      .doc("distinct peers reporting the breaker open that open this instance's")
                      .defaultValue("`2`"),
                  Setting.<FleetBreakerConfig.Builder>ofDuration(
                          "WINDOW",
                          "window",
                          java.time.Duration.ofMillis(1),
                          false,
                          java.time.Duration.ofDays(1),
                          FleetBreakerConfig.Builder::window)
                      .doc("how long a peer's report of OPEN counts")
                      .defaultValue("`10s`"))
              .snapshot(FleetBreaker::isSharing)
              .pipeline(410, false)
              .lifecycle(
                  (shared, peers) ->
                      shared.start((CircuitBreaker) peers.get(CircuitBreaker.KIND, shared.name())),
                  FleetBreaker::stop)
              .build();

  /** The provider, as {@link java.util.ServiceLoader} makes it. */
  public RedisKinds() {}

  @Override
  public List<PolicyKind<?, ?, ?>> kinds() {
    return List.of(FLEET_LIMITER, FLEET_BREAKER);
  }
}
