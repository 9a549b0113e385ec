package dev.bulwark.spi;

import dev.bulwark.event.EventSource;
import dev.bulwark.policy.Policy;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A kind of policy the {@code Resilience} registry can hold (circuit breaker, retry, rate limiter,
 * ...), described once: its names, its config type and default config, how an instance is built,
 * what it reports, when it is busy, how it is reset, whether it feeds health, where it sits in the
 * registry's pipelines, and its settings. The registry is written once, generic over kinds; a
 * module adds a kind by giving it to {@code Resilience.builder().kind(...)} or through a {@link
 * PolicyKindProvider} on the class path.
 *
 * <p>Kinds are compared by identity: declare each one once, as a constant ({@code
 * CircuitBreaker.KIND}).
 *
 * <p>Immutable; thread-safe if its functions are.
 *
 * @param <P> the policy type
 * @param <C> the config type (immutable)
 * @param <B> the config's builder type, that overrides and settings are applied to
 */
public final class PolicyKind<P extends Policy, C, B> {

  /** Makes an instance of a kind. */
  @FunctionalInterface
  public interface Factory<P, C> {
    /** A new instance named {@code name} with {@code config}, on the registry's time. */
    P create(String name, C config, Clock clock, Scheduler scheduler);
  }

  /**
   * The registry an instance was made in, as its instance sees it: a health check finds the breaker
   * it steers here. Thread-safe.
   */
  @FunctionalInterface
  public interface Peers {
    /**
     * The policy of {@code kind} named {@code name} in the same registry, created on first use as
     * {@code Resilience.get(kind, name)} creates it.
     *
     * @throws IllegalArgumentException if the name is blank or the kind not registered
     */
    Policy get(PolicyKind<?, ?, ?> kind, String name);
  }

  private final String id;
  private final String label;
  private final C defaultConfig;
  private final Factory<P, C> factory;
  private final Function<C, B> toBuilder;
  private final Function<B, C> build;
  private final List<Setting<B>> settings;
  private final Function<P, ?> snapshot;
  private final Predicate<P> busy;
  private final @Nullable Consumer<P> reset;
  private final @Nullable Function<P, EventSource> health;
  private final int pipelineOrder;
  private final boolean alwaysInPipeline;
  private final @Nullable BiConsumer<P, Peers> start;
  private final @Nullable Consumer<P> stop;

  private PolicyKind(Builder<P, C, B> b) {
    this.id = b.id;
    this.label = b.label;
    this.defaultConfig = b.defaultConfig;
    this.factory = b.factory;
    this.toBuilder = b.toBuilder;
    this.build = b.build;
    this.settings = List.copyOf(b.settings);
    this.snapshot = b.snapshot;
    this.busy = b.busy;
    this.reset = b.reset;
    this.health = b.health;
    this.pipelineOrder = b.pipelineOrder;
    this.alwaysInPipeline = b.alwaysInPipeline;
    this.start = b.start;
    this.stop = b.stop;
  }

  /**
   * A builder for the kind {@code id} ({@code "rate-limiter"}: lower case words joined by {@code
   * -}), described in messages as {@code label} ({@code "rate limiter"}).
   *
   * <p>Thread-safe.
   *
   * @param toBuilder a config's builder, for overrides and settings: {@code Config::toBuilder}
   * @param build the config a builder holds: {@code Config.Builder::build}
   * @throws IllegalArgumentException if {@code id} is not lower-case words joined by {@code -}
   * @throws NullPointerException if an argument is null
   */
  public static <P extends Policy, C, B> Builder<P, C, B> builder(
      String id,
      String label,
      C defaultConfig,
      Factory<P, C> factory,
      Function<C, B> toBuilder,
      Function<B, C> build) {
    return new Builder<>(id, label, defaultConfig, factory, toBuilder, build);
  }

  /** The id, {@code "rate-limiter"}. */
  public String id() {
    return id;
  }

  /** The name in messages, {@code "rate limiter"}. */
  public String label() {
    return label;
  }

  /** The prefix of its variables after {@code BULWARK_}: {@code "RATE_LIMITER_"}. */
  public String envPrefix() {
    return id.toUpperCase(Locale.ROOT).replace('-', '_') + "_";
  }

  /** The prefix of its properties keys after {@code bulwark.}: {@code "rate-limiter."}. */
  public String propertyPrefix() {
    return id + ".";
  }

  /** The config of instances that have none of their own name. */
  public C defaultConfig() {
    return defaultConfig;
  }

  /** A new instance; see {@link Factory#create}. */
  public P create(String name, C config, Clock clock, Scheduler scheduler) {
    return Objects.requireNonNull(factory.create(name, config, clock, scheduler), "created");
  }

  /** A builder holding {@code config}. */
  public B toBuilder(C config) {
    return toBuilder.apply(config);
  }

  /** The config {@code builder} holds; the builder's own checks apply. */
  public C build(B builder) {
    return build.apply(builder);
  }

  /** Its settings, in the order documented. */
  public List<Setting<B>> settings() {
    return settings;
  }

  /** What {@code policy} reports for listings (its snapshot or statistics, or its config). */
  public Object snapshot(P policy) {
    return snapshot.apply(policy);
  }

  /** True while {@code policy} must not be evicted (an open breaker, a bulkhead with calls in). */
  public boolean isBusy(P policy) {
    return busy.test(policy);
  }

  /** True if an instance of this kind can be {@linkplain #reset reset}. */
  public boolean resettable() {
    return reset != null;
  }

