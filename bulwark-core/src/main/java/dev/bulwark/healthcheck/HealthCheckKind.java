package dev.bulwark.healthcheck;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.Setting;
import java.util.function.Function;

/** The registry's description of health checks, and their settings. */
final class HealthCheckKind {
  private HealthCheckKind() {}

  static final PolicyKind<HealthCheck, HealthCheckConfig, HealthCheckConfig.Builder> KIND =
      PolicyKind.builder(
              "health-check",
              "health check",
              HealthCheckConfig.ofDefaults(),
              HealthCheck::of,
              HealthCheckConfig::toBuilder,
              HealthCheckConfig.Builder::build)
          .settings(settings())
          .snapshot(HealthCheck::status)
          .busy(HealthCheck::isRunning)
          .health(HealthCheck::events)
          .lifecycle(
              (check, peers) ->
                  check.start(name -> (CircuitBreaker) peers.get(CircuitBreaker.KIND, name)),
              HealthCheck::stop)
          .build();

  @SuppressWarnings({
    "unchecked",
    "rawtypes"
  }) // an array of the declared settings, all of this builder type
  private static Setting<HealthCheckConfig.Builder>[] settings() {
    return HealthCheckConfig.settings(Function.<HealthCheckConfig.Builder>identity())
        .toArray(new Setting[0]);
  }
}
