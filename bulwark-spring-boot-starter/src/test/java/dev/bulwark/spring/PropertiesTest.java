package dev.bulwark.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Resilience;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.timeout.Timeout;
import dev.bulwark.timeout.TimeoutConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class PropertiesTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(BulwarkAutoConfiguration.class));

  @Test
  void configsDefaultAndInstancesConfigureTheRegistry() {
    runner
        .withPropertyValues(
            "bulwark.circuit-breaker.configs.default.open-duration=45s",
            "bulwark.circuit-breaker.instances.payments.failure-rate=25",
            "bulwark.circuit-breaker.instances.payments.minimum-calls=5",
            "bulwark.retry.instances.payments.max-attempts=5",
            "bulwark.timeout.instances.payments.duration=2s")
        .run(
            context -> {
              Resilience resilience = context.getBean(Resilience.class);
              CircuitBreakerConfig payments =
                  resilience.config(CircuitBreaker.KIND, "payments").orElseThrow();
              assertThat(payments.failureRateThreshold()).isEqualTo(25f);
              assertThat(payments.minimumCalls()).isEqualTo(5);
              assertThat(payments.openDuration()).isEqualTo(Duration.ofSeconds(45));
              assertThat(resilience.config(CircuitBreaker.KIND, "default").orElseThrow())
                  .extracting(CircuitBreakerConfig::openDuration)
                  .isEqualTo(Duration.ofSeconds(45));
              assertThat(resilience.config(Retry.KIND, "payments").orElseThrow())
                  .extracting(RetryConfig::maxAttempts)
                  .isEqualTo(5);
              assertThat(resilience.config(Timeout.KIND, "payments").orElseThrow())
                  .extracting(TimeoutConfig::timeout)
                  .isEqualTo(Duration.ofSeconds(2));
            });
  }

  @Test
  void relaxedNamesReachTheSameSetting() {
    runner
        .withPropertyValues(
            "bulwark.circuitBreaker.instances.payments.openDuration=1m",
            "bulwark.circuit-breaker.instances.orders.OPEN_DURATION=2m")
        .run(
            context -> {
              Resilience resilience = context.getBean(Resilience.class);
              assertThat(resilience.config(CircuitBreaker.KIND, "payments").orElseThrow())
                  .extracting(CircuitBreakerConfig::openDuration)
                  .isEqualTo(Duration.ofMinutes(1));
              assertThat(resilience.config(CircuitBreaker.KIND, "orders").orElseThrow())
                  .extracting(CircuitBreakerConfig::openDuration)
                  .isEqualTo(Duration.ofMinutes(2));
            });
  }

  @Test
  void anInstanceDerivesFromTheConfigItNamesAsBase() {
    runner
        .withPropertyValues(
            "bulwark.circuit-breaker.configs.slow-backends.open-duration=3m",
            "bulwark.circuit-breaker.instances.reports.base-config=slow-backends",
            "bulwark.circuit-breaker.instances.reports.window-size=10",
            "bulwark.circuit-breaker.instances.reports.minimum-calls=10")
        .run(
            context -> {
              CircuitBreakerConfig reports =
                  context
                      .getBean(Resilience.class)
                      .config(CircuitBreaker.KIND, "reports")
                      .orElseThrow();
              assertThat(reports.openDuration()).isEqualTo(Duration.ofMinutes(3));
              assertThat(reports.windowSize()).isEqualTo(10);
            });
  }

  @Test
  void registrySettingsHaveTheirSpringNames() {
    runner
        .withPropertyValues("bulwark.enabled=false", "bulwark.max-instances=50")
        .run(
            context -> {
              Resilience resilience = context.getBean(Resilience.class);
              assertThat(resilience.enabled()).isFalse();
              assertThat(resilience.maxInstances()).isEqualTo(50);
            });
  }

  @Test
  void anOutOfRangeValueFailsTheStartNamingThePropertyTheValueAndTheRange() {
    runner
        .withPropertyValues("bulwark.circuit-breaker.instances.payments.failure-rate=150")
        .run(
            context ->
                assertThat(failure(context))
                    .hasMessage(
                        "bulwark.circuit-breaker.instances.payments.failure-rate must be in (0,"
                            + " 100], was 150"));
  }

  @Test
  void valuesThatDoNotFitTogetherFailNamingTheSpringProperty() {
    runner
        .withPropertyValues(
            "bulwark.circuit-breaker.instances.payments.window-size=10",
            "bulwark.circuit-breaker.instances.payments.minimum-calls=50")
        .run(
            context ->
                assertThat(failure(context))
                    .hasMessageStartingWith(
                        "bulwark.circuit-breaker.instances.payments.minimum-calls must be in [1,"
                            + " 10]")
                    .hasMessageContaining("was 50"));
  }

  @Test
  void aMisspelledSettingFailsWithTheNearestName() {
    runner
        .withPropertyValues("bulwark.retry.instances.payments.max-attempt=3")
        .run(
            context ->
                assertThat(failure(context))
                    .hasMessageStartingWith(
                        "unknown Bulwark property bulwark.retry.instances.payments.max-attempt;"
                            + " did you mean max-attempts?"));
  }

  @Test
  void aBadDurationFailsSayingHowToWriteOne() {
    runner
        .withPropertyValues("bulwark.circuit-breaker.configs.default.open-duration=30")
        .run(
            context ->
                assertThat(failure(context))
                    .hasMessageContaining(
                        "bulwark.circuit-breaker.configs.default.open-duration is not a duration:"
                            + " '30' (a bare number needs a unit: 30s, 30ms, ...)"));
  }

  @Test
  void theSameSettingUnderConfigsAndInstancesFailsNamingBoth() {
    runner
        .withPropertyValues(
            "bulwark.retry.configs.payments.max-attempts=3",
            "bulwark.retry.instances.payments.max-attempts=4")
        .run(
            context ->
                assertThat(failure(context))
                    .hasMessageContaining("bulwark.retry.configs.payments.max-attempts")
                    .hasMessageContaining("bulwark.retry.instances.payments.max-attempts")
                    .hasMessageContaining("keep one"));
  }

  @Test
  void customizersDeclareConfigsInCodeThatPropertiesOverride() {
    runner
        .withUserConfiguration(Customized.class)
        .withPropertyValues("bulwark.circuit-breaker.instances.payments.window-size=40")
        .run(
            context -> {
              CircuitBreakerConfig payments =
                  context
                      .getBean(Resilience.class)
                      .config(CircuitBreaker.KIND, "payments")
                      .orElseThrow();
              assertThat(payments.openDuration()).isEqualTo(Duration.ofMinutes(7));
              assertThat(payments.windowSize()).isEqualTo(40);
            });
  }

  @Test
  void anApplicationsOwnRegistryWins() {
    Resilience own = Resilience.ofDefaults();
    runner
        .withBean(Resilience.class, () -> own)
        .run(context -> assertThat(context.getBean(Resilience.class)).isSameAs(own));
  }

  /** The Bulwark failure that stopped {@code context} from starting. */
  static BulwarkPropertyException failure(AssertableApplicationContext context) {
    for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
      if (t instanceof BulwarkPropertyException) {
        return (BulwarkPropertyException) t;
      }
    }
    throw new AssertionError("no BulwarkPropertyException", context.getStartupFailure());
  }

  /** The innermost cause of {@code context}'s failure to start. */
  static Throwable rootFailure(AssertableApplicationContext context) {
    Throwable t = context.getStartupFailure();
    if (t == null) {
      throw new AssertionError("the context started");
    }
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  @Configuration(proxyBeanMethods = false)
  static class Customized {
    @Bean
    ResilienceCustomizer payments() {
      return builder ->
          builder.derive(
              CircuitBreaker.KIND, "payments", b -> b.openDuration(Duration.ofMinutes(7)));
    }
  }
}
