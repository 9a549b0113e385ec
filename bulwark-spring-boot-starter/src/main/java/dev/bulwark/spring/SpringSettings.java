package dev.bulwark.spring;

import dev.bulwark.ResilienceBuilder;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.hedge.Hedge;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.retry.Retry;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.PolicyKindProvider;
import dev.bulwark.spi.Setting;
import dev.bulwark.timeout.Timeout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;

/*
 * Spring's view of Bulwark's settings. Spring users write Resilience4j's shape,
 *
 *   bulwark.circuit-breaker.configs.default.open-duration=30s
 *   bulwark.circuit-breaker.instances.payments.failure-rate=25
 *   bulwark.circuit-breaker.instances.payments.base-config=slow-backends
 *
 * and the registry reads its own, bulwark.breaker.payments.failure-rate. This class translates one
 * into the other and nothing more: which settings exist, their types, ranges and messages all come
 * from each kind's declared Settings (a kind a module adds through PolicyKindProvider is bound the
 * same way, with no code here). A core kind's section is named after its label, as Resilience4j
 * names it ("circuit breaker" is circuit-breaker); another module's kind's after its id, as the
 * registry's own properties name it (bulwark.cache, bulwark.redis, bulwark.http-check); configs.<name> and instances.<name> both declare the config of that name
 * (configs for shared ones that instances name as base-config, instances for one policy's own).
 *
 * Values are checked here with Setting.parse under the Spring name as written, so a bad value fails
 * naming bulwark.circuit-breaker.instances.payments.failure-rate, the value and the range. Checks of
 * how values fit together run in the registry's build, whose messages name the registry's keys;
 * rename() puts the Spring names back.
 *
 * Spring's relaxed binding reaches the setting names too: open-duration, openDuration and the
 * environment's OPENDURATION all match OPEN_DURATION (letters and digits compared, case ignored).
 */
final class SpringSettings {

  /** The registry's own settings: Spring name after {@code bulwark.}, registry key. */
  static final Map<String, String> GLOBALS =
      Map.of(
          "enabled", "bulwark.enabled",
          "default-timeout", "bulwark.timeout",
          "max-instances", "bulwark.max-instances",
          "idle-eviction", "bulwark.idle-eviction");

  private final Map<String, String> registryProperties = new LinkedHashMap<>();
  private final Map<String, String> springNames = new LinkedHashMap<>();
  private final List<Base> bases = new ArrayList<>();

  /** A config declared as deriving from another, by {@code base-config}. */
  private record Base(PolicyKind<?, ?, ?> kind, String name, String base) {}

  private SpringSettings() {}

  /** Core's kinds, whose sections carry Resilience4j's names. */
  private static final List<PolicyKind<?, ?, ?>> CORE =
      List.of(
          CircuitBreaker.KIND,
          Retry.KIND,
          RateLimiter.KIND,
          Bulkhead.KIND,
          Timeout.KIND,
          Hedge.KIND,
          Fallback.KIND);

  /** Every kind a registry knows without code: core's, then those of providers on the path. */
  static List<PolicyKind<?, ?, ?>> kinds() {
    List<PolicyKind<?, ?, ?>> kinds = new ArrayList<>(CORE);
    for (PolicyKindProvider provider : ServiceLoader.load(PolicyKindProvider.class)) {
      for (PolicyKind<?, ?, ?> kind : provider.kinds()) {
        if (!kinds.contains(kind)) {
          kinds.add(kind);
        }
      }
    }
    return kinds;
  }

  /** The name of {@code kind}'s section after {@code bulwark.}: {@code "circuit-breaker"}. */
  static String section(PolicyKind<?, ?, ?> kind) {
    if (!CORE.contains(kind)) {
      return kind.id(); // the registry's own name: bulwark.cache, bulwark.redis
    }
    return kind.label().toLowerCase(Locale.ROOT).replace(' ', '-');
  }

  /**
   * Reads every Bulwark setting {@code binder} holds.
   *
   * @throws BulwarkPropertyException naming the property, for an unknown one or a bad value
   */
  static SpringSettings read(Binder binder, List<PolicyKind<?, ?, ?>> kinds) {
    SpringSettings settings = new SpringSettings();
    GLOBALS.forEach(
        (name, key) ->
            binder
                .bind("bulwark." + name, Bindable.of(String.class))
                .ifBound(value -> settings.put(key, "bulwark." + name, value)));
    for (PolicyKind<?, ?, ?> kind : kinds) {
      if (!kind.settings().isEmpty()) {
        String prefix = "bulwark." + section(kind);
        binder
            .bind(prefix, Bindable.mapOf(String.class, Object.class))
            .ifBound(tree -> settings.section(kind, prefix, tree));
      }
    }
    return settings;
  }

