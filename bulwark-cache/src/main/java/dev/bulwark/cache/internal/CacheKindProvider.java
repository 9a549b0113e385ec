package dev.bulwark.cache.internal;

import dev.bulwark.cache.ResilientCache;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.PolicyKindProvider;
import java.util.List;

/**
 * Adds {@link ResilientCache#KIND} to every {@code Resilience} registry built while bulwark-cache
 * is on the class or module path. Not API.
 *
 * <p>Thread-safe.
 */
public final class CacheKindProvider implements PolicyKindProvider {

  /** Found by {@link java.util.ServiceLoader}. */
  public CacheKindProvider() {}

  @Override
  public List<PolicyKind<?, ?, ?>> kinds() {
    return List.of(ResilientCache.KIND);
  }
}
