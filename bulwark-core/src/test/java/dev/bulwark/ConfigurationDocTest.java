package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.spi.PolicyKind;
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
 * The settings tables of {@code docs/configuration.md} are generated from the settings'
 * declarations; this test fails when they disagree. To rewrite the doc from the declarations:
 *
 * <pre>
 * mvn -B -o -pl bulwark-core test -Dtest=ConfigurationDocTest -Dbulwark.docs.write=true
 * </pre>
 */
class ConfigurationDocTest {
  private static final Path DOC = Path.of("..", "docs", "configuration.md");
  private static final Pattern REGION =
      Pattern.compile("(<!-- settings:([a-z-]+) -->\n)(.*?)(<!-- /settings -->)", Pattern.DOTALL);

  @Test
  void theSettingsTablesOfTheDocAreTheDeclaredSettings() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    String generated = regenerate(doc);

    if (Boolean.getBoolean("bulwark.docs.write")) {
      Files.writeString(DOC, generated, StandardCharsets.UTF_8);
    }
    assertThat(doc)
        .as(
            "docs/configuration.md differs from the settings declared in code; rewrite it with"
                + " mvn -B -o -pl bulwark-core test -Dtest=ConfigurationDocTest"
                + " -Dbulwark.docs.write=true")
        .isEqualTo(generated);
  }

  @Test
  void everyCoreKindWithSettingsHasATableInTheDoc() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);

    for (PolicyKind<?, ?, ?> kind : Resilience.CORE_KINDS) {
      if (!kind.settings().isEmpty()) {
        assertThat(doc).contains("<!-- settings:" + kind.id() + " -->");
      }
    }
    assertThat(doc).contains("<!-- settings:registry -->");
  }

  /** {@code doc} with every generated region rewritten from the declarations. */
  static String regenerate(String doc) {
    Matcher m = REGION.matcher(doc);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String id = m.group(2);
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + table(id) + m.group(4)));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String table(String id) {
    StringBuilder t = new StringBuilder();
    if (id.equals("registry")) {
      t.append("| Variable | Properties key | Meaning | Default | Allowed |\n");
      t.append("|---|---|---|---|---|\n");
      for (Setting<?> s : Resilience.GLOBALS) {
        t.append(
            row(
                "`BULWARK_" + s.name() + "`",
                "`bulwark." + s.propertyName() + "`",
                s.doc(),
                s.defaultValue(),
                s.allowed()));
      }
      return t.toString();
    }
    PolicyKind<?, ?, ?> kind =
        Resilience.CORE_KINDS.stream()
            .filter(k -> k.id().equals(id))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no core kind '" + id + "'"));
    t.append(
        "| Setting (variable suffix) | Properties suffix | Config field | Meaning | Default |");
    t.append(" Allowed |\n|---|---|---|---|---|---|\n");
    for (Setting<?> s : kind.settings()) {
      t.append(
          row(
              "`" + s.name() + "`",
              "`" + s.propertyName() + "`",
              "`" + s.field() + "`",
              s.doc(),
              s.defaultValue(),
              s.allowed()));
    }
    return t.toString();
  }

  private static String row(String... cells) {
    return "| " + String.join(" | ", List.of(cells)) + " |\n";
  }
}
