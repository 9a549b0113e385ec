package dev.bulwark.spring;

import static dev.bulwark.spring.PropertiesTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Resilience;
import dev.bulwark.cache.CacheConfig;
import dev.bulwark.cache.ResilientCache;
import dev.bulwark.redis.FleetLimiter;
import dev.bulwark.redis.FleetLimiterConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Kinds of other modules (bulwark-cache, bulwark-redis) bind from properties when the module is on
 * the class path, under the registry's own section names. Only configs are read: no Redis is
 * needed, none is connected to.
 */
class ModulePropertiesTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(BulwarkAutoConfiguration.class));

  @Test
  void cacheConfigsAndInstancesBind() {
    runner
        .withPropertyValues(
            "bulwark.cache.configs.default.maximum-size=500",
            "bulwark.cache.instances.users.ttl=10m",
            "bulwark.cache.instances.users.stale-if-error=1h")
        .run(
            context -> {
              Resilience resilience = context.getBean(Resilience.class);
              CacheConfig users = resilience.config(ResilientCache.KIND, "users").orElseThrow();
              assertThat(users.ttl()).isEqualTo(Duration.ofMinutes(10));
              assertThat(users.staleIfError()).isEqualTo(Duration.ofHours(1));
              assertThat(users.maximumSize()).isEqualTo(500);
            });
  }

  @Test
  void fleetLimiterConfigsBindUnderRedis() {
    runner
        .withPropertyValues(
            "bulwark.redis.configs.default.uri=redis://cache.internal:6380",
            "bulwark.redis.instances.partner.limit=500",
            "bulwark.redis.instances.partner.expected-instances=4")
        .run(
            context -> {
              FleetLimiterConfig partner =
                  context
                      .getBean(Resilience.class)
                      .config(FleetLimiter.KIND, "partner")
                      .orElseThrow();
              assertThat(partner.limiter().limit()).isEqualTo(500);
              assertThat(partner.expectedInstances()).isEqualTo(4);
              assertThat(partner.uri()).isEqualTo("redis://cache.internal:6380");
            });
  }

  @Test
  void aBadCacheValueFailsTheStartNamingTheProperty() {
    runner
        .withPropertyValues("bulwark.cache.instances.users.ttl=-5s")
        .run(
            context ->
                assertThat(failure(context))
                    .hasMessageContaining("bulwark.cache.instances.users.ttl")
                    .hasMessageContaining("-5s"));
  }

  @Test
  void aBadRedisValueFailsTheStartNamingThePropertyButNeverTheUri() {
    runner
        .withPropertyValues(
            "bulwark.redis.instances.partner.uri=redis://user:s3cret@cache:6379",
            "bulwark.redis.instances.partner.expected-instances=0")
        .run(
            context ->
                assertThat(failure(context))
                    .hasMessageContaining("bulwark.redis.instances.partner.expected-instances")
                    .hasMessageNotContaining("s3cret"));
  }
}