  private void section(PolicyKind<?, ?, ?> kind, String prefix, Map<String, Object> tree) {
    for (Map.Entry<String, Object> group : tree.entrySet()) {
      String where = prefix + "." + group.getKey();
      if (!group.getKey().equals("configs") && !group.getKey().equals("instances")) {
        throw new BulwarkPropertyException(
            "unknown Bulwark property "
                + where
                + " (under "
                + prefix
                + " come configs.<name>.<setting> and instances.<name>.<setting>)");
      }
      for (Map.Entry<String, Object> config : children(where, group.getValue()).entrySet()) {
        String name = config.getKey();
        Map<String, String> values = new LinkedHashMap<>();
        flatten("", children(where + "." + name, config.getValue()), values);
        values.forEach((key, text) -> setting(kind, where + "." + name, name, key, text));
      }
    }
  }

  @SuppressWarnings("unchecked") // the binder's tree: a map of maps and values
  private static Map<String, Object> children(String where, @Nullable Object node) {
    if (!(node instanceof Map)) {
      throw new BulwarkPropertyException(
          where + " must hold settings by name, was '" + node + "' (write " + where + ".<name>)");
    }
    return (Map<String, Object>) node;
  }

  @SuppressWarnings("unchecked")
  private static void flatten(String path, Map<String, Object> node, Map<String, String> out) {
    node.forEach(
        (key, value) -> {
          String full = path.isEmpty() ? key : path + "." + key;
          if (value instanceof Map) {
            flatten(full, (Map<String, Object>) value, out);
          } else {
            out.put(full, String.valueOf(value));
          }
        });
  }

  private void setting(
      PolicyKind<?, ?, ?> kind, String where, String configName, String key, String text) {
    String springName = where + "." + key;
    String wanted = uniform(key);
    if (wanted.equals("BASECONFIG")) {
      bases.add(new Base(kind, configName, text.trim()));
      return;
    }
    Setting<?> setting = null;
    for (Setting<?> s : kind.settings()) {
      if (uniform(s.name()).equals(wanted)) {
        setting = s;
      }
    }
    if (setting == null) {
      throw new BulwarkPropertyException(unknown(kind, springName, wanted));
    }
    try {
      setting.parse(springName, text);
    } catch (IllegalArgumentException e) {
      throw new BulwarkPropertyException(String.valueOf(e.getMessage()), e);
    }
    boolean isDefault = uniform(configName).equals("DEFAULT");
    String registryKey =
        "bulwark."
            + kind.propertyPrefix()
            + (isDefault ? "" : configName + ".")
            + setting.propertyName();
    put(registryKey, springName, text);
  }

  private void put(String registryKey, String springName, String text) {
    String twin = springNames.putIfAbsent(registryKey, springName);
    if (twin != null) {
      throw new BulwarkPropertyException(
          twin + " and " + springName + " set the same setting of the same config; keep one");
    }
    registryProperties.put(registryKey, text);
  }

  private static String unknown(PolicyKind<?, ?, ?> kind, String springName, String wanted) {
    List<String> names = new ArrayList<>();
    String nearest = null;
    int nearestDistance = 4; // farther is no suggestion
    for (Setting<?> s : kind.settings()) {
      names.add(s.propertyName());
      int d = distance(uniform(s.name()), wanted);
      if (d < nearestDistance) {
        nearestDistance = d;
        nearest = s.propertyName();
      }
    }
    names.add("base-config");
    return "unknown Bulwark property "
        + springName
        + (nearest == null ? "" : "; did you mean " + nearest + "?")
        + " (a "
        + kind.label()
        + " has "
        + String.join(", ", names)
        + ")";
  }

  /** Letters and digits, upper case: how relaxed names are compared. */
  static String uniform(String name) {
    StringBuilder out = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isLetterOrDigit(c)) {
        out.append(Character.toUpperCase(c));
      }
    }
    return out.toString();
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

  /** Gives the settings to {@code builder}: the properties layer and the declared bases. */
  void applyTo(ResilienceBuilder builder) {
    for (Base base : bases) {
      derive(builder, base.kind(), base.name(), base.base());
    }
    Map<String, String> copy = Map.copyOf(registryProperties);
    builder.properties(() -> copy);
  }

  private static <B> void derive(
      ResilienceBuilder builder, PolicyKind<?, ?, B> kind, String name, String base) {
    builder.derive(kind, name, base, UnaryOperator.identity());
  }

  /** {@code message} from the registry, with each registry key it names put back as written. */
  String rename(String message) {
    if (springNames.isEmpty()) {
      return message;
    }
    List<String> keys = new ArrayList<>(springNames.keySet());
    keys.sort(Comparator.comparingInt(String::length).reversed()); // the longest key wins
    StringBuilder alternatives = new StringBuilder();
    for (String key : keys) {
      alternatives.append(alternatives.length() == 0 ? "" : "|").append(Pattern.quote(key));
    }
    return Pattern.compile(alternatives.toString())
        .matcher(message)
        .replaceAll(m -> Matcher.quoteReplacement(springNames.get(m.group())));
  }
}
