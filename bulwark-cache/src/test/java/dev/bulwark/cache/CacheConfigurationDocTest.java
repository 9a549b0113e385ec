package dev.bulwark.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.spi.Setting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  private static final Path DOC = Path.of("..", "docs", "configuration.md");
  private static final Pattern REGION =
      Pattern.compile(
          "(<!-- module-settings:cache -->\n)(.*?)(<!-- /module-settings -->)", Pattern.DOTALL);

  @Test
  void theCacheSettingsTableOfTheDocIsTheDeclaredSettings() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    Matcher m = REGION.matcher(doc);
    assertThat(m.find())
        .as("docs/configuration.md has a <!-- module-settings:cache --> region")
        .isTrue();
    String generated = doc.substring(0, m.start(2)) + table() + doc.substring(m.end(2));

    if (Boolean.getBoolean("bulwark.docs.write")) {
      Files.writeString(DOC, generated, StandardCharsets.UTF_8);
    }
    assertThat(doc)
        .as(
            "the cache settings in docs/configuration.md differ from ResilientCache.KIND's; rewrite"
                + " them with mvn -B -o -pl bulwark-cache -am test"
                + " -Dtest=CacheConfigurationDocTest -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Dbulwark.docs.write=true")
        .isEqualTo(generated);
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

  private static String table() {
    StringBuilder t = new StringBuilder();
    t.append(
        "| Setting (variable suffix) | Properties suffix | Config field | Meaning | Default |");
    t.append(" Allowed |\n|---|---|---|---|---|---|\n");
    for (Setting<?> s : ResilientCache.KIND.settings()) {
      t.append(
          "| "
              + String.join(
                  " | ",
                  List.of(
                      "`" + s.name() + "`",
                      "`" + s.propertyName() + "`",
                      "`" + s.field() + "`",
                      s.doc(),
                      s.defaultValue(),
                      s.allowed()))
              + " |\n");
    }
    return t.toString();
  }
}
