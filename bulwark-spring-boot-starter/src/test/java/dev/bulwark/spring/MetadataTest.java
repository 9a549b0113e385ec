package dev.bulwark.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.Setting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The IDE metadata ({@code META-INF/spring-configuration-metadata.json}) is generated from the
 * settings every kind declares; this test fails when the committed file disagrees. To rewrite it:
 *
 * <pre>
 * mvn -B -o -pl bulwark-spring-boot-starter -am test -Dtest=MetadataTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dbulwark.docs.write=true
 * </pre>
 */
class MetadataTest {
  private static final Path FILE =
      Path.of("src", "main", "resources", "META-INF", "spring-configuration-metadata.json");

  /** The registry's own settings, described here (their declarations are core's, not public). */
  private static final Map<String, String[]> GLOBALS =
      Map.of(
          "enabled",
          new String[] {
            "java.lang.Boolean", "false: pipelines pass calls straight through and create nothing."
          },
          "default-timeout",
          new String[] {
            "java.time.Duration",
            "A timeout in every pipeline, and the default timeout config's limit. Default none."
          },
          "max-instances",
          new String[] {
            "java.lang.Integer", "Most instances of each kind the registry holds. Default 10000."
          },
          "idle-eviction",
          new String[] {
            "java.time.Duration",
            "Evict instances not looked up for this long; never a busy one. Default 0 (off)."
          });

  /** Properties of the starter itself: name, type, description. */
  static final List<String[]> STARTER =
      List.of(
          new String[] {
            "management.health.bulwark.critical-status",
            "java.lang.String",
            "Health status reported while the registry's health is CRITICAL (a breaker open)."
                + " Default DOWN."
          },
          new String[] {
            "management.health.bulwark.degraded-status",
            "java.lang.String",
            "Health status reported while the registry's health is DEGRADED (a breaker half-open,"
                + " recent failures, fallbacks served). Default UP."
          });

  @Test
  void theCommittedMetadataIsTheDeclaredSettings() throws IOException {
    String generated = generate();
    if (Boolean.getBoolean("bulwark.docs.write")) {
      Files.writeString(FILE, generated, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(FILE, StandardCharsets.UTF_8))
        .as(
            "the IDE metadata differs from the declared settings; rewrite it with mvn -B -o -pl"
                + " bulwark-spring-boot-starter -am test -Dtest=MetadataTest"
                + " -Dsurefire.failIfNoSpecifiedTests=false -Dbulwark.docs.write=true")
        .isEqualTo(generated);
  }

  @Test
  void everyKindWithSettingsHasItsSectionAndEverySettingItsProperty() throws IOException {
    String file = Files.readString(FILE, StandardCharsets.UTF_8);
    for (PolicyKind<?, ?, ?> kind : SpringSettings.kinds()) {
      for (Setting<?> setting : kind.settings()) {
        assertThat(file)
            .contains(
                "\"bulwark."
                    + SpringSettings.section(kind)
                    + ".configs.default."
                    + setting.propertyName()
                    + "\"");
      }
    }
    assertThat(file).contains("\"bulwark.circuit-breaker.instances\"");
  }

  static String generate() {
    List<String> groups = new ArrayList<>();
    List<String> properties = new ArrayList<>();
    List<String> hints = new ArrayList<>();
    groups.add(group("bulwark", "Bulwark: the registry's own settings and one section per kind."));
    GLOBALS.keySet().stream()
        .sorted()
        .forEach(
            name -> {
              String[] d = GLOBALS.get(name);
              properties.add(property("bulwark." + name, d[0], d[1]));
            });
    for (PolicyKind<?, ?, ?> kind : SpringSettings.kinds()) {
      if (kind.settings().isEmpty()) {
        continue;
      }
      String section = "bulwark." + SpringSettings.section(kind);
      groups.add(
          group(
              section,
              "Configs of every "
                  + kind.label()
                  + ": configs.<name>.<setting> (configs.default for the default), and"
                  + " instances.<name>.<setting>."));
      List<String> names = new ArrayList<>();
      for (Setting<?> setting : kind.settings()) {
        names.add(setting.propertyName());
        String name = section + ".configs.default." + setting.propertyName();
        properties.add(property(name, type(setting), describe(kind, setting)));
        if (setting.type() == Setting.Type.CHOICE) {
          hints.add(hint(name, choices(setting)));
        }
      }
      names.add("base-config");
      String mapType =
          "java.util.Map<java.lang.String,java.util.Map<java.lang.String,java.lang.String>>";
      properties.add(
          property(
              section + ".configs",
              mapType,
              "Named "
                  + kind.label()
                  + " configs, shared by instances that name one as base-config: "
                  + String.join(", ", names)
                  + "."));
      properties.add(
          property(
              section + ".instances",
              mapType,
              "The config of the "
                  + kind.label()
                  + " of each name, on top of the default (or of its base-config): "
                  + String.join(", ", names)
                  + "."));
    }
    for (String[] own : STARTER) {
      properties.add(property(own[0], own[1], own[2]));
    }
    return "{\n  \"groups\": [\n"
        + String.join(",\n", groups)
        + "\n  ],\n  \"properties\": [\n"
        + String.join(",\n", properties)
        + "\n  ],\n  \"hints\": [\n"
        + String.join(",\n", hints)
        + "\n  ]\n}\n";
  }

  private static String describe(PolicyKind<?, ?, ?> kind, Setting<?> setting) {
    String doc = setting.doc();
    String text =
        doc.isEmpty() ? kind.label() : Character.toUpperCase(doc.charAt(0)) + doc.substring(1);
    return (text
            + ". Default "
            + (setting.defaultValue().isEmpty() ? "none" : setting.defaultValue())
            + ". Allowed: "
            + setting.allowed()
            + ".")
        .replace("`", "");
  }

  private static String type(Setting<?> setting) {
    switch (setting.type()) {
      case BOOLEAN:
        return "java.lang.Boolean";
      case INTEGER:
        return "java.lang.Integer";
      case DECIMAL:
        return "java.lang.Double";
      case DURATION:
        return "java.time.Duration";
      default:
        return "java.lang.String";
    }
  }

  private static List<String> choices(Setting<?> setting) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("`([A-Z0-9_]+)`").matcher(setting.allowed());
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static String group(String name, String description) {
    return "    {\n      \"name\": "
        + quote(name)
        + ",\n      \"description\": "
        + quote(description)
        + "\n    }";
  }

  private static String property(String name, String type, String description) {
    return "    {\n      \"name\": "
        + quote(name)
        + ",\n      \"type\": "
        + quote(type)
        + ",\n      \"description\": "
        + quote(description)
        + "\n    }";
  }

  private static String hint(String name, List<String> values) {
    List<String> items = new ArrayList<>();
    for (String v : values) {
      items.add("        {\n          \"value\": " + quote(v) + "\n        }");
    }
    return "    {\n      \"name\": "
        + quote(name)
        + ",\n      \"values\": [\n"
        + String.join(",\n", items)
        + "\n      ]\n    }";
  }

  private static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.append('"').toString();
  }
}
