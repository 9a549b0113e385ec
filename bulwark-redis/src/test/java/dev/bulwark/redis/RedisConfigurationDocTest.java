package dev.bulwark.redis;

import dev.bulwark.test.SettingsDoc;
import org.junit.jupiter.api.Test;

/**
 * The fleet limiter's and fleet breaker's tables in {@code docs/configuration.md} are generated
 * from their declared settings, as core's tables are; to rewrite it:
 *
 * <pre>
 * mvn -B -o -pl bulwark-redis -am test -Dtest=RedisConfigurationDocTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dbulwark.docs.write=true
 * </pre>
 */
class RedisConfigurationDocTest {
  @Test
  void theDocsTableOfTheFleetLimiterIsItsDeclaredSettings() {
    SettingsDoc.assertDocumented(FleetLimiter.KIND);
  }

  @Test
  void theDocsTableOfFleetBreakerSharingIsItsDeclaredSettings() {
    SettingsDoc.assertDocumented(FleetBreaker.KIND);
  }
}
