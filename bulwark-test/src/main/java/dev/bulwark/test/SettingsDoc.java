package dev.bulwark.test;

import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.Setting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that a module's table in {@code docs/configuration.md} is its kind's declared settings, so
 * a module outside core documents its settings the way core's kinds are documented. The table sits
 * between {@code <!-- module-settings:ID -->} and {@code <!-- /module-settings -->}; with the
 * system property {@code bulwark.docs.write=true} the check rewrites it instead of failing.
 *
 * <p>Thread-safe.
 */
public final class SettingsDoc {
  private static final Path DOC = Path.of("..", "docs", "configuration.md");

  private SettingsDoc() {}

  /**
   * Fails unless the doc's region for {@code kind} (by its id) holds exactly the table of its
   * settings; rewrites the region instead when {@code bulwark.docs.write} is {@code true}.
   *
   * @throws AssertionError if the region is missing or differs, naming the command that rewrites it
   * @throws UncheckedIOException if the doc cannot be read or written
   */
  public static void assertDocumented(PolicyKind<?, ?, ?> kind) {
    String id = kind.id();
    Pattern region =
        Pattern.compile(
            "(<!-- module-settings:"
                + Pattern.quote(id)
                + " -->\n)(.*?)(<!-- /module-settings -->)",
            Pattern.DOTALL);
    try {
      String doc = Files.readString(DOC, StandardCharsets.UTF_8);
      Matcher m = region.matcher(doc);
      if (!m.find()) {
        throw new AssertionError(
            "docs/configuration.md has no <!-- module-settings:" + id + " --> region");
      }
      String generated = doc.substring(0, m.start(2)) + table(kind) + doc.substring(m.end(2));
      if (Boolean.getBoolean("bulwark.docs.write")) {
        Files.writeString(DOC, generated, StandardCharsets.UTF_8);
      } else if (!doc.equals(generated)) {
        throw new AssertionError(
            "the "
                + kind.label()
                + " settings in docs/configuration.md differ from their declarations; rewrite"
                + " them by running this test with -Dbulwark.docs.write=true");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String table(PolicyKind<?, ?, ?> kind) {
    StringBuilder t =
        new StringBuilder(
            "| Setting (variable suffix) | Properties suffix | Config field | Meaning | Default |"
                + " Allowed |\n|---|---|---|---|---|---|\n");
    for (Setting<?> s : kind.settings()) {
      if (s.doc().isBlank()) {
        throw new AssertionError(s.name() + " has no one-line doc in its declaration");
      }
      t.append("| `")
          .append(s.name())
          .append("` | `")
          .append(s.propertyName())
          .append("` | `")
          .append(s.field())
          .append("` | ")
          .append(String.join(" | ", s.doc(), s.defaultValue(), s.allowed()))
          .append(" |\n");
    }
    return t.toString();
  }
}
