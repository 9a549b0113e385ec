package dev.bulwark;

import dev.bulwark.internal.Check;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.Setting;
import dev.bulwark.timeout.Timeout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/*
 * Bulwark's settings as environment variables or properties, parsed into typed values, for the
 * kinds a registry knows (core's and any a module registered) and the registry's own settings.
 *
 * One naming scheme: a properties key becomes its variable name by upper-casing it and turning
 * every '.' and '-' into '_' (bulwark.breaker.payments.open-duration is
 * BULWARK_BREAKER_PAYMENTS_OPEN_DURATION). Both forms are parsed in the variable form, char by
 * char, so indices into the variable name are indices into the key as written. After BULWARK_ come
 * either a global setting (ENABLED) or a kind's prefix (BREAKER_) and then either a setting of that
 * kind (the default config) or a config name followed by a setting; when several settings end the
 * name, the longest wins (..._MAX_OPEN_DURATION is maxOpenDuration).
 *
 * Types and ranges are checked here (Setting.parse); how values fit together is checked by the
 * config builders, whose messages are renamed from the builder's field to the variable as written.
 */
final class Settings {

  /** The config name that stands for a kind's default config. */
  static final String DEFAULT = "DEFAULT";

  /**
   * One setting as given.
   *
   * @param kind its kind; null for a registry setting
   * @param configName the config it applies to, normalized; {@link #DEFAULT} for the default
   * @param source the variable or key as written
   * @param text the value as written
   * @param value the value {@link Setting#parse} returned
   */
  record Value(
      @Nullable PolicyKind<?, ?, ?> kind,
      Setting<?> setting,
      String configName,
      String source,
      String text,
      Object value) {

    /** Which setting this is, whatever its spelling: kind, setting and config name. */
    String id() {
      return (kind == null ? "" : kind.id()) + "/" + setting.name() + "@" + configName;
    }

    /** {@code e} from a builder, reworded to name this setting as written instead of the field. */
    IllegalArgumentException rename(IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      if (!explains(e)) {
        return new IllegalArgumentException(source + "=" + text + ": " + message, e);
      }
      String rest = message.substring(setting.field().length());
      int was = rest.lastIndexOf(", was ");
      if (was >= 0) {
        rest = rest.substring(0, was) + ", was " + text.trim();
      }
      return new IllegalArgumentException(source + rest, e);
    }

    boolean explains(IllegalArgumentException e) {
      String message = e.getMessage();
      return message != null && message.startsWith(setting.field() + " ");
    }
  }

  private final List<? extends Setting<?>> globals;
  private final Collection<PolicyKind<?, ?, ?>> kinds;

  Settings(List<? extends Setting<?>> globals, Collection<PolicyKind<?, ?, ?>> kinds) {
    this.globals = globals;
    this.kinds = kinds;
  }

