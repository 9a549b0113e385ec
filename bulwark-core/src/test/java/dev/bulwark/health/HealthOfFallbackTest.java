package dev.bulwark.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.fallback.Fallback;
import dev.bulwark.fallback.FallbackConfig;
import dev.bulwark.test.ManualClock;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A real fallback, not a stub, makes health DEGRADED while it serves, and ages out. */
class HealthOfFallbackTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final HealthMonitor health = HealthMonitor.of(HealthConfig.ofDefaults(), clock);

  @Test
  void aServingFallbackDegradesHealthUntilItAgesOut() throws Exception {
    Fallback<String> fallback =
        Fallback.of(
            "catalog",
            FallbackConfig.<String>builder().otherwise("default", failure -> "unavailable").build(),
            clock);
    health.watch("catalog", fallback.events());

    assertThat(fallback.serve(() -> "fresh").value()).isEqualTo("fresh");
    assertThat(health.report().status()).isEqualTo(HealthStatus.HEALTHY);

    fallback.serve(
        () -> {
          throw new IOException("connection refused");
        });
    HealthReport report = health.report();
    assertThat(report.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(report.degradedComponents()).containsExactly("catalog");

    clock.advance(HealthConfig.ofDefaults().recentWindow().plus(Duration.ofSeconds(7)));
    assertThat(health.report().status()).isEqualTo(HealthStatus.HEALTHY);
  }
}
