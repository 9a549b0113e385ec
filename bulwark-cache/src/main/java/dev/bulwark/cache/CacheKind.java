package dev.bulwark.cache;

import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.Setting;
import java.time.Duration;

/** The registry's description of caches ({@link ResilientCache#KIND}), and their settings. */
final class CacheKind {
  private CacheKind() {}

  static final PolicyKind<NamedCache, CacheConfig, CacheConfig.Builder> KIND =
      PolicyKind.<NamedCache, CacheConfig, CacheConfig.Builder>builder(
              "cache",
              "cache",
              CacheConfig.ofDefaults(),
              RegistryCache::create,
              CacheConfig::toBuilder,
              CacheConfig.Builder::build)
          .settings(
              Setting.<CacheConfig.Builder>ofDuration("TTL", "ttl", true, CacheConfig.Builder::ttl)
                  .doc(
                      "how long a loaded value is fresh (Redis keeps it this long plus the stale"
                          + " windows)")
                  .defaultValue("`5m`"),
              Setting.<CacheConfig.Builder>ofDuration(
                      "LOCAL_TTL", "localTtl", true, CacheConfig.Builder::localTtl)
                  .doc("how long the process level serves a value before asking Redis again")
                  .defaultValue("min(`TTL`, `60s`) with Redis, `TTL` without")
                  .note("at most `TTL`"),
              Setting.<CacheConfig.Builder>ofDuration(
                      "STALE_IF_ERROR", "staleIfError", false, CacheConfig.Builder::staleIfError)
                  .doc("how long past its ttl a value is still served when its load fails")
                  .defaultValue("`5m`"),
              Setting.<CacheConfig.Builder>ofDuration(
                      "STALE_WHILE_REVALIDATE",
                      "staleWhileRevalidate",
                      false,
                      CacheConfig.Builder::staleWhileRevalidate)
                  .doc(
                      "how long past its ttl a value is served at once while refreshed in the"
                          + " background")
                  .defaultValue("`0` (off)"),
              Setting.<CacheConfig.Builder>ofDuration(
                      "NEGATIVE_TTL", "negativeTtl", false, CacheConfig.Builder::negativeTtl)
                  .doc("how long a load that found nothing (null) is remembered")
                  .defaultValue("`0` (off)"),
              Setting.<CacheConfig.Builder>ofDecimal(
                      "EARLY_REFRESH_BETA",
                      "earlyRefreshBeta",
                      0,
                      false,
                      10,
                      CacheConfig.Builder::earlyRefreshBeta)
                  .doc(
                      "XFetch's beta: a hit refreshes early, likelier near expiry and for slow"
                          + " loads; `1` is usual")
                  .defaultValue("`0` (off)"),
              Setting.<CacheConfig.Builder>ofDuration(
                      "REFRESH_AHEAD", "refreshAhead", true, CacheConfig.Builder::refreshAhead)
                  .doc("a hit on a value older than this refreshes it in the background")
                  .defaultValue("none")
                  .note("below `TTL`"),
              Setting.<CacheConfig.Builder>ofInt(
                      "MAXIMUM_SIZE",
                      "maximumSize",
                      1,
                      Integer.MAX_VALUE,
                      CacheConfig.Builder::maximumSize)
                  .doc("entries the process level keeps")
                  .defaultValue("`10000`"),
              Setting.<CacheConfig.Builder>ofDuration(
                      "LEASE",
                      "lease",
                      Duration.ZERO,
                      false,
                      Duration.ofSeconds(60),
                      CacheConfig.Builder::lease)
                  .doc(
                      "with Redis: one instance loads a missing key under a lease this long,"
                          + " the others wait for its value or serve stale")
                  .defaultValue("`0` (off)"),
              Setting.<CacheConfig.Builder>ofInt(
                      "VERSION", "version", 1, 1_000_000, CacheConfig.Builder::version)
                  .doc("with Redis: part of every key; bump it when a value's shape changes")
                  .defaultValue("`1`"))
          .snapshot(NamedCache::stats)
          .busy(cache -> ((RegistryCache) cache).isLoading())
          .reset(NamedCache::invalidateAll)
          .build();
}
