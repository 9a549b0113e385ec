package dev.bulwark.spi;

import java.util.List;

/**
 * Adds policy kinds to every {@code Resilience} registry built while it is on the class path, found
 * by {@link java.util.ServiceLoader}: list the implementation in {@code
 * META-INF/services/dev.bulwark.spi.PolicyKindProvider} (or {@code provides} it in {@code
 * module-info.java}). Its kinds' settings are then known to the environment and properties parser.
 *
 * <p>Implementations need a public no-argument constructor, and are thread-safe.
 */
public interface PolicyKindProvider {

  /** The kinds this module adds; each a constant, the same instances on every call. */
  List<PolicyKind<?, ?, ?>> kinds();
}
