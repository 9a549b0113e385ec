package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Resilience;
import dev.bulwark.cache.ResilientCache;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

/**
 * bulwark-cache and bulwark-redis are optional: without them on the class path, binding still works
 * and meters the core kinds. The module's classes are loaded here by a loader that cannot see
 * either module, as in an application without them; a registry cache (made by the test's own
 * loader) stands for a policy whose type the module cannot load.
 */
class OptionalModulesTest {

  /** Finds every class from the parent except the two optional modules' and this module's own. */
  private static final class WithoutCacheAndRedis extends ClassLoader {
    WithoutCacheAndRedis(ClassLoader parent) {
      super(parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.startsWith("dev.bulwark.cache.")
          || name.startsWith("dev.bulwark.redis.")
          || name.startsWith("dev.bulwark.micrometer.")) {
        throw new ClassNotFoundException(name + " is hidden by this test");
      }
      return super.loadClass(name, resolve);
    }
  }

  @Test
  void withoutCacheAndRedisOnTheClassPathBindingMetersTheCoreKinds() throws Exception {
    URL moduleClasses = MeterSet.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {moduleClasses},
            new WithoutCacheAndRedis(OptionalModulesTest.class.getClassLoader()))) {
      Class<?> meterSet = loader.loadClass("dev.bulwark.micrometer.MeterSet");
      for (String present : new String[] {"CACHE_PRESENT", "FLEET_PRESENT"}) {
        Field field = meterSet.getDeclaredField(present); // package-private, in another loader
        field.setAccessible(true);
        assertThat(field.getBoolean(null)).as(present).isFalse();
      }

      Resilience resilience = Resilience.builder().build();
      // a policy of a kind the hidden module would meter: binding must pass it by, not fail on it
      ResilientCache.named(resilience, "users");
      MeterRegistry meters = new SimpleMeterRegistry();
      Method bind =
          loader
              .loadClass("dev.bulwark.micrometer.BulwarkMetrics")
              .getMethod("bind", Resilience.class, MeterRegistry.class);
      try (AutoCloseable metrics = (AutoCloseable) bind.invoke(null, resilience, meters)) {
        resilience.circuitBreaker("payments").call(() -> "ok");
        resilience.retry("inventory");

        assertThat(meters.get("bulwark.circuitbreaker.state").tag("name", "payments").gauge())
            .isNotNull();
        assertThat(meters.find("bulwark.retry.calls").meters()).isNotEmpty();
        assertThat(meters.find("bulwark.cache.requests").meters()).isEmpty();
        // the cache's breaker and retry, and the two above; not the cache
        assertThat(metrics).hasToString("BulwarkMetrics[4 policies bound, cap 100]");
      }
    }
  }
}
