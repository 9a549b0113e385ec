package dev.bulwark;

import dev.bulwark.spi.PolicyKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/*
 * The configs of one policy kind, as a Resilience builder collects them, and their resolution.
 *
 * Names are matched normalized (Settings.normalize: case and punctuation ignored) so that an
 * environment variable can name any config. Each config is declared either outright or as overrides
 * of a base config; "default" names the default config. Resolution happens in build() (and again on
 * updateConfig and reload), in dependency order whatever the order of declaration: a config is its
 * declaration applied to its resolved base, then the settings for its name applied on top. So a
 * setting for the default reaches every config derived from the default, and a config only settings
 * mention derives from the default. A cycle or a missing base fails with both names.
 *
 * Each resolved config has a fingerprint: its declaration's serial number, its base's fingerprint
 * and the settings applied. A resolution whose fingerprint is unchanged keeps the previous config
 * object, so the registry can tell which configs changed by identity.
 *
 * Not thread-safe: the builder, or the registry under its configuration lock.
 */
final class NamedConfigs<C, B> {

  private record Declaration<C, B>(
      String name,
      @Nullable String base,
      @Nullable C config,
      @Nullable UnaryOperator<B> overrides,
      long serial) {}

  /** Configs by normalized name, the default under {@link Settings#DEFAULT}, with fingerprints. */
  record Resolved<C>(Map<String, C> configs, Map<String, String> fingerprints) {}

  private static final AtomicLong SERIALS = new AtomicLong();

  final PolicyKind<?, C, B> kind;
  private final Map<String, Declaration<C, B>> declared = new LinkedHashMap<>();
  private Resolved<C> last = new Resolved<>(Map.of(), Map.of());

  NamedConfigs(PolicyKind<?, C, B> kind) {
    this.kind = kind;
  }

  /** A copy of the declarations, for a registry of its own. */
  NamedConfigs<C, B> copy() {
    NamedConfigs<C, B> copy = new NamedConfigs<>(kind);
    copy.declared.putAll(declared);
    copy.last = last;
    return copy;
  }

  /** Declares {@code name} outright; replaces an earlier declaration of the same name. */
  void declare(String name, C config) {
    put(name, new Declaration<>(name, null, config, null, SERIALS.incrementAndGet()));
  }

  /** Declares {@code name} as {@code overrides} applied to the resolved config {@code base}. */
  void derive(String name, String base, UnaryOperator<B> overrides) {
    put(name, new Declaration<>(name, base, null, overrides, SERIALS.incrementAndGet()));
  }

  private void put(String name, Declaration<C, B> declaration) {
    String key = Settings.normalize(name);
    Declaration<C, B> earlier = declared.get(key);
    if (earlier != null && !earlier.name().equals(name)) {
      String clash = "' clashes with '" + earlier.name() + "'";
      throw new IllegalArgumentException(
          what(name) + clash + ": config names are matched ignoring case and punctuation");
    }
    declared.put(key, declaration);
  }

  /**
   * Every config, resolved with {@code settings} (this kind's, by normalized config name); configs
   * whose fingerprint did not change since the last resolution are the same objects.
   */
  Resolved<C> resolve(Map<String, List<Settings.Value>> settings) {
    Set<String> names = new LinkedHashSet<>();
    names.add(Settings.DEFAULT);
    names.addAll(declared.keySet());
    names.addAll(settings.keySet());
    Resolved<C> resolved = new Resolved<>(new HashMap<>(), new HashMap<>());
    for (String name : names) {
      resolve(name, settings, resolved, new ArrayList<>());
    }
    last =
        new Resolved<>(
            Collections.unmodifiableMap(resolved.configs()),
            Collections.unmodifiableMap(resolved.fingerprints()));
    return last;
  }

  private C resolve(
      String key, Map<String, List<Settings.Value>> settings, Resolved<C> out, List<String> path) {
    C done = out.configs().get(key);
    if (done != null) {
      return done;
    }
    if (path.contains(key)) {
      path.add(key);
      String cycle = String.join(" -> ", path);
      throw new IllegalArgumentException(
          kind.label() + " configs derive from each other in a cycle: " + cycle);
    }
    path.add(key);
    Declaration<C, B> declaration = declared.get(key);
    String baseKey = null;
    if (declaration == null) {
      baseKey = key.equals(Settings.DEFAULT) ? null : Settings.DEFAULT;
    } else if (declaration.base() != null) {
      baseKey = Settings.normalize(declaration.base());
      if (!baseKey.equals(Settings.DEFAULT)
          && !declared.containsKey(baseKey)
          && !settings.containsKey(baseKey)) {
        String base = "' derives from '" + declaration.base() + "', which is not declared";
        throw new IllegalArgumentException(
            what(declaration.name()) + base + "; declared: " + names());
      }
    }
    C base = baseKey == null ? null : resolve(baseKey, settings, out, path);
    List<Settings.Value> values = settings.getOrDefault(key, List.of());
    String fingerprint =
        (declaration == null ? "built-in" : "#" + declaration.serial())
            + (baseKey == null ? "" : "<" + out.fingerprints().get(baseKey) + ">")
            + Settings.describe(values);
    C config = last.configs().get(key);
    if (config == null || !fingerprint.equals(last.fingerprints().get(key))) {
      config = make(declaration, key, base, values);
    }
    path.remove(path.size() - 1);
    out.configs().put(key, config);
    out.fingerprints().put(key, fingerprint);
    return config;
  }

  private C make(
      @Nullable Declaration<C, B> declaration,
      String key,
      @Nullable C base,
      List<Settings.Value> values) {
    C config;
    if (declaration == null) {
      config = base != null ? base : kind.defaultConfig();
    } else if (declaration.config() != null) {
      config = declaration.config();
    } else {
      try {
        UnaryOperator<B> overrides = Objects.requireNonNull(declaration.overrides());
        B builder = overrides.apply(kind.toBuilder(base != null ? base : kind.defaultConfig()));
        if (builder == null) {
          throw new NullPointerException(
              "the overrides of " + what(declaration.name()) + "' returned null");
        }
        config = kind.build(builder);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(what(declaration.name()) + "': " + e.getMessage(), e);
      }
    }
    if (values.isEmpty()) {
      return config;
    }
    return Settings.apply(kind, config, values, displayName(key));
  }

  /**
   * The config named {@code key} (normalized) as it was declared; "default" for the default, the
   * normalized name for a config only settings mention.
   */
  String displayName(String key) {
    Declaration<C, B> declaration = declared.get(key);
    if (declaration != null) {
      return declaration.name();
    }
    return key.equals(Settings.DEFAULT) ? "default" : key;
  }

  /** {@code "circuit breaker config 'name"}, to be closed by the message. */
  private String what(String name) {
    return kind.label() + " config '" + name;
  }

  private Set<String> names() {
    Set<String> names = new TreeSet<>(Set.of("default"));
    declared.values().forEach(d -> names.add(d.name()));
    return names;
  }
}
