package dev.bulwark.spring;

import dev.bulwark.Resilience;
import dev.bulwark.ResilienceBuilder;
import dev.bulwark.http.ResilientHttpClient;
import dev.bulwark.micrometer.BulwarkMetrics;
import dev.bulwark.spi.PolicyKind;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.env.Environment;

/**
 * Auto-configures one {@link Resilience} from the application's {@code bulwark.*} properties
 * ({@code bulwark.circuit-breaker.configs.default.open-duration}, {@code
 * bulwark.retry.instances.payments.max-attempts}, ...), after every {@link ResilienceCustomizer}
 * bean; backs off if the application defines its own {@code Resilience} bean. An unknown property
 * or a bad value fails the start with a {@link BulwarkPropertyException} naming it.
 *
 * <p>Thread-safe.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.export.simple"
          + ".SimpleMetricsExportAutoConfiguration"
    })
public class BulwarkAutoConfiguration {

  /** Used by Spring. */
  public BulwarkAutoConfiguration() {}

  /**
   * Runs methods annotated {@code @CircuitBreaker}, {@code @Retry}, ... of the application's beans
   * through the registry's policies; see {@link dev.bulwark.spring.annotation}.
   */
  @Bean
  @ConditionalOnMissingBean(name = "bulwarkAnnotationProcessor")
  public static BeanPostProcessor bulwarkAnnotationProcessor(
      ObjectProvider<Resilience> resilience) {
    return new BulwarkAnnotationProcessor(resilience);
  }

  /**
   * The registry, configured by the environment's {@code bulwark.*} properties.
   *
   * @throws BulwarkPropertyException naming the property, if one is unknown or its value bad
   */
  @Bean
  @ConditionalOnMissingBean
  public Resilience bulwarkResilience(
      Environment environment, ObjectProvider<ResilienceCustomizer> customizers) {
    List<PolicyKind<?, ?, ?>> kinds = SpringSettings.kinds();
    SpringSettings settings = SpringSettings.read(Binder.get(environment), kinds);
    ResilienceBuilder builder = Resilience.builder();
    kinds.forEach(builder::kind);
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    settings.applyTo(builder);
    try {
      return builder.build();
    } catch (BulwarkPropertyException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new BulwarkPropertyException(settings.rename(String.valueOf(e.getMessage())), e);
    }
  }

  /**
   * The {@code RestClient}/{@code RestTemplate} interceptor, when bulwark-http and spring-web are
   * on the class path, and the {@code WebClient} filter when WebFlux is too.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "dev.bulwark.http.ResilientHttpClient",
        "org.springframework.http.client.ClientHttpRequestInterceptor"
      })
  static class Http {
    /** bulwark-http's client, its policies in the application's registry; made on first use. */
    @Bean(destroyMethod = "close")
    @Lazy
    @ConditionalOnMissingBean
    ResilientHttpClient bulwarkHttpClient(Resilience resilience) {
      return ResilientHttpClient.builder().resilience(resilience).build();
    }

    /** The interceptor sending through that client. */
    @Bean
    @ConditionalOnMissingBean
    BulwarkHttpInterceptor bulwarkHttpInterceptor(ObjectProvider<ResilientHttpClient> client) {
      return new BulwarkHttpInterceptor(client::getObject);
    }

    /** The {@code WebClient} filter, when WebFlux is on the class path too. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
        name = "org.springframework.web.reactive.function.client.ExchangeFilterFunction")
    static class WebClientFilter {
      /** The filter sending through bulwark-http's client. */
      @Bean
      @ConditionalOnMissingBean
      BulwarkWebClientFilter bulwarkWebClientFilter(ObjectProvider<ResilientHttpClient> client) {
        return new BulwarkWebClientFilter(client::getObject);
      }
    }
  }

  /**
   * The registry's meters on the application's {@code MeterRegistry} (what the actuator scrapes),
   * when bulwark-micrometer is on the class path; see bulwark-micrometer's {@code docs/metrics.md}.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(BulwarkMetrics.class)
  @ConditionalOnBean(MeterRegistry.class)
  static class Metrics {
    /** The binding; closed (its meters removed) with the context. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    BulwarkMetrics bulwarkMetrics(Resilience resilience, MeterRegistry registry) {
      return BulwarkMetrics.bind(resilience, registry);
    }
  }

  /** The actuator endpoint and health indicator, when the actuator is on the class path. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
  static class Actuator {
    /** The {@code bulwark} endpoint. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(endpoint = BulwarkEndpoint.class)
    BulwarkEndpoint bulwarkEndpoint(Resilience resilience) {
      return new BulwarkEndpoint(resilience);
    }

    /** The {@code bulwark} health contributor. */
    @Bean
    @ConditionalOnMissingBean(name = "bulwarkHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("bulwark")
    BulwarkHealthIndicator bulwarkHealthIndicator(Resilience resilience, Environment environment) {
      Binder binder = Binder.get(environment);
      String critical =
          binder.bind("management.health.bulwark.critical-status", String.class).orElse("DOWN");
      String degraded =
          binder.bind("management.health.bulwark.degraded-status", String.class).orElse("UP");
      return new BulwarkHealthIndicator(resilience, new Status(critical), new Status(degraded));
    }
  }
}
