package dev.bulwark.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Resilience;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class HealthIndicatorTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  BulwarkAutoConfiguration.class, HealthContributorAutoConfiguration.class));

  @Test
  void anOpenBreakerIsDownAndAResetOneUp() {
    runner.run(
        context -> {
          BulwarkHealthIndicator health = context.getBean(BulwarkHealthIndicator.class);
          Resilience resilience = context.getBean(Resilience.class);
          assertThat(health.health().getStatus()).isEqualTo(Status.UP);

          resilience.forceOpen("payments");
          assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
          assertThat(health.health().getDetails())
              .containsEntry("status", "CRITICAL")
              .containsEntry("openBreakers", java.util.List.of("payments"));

          resilience.reset(dev.bulwark.circuitbreaker.CircuitBreaker.KIND, "payments");
          assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        });
  }

  @Test
  void theStatusOfACriticalRegistryIsConfigurable() {
    runner
        .withPropertyValues("management.health.bulwark.critical-status=OUT_OF_SERVICE")
        .run(
            context -> {
              context.getBean(Resilience.class).forceOpen("payments");
              assertThat(context.getBean(BulwarkHealthIndicator.class).health().getStatus())
                  .isEqualTo(Status.OUT_OF_SERVICE);
            });
  }

  @Test
  void theIndicatorCanBeTurnedOff() {
    runner
        .withPropertyValues("management.health.bulwark.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(BulwarkHealthIndicator.class));
  }
}
