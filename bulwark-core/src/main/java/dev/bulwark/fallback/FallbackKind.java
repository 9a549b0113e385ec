package dev.bulwark.fallback;

import dev.bulwark.spi.PolicyKind;

/**
 * The registry's description of fallbacks. A fallback's rungs are code, so it has no settings; the
 * default config has one rung that has nothing, so a fallback without a config of its own lets
 * every failure through.
 */
final class FallbackKind {
  private FallbackKind() {}

  static final PolicyKind<Fallback<Object>, FallbackConfig<Object>, FallbackConfig.Builder<Object>>
      KIND =
          PolicyKind
              .<Fallback<Object>, FallbackConfig<Object>, FallbackConfig.Builder<Object>>builder(
                  "fallback",
                  "fallback",
                  FallbackConfig.builder().then("none", failure -> null).build(),
                  (name, config, clock, scheduler) -> Fallback.of(name, config, clock),
                  FallbackConfig::toBuilder,
                  FallbackConfig.Builder::build)
              .snapshot(Fallback::snapshot)
              .health(Fallback::events)
              .pipeline(100, false)
              .build();
}
