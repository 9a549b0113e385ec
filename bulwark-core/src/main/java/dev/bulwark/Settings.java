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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/*
 * Bulwark's settings (environment variables or properties) parsed into typed values, for the kinds
 * a registry knows and its own settings; and each kind's named configs, resolved from what the code
 * declared and what the settings say.
 *
 * One naming scheme: a properties key becomes its variable name by upper-casing it and turning '.'
 * and '-' into '_' (bulwark.breaker.payments.open-duration is BULWARK_BREAKER_PAYMENTS_OPEN_DURATION),
 * char for char, so an index into one is an index into the other. After BULWARK_ come a registry
 * setting (ENABLED), or a kind's prefix (BREAKER_) and a setting of its default config, or a config
 * name and a setting; when several settings end the name, the longest wins (..._MAX_OPEN_DURATION is
 * maxOpenDuration). Setting.parse checks types and ranges; the config builders check how values fit,
 * and their messages are reworded to name the variable as written.
 */
final class Settings {

  /** The config name that stands for a kind's default config. */
  static final String DEFAULT = "DEFAULT";

  /**
   * One setting as given: its kind (null for a registry setting), the config it applies to
   * (normalized), the variable or key and the value as written, and the value parsed.
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
  }

  /** A source of settings, read at build and again by {@link Resilience#reload()}. */
  record Layer(Supplier<Map<String, String>> source, boolean properties) {}

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
   * The entries of {@code properties}, its defaults included, as text; a number, boolean, duration
   * or enum constant converted with {@code toString}.
   *
   * @throws IllegalArgumentException naming the key, for a {@code bulwark.*} value of another type
   */
  static Map<String, String> text(Properties properties) {
    Map<String, String> copy = new LinkedHashMap<>();
    for (String key : properties.stringPropertyNames()) {
      copy.put(key, properties.getProperty(key));
    }
    properties.forEach(
        (k, v) -> {
          if (k instanceof String key && key.regionMatches(true, 0, "bulwark.", 0, 8)) {
            if (!(v instanceof Number || v instanceof Boolean || v instanceof Duration)
                && !(v instanceof Enum || v instanceof CharSequence)) {
              String type = " has a value of type " + v.getClass().getName();
              throw new IllegalArgumentException(
                  key + type + "; give text, a number, a boolean or a Duration");
            }
            copy.put(key, v.toString());
          }
        });
    return copy;
  }

