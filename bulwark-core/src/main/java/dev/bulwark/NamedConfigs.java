package dev.bulwark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/*
 * The configs of one policy kind as a Resilience builder collects them, and their resolution.
 *
 * Names are matched normalized (Settings.normalize: case and punctuation ignored) so that an
 * environment variable can name any config. Each config is declared either outright or as a
 * function of a base config; "default" names the default config. Resolution happens once, in
 * build(), in dependency order whatever the order of declaration: a config is its declaration
 * applied to its resolved base, then the settings (environment, properties) for its name applied on
 * top. So a setting for the default reaches every config derived from the default, and a config
 * only settings mention derives from the default. A cycle or a missing base fails with both names.
 *
 * Not thread-safe (builder side); the resolved map is immutable.
 */
final class NamedConfigs<C> {

  /** How settings are applied to a config of this kind. */
  interface Applier<C> {
    C apply(C base, List<Settings.Value> values, String configName);
  }

  private record Declaration<C>(String name, String base, Function<C, C> derive) {}

  private final Settings.Kind kind;
  private final C builtIn;
  private final Applier<C> applier;
  private final Map<String, Declaration<C>> declared = new LinkedHashMap<>();

  NamedConfigs(Settings.Kind kind, C builtIn, Applier<C> applier) {
    this.kind = kind;
    this.builtIn = builtIn;
    this.applier = applier;
  }

  /** Declares {@code name} outright; replaces an earlier declaration of the same name. */
  void declare(String name, C config) {
    put(name, new Declaration<>(name, null, base -> config));
  }

  /** Declares {@code name} as {@code derive} applied to the resolved config {@code base}. */
  void derive(String name, String base, Function<C, C> derive) {
    put(name, new Declaration<>(name, base, derive));
  }

  private void put(String name, Declaration<C> declaration) {
    String key = Settings.normalize(name);
    Declaration<C> earlier = declared.get(key);
    if (earlier != null && !earlier.name().equals(name)) {
      throw new IllegalArgumentException(
          kind.label
              + " config '"
              + name
              + "' clashes with '"
              + earlier.name()
              + "': config names are matched ignoring case and punctuation");
    }
    declared.put(key, declaration);
  }

  /**
   * Every config by normalized name, the default under {@link Settings#DEFAULT}.
   *
   * @param settings the settings of this kind by normalized config name
   */
  Map<String, C> resolve(Map<String, List<Settings.Value>> settings) {
    Set<String> names = new LinkedHashSet<>();
    names.add(Settings.DEFAULT);
    names.addAll(declared.keySet());
    names.addAll(settings.keySet());
    Map<String, C> resolved = new HashMap<>();
    for (String name : names) {
      resolve(name, settings, resolved, new ArrayList<>());
    }
    return Collections.unmodifiableMap(resolved);
  }

  private C resolve(
      String key,
      Map<String, List<Settings.Value>> settings,
      Map<String, C> resolved,
      List<String> path) {
    C done = resolved.get(key);
    if (done != null) {
      return done;
    }
    if (path.contains(key)) {
      path.add(key);
      throw new IllegalArgumentException(
          kind.label + " configs derive from each other in a cycle: " + String.join(" -> ", path));
    }
    path.add(key);
    Declaration<C> declaration = declared.get(key);
    C config;
    if (declaration == null) {
      config =
          key.equals(Settings.DEFAULT)
              ? builtIn
              : resolve(Settings.DEFAULT, settings, resolved, path);
    } else if (declaration.base() == null) {
      config = declaration.derive().apply(null);
    } else {
      String base = Settings.normalize(declaration.base());
      if (!base.equals(Settings.DEFAULT)
          && !declared.containsKey(base)
          && !settings.containsKey(base)) {
        throw new IllegalArgumentException(
            kind.label
                + " config '"
                + declaration.name()
                + "' derives from '"
                + declaration.base()
                + "', which is not declared; declared: "
                + names());
      }
      C baseConfig = resolve(base, settings, resolved, path);
      try {
        config = declaration.derive().apply(baseConfig);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            kind.label + " config '" + declaration.name() + "': " + e.getMessage(), e);
      }
      if (config == null) {
        throw new NullPointerException(
            kind.label + " config '" + declaration.name() + "' derived a null config");
      }
    }
    List<Settings.Value> values = settings.get(key);
    if (values != null && !values.isEmpty()) {
      String name =
          declaration != null ? declaration.name() : key.equals(Settings.DEFAULT) ? "default" : key;
      config = applier.apply(config, values, name);
    }
    path.remove(path.size() - 1);
    resolved.put(key, config);
    return config;
  }

  /**
   * The config named {@code key} (normalized) as it was declared; "default" for the default, the
   * normalized name for a config only settings mention.
   */
  String displayName(String key) {
    Declaration<C> declaration = declared.get(key);
    if (declaration != null) {
      return declaration.name();
    }
    return key.equals(Settings.DEFAULT) ? "default" : key;
  }

  private Set<String> names() {
    Set<String> names = new TreeSet<>();
    names.add("default");
    for (Declaration<C> d : declared.values()) {
      names.add(d.name());
    }
    return names;
  }
}
