/**
 * A resilient two-level cache: a process level on Caffeine and a Redis level on Lettuce, loads
 * through a Bulwark pipeline, stale values served when the source fails.
 */
// Lettuce and Reactor name their modules in their manifests only
@SuppressWarnings("requires-automatic")
module dev.bulwark.cache {
  requires static transitive org.jspecify;
  requires transitive dev.bulwark.core;
  requires com.github.benmanes.caffeine;
  requires lettuce.core;
  requires reactor.core;
  requires static com.fasterxml.jackson.databind;

  exports dev.bulwark.cache;

  provides dev.bulwark.spi.PolicyKindProvider with
      dev.bulwark.cache.internal.CacheKindProvider;
}
