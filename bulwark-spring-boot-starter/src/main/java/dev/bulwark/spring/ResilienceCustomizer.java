package dev.bulwark.spring;

import dev.bulwark.ResilienceBuilder;

/**
 * Changes the builder of the auto-configured {@link dev.bulwark.Resilience} before it is built:
 * declares configs in code, registers a kind, sets the clock. Every bean of this type is applied,
 * in {@link org.springframework.core.annotation.Order} order; the application's properties still
 * override what code declares, as {@link ResilienceBuilder} says.
 */
@FunctionalInterface
public interface ResilienceCustomizer {
  /** Changes {@code builder}. */
  void customize(ResilienceBuilder builder);
}
