package dev.bulwark.test.kind;

import dev.bulwark.event.ConfigChanged;
import dev.bulwark.event.EventSource;
import dev.bulwark.event.FailureRecorded;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Reconfigurable;
import dev.bulwark.spi.EventBus;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.Setting;
import dev.bulwark.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A policy kind that lives outside core, for the registry's tests: it lets {@code maxCalls} calls
 * through, then refuses every call (publishing {@link FailureRecorded}) until reset. It is busy
 * while exhausted, and it can change {@code maxCalls} live but not {@code strict}.
 */
public final class Quota implements Policy, Reconfigurable<QuotaConfig> {

  /** The kind, with its settings, as a module would declare it. */
  public static final PolicyKind<Quota, QuotaConfig, QuotaConfig.Builder> KIND =
      PolicyKind.builder(
              "quota",
              "quota",
              QuotaConfig.ofDefaults(),
              (name, config, clock, scheduler) -> new Quota(name, config, clock),
              QuotaConfig::toBuilder,
              QuotaConfig.Builder::build)
          .settings(
              Setting.<QuotaConfig.Builder>ofInt(
                      "MAX_CALLS", "maxCalls", 1, 1000, QuotaConfig.Builder::maxCalls)
                  .doc("calls let through until reset")
                  .defaultValue("`3`"),
              Setting.<QuotaConfig.Builder>ofBoolean(
                      "STRICT", "strict", QuotaConfig.Builder::strict)
                  .doc("cannot change live")
                  .defaultValue("`false`"))
          .snapshot(Quota::used)
          .busy(quota -> quota.used() >= quota.config().maxCalls())
          .reset(Quota::reset)
          .health(Quota::events)
          .build();

  private final String name;
  private final Clock clock;
  private final EventBus events = new EventBus();
  private final AtomicInteger used = new AtomicInteger();
  private volatile QuotaConfig config;
  private volatile boolean frozen;

  Quota(String name, QuotaConfig config, Clock clock) {
    this.name = name;
    this.config = config;
    this.clock = clock;
  }

  @Override
  public String name() {
    return name;
  }

  public EventSource events() {
    return events;
  }

  public int used() {
    return used.get();
  }

  public void reset() {
    used.set(0);
  }

  /** From now on, refuses every change of config. */
  public void freeze() {
    frozen = true;
  }

  @Override
  public QuotaConfig config() {
    return config;
  }

  @Override
  public void reconfigure(QuotaConfig next) {
    QuotaConfig now = config;
    if (next.strict() != now.strict()) {
      throw new IllegalArgumentException("strict cannot change while the quota runs");
    }
    if (frozen && next.maxCalls() != now.maxCalls()) {
      throw new IllegalArgumentException("maxCalls cannot change: quota '" + name + "' is frozen");
    }
    config = next;
    events.publish(new ConfigChanged(name, Set.of("maxCalls"), clock.wallTime()));
  }

  @Override
  public <T> T execute(Callable<T> call, Next next) throws Exception {
    take();
    return next.proceed(call);
  }

  @Override
  public <T> CompletionStage<T> executeAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
    try {
      take();
    } catch (IllegalStateException e) {
      return CompletableFuture.failedFuture(e);
    }
    return next.proceed(call);
  }

  private void take() {
    if (used.incrementAndGet() > config.maxCalls()) {
      used.decrementAndGet();
      events.publish(new FailureRecorded(name, Duration.ZERO, null, clock.wallTime()));
      throw new IllegalStateException("quota '" + name + "' exhausted");
    }
  }
}
