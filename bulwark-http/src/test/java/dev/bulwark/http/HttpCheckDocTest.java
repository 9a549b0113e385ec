package dev.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.spi.Setting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  private static final Path DOC = Path.of("..", "docs", "configuration.md");
  private static final Pattern REGION =
      Pattern.compile(
          "(<!-- module-settings:http-check -->\n)(.*?)(<!-- /module-settings -->)",
          Pattern.DOTALL);

  @Test
  void theDocsTableOfTheHttpCheckIsItsDeclaredSettings() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    Matcher m = REGION.matcher(doc);
    assertThat(m.find())
        .as("docs/configuration.md has a module-settings:http-check region")
        .isTrue();
    StringBuilder table =
        new StringBuilder(
            "| Setting (variable suffix) | Properties suffix | Config field | Meaning | Default |"
                + " Allowed |\n|---|---|---|---|---|---|\n");
    for (Setting<?> s : HttpHealthCheck.KIND.settings()) {
      table.append(
          String.join(
                  " | ",
                  "| `" + s.name() + "`",
                  "`" + s.propertyName() + "`",
                  "`" + s.field() + "`",
                  s.doc(),
                  s.defaultValue(),
                  s.allowed() + " |")
              + "\n");
    }
    String generated = doc.substring(0, m.start(2)) + table + doc.substring(m.end(2));
    if (Boolean.getBoolean("bulwark.docs.write")) {
      Files.writeString(DOC, generated, StandardCharsets.UTF_8);
    }
    assertThat(doc).as("docs/configuration.md, HTTP health check table").isEqualTo(generated);
  }
}