  /**
   * Resets {@code policy} to its initial state.
   *
   * @throws UnsupportedOperationException if this kind cannot be reset
   */
  public void reset(P policy) {
    if (reset == null) {
      throw new UnsupportedOperationException("a " + label + " cannot be reset");
    }
    reset.accept(policy);
  }

  /** The events the registry's health monitor watches for {@code policy}; empty if none. */
  public Optional<EventSource> healthEvents(P policy) {
    return health == null ? Optional.empty() : Optional.ofNullable(health.apply(policy));
  }

  /**
   * Where the registry's pipelines hold this kind, outermost first: 0 never, else a rank (fallback
   * 100, bulkhead 200, rate limiter 300, breaker 400, retry 500, timeout 600).
   */
  public int pipelineOrder() {
    return pipelineOrder;
  }

  /**
   * True if every pipeline holds this kind; false if only those of a name with a config of this
   * kind declared.
   */
  public boolean alwaysInPipeline() {
    return alwaysInPipeline;
  }

  /**
   * Starts what {@code policy} runs on its own (a health check's schedule), once the registry holds
   * it; does nothing for a kind without such work. The registry calls it once per instance it
   * keeps, never for one made by a thread that lost a race to create the same name.
   */
  public void start(P policy, Peers peers) {
    if (start != null) {
      start.accept(policy, peers);
    }
  }

  /**
   * Stops what {@code policy} runs on its own; the registry calls it when it evicts the instance
   * and when it is closed. Does nothing for a kind without such work. Must be idempotent.
   */
  public void stop(P policy) {
    if (stop != null) {
      stop.accept(policy);
    }
  }

  @Override
  public String toString() {
    return "PolicyKind[" + id + "]";
  }

  /**
   * Builds a {@link PolicyKind}.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder<P extends Policy, C, B> {
    private final String id;
    private final String label;
    private final C defaultConfig;
    private final Factory<P, C> factory;
    private final Function<C, B> toBuilder;
    private final Function<B, C> build;
    private List<Setting<B>> settings = List.of();
    private Function<P, ?> snapshot = p -> p;
    private Predicate<P> busy = p -> false;
    private @Nullable Consumer<P> reset;
    private @Nullable Function<P, EventSource> health;
    private int pipelineOrder;
    private boolean alwaysInPipeline;
    private @Nullable BiConsumer<P, Peers> start;
    private @Nullable Consumer<P> stop;

    private Builder(
        String id,
        String label,
        C defaultConfig,
        Factory<P, C> factory,
        Function<C, B> toBuilder,
        Function<B, C> build) {
      if (!id.matches("[a-z][a-z0-9]*(-[a-z0-9]+)*")) {
        throw new IllegalArgumentException(
            "a kind id is lower-case words joined by '-', was '" + id + "'");
      }
      this.id = id;
      this.label = Objects.requireNonNull(label, "label");
      this.defaultConfig = Objects.requireNonNull(defaultConfig, "defaultConfig");
      this.factory = Objects.requireNonNull(factory, "factory");
      this.toBuilder = Objects.requireNonNull(toBuilder, "toBuilder");
      this.build = Objects.requireNonNull(build, "build");
    }

    /** Its settings, in the order documented. Default none. */
    @SafeVarargs
    public final Builder<P, C, B> settings(Setting<B>... settings) {
      List<Setting<B>> declared = new ArrayList<>(settings.length);
      for (Setting<B> setting : settings) { // copied element by element: the array never escapes
        declared.add(setting);
      }
      this.settings = List.copyOf(declared);
      return this;
    }

    /** What an instance reports in listings. Default the instance itself. */
    public Builder<P, C, B> snapshot(Function<P, ?> snapshot) {
      this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
      return this;
    }

    /** When an instance must not be evicted. Default never. */
    public Builder<P, C, B> busy(Predicate<P> busy) {
      this.busy = Objects.requireNonNull(busy, "busy");
      return this;
    }

    /** How an instance is reset. Default: it cannot be. */
    public Builder<P, C, B> reset(Consumer<P> reset) {
      this.reset = Objects.requireNonNull(reset, "reset");
      return this;
    }

    /** The events health watches for an instance. Default: it does not feed health. */
    public Builder<P, C, B> health(Function<P, EventSource> events) {
      this.health = Objects.requireNonNull(events, "events");
      return this;
    }

    /**
     * Puts the kind in the registry's pipelines at rank {@code order} (see {@link
     * PolicyKind#pipelineOrder()}), in every one if {@code always}, else in those of a name with a
     * config of this kind declared. Default: in none.
     *
     * @throws IllegalArgumentException if {@code order} is not positive
     */
    public Builder<P, C, B> pipeline(int order, boolean always) {
      if (order <= 0) {
        throw new IllegalArgumentException("pipeline order must be positive, was " + order);
      }
      this.pipelineOrder = order;
      this.alwaysInPipeline = always;
      return this;
    }

    /**
     * Work an instance runs on its own, apart from calls (a health check's schedule): {@code start}
     * once the registry holds it, with the registry's other policies at hand; {@code stop}
     * (idempotent) when it is evicted or the registry closed. Default: none.
     */
    public Builder<P, C, B> lifecycle(BiConsumer<P, Peers> start, Consumer<P> stop) {
      this.start = Objects.requireNonNull(start, "start");
      this.stop = Objects.requireNonNull(stop, "stop");
      return this;
    }

    /** The kind. */
    public PolicyKind<P, C, B> build() {
      return new PolicyKind<>(this);
    }
  }
}
