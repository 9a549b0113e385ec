package dev.bulwark;

import dev.bulwark.health.HealthConfig;
import dev.bulwark.internal.Check;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.PolicyKindProvider;
import dev.bulwark.spi.Setting;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link Resilience}. Each setter checks its own value (an {@link
 * IllegalArgumentException} names it when out of range); {@link #build()} reads the settings,
 * resolves the configs (inheritance, then settings) and checks them.
 *
 * <p><b>Layers.</b> Settings from {@link #environment} and {@link #properties} override the code,
 * whatever the order of the calls: the code states defaults, the deployment tunes them; between
 * layers, a later call wins. A setting for the default config reaches every config derived from it;
 * a per-name setting ({@code BULWARK_BREAKER_PAYMENTS_OPEN_DURATION}) applies on top of the config
 * of that name, or of the default if the code declared none. Layers are read at {@link #build()}
 * and again by {@link Resilience#reload()}; {@code docs/configuration.md} lists every setting.
 *
 * <p>Not thread-safe.
 */
public final class ResilienceBuilder {
  Clock clock = Clock.system();
  Scheduler scheduler = Scheduler.system();
  boolean enabled = true;
  @Nullable Duration defaultTimeout;
  int maxInstances = 10_000;
  Duration idleEviction = Duration.ZERO;
  HealthConfig healthConfig = HealthConfig.ofDefaults();
  final Map<PolicyKind<?, ?, ?>, Settings.Configs<?, ?>> configs = new LinkedHashMap<>();
  final List<Settings.Layer> layers = new ArrayList<>();

  ResilienceBuilder() {
    Resilience.CORE_KINDS.forEach(this::kind);
  }

  /** The clock every policy reads time from. Default {@link Clock#system()}. */
  public ResilienceBuilder clock(Clock clock) {
    this.clock = Check.notNull("clock", clock);
    return this;
  }

  /** The scheduler every policy waits through. Default {@link Scheduler#system()}. */
  public ResilienceBuilder scheduler(Scheduler scheduler) {
    this.scheduler = Check.notNull("scheduler", scheduler);
    return this;
  }

  /** Whether pipelines apply their policies; false passes calls straight through. Default true. */
  public ResilienceBuilder enabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  /**
   * The default time limit for a call, in (0, 365 days]; default none. When set, every {@link
   * Resilience#pipeline pipeline} ends with a timeout, and the default timeout config has this
   * limit unless a timeout config of the pipeline's name or {@code BULWARK_TIMEOUT_DURATION} says
   * otherwise.
   *
   * @throws IllegalArgumentException if out of range
   */
  public ResilienceBuilder defaultTimeout(Duration timeout) {
    this.defaultTimeout = Check.positive("defaultTimeout", timeout);
    return this;
  }

  /**
   * The most instances of each kind the registry holds, in [1, 100000000]. Default 10,000.
   *
   * @throws IllegalArgumentException if out of range
   */
  public ResilienceBuilder maxInstances(int instances) {
    this.maxInstances = Check.inRange("maxInstances", instances, 1, 100_000_000);
    return this;
  }

  /**
   * Evicts instances not looked up for {@code idle}, in [0, 365 days], judged by the registry's
   * clock to within a sixteenth of {@code idle} (never early). Default zero: off.
   *
   * @throws IllegalArgumentException if out of range
   */
  public ResilienceBuilder idleEviction(Duration idle) {
    this.idleEviction = Check.nonNegative("idleEviction", idle);
    return this;
  }

  /** The config of the registry's health monitor. Default {@link HealthConfig#ofDefaults()}. */
  public ResilienceBuilder healthConfig(HealthConfig config) {
    this.healthConfig = Check.notNull("config", config);
    return this;
  }

  /**
   * Registers {@code kind}, so that the registry holds its policies and the settings parser knows
   * its settings; core's kinds and those of every {@link PolicyKindProvider} on the class path are
   * registered already. Registering a kind twice does nothing.
   *
   * @throws IllegalArgumentException if another kind has the same id
   */
  public ResilienceBuilder kind(PolicyKind<?, ?, ?> kind) {
    Check.notNull("kind", kind);
    for (PolicyKind<?, ?, ?> known : configs.keySet()) {
      if (known != kind && known.id().equals(kind.id())) {
        throw new IllegalArgumentException(
            "two policy kinds have the id '" + kind.id() + "': " + known + " and " + kind);
      }
    }
    configs.computeIfAbsent(kind, Settings.Configs::new);
    return this;
  }

  @SuppressWarnings("unchecked")
  private <C, B> Settings.Configs<C, B> configs(PolicyKind<?, C, B> kind) {
    kind(kind);
    return (Settings.Configs<C, B>) Objects.requireNonNull(configs.get(kind));
  }

  /** The config of {@code kind}'s policies with none of their own name. Default the kind's. */
  public <C> ResilienceBuilder defaultConfig(PolicyKind<?, C, ?> kind, C config) {
    configs(kind).declare("default", null, Check.notNull("config", config), null);
    return this;
  }

  /**
   * Declares the config of {@code kind} named {@code name}, replacing one of that name. For a kind
   * not in every pipeline (bulkhead, rate limiter, timeout, fallback), it also puts a policy of the
   * kind in the {@link Resilience#pipeline pipeline} of that name.
   *
   * @throws IllegalArgumentException if {@code name} is blank or differs from a declared name only
   *     in case or punctuation
   */
  public <C> ResilienceBuilder config(PolicyKind<?, C, ?> kind, String name, C config) {
    Check.notNull("config", config);
    configs(kind).declare(Check.name(name), null, config, null);
    return this;
  }

  /**
   * Declares the config of {@code kind} named {@code name} as the default config, as finally
   * configured, with {@code overrides}: {@code b -> b.openDuration(Duration.ofMinutes(1))}.
   *
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public <B> ResilienceBuilder derive(
      PolicyKind<?, ?, B> kind, String name, UnaryOperator<B> overrides) {
    return derive(kind, name, "default", overrides);
  }

  /**
   * Declares the config of {@code kind} named {@code name} as the config {@code base} with {@code
   * overrides}; {@code base} may be declared later, and may itself derive from another.
   *
   * @throws IllegalArgumentException if a name is blank; at {@link #build()}, if {@code base} is
   *     not declared or the configs derive from each other in a cycle
   */
  public <B> ResilienceBuilder derive(
      PolicyKind<?, ?, B> kind, String name, String base, UnaryOperator<B> overrides) {
    Check.notNull("overrides", overrides);
    configs(kind)
        .declare(Check.name(name), Check.name(Check.notNull("base", base)), null, overrides);
    return this;
  }

  /** Adds the {@code BULWARK_*} entries of {@code environment} as a layer of settings. */
  public ResilienceBuilder environment(Map<String, String> environment) {
    Check.notNull("environment", environment);
    return environment(() -> environment);
  }

  /** Adds a layer of {@code BULWARK_*} settings: {@code environment(System::getenv)}. */
  public ResilienceBuilder environment(Supplier<Map<String, String>> environment) {
    layers.add(new Settings.Layer(Check.notNull("environment", environment), false));
    return this;
  }

  /** Adds the {@code bulwark.*} entries of {@code properties}, keys in any case, as a layer. */
  public ResilienceBuilder properties(Map<String, String> properties) {
    Check.notNull("properties", properties);
    return properties(() -> properties);
  }

  /** Adds a layer of {@code bulwark.*} settings read from {@code properties} when read. */
  public ResilienceBuilder properties(Supplier<Map<String, String>> properties) {
    layers.add(new Settings.Layer(Check.notNull("properties", properties), true));
    return this;
  }

  /**
   * Adds the {@code bulwark.*} entries of {@code properties}, its defaults included, as a layer. A
   * number, boolean, {@code Duration} or enum constant is read as its {@code toString()}; a value
   * of another type fails the build, naming the key.
   */
  public ResilienceBuilder properties(Properties properties) {
    Check.notNull("properties", properties);
    return properties(() -> Settings.text(properties));
  }

  /**
   * The registry.
   *
   * @throws IllegalArgumentException naming the variable or key, for an unknown setting (with the
   *     nearest known name), a bad or out-of-range value, or one setting under two spellings in one
   *     layer; or if a config derives from one not declared, or configs derive from each other in a
   *     cycle
   */
  public Resilience build() {
    for (PolicyKindProvider provider : ServiceLoader.load(PolicyKindProvider.class)) {
      provider.kinds().forEach(this::kind);
    }
    Settings parser = new Settings(Resilience.GLOBALS, List.copyOf(configs.keySet()));
    Map<String, Object> globals = new HashMap<>();
    parser.read(layers, globals, null); // the registry settings, first
    boolean savedEnabled = enabled;
    Duration savedTimeout = defaultTimeout;
    int savedMax = maxInstances;
    Duration savedIdle = idleEviction;
    try {
      for (Setting<ResilienceBuilder> global : Resilience.GLOBALS) {
        if (globals.containsKey(global.name())) {
          global.apply(this, globals.get(global.name()));
        }
      }
      var values = parser.read(layers, new HashMap<>(), defaultTimeout);
      return new Resilience(new Registry(this, parser, globals, values));
    } finally { // settings apply to this registry only, not to the builder's own values
      enabled = savedEnabled;
      defaultTimeout = savedTimeout;
      maxInstances = savedMax;
      idleEviction = savedIdle;
    }
  }
}
