package dev.bulwark.micrometer;

import dev.bulwark.Resilience;
import dev.bulwark.event.EventListener;
import dev.bulwark.event.PolicyAdded;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.event.PolicyEvicted;
import dev.bulwark.policy.Policy;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Binds the policies of a {@link Resilience} registry to a Micrometer {@link MeterRegistry}: a
 * breaker's state, failure ratio and refusals, a retry's calls by outcome and its retries, a rate
 * limiter's free permits, waiting callers, refusals and server holds, a bulkhead's calls in flight
 * and free permits, timeouts, hedges, fallbacks served by rung, and (if asked) the registry's
 * health status. Every meter is listed, with its Prometheus name and unit, in {@code
 * docs/metrics.md}.
 *
 * {@snippet :
 * PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * BulwarkMetrics metrics = BulwarkMetrics.bind(resilience, prometheus);
 * String scrape = prometheus.scrape(); // bulwark_circuitbreaker_state{name="payments"} 0.0 ...
 * metrics.close();                     // removes every meter it added
 * }
 *
 * <p><b>What a call costs.</b> Nothing is bound until this class is used. Bound, most meters read a
 * policy's own counts and snapshots when the registry is scraped ({@code FunctionCounter}s and
 * {@code Gauge}s), so a call pays nothing for them; counters of rare events (a transition, a
 * timeout cut short, a fallback served) are incremented by the policy's events, built only on those
 * paths. Counters that need a breaker's, retry's or rate limiter's events ({@linkplain
 * Builder#policyEvents transitions, exhausted retries, server holds}) and {@linkplain
 * Builder#callTimers call timers} are off by default, as they cost every call through those
 * policies.
 *
 * <p><b>Policies come and go.</b> Meters appear when the registry creates a policy ({@link
 * PolicyAdded}) and are removed when it evicts it ({@link PolicyEvicted}); policies held when
 * binding are bound at once.
 *
 * <p><b>Per-entity names.</b> The {@code name} label takes at most {@link Builder#maxNamesPerKind}
 * values per kind of policy (the first names seen; a name frees its value when its policy is
 * evicted): policies of further names share the label value {@value #OTHER}, whose meters add up
 * their counts (the state gauge reports the highest code among them, the per-state gauge how many
 * are in each state). A counter labelled {@value #OTHER} drops when one of its policies is evicted;
 * Prometheus reads that as a counter reset.
 *
 * <p>Thread-safe.
 */
public final class BulwarkMetrics implements AutoCloseable {

  /** The {@code name} label value shared by policies beyond the cap. */
  public static final String OTHER = "other";

  /** The default cap on {@code name} label values per kind of policy: 100. */
  public static final int DEFAULT_MAX_NAMES_PER_KIND = 100;

  private final Resilience resilience;
  private final MeterRegistry meters;
  private final int maxNamesPerKind;
  private final boolean callTimers;
  private final boolean policyEvents;
  private final Tags commonTags;
  private final ReentrantLock lock = new ReentrantLock(); // bind/unbind only; no call takes it
  private final Map<Policy, Bound> bound = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Group>> groups = new HashMap<>(); // kind -> label -> group
  private final Map<String, Integer> ownLabels = new HashMap<>(); // kind -> names with own label
  private final List<Meter> registryMeters = new ArrayList<>();
  private final EventListener lifecycle = this::onLifecycle;
  private volatile boolean closed;

  private BulwarkMetrics(Builder b, Resilience resilience, MeterRegistry meters) {
    this.resilience = resilience;
    this.meters = meters;
    this.maxNamesPerKind = b.maxNamesPerKind;
    this.callTimers = b.callTimers;
    this.policyEvents = b.policyEvents;
    this.commonTags = b.tags;
    resilience
        .events()
        .subscribe(
            lifecycle,
            Set.<Class<? extends PolicyEvent>>of(PolicyAdded.class, PolicyEvicted.class));
    lock.lock();
    try {
      if (b.healthStatus) {
        registryMeters.add(
            Gauge.builder(
                    "bulwark.health.status",
                    resilience,
                    r -> r.health().report().status().ordinal())
                .description("overall health: 0 healthy, 1 degraded, 2 critical")
                .tags(commonTags)
                .strongReference(true)
                .register(meters));
        resilience.health(); // start watching now, so failures count from binding on
      }
      for (var kind : resilience.kinds()) {
        for (Policy policy : resilience.instances(kind).values()) {
          add(policy);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Binds every policy {@code resilience} holds now or creates later to {@code registry}, with the
   * defaults: at most {@value #DEFAULT_MAX_NAMES_PER_KIND} name labels per kind, no call timers, no
   * health status gauge.
   *
   * @throws NullPointerException if an argument is null
   */
  public static BulwarkMetrics bind(Resilience resilience, MeterRegistry registry) {
    return builder().bind(resilience, registry);
  }

  /** A builder holding the defaults. Thread-safe. */
  public static Builder builder() {
    return new Builder();
  }

  /** The most {@code name} label values per kind of policy. */
  public int maxNamesPerKind() {
    return maxNamesPerKind;
  }

  /**
   * Unbinds: stops listening to the registry and its policies and removes every meter this binding
   * added. Idempotent. Thread-safe.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      resilience.events().unsubscribe(lifecycle);
      for (Policy policy : List.copyOf(bound.keySet())) {
        remove(policy);
      }
      for (Meter meter : registryMeters) {
        meters.remove(meter);
      }
      registryMeters.clear();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "BulwarkMetrics[" + bound.size() + " policies bound, cap " + maxNamesPerKind + "]";
  }

  private void onLifecycle(PolicyEvent event) {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      if (event instanceof PolicyAdded) {
        add(((PolicyAdded) event).policy());
      } else if (event instanceof PolicyEvicted) {
        remove(((PolicyEvicted) event).policy());
      }
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------ under the lock

  private void add(Policy policy) {
    MeterSet<?> set = MeterSet.of(policy, callTimers, policyEvents);
    if (set == null || bound.containsKey(policy)) {
      return; // a kind without meters, or already bound (created while binding)
    }
    Map<String, Group> byLabel = groups.computeIfAbsent(set.kind(), k -> new HashMap<>());
    String name = policy.name();
    String label;
    if (byLabel.containsKey(name)) {
      label = name;
    } else if (ownLabels.getOrDefault(set.kind(), 0) < maxNamesPerKind && !OTHER.equals(name)) {
      label = name;
      ownLabels.merge(set.kind(), 1, Integer::sum);
    } else {
      label = OTHER;
    }
    Group group = byLabel.get(label);
    if (group == null) {
      group = new Group(set.kind(), label, meters, commonTags.and("name", label));
      byLabel.put(label, group);
      group.members.add(policy);
      set.registerGauges(group);
    } else {
      group.members.add(policy);
    }
    bound.put(policy, set.listen(policy, group));
  }

  private void remove(Policy policy) {
    Bound b = bound.remove(policy);
    if (b == null) {
      return;
    }
    b.unlisten();
    Group group = b.group();
    group.members.remove(policy);
    if (group.members.isEmpty()) {
      group.removeMeters();
      Map<String, Group> byLabel = Objects.requireNonNull(groups.get(group.kind));
      byLabel.remove(group.label);
      if (!OTHER.equals(group.label)) {
        ownLabels.merge(group.kind, -1, Integer::sum);
      }
    }
  }

  /** A policy's subscription, undone when it goes. */
  interface Bound {
    Group group();

    void unlisten();
  }

  /**
   * Builds a {@link BulwarkMetrics}.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private int maxNamesPerKind = DEFAULT_MAX_NAMES_PER_KIND;
    private boolean callTimers;
    private boolean policyEvents;
    private boolean healthStatus;
    private Tags tags = Tags.empty();

    private Builder() {}

    /**
     * The most values of the policy-name label per kind of policy; policies beyond are counted
     * under {@value BulwarkMetrics#OTHER}. Default {@value
     * BulwarkMetrics#DEFAULT_MAX_NAMES_PER_KIND}.
     *
     * @throws IllegalArgumentException if {@code names} is not in [1, 100000]
     */
    public Builder maxNamesPerKind(int names) {
      if (names < 1 || names > 100_000) {
        throw new IllegalArgumentException("maxNamesPerKind must be in [1, 100000], was " + names);
      }
      this.maxNamesPerKind = names;
      return this;
    }

    /**
     * Whether to count breaker transitions ({@code bulwark_circuitbreaker_transitions_total}),
     * exhausted retries ({@code bulwark_retry_exhausted_total}) and server holds ({@code
     * bulwark_ratelimiter_server_holds_total}) from those policies' events. Default false: while
     * anyone listens to a breaker, retry or rate limiter, each call through it asks its listeners
     * whether they want the call's events, which costs every call a little (see BENCHMARKS.md).
     * Timeouts and fallbacks are always counted: they are asked only when they act.
     */
    public Builder policyEvents(boolean count) {
      this.policyEvents = count;
      return this;
    }

    /**
     * Whether to time every call through a circuit breaker, by outcome ({@code
     * bulwark_circuitbreaker_calls_seconds}). Default false: it makes each call read the clock
     * twice and build an event, which costs more than the other meters together (see
     * BENCHMARKS.md).
     */
    public Builder callTimers(boolean time) {
      this.callTimers = time;
      return this;
    }

    /**
     * Whether to publish {@code bulwark_health_status}; binding then starts the registry's {@link
     * Resilience#health() health monitor}, which times every call through a breaker (two clock
     * reads) to count failures in its window. Default false; an application that serves health
     * already pays that, and should turn this on.
     */
    public Builder healthStatus(boolean publish) {
      this.healthStatus = publish;
      return this;
    }

    /**
     * Tags added to every meter (an application or region). Default none.
     *
     * @throws NullPointerException if {@code tags} is null
     */
    public Builder tags(Tags tags) {
      this.tags = Objects.requireNonNull(tags, "tags must not be null");
      return this;
    }

    /**
     * Binds {@code resilience}'s policies, now and later, to {@code registry}.
     *
     * @throws NullPointerException if an argument is null
     */
    public BulwarkMetrics bind(Resilience resilience, MeterRegistry registry) {
      return new BulwarkMetrics(
          this,
          Objects.requireNonNull(resilience, "resilience must not be null"),
          Objects.requireNonNull(registry, "registry must not be null"));
    }
  }
}
