package dev.bulwark.admin;

import dev.bulwark.Resilience;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.StateChanged;
import dev.bulwark.event.CallRejected;
import dev.bulwark.event.EventListener;
import dev.bulwark.event.EventSource;
import dev.bulwark.event.FailureRecorded;
import dev.bulwark.event.FallbackServed;
import dev.bulwark.event.PolicyAdded;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.event.PolicyEvicted;
import dev.bulwark.event.RetriesExhausted;
import dev.bulwark.event.SuccessRecorded;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.health.HealthMonitor;
import dev.bulwark.health.HealthReport;
import dev.bulwark.health.HealthStatus;
import dev.bulwark.hedge.Hedge;
import dev.bulwark.policy.Policy;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.retry.Retry;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.time.Clock;
import dev.bulwark.timeout.Timeout;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Listens to a registry while the admin server runs: to {@link PolicyAdded} and {@link
 * PolicyEvicted}, to every policy's events, and to the health monitor's status changes. It feeds
 * the per-name {@link RollingStats} (a breaker's outcomes and durations; rejections and fallbacks
 * of every kind) and the {@code /events} stream (state changes, rejections, fallbacks, exhausted
 * retries, policies added and evicted, health changes).
 *
 * <p>Listening makes a watched breaker build an event per call, as a health monitor does; other
 * kinds build only rejections, fallbacks and exhausted retries. Nothing is watched before {@link
 * #start} or after {@link #stop}.
 *
 * <p>Thread-safe.
 */
final class PolicyWatch {
  private static final Set<Class<? extends PolicyEvent>> BREAKER_EVENTS =
      Set.of(SuccessRecorded.class, FailureRecorded.class, CallRejected.class, StateChanged.class);
  private static final Set<Class<? extends PolicyEvent>> OTHER_EVENTS =
      Set.of(CallRejected.class, FallbackServed.class, RetriesExhausted.class);

  private final Resilience resilience;
  private final Clock clock;
  private final long originNanos;
  private final EventHub hub;
  private final int maxTrackedNames;
  private final ConcurrentHashMap<String, RollingStats> stats = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Policy, Watched> watched = new ConcurrentHashMap<>();
  private final EventListener registryListener = this::onRegistryEvent;
  private final HealthMonitor.StatusListener healthListener = this::onHealthChange;
  private volatile boolean running;

  PolicyWatch(Resilience resilience, EventHub hub, int maxTrackedNames) {
    this.resilience = resilience;
    this.clock = resilience.clock();
    this.originNanos = clock.nanoTime();
    this.hub = hub;
    this.maxTrackedNames = maxTrackedNames;
  }

  /** Starts listening to the registry and every policy it holds. */
  void start() {
    running = true;
    resilience.events().subscribe(registryListener, Set.of(PolicyAdded.class, PolicyEvicted.class));
    for (PolicyKind<?, ?, ?> kind : resilience.kinds()) {
      watchAll(kind);
    }
    resilience.health().onStatusChange(healthListener);
  }

  private <P extends Policy> void watchAll(PolicyKind<P, ?, ?> kind) {
    for (Map.Entry<String, P> e : resilience.instances(kind).entrySet()) {
      watch(kind, e.getKey(), e.getValue());
    }
  }

  /** Stops listening to everything. */
  void stop() {
    running = false;
    resilience.events().unsubscribe(registryListener);
    resilience.health().removeStatusListener(healthListener);
    for (Watched w : watched.values()) {
      w.source.unsubscribe(w.listener);
    }
    watched.clear();
  }

  /** The statistics of {@code name}, if tracked. */
  @Nullable RollingStats stats(String name) {
    return stats.get(name);
  }

  /** The current second on the clock, counted from when this watch was made. */
  long second() {
    return Math.floorDiv(clock.nanoTime() - originNanos, 1_000_000_000L);
  }

  private void onRegistryEvent(PolicyEvent event) {
    if (event instanceof PolicyAdded) {
      PolicyAdded added = (PolicyAdded) event;
      PolicyKind<?, ?, ?> kind = kindOf(added.policyName(), added.policy());
      if (kind != null) {
        watch(kind, added.policyName(), added.policy());
      }
      publish("policy-added", kind, event.policyName(), event, null);
    } else if (event instanceof PolicyEvicted) {
      PolicyEvicted evicted = (PolicyEvicted) event;
      Watched w = watched.remove(evicted.policy());
      if (w != null) {
        w.source.unsubscribe(w.listener);
      }
      if (!watched.values().stream().anyMatch(x -> x.name.equals(evicted.policyName()))) {
        stats.remove(evicted.policyName());
      }
      publish(
          "policy-evicted",
          kindOf(evicted.policyName(), evicted.policy()),
          event.policyName(),
          event,
          null);
    }
  }

  private @Nullable PolicyKind<?, ?, ?> kindOf(String name, Policy policy) {
    for (PolicyKind<?, ?, ?> kind : resilience.kinds()) {
      Optional<? extends Policy> found = resilience.find(kind, name);
      if (found.isPresent() && found.get() == policy) {
        return kind;
      }
    }
    for (PolicyKind<?, ?, ?> kind : resilience.kinds()) { // not in the map yet: core's by type
      if (kind == CircuitBreaker.KIND && policy instanceof CircuitBreaker
          || kind == Retry.KIND && policy instanceof Retry
          || kind == RateLimiter.KIND && policy instanceof RateLimiter
          || kind == Bulkhead.KIND && policy instanceof Bulkhead
          || kind == Timeout.KIND && policy instanceof Timeout
          || kind == Hedge.KIND && policy instanceof Hedge
          || kind == Fallback.KIND && policy instanceof Fallback) {
        return kind;
      }
    }
    return null;
  }

  @SuppressWarnings("unchecked") // a kind's instances are of its policy type
  private static @Nullable EventSource eventsOf(PolicyKind<?, ?, ?> kind, Policy policy) {
    if (policy instanceof CircuitBreaker) {
      return ((CircuitBreaker) policy).events();
    } else if (policy instanceof Retry) {
      return ((Retry) policy).events();
    } else if (policy instanceof RateLimiter) {
      return ((RateLimiter) policy).events();
    } else if (policy instanceof Bulkhead) {
      return ((Bulkhead) policy).events();
    } else if (policy instanceof Timeout) {
      return ((Timeout) policy).events();
    } else if (policy instanceof Hedge) {
      return ((Hedge) policy).events();
    } else if (policy instanceof Fallback) {
      return ((Fallback) policy).events();
    }
    return ((PolicyKind<Policy, ?, ?>) kind).healthEvents(policy).orElse(null);
  }

  private void watch(PolicyKind<?, ?, ?> kind, String name, Policy policy) {
    if (!running || watched.containsKey(policy)) {
      return;
    }
    EventSource source = eventsOf(kind, policy);
    if (source == null) {
      return;
    }
    boolean breaker = kind == CircuitBreaker.KIND;
    RollingStats tracked = track(name);
    String kindId = kind.id();
    EventListener listener = event -> onPolicyEvent(kindId, tracked, event);
    if (watched.putIfAbsent(policy, new Watched(name, source, listener)) == null) {
      source.subscribe(listener, breaker ? BREAKER_EVENTS : OTHER_EVENTS);
      if (!running && watched.remove(policy) != null) { // stopped meanwhile: undo
        source.unsubscribe(listener);
      }
    }
  }

  private @Nullable RollingStats track(String name) {
    RollingStats existing = stats.get(name);
    if (existing != null || stats.size() >= maxTrackedNames) {
      return existing; // past the cap a name is listed, not counted
    }
    return stats.computeIfAbsent(name, n -> new RollingStats());
  }

  private void onPolicyEvent(String kind, @Nullable RollingStats tracked, PolicyEvent event) {
    long second = second();
    if (event instanceof SuccessRecorded) {
      if (tracked != null) {
        tracked.outcome(
            second, RollingStats.SUCCEEDED, ((SuccessRecorded) event).duration().toNanos());
      }
    } else if (event instanceof FailureRecorded) {
      if (tracked != null) {
        tracked.outcome(
            second, RollingStats.FAILED, ((FailureRecorded) event).duration().toNanos());
      }
    } else if (event instanceof CallRejected) {
      if (tracked != null) {
        tracked.count(second, RollingStats.REJECTED);
      }
      if (hub.hasClients()) {
        CallRejected rejected = (CallRejected) event;
        publish(
            "rejection",
            kind,
            event,
            j ->
                j.field("exception", rejected.rejection().getClass().getSimpleName())
                    .field("retryAfter", rejected.rejection().retryAfter()));
      }
    } else if (event instanceof FallbackServed) {
      if (tracked != null) {
        tracked.count(second, RollingStats.FALLBACKS);
      }
      if (hub.hasClients()) {
        FallbackServed served = (FallbackServed) event;
        publish(
            "fallback",
            kind,
            event,
            j -> j.field("rung", served.rung()).field("failure", served.failure()));
      }
    } else if (event instanceof StateChanged) {
      if (hub.hasClients()) {
        StateChanged changed = (StateChanged) event;
        publish(
            "state", kind, event, j -> j.field("from", changed.from()).field("to", changed.to()));
      }
    } else if (event instanceof RetriesExhausted) {
      if (hub.hasClients()) {
        RetriesExhausted exhausted = (RetriesExhausted) event;
        publish(
            "retries-exhausted",
            kind,
            event,
            j ->
                j.field("attempts", exhausted.attempts())
                    .field("lastFailure", exhausted.lastFailure()));
      }
    }
  }

  private void onHealthChange(HealthStatus from, HealthStatus to, HealthReport report) {
    if (hub.hasClients()) {
      Json json = new Json().begin().field("from", from).field("to", to);
      json.field("reasons", report.reasons()).field("wallTime", report.wallTime()).end();
      hub.publish("health", json.toString());
    }
  }

  private interface Fields {
    void write(Json json);
  }

  private void publish(String type, String kind, PolicyEvent event, Fields fields) {
    Json json = new Json().begin().field("kind", kind).field("name", event.policyName());
    fields.write(json);
    hub.publish(type, json.field("wallTime", event.wallTime()).end().toString());
  }

  private void publish(
      String type,
      @Nullable PolicyKind<?, ?, ?> kind,
      String name,
      PolicyEvent event,
      @Nullable Fields fields) {
    if (!hub.hasClients()) {
      return;
    }
    Json json =
        new Json().begin().field("kind", kind == null ? null : kind.id()).field("name", name);
    if (fields != null) {
      fields.write(json);
    }
    hub.publish(type, json.field("wallTime", event.wallTime()).end().toString());
  }

  /** A subscription to undo. */
  private static final class Watched {
    final String name;
    final EventSource source;
    final EventListener listener;

    Watched(String name, EventSource source, EventListener listener) {
      this.name = name;
      this.source = source;
      this.listener = listener;
    }
  }
}