  /**
   * Every setting in {@code layers}, a later layer winning, by kind and normalized config name; the
   * registry's own settings go to {@code globals}, by name. With {@code defaultTimeout}, the
   * default timeout config's limit, below its own setting.
   *
   * @throws IllegalArgumentException naming the variable or key: unknown, not ASCII, a bad value,
   *     or the same setting under two spellings in one layer
   */
  Map<PolicyKind<?, ?, ?>, Map<String, List<Value>>> read(
      List<Layer> layers, Map<String, Object> globals, @Nullable Duration defaultTimeout) {
    Map<String, Value> merged = new LinkedHashMap<>();
    if (defaultTimeout != null) { // first, so that BULWARK_TIMEOUT_DURATION applies after it
      Setting<?> limit = Timeout.KIND.settings().get(0);
      String text = defaultTimeout.toString();
      Value v = new Value(Timeout.KIND, limit, DEFAULT, "defaultTimeout", text, defaultTimeout);
      merged.put("", v); // an id no setting has: both apply, this one first
    }
    for (Layer layer : layers) {
      Map<String, Value> seen = new HashMap<>();
      Map<String, String> entries = Check.notNull("a settings source's map", layer.source().get());
      for (Map.Entry<String, String> e : entries.entrySet()) {
        String name = e.getKey();
        boolean property = layer.properties();
        if (name == null
            || !(property
                ? name.regionMatches(true, 0, "bulwark.", 0, 8)
                : name.startsWith("BULWARK_"))) {
          continue;
        }
        Value value = parse(name, property ? envForm(name) : name, e.getValue(), property);
        Value twin = seen.put(value.id(), value);
        if (twin != null) {
          String a = twin.source().compareTo(name) < 0 ? twin.source() : name;
          String b = a.equals(name) ? twin.source() : name;
          throw new IllegalArgumentException(a + " and " + b + " are the same setting; keep one");
        }
        merged.put(value.id(), value);
      }
    }
    Map<PolicyKind<?, ?, ?>, Map<String, List<Value>>> byKind = new HashMap<>();
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

  /** {@code key} in the variable form; the same length, char for char. */
  private static String envForm(String key) {
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
        String where = " has '" + source.charAt(i) + "' at index " + i;
        throw new IllegalArgumentException("Bulwark setting names are ASCII: " + source + where);
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
    for (PolicyKind<?, ?, ?> kind : kinds) {
      String tail =
          rest.startsWith(kind.envPrefix()) ? rest.substring(kind.envPrefix().length()) : "";
      for (Setting<?> s : kind.settings()) {
        if (tail.equals(s.name())) {
          return new Value(kind, s, DEFAULT, source, value, s.parse(source, value));
        }
        if (tail.length() > s.name().length() + 1
            && tail.endsWith("_" + s.name())
            && (best == null || s.name().length() > best.name().length())) {
          bestKind = kind;
          best = s;
        }
      }
    }
    if (best == null || bestKind == null) {
      String suggestion = nearMiss(source, rest, property);
      throw new IllegalArgumentException(
          "unknown Bulwark setting "
              + source
              + (suggestion == null ? "" : "; did you mean " + suggestion + "?")
              + " (every setting is listed in docs/configuration.md; remove or rename it)");
    }
    String name =
        rest.substring(bestKind.envPrefix().length(), rest.length() - best.name().length() - 1);
    return new Value(bestKind, best, normalize(name), source, value, best.parse(source, value));
  }

  /** The known setting closest to {@code rest}, as the user would write it; null if none close. */
  private @Nullable String nearMiss(String source, String rest, boolean property) {
    Map<String, String> known = new LinkedHashMap<>(); // variable form after BULWARK_ -> key form
    globals.forEach(g -> known.put(g.name(), g.propertyName()));
    for (PolicyKind<?, ?, ?> kind : kinds) {
      String prefix = kind.envPrefix();
      for (Setting<?> s : kind.settings()) {
        known.put(prefix + s.name(), kind.propertyPrefix() + s.propertyName());
        for (int i = prefix.length() + 1; rest.startsWith(prefix) && i < rest.length(); i++) {
          if (rest.charAt(i) == '_') { // a config name may end here: the user's, as written
            String name = source.substring(8 + prefix.length(), 8 + i);
            known.put(
                rest.substring(0, i + 1) + s.name(),
                kind.propertyPrefix() + name + "." + s.propertyName());
          }
        }
      }
    }
    String best = null;
    int bestDistance = 4; // farther is no suggestion
    for (Map.Entry<String, String> candidate : known.entrySet()) {
      int d = distance(rest, candidate.getKey());
      if (d < bestDistance) {
        bestDistance = d;
        best = property ? "bulwark." + candidate.getValue() : "BULWARK_" + candidate.getKey();
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

  /**
   * {@code base} with {@code values} applied through the kind's builder, in the order the kind
   * declares its settings. A failure names the setting the builder's message is about, as written,
   * or else the config and every setting applied to it.
   */
  @SuppressWarnings("unchecked")
  static <C, B> C apply(PolicyKind<?, C, B> kind, C base, List<Value> values, String configName) {
    List<Value> ordered = new ArrayList<>(values);
    ordered.sort(
        (a, b) -> kind.settings().indexOf(a.setting()) - kind.settings().indexOf(b.setting()));
    try {
      B builder = kind.toBuilder(base);
      for (Value v : ordered) {
        ((Setting<B>) v.setting()).apply(builder, v.value());
      }
      return kind.build(builder);
    } catch (IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      List<String> set = new ArrayList<>();
      for (Value v : ordered) {
        String field = v.setting().field();
        if (message.startsWith(field + " ")) { // "windowSize must be ..., was 0": name the variable
          String rest = message.substring(field.length());
          int was = rest.lastIndexOf(", was ");
          rest = was < 0 ? rest : rest.substring(0, was) + ", was " + shown(v).trim();
          throw new IllegalArgumentException(v.source() + rest, e);
        }
        set.add(v.source() + "=" + shown(v));
      }
      String with = "' with " + String.join(", ", set) + ": ";
      throw new IllegalArgumentException(
          kind.label() + " config '" + configName + with + message, e);
    }
  }

  /** A value as an error message may quote it: a secret (a password in a URI) never is. */
  private static String shown(Value v) {
    return v.setting().isSecret() ? "(secret)" : v.text();
  }

  /*
   * The configs of one kind as the builder declares them, and their resolution. Each config is
   * declared outright or as overrides of a base config; "default" names the default config.
   * Resolution (at build, and on updateConfig and reload) goes in dependency order, whatever the
   * order of declaration: a config is its declaration applied to its resolved base, then the
   * settings for its name on top. So a setting for the default reaches every config derived from
   * it, and a config only settings mention derives from the default. A resolved config keeps its
   * object while its fingerprint (declaration, base's fingerprint, settings) is unchanged, so the
   * registry tells by identity which configs changed. Not thread-safe: the builder's, or the
   * registry's under its configuration lock.
   */
  static final class Configs<C, B> {
    private record Declaration<C, B>(
        String name,
        @Nullable String base,
        @Nullable C config,
        @Nullable UnaryOperator<B> overrides,
        long serial) {}

    private record Resolved<C>(C config, String fingerprint) {}

    private static final AtomicLong SERIALS = new AtomicLong();

    final PolicyKind<?, C, B> kind;
    private final Map<String, Declaration<C, B>> declared = new LinkedHashMap<>();
    private Map<String, Resolved<C>> last = Map.of();

    Configs(PolicyKind<?, C, B> kind) {
      this.kind = kind;
    }

    /** A copy of the declarations, for a registry of its own. */
    Configs<C, B> copy() {
      Configs<C, B> copy = new Configs<>(kind);
      copy.declared.putAll(declared);
      copy.last = last;
      return copy;
    }

    /**
     * Declares {@code name} as {@code config}, or as {@code overrides} applied to the resolved
     * config {@code base}; replaces an earlier declaration of the same name.
     */
    void declare(
        String name,
        @Nullable String base,
        @Nullable C config,
        @Nullable UnaryOperator<B> overrides) {
      String key = normalize(name);
      Declaration<C, B> earlier = declared.get(key);
      if (earlier != null && !earlier.name().equals(name)) {
        String clash = "' clashes with '" + earlier.name() + "'";
        throw new IllegalArgumentException(
            what(name) + clash + ": config names are matched ignoring case and punctuation");
      }
      declared.put(
          key, new Declaration<>(name, base, config, overrides, SERIALS.incrementAndGet()));
    }

    /**
     * Every config by normalized name, resolved with {@code settings} (this kind's, by normalized
     * config name); those whose fingerprint did not change since the last resolution are the same
     * objects. An immutable map.
     */
    Map<String, C> resolve(Map<String, List<Value>> settings) {
      Set<String> names = new LinkedHashSet<>(List.of(DEFAULT));
      names.addAll(declared.keySet());
      names.addAll(settings.keySet());
      Map<String, Resolved<C>> resolved = new HashMap<>();
      for (String name : names) {
        resolve(name, settings, resolved, new ArrayList<>());
      }
      last = resolved;
      Map<String, C> configs = new HashMap<>();
      resolved.forEach((name, r) -> configs.put(name, r.config()));
      return Map.copyOf(configs);
    }

    private Resolved<C> resolve(
        String key,
        Map<String, List<Value>> settings,
        Map<String, Resolved<C>> out,
        List<String> path) {
      Resolved<C> done = out.get(key);
      if (done != null) {
        return done;
      }
      path.add(key);
      if (path.indexOf(key) < path.size() - 1) {
        String cycle = String.join(" -> ", path);
        throw new IllegalArgumentException(
            kind.label() + " configs derive from each other in a cycle: " + cycle);
      }
      Declaration<C, B> d = declared.get(key);
      String baseKey = d == null ? (key.equals(DEFAULT) ? null : DEFAULT) : null;
      if (d != null && d.base() != null) {
        baseKey = normalize(d.base());
        if (!baseKey.equals(DEFAULT)
            && !declared.containsKey(baseKey)
            && !settings.containsKey(baseKey)) {
          String base = "' derives from '" + d.base() + "', which is not declared; declared: ";
          Set<String> known = new TreeSet<>(Set.of("default"));
          declared.values().forEach(other -> known.add(other.name()));
          throw new IllegalArgumentException(what(d.name()) + base + known);
        }
      }
      Resolved<C> base = baseKey == null ? null : resolve(baseKey, settings, out, path);
      List<Value> values = settings.getOrDefault(key, List.of());
      StringBuilder fingerprint = new StringBuilder(d == null ? "built-in" : "#" + d.serial());
      fingerprint.append(base == null ? "" : "<" + base.fingerprint() + ">").append('[');
      values.forEach(
          v -> fingerprint.append(v.setting().name()).append('=').append(v.value()).append(';'));
      Resolved<C> before = last.get(key);
      Resolved<C> now =
          before != null && before.fingerprint().contentEquals(fingerprint)
              ? before
              : new Resolved<>(
                  make(d, key, base == null ? null : base.config(), values),
                  fingerprint.toString());
      path.remove(path.size() - 1);
      out.put(key, now);
      return now;
    }

    private C make(
        @Nullable Declaration<C, B> d, String key, @Nullable C base, List<Value> values) {
      C config = base != null ? base : kind.defaultConfig();
      if (d != null && d.config() != null) {
        config = d.config();
      } else if (d != null) {
        try {
          B builder = Objects.requireNonNull(d.overrides()).apply(kind.toBuilder(config));
          if (builder == null) {
            throw new NullPointerException(
                "the overrides of " + what(d.name()) + "' returned null");
          }
          config = kind.build(builder);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(what(d.name()) + "': " + e.getMessage(), e);
        }
      }
      return values.isEmpty() ? config : apply(kind, config, values, displayName(key));
    }

    /**
     * The config named {@code key} as declared; "default", or {@code key} if only settings name it.
     */
    String displayName(String key) {
      Declaration<C, B> d = declared.get(key);
      return d != null ? d.name() : key.equals(DEFAULT) ? "default" : key;
    }

    /** {@code "circuit breaker config 'name"}, to be closed by the message. */
    private String what(String name) {
      return kind.label() + " config '" + name;
    }
  }
}