  /** A config name as settings match it: upper case, every other character but digits '_'. */
  static String normalize(String name) {
    char[] chars = new char[name.length()];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = normalized(name.charAt(i));
    }
    return new String(chars);
  }

  private static char normalized(char c) {
    if (c >= 'a' && c <= 'z') {
      return (char) (c - 'a' + 'A');
    }
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c : '_';
  }

  /** Whether {@code normalize(given).equals(normalized)}, without allocating. */
  static boolean sameName(String given, String normalized) {
    if (given.length() != normalized.length()) {
      return false;
    }
    for (int i = 0; i < given.length(); i++) {
      if (normalized(given.charAt(i)) != normalized.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The Bulwark settings among environment variables (names starting with {@code BULWARK_}) or
   * properties (keys starting with {@code bulwark.}, any case); others are ignored.
   *
   * @throws IllegalArgumentException naming the variable or key: unknown, not ASCII, a bad value,
   *     or the same setting under two spellings
   */
  List<Value> parse(Map<String, String> entries, boolean properties) {
    Map<String, Value> seen = new HashMap<>();
    List<Value> values = new ArrayList<>();
    for (Map.Entry<String, String> e : entries.entrySet()) {
      String name = e.getKey();
      if (name == null
          || !(properties
              ? name.regionMatches(true, 0, "bulwark.", 0, 8)
              : name.startsWith("BULWARK_"))) {
        continue;
      }
      Value value = parse(name, properties ? envForm(name) : name, e.getValue(), properties);
      Value twin = seen.put(value.id(), value);
      if (twin != null) {
        String a = twin.source().compareTo(name) < 0 ? twin.source() : name;
        String b = a.equals(name) ? twin.source() : name;
        throw new IllegalArgumentException(a + " and " + b + " are the same setting; keep one");
      }
      values.add(value);
    }
    return values;
  }

  /**
   * The entries of {@code properties}, its defaults included, as text: a value that is a number, a
   * boolean, a duration or an enum constant is converted with {@code toString}.
   *
   * @throws IllegalArgumentException naming the key, for a {@code bulwark.*} value of another type
   */
  static Map<String, String> text(Properties properties) {
    Map<String, String> copy = new LinkedHashMap<>();
    for (String key : properties.stringPropertyNames()) {
      copy.put(key, properties.getProperty(key));
    }
    for (Map.Entry<Object, Object> e : properties.entrySet()) {
      if (e.getKey() instanceof String key
          && key.regionMatches(true, 0, "bulwark.", 0, 8)
          && !(e.getValue() instanceof String)) {
        Object v = e.getValue();
        if (!(v instanceof Number || v instanceof Boolean || v instanceof Duration)
            && !(v instanceof Enum || v instanceof CharSequence)) {
          String type = v.getClass().getName();
          throw new IllegalArgumentException(
              key
                  + " has a value of type "
                  + type
                  + "; give text, a number, a boolean or a Duration");
        }
        copy.put(key, v.toString());
      }
    }
    return copy;
  }

  /** {@code key} in the variable form; the same length, char for char. */
  static String envForm(String key) {
    char[] chars = new char[key.length()];
    for (int i = 0; i < chars.length; i++) {
      char c = key.charAt(i);
      chars[i] = c == '.' || c == '-' ? '_' : Character.toUpperCase(c);
    }
    return new String(chars);
  }

  private Value parse(String source, String env, String text, boolean property) {
    for (int i = 0; i < source.length(); i++) {
      if (source.charAt(i) > 127) {
        String where = "'" + source.charAt(i) + "' at index " + i;
        throw new IllegalArgumentException(
            "Bulwark setting names are ASCII: " + source + " has " + where);
      }
    }
    String value = String.valueOf(text);
    String rest = env.substring("BULWARK_".length());
    for (Setting<?> global : globals) {
      if (global.name().equals(rest)) {
        return new Value(null, global, DEFAULT, source, value, global.parse(source, value));
      }
    }
    PolicyKind<?, ?, ?> bestKind = null;
    Setting<?> best = null;
    int nameEnd = -1;
    for (PolicyKind<?, ?, ?> kind : kinds) {
      if (!rest.startsWith(kind.envPrefix())) {
        continue;
      }
      String tail = rest.substring(kind.envPrefix().length());
      for (Setting<?> s : kind.settings()) {
        if (tail.equals(s.name())) {
          return new Value(kind, s, DEFAULT, source, value, s.parse(source, value));
        }
        if (tail.length() > s.name().length() + 1
            && tail.endsWith("_" + s.name())
            && (best == null || s.name().length() > best.name().length())) {
          bestKind = kind;
          best = s;
          nameEnd = tail.length() - s.name().length() - 1;
        }
      }
    }
    if (best == null || bestKind == null) {
      throw unknown(source, rest, property);
    }
    int start = bestKind.envPrefix().length();
    String name = normalize(rest.substring(start, start + nameEnd));
    return new Value(bestKind, best, name, source, value, best.parse(source, value));
  }

  private IllegalArgumentException unknown(String source, String rest, boolean property) {
    String suggestion = nearMiss(source, rest, property);
    return new IllegalArgumentException(
        "unknown Bulwark setting "
            + source
            + (suggestion == null ? "" : "; did you mean " + suggestion + "?")
            + " (every setting is listed in docs/configuration.md; remove or rename it)");
  }

  /** The known setting closest to {@code rest}, as the user would write it; null if none close. */
  private @Nullable String nearMiss(String source, String rest, boolean property) {
    String best = null;
    int bestDistance = 4; // farther is no suggestion
    for (Setting<?> global : globals) {
      int d = distance(rest, global.name());
      if (d < bestDistance) {
        bestDistance = d;
        best = property ? "bulwark." + global.propertyName() : "BULWARK_" + global.name();
      }
    }
    for (PolicyKind<?, ?, ?> kind : kinds) {
      String prefix = kind.envPrefix();
      for (Setting<?> s : kind.settings()) {
        int d = distance(rest, prefix + s.name());
        if (d < bestDistance) {
          bestDistance = d;
          best =
              property
                  ? "bulwark." + kind.propertyPrefix() + s.propertyName()
                  : "BULWARK_" + prefix + s.name();
        }
        if (!rest.startsWith(prefix)) {
          continue;
        }
        int start = "BULWARK_".length() + prefix.length();
        for (int i = start + 1; i < source.length(); i++) {
          char c = source.charAt(i);
          if (c != '_' && c != '.' && c != '-') {
            continue;
          }
          d = distance(rest.substring(i - "BULWARK_".length() + 1), s.name());
          if (d < bestDistance) {
            bestDistance = d;
            String name = source.substring(start, i);
            best =
                property
                    ? "bulwark." + kind.propertyPrefix() + name + "." + s.propertyName()
                    : "BULWARK_" + prefix + name + "_" + s.name();
          }
        }
      }
    }
    return best;
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /** A source of settings, read at build and again by {@link Resilience#reload()}. */
  record Layer(Supplier<Map<String, String>> source, boolean properties) {}

  /**
   * Every setting in {@code layers}, a later layer winning, by kind and normalized config name; the
   * registry's own settings go to {@code globals}, by name. With {@code defaultTimeout}, the
   * default timeout config's limit, below its own setting.
   */
  Map<PolicyKind<?, ?, ?>, Map<String, List<Value>>> read(
      List<Layer> layers, Map<String, Object> globals, @Nullable Duration defaultTimeout) {
    Map<String, Value> merged = new LinkedHashMap<>();
    for (Layer layer : layers) {
      Map<String, String> entries = Check.notNull("a settings source's map", layer.source().get());
      for (Value v : parse(entries, layer.properties())) {
        merged.put(v.id(), v);
      }
    }
    Map<PolicyKind<?, ?, ?>, Map<String, List<Value>>> byKind = new HashMap<>();
    if (defaultTimeout != null) { // first, so that BULWARK_TIMEOUT_DURATION applies after it
      Setting<?> limit = Timeout.KIND.settings().get(0);
      String text = defaultTimeout.toString();
      Value v = new Value(Timeout.KIND, limit, DEFAULT, "defaultTimeout", text, defaultTimeout);
      byKind.put(Timeout.KIND, new HashMap<>(Map.of(DEFAULT, new ArrayList<>(List.of(v)))));
    }
    for (Value v : merged.values()) {
      if (v.kind() == null) {
        globals.put(v.setting().name(), v.value());
      } else {
        byKind
            .computeIfAbsent(v.kind(), k -> new HashMap<>())
            .computeIfAbsent(v.configName(), k -> new ArrayList<>())
            .add(v);
      }
    }
    return byKind;
  }

  /** What {@code values} set, for fingerprints: {@code [OPEN_DURATION=PT1M, ...]}. */
  static String describe(List<Value> values) {
    StringBuilder out = new StringBuilder("[");
    for (Value v : values) {
      out.append(v.setting().name()).append('=').append(v.value()).append(';');
    }
    return out.append(']').toString();
  }

  /**
   * {@code base} with {@code values} applied through the kind's builder, in the order the kind
   * declares its settings; a bad value's error is renamed to the variable as written, and a config
   * the builder refuses names the settings that do not fit together.
   */
  @SuppressWarnings("unchecked")
  static <C, B> C apply(PolicyKind<?, C, B> kind, C base, List<Value> values, String configName) {
    B builder = kind.toBuilder(base);
    List<Value> ordered = new ArrayList<>(values);
    ordered.sort(
        (a, b) -> kind.settings().indexOf(a.setting()) - kind.settings().indexOf(b.setting()));
    for (Value v : ordered) {
      try {
        ((Setting<B>) v.setting()).apply(builder, v.value());
      } catch (IllegalArgumentException e) {
        throw misfit(kind.label(), configName, ordered, e);
      }
    }
    try {
      return kind.build(builder);
    } catch (IllegalArgumentException e) {
      throw misfit(kind.label(), configName, ordered, e);
    }
  }

  /**
   * A failure of values that do not fit together: named after the setting the message is about when
   * it was set here, else after the config and every setting applied to it.
   */
  static IllegalArgumentException misfit(
      String label, String configName, List<Value> values, IllegalArgumentException e) {
    for (Value v : values) {
      if (v.explains(e)) {
        return v.rename(e);
      }
    }
    StringBuilder set = new StringBuilder();
    for (Value v : values) {
      set.append(set.length() == 0 ? "" : ", ")
          .append(v.source())
          .append("=")
          .append(v.setting().isSecret() ? "(secret)" : v.text());
    }
    return new IllegalArgumentException(
        label + " config '" + configName + "' with " + set + ": " + e.getMessage(), e);
  }
}
