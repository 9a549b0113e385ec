package dev.bulwark.http;

import dev.bulwark.test.SettingsDoc;
import org.junit.jupiter.api.Test;

/**
 * The HTTP health check's table in {@code docs/configuration.md} is generated from its declared
 * settings, as core's tables are; to rewrite it:
 *
 * <pre>
 * mvn -B -o -pl bulwark-http -am test -Dtest=HttpCheckDocTest -Dbulwark.docs.write=true \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class HttpCheckDocTest {
  @Test
  void theDocsTableOfTheHttpCheckIsItsDeclaredSettings() {
    SettingsDoc.assertDocumented(HttpHealthCheck.KIND);
  }
}
