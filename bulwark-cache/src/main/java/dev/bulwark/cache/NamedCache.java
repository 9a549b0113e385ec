package dev.bulwark.cache;

import dev.bulwark.Resilience;
import dev.bulwark.policy.Policy;

/**
 * A cache that a {@link Resilience} registry holds under a name, of the kind {@link
 * ResilientCache#KIND}: made on first use from the cache config of that name (or the default one),
 * so {@code BULWARK_CACHE_[<NAME>_]<SETTING>} variables and {@code bulwark.cache.*} properties
 * configure it; listed by {@link Resilience#snapshots} (its {@link CacheStats}), emptied by {@link
 * Resilience#reset} ({@link #invalidateAll()}), and evicted when idle unless a load is running.
 *
 * <p>It has a process level only, and holds keys and values of any type: get it typed, with its
 * loads running through {@code resilience.pipeline(name)}, from {@link
 * ResilientCache#named(Resilience, String)}. A cache with a Redis level is built with {@link
 * ResilientCache#builder}, whose {@link ResilientCache.Builder#resilience} takes the registry's
 * config of its name the same way.
 *
 * <p>As a {@link Policy} it passes calls straight through: the registry never puts a cache in a
 * pipeline.
 *
 * <p>Thread-safe.
 */
public interface NamedCache extends ResilientCache<Object, Object>, Policy {}
