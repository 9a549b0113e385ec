package dev.bulwark.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.test.SettingsDoc;
import org.junit.jupiter.api.Test;

/**
 * The cache's settings table in {@code docs/configuration.md} is generated from {@link
 * ResilientCache#KIND}'s declarations (core's {@code ConfigurationDocTest} does the same for core's
 * kinds, and does not see this one); this test fails when they disagree. To rewrite it:
 *
 * <pre>
 * mvn -B -o -pl bulwark-cache -am test -Dtest=CacheConfigurationDocTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dbulwark.docs.write=true
 * </pre>
 */
class CacheConfigurationDocTest {
  @Test
  void theCacheSettingsTableOfTheDocIsTheDeclaredSettings() {
    SettingsDoc.assertDocumented(ResilientCache.KIND);
  }

  @Test
  void everySettingOfTheKindIsDocumentedWithItsMeaningAndDefault() {
    assertThat(ResilientCache.KIND.settings())
        .isNotEmpty()
        .allSatisfy(
            s -> {
              assertThat(s.doc()).as(s.name()).isNotBlank();
              assertThat(s.defaultValue()).as(s.name()).isNotBlank();
            });
  }
}
