package dev.bulwark.micrometer;

import dev.bulwark.event.EventSource;
import dev.bulwark.policy.Policy;
import dev.bulwark.redis.FleetLimiter;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The meters of bulwark-redis's fleet limiters, read when scraped. The only class here that names
 * bulwark-redis's types: {@link MeterSet} loads it only when that module is present (an optional
 * dependency).
 */
final class FleetMeters {
  private FleetMeters() {}

  /** The fleet meters if {@code policy} is a fleet limiter, else null. */
  static @Nullable MeterSet<?> of(Policy policy) {
    return policy instanceof FleetLimiter ? FLEET_LIMITERS : null;
  }

  static final MeterSet<FleetLimiter> FLEET_LIMITERS =
      new MeterSet<FleetLimiter>("fleet-limiter", Set.of()) {
        @Override
        EventSource events(FleetLimiter policy) {
          return policy.limiter().events();
        }

        @Override
        void registerGauges(Group g) {
          g.gauge(
              "bulwark.fleet.fallback.active",
              "1 while the local fallback decides because Redis failed, else 0 (for \"other\": how"
                  + " many are)",
              "",
              MeterSet.sum((FleetLimiter l) -> l.onFallback() ? 1 : 0));
        }
      };
}
