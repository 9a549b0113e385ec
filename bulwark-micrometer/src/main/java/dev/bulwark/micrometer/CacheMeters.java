package dev.bulwark.micrometer;

import dev.bulwark.cache.CacheStats;
import dev.bulwark.cache.NamedCache;
import dev.bulwark.event.EventSource;
import dev.bulwark.policy.Policy;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * The meters of bulwark-cache's registry caches, read from {@link CacheStats} when scraped. The
 * only class here that names bulwark-cache's types: {@link MeterSet} loads it only when that module
 * is present (an optional dependency).
 */
final class CacheMeters {
  private CacheMeters() {}

  /** The cache meters if {@code policy} is a registry cache, else null. */
  static @Nullable MeterSet<?> of(Policy policy) {
    return policy instanceof NamedCache ? CACHES : null;
  }

  private static ToDoubleFunction<Group> stat(ToDoubleFunction<CacheStats> value) {
    return MeterSet.sum((NamedCache c) -> value.applyAsDouble(c.stats()));
  }

  static final MeterSet<NamedCache> CACHES =
      new MeterSet<NamedCache>("cache", Set.of()) {
        @Override
        EventSource events(NamedCache policy) {
          return policy.events();
        }

        @Override
        void registerGauges(Group g) {
          String requests = "bulwark.cache.requests";
          String requestsDoc = "gets (and last-known lookups) by the level that answered, or miss";
          g.functionCounter(
              requests, requestsDoc, "result", "process_hit", stat(CacheStats::processHits));
          g.functionCounter(
              requests, requestsDoc, "result", "redis_hit", stat(CacheStats::redisHits));
          g.functionCounter(requests, requestsDoc, "result", "miss", stat(CacheStats::misses));
          g.functionCounter(
              "bulwark.cache.loads",
              "loads of the source that ran",
              "",
              "",
              stat(CacheStats::loads));
          g.functionCounter(
              "bulwark.cache.load.failures",
              "loads of the source that failed",
              "",
              "",
              stat(CacheStats::loadFailures));
          g.functionCounter(
              "bulwark.cache.loads.coalesced",
              "gets that joined a load already under way instead of running their own",
              "",
              "",
              stat(CacheStats::loadsCoalesced));
          g.functionCounter(
              "bulwark.cache.stale.served",
              "stale values served because the source failed",
              "",
              "",
              stat(CacheStats::staleServed));
          g.functionCounter(
              "bulwark.cache.fallback.uses",
              "answers from the cache's fallback",
              "",
              "",
              stat(CacheStats::fallbackUses));
          g.functionCounter(
              "bulwark.cache.evictions",
              "entries evicted from the process level",
              "",
              "",
              stat(CacheStats::evictions));
          g.functionCounter(
              "bulwark.cache.redis.errors",
              "Redis commands that failed, timed out or were refused by its breaker",
              "",
              "",
              stat(CacheStats::redisErrors));
          g.functionCounter(
              "bulwark.cache.load.time",
              "the total time spent in loads",
              "seconds",
              stat(s -> s.loadTime().toNanos() / 1e9));
        }
      };
}
