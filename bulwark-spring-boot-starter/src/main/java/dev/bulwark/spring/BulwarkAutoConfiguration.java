package dev.bulwark.spring;

import dev.bulwark.Resilience;
import dev.bulwark.ResilienceBuilder;
import dev.bulwark.spi.PolicyKind;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
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
@AutoConfiguration
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
}
