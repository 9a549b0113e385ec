package dev.bulwark.micrometer;

import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.StateChanged;
import dev.bulwark.event.CallRejected;
import dev.bulwark.event.CallsHeldBack;
import dev.bulwark.event.EventListener;
import dev.bulwark.event.EventSource;
import dev.bulwark.event.FailureRecorded;
import dev.bulwark.event.FallbackServed;
import dev.bulwark.event.LateOutcome;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.event.RetriesExhausted;
import dev.bulwark.event.RetryBudgetExhausted;
import dev.bulwark.event.SuccessRecorded;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.hedge.Hedge;
import dev.bulwark.policy.Policy;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.retry.Retry;
import dev.bulwark.timeout.Timeout;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * The meters of one kind of policy: the gauges and function counters a {@link Group} registers
 * once, read when scraped, and the events each policy is listened to for. Every meter name here is
 * listed in {@code docs/metrics.md}; {@code MetricsDocTest} holds the two together.
 */
abstract class MeterSet<P extends Policy> {

  private final String kind;
  private final Set<Class<? extends PolicyEvent>> events;

  MeterSet(String kind, Set<Class<? extends PolicyEvent>> events) {
    this.kind = kind;
    this.events = events;
  }

  /** The meters for {@code policy}'s kind, or null if it has none. */
  static @Nullable MeterSet<?> of(Policy policy, boolean callTimers, boolean policyEvents) {
    if (policy instanceof CircuitBreaker) {
      return new Breakers(callTimers, policyEvents);
    } else if (policy instanceof Retry) {
      return policyEvents ? RETRIES : RETRIES_QUIET;
    } else if (policy instanceof RateLimiter) {
      return policyEvents ? LIMITERS : LIMITERS_QUIET;
    } else if (policy instanceof Bulkhead) {
      return BULKHEADS;
    } else if (policy instanceof Timeout) {
      return TIMEOUTS;
    } else if (policy instanceof Hedge) {
      return HEDGES;
    } else if (policy instanceof Fallback) {
      return FALLBACKS;
    }
    // bulwark-cache and bulwark-redis are optional: their types are named only in the holders,
    // which are loaded only when the module is there
    MeterSet<?> set = CACHE_PRESENT ? CacheMeters.of(policy) : null;
    if (set == null && FLEET_PRESENT) {
      set = FleetMeters.of(policy);
    }
    return set;
  }

  static final boolean CACHE_PRESENT = present("dev.bulwark.cache.NamedCache");
  static final boolean FLEET_PRESENT = present("dev.bulwark.redis.FleetLimiter");

  /** Whether the class named {@code name} can be loaded by this module's loader; asked once. */
  static boolean present(String name) {
    try {
      Class.forName(name, false, MeterSet.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  final String kind() {
    return kind;
  }

  /** Registers the meters read at scrape time; once per group. */
  abstract void registerGauges(Group group);

  /** Where {@code policy} publishes its events. */
  abstract EventSource events(P policy);

  /** Counts {@code event} of a member of {@code group}; only the kinds given to the constructor. */
  void onEvent(Group group, PolicyEvent event) {}

  @SuppressWarnings("unchecked")
  final BulwarkMetrics.Bound listen(Policy policy, Group group) {
    P typed = (P) policy;
    EventSource source = events.isEmpty() ? null : events(typed);
    EventListener listener = event -> onEvent(group, event);
    if (source != null) {
      source.subscribe(listener, events);
    }
    return new BulwarkMetrics.Bound() {
      @Override
      public Group group() {
        return group;
      }

      @Override
      public void unlisten() {
        if (source != null) {
          source.unsubscribe(listener);
        }
      }
    };
  }

  static <P extends Policy> ToDoubleFunction<Group> sum(ToDoubleFunction<P> value) {
    return g -> g.sum(value);
  }

  // ------------------------------------------------------------------ the kinds

  static final class Breakers extends MeterSet<CircuitBreaker> {
    private final boolean callTimers;

    Breakers(boolean callTimers, boolean policyEvents) {
      super("circuit-breaker", events(callTimers, policyEvents));
      this.callTimers = callTimers;
    }

    private static Set<Class<? extends PolicyEvent>> events(boolean timers, boolean transitions) {
      Set<Class<? extends PolicyEvent>> kinds = new HashSet<>();
      if (timers) {
        kinds.add(SuccessRecorded.class);
        kinds.add(FailureRecorded.class);
      }
      if (transitions) {
        kinds.add(StateChanged.class);
      }
      return Set.copyOf(kinds);
    }

    @Override
    EventSource events(CircuitBreaker policy) {
      return policy.events();
    }

    @Override
    void registerGauges(Group g) {
      g.gauge(
          "bulwark.circuitbreaker.state",
          "0 closed (or disabled), 1 open (or forced open), 2 half-open",
          "",
          grp -> grp.<CircuitBreaker>max(b -> code(b.state())));
      for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
        g.gauge(
            "bulwark.circuitbreaker.in.state",
            "1 if the breaker is in this state, else 0 (for \"other\": how many are)",
            "",
            "state",
            state.name().toLowerCase(Locale.ROOT),
            grp -> grp.<CircuitBreaker>sum(b -> b.state() == state ? 1 : 0));
      }
      g.gauge(
          "bulwark.circuitbreaker.failure.ratio",
          "failed calls over calls in the window, 0 to 1; NaN below minimumCalls",
          "",
          grp -> grp.<CircuitBreaker>max(b -> ratio(b.snapshot().failureRate())));
      g.gauge(
          "bulwark.circuitbreaker.slow.call.ratio",
          "slow calls over calls in the window, 0 to 1; NaN below minimumCalls",
          "",
          grp -> grp.<CircuitBreaker>max(b -> ratio(b.snapshot().slowCallRate())));
      g.gauge(
          "bulwark.circuitbreaker.window.calls",
          "calls in the window by outcome",
          "",
          "outcome",
          "successful",
          sum((CircuitBreaker b) -> b.snapshot().successfulCalls()));
      g.gauge(
          "bulwark.circuitbreaker.window.calls",
          "calls in the window by outcome",
          "",
          "outcome",
          "failed",
          sum((CircuitBreaker b) -> b.snapshot().failedCalls()));
      g.gauge(
          "bulwark.circuitbreaker.window.calls",
          "calls in the window by outcome",
          "",
          "outcome",
          "slow",
          sum((CircuitBreaker b) -> b.snapshot().slowCalls()));
      g.functionCounter(
          "bulwark.circuitbreaker.not.permitted.calls",
          "calls refused since the breaker was made or last reset",
          "",
          "",
          sum((CircuitBreaker b) -> b.snapshot().notPermittedCalls()));
    }

    @Override
    void onEvent(Group g, PolicyEvent event) {
      if (event instanceof StateChanged) {
        g.counter(
                "bulwark.circuitbreaker.transitions",
                "state changes, by the state entered",
                "to",
                ((StateChanged) event).to().name().toLowerCase(Locale.ROOT))
            .increment();
      } else if (callTimers && event instanceof SuccessRecorded) {
        g.time(
            "bulwark.circuitbreaker.calls",
            "calls through the breaker by outcome",
            "success",
            ((SuccessRecorded) event).duration().toNanos());
      } else if (callTimers && event instanceof FailureRecorded) {
        g.time(
            "bulwark.circuitbreaker.calls",
            "calls through the breaker by outcome",
            "failure",
            ((FailureRecorded) event).duration().toNanos());
      }
    }

    static int code(CircuitBreaker.State state) {
      switch (state) {
        case OPEN:
        case FORCED_OPEN:
          return 1;
        case HALF_OPEN:
          return 2;
        default:
          return 0;
      }
    }

    static double ratio(float percent) {
      return percent < 0 ? Double.NaN : percent / 100.0;
    }
  }

  static final MeterSet<Retry> RETRIES =
      retries(Set.of(RetriesExhausted.class, RetryBudgetExhausted.class));
  static final MeterSet<Retry> RETRIES_QUIET = retries(Set.of());

  private static MeterSet<Retry> retries(Set<Class<? extends PolicyEvent>> events) {
    return new MeterSet<Retry>("retry", events) {
      @Override
      EventSource events(Retry policy) {
        return policy.events();
      }

      @Override
      void registerGauges(Group g) {
        String calls = "bulwark.retry.calls";
        String doc = "calls by final outcome";
        g.functionCounter(
            calls,
            doc,
            "outcome",
            "successful_without_retry",
            sum((Retry r) -> r.statistics().successfulWithoutRetry()));
        g.functionCounter(
            calls,
            doc,
            "outcome",
            "successful_with_retry",
            sum((Retry r) -> r.statistics().successfulWithRetry()));
        g.functionCounter(
            calls,
            doc,
            "outcome",
            "failed_without_retry",
            sum((Retry r) -> r.statistics().failedWithoutRetry()));
        g.functionCounter(
            calls,
            doc,
            "outcome",
            "failed_with_retry",
            sum((Retry r) -> r.statistics().failedWithRetry()));
        g.functionCounter(
            "bulwark.retry.attempts",
            "attempts made by calls that finished",
            "",
            "",
            sum((Retry r) -> r.statistics().totalAttempts()));
        g.functionCounter(
            "bulwark.retry.retries",
            "attempts beyond the first, by calls that finished",
            "",
            "",
            sum((Retry r) -> retries(r.statistics())));
      }

      @Override
      void onEvent(Group g, PolicyEvent event) {
        g.counter(
                "bulwark.retry.exhausted",
                "calls that gave up: attempts used up, or the retry budget refused",
                "reason",
                event instanceof RetryBudgetExhausted ? "budget" : "attempts")
            .increment();
      }
    };
  }

  static long retries(Retry.Statistics s) {
    return s.totalAttempts()
        - s.successfulWithoutRetry()
        - s.successfulWithRetry()
        - s.failedWithoutRetry()
        - s.failedWithRetry();
  }

  static final MeterSet<RateLimiter> LIMITERS = limiters(Set.of(CallsHeldBack.class));
  static final MeterSet<RateLimiter> LIMITERS_QUIET = limiters(Set.of());

  private static MeterSet<RateLimiter> limiters(Set<Class<? extends PolicyEvent>> events) {
    return new MeterSet<RateLimiter>("rate-limiter", events) {
      @Override
      EventSource events(RateLimiter policy) {
        return policy.events();
      }

      @Override
      void registerGauges(Group g) {
        g.gauge(
            "bulwark.ratelimiter.available.permits",
            "permits a caller could take now without waiting",
            "",
            sum((RateLimiter l) -> l.snapshot().availablePermits()));
        g.gauge(
            "bulwark.ratelimiter.waiting.callers",
            "callers waiting out a reserved permit now",
            "",
            sum((RateLimiter l) -> l.snapshot().waitingCallers()));
        g.gauge(
            "bulwark.ratelimiter.wait",
            "time until one permit is free (the longest, for \"other\")",
            "seconds",
            grp -> grp.<RateLimiter>max(l -> l.snapshot().timeUntilNextPermit().toNanos() / 1e9));
        g.functionCounter(
            "bulwark.ratelimiter.rejected.calls",
            "refusals since the limiter was made",
            "",
            "",
            sum((RateLimiter l) -> l.snapshot().rejectedCalls()));
      }

      @Override
      void onEvent(Group g, PolicyEvent event) {
        g.counter(
                "bulwark.ratelimiter.server.holds",
                "times a server's Retry-After made the limiter hold every call back",
                "",
                "")
            .increment();
      }
    };
  }

  static final MeterSet<Bulkhead> BULKHEADS =
      new MeterSet<Bulkhead>("bulkhead", Set.of()) {
        @Override
        EventSource events(Bulkhead policy) {
          return policy.events();
        }

        @Override
        void registerGauges(Group g) {
          g.gauge(
              "bulwark.bulkhead.in.flight.calls",
              "calls holding a permit now",
              "",
              sum((Bulkhead b) -> b.snapshot().inFlight()));
          g.gauge(
              "bulwark.bulkhead.available.permits",
              "permits free now",
              "",
              sum((Bulkhead b) -> b.snapshot().availablePermits()));
          g.gauge(
              "bulwark.bulkhead.max.concurrent.calls",
              "the limit",
              "",
              sum((Bulkhead b) -> b.snapshot().maxConcurrentCalls()));
          g.gauge(
              "bulwark.bulkhead.waiting.calls",
              "calls waiting for a permit now",
              "",
              sum((Bulkhead b) -> b.snapshot().waitingCalls()));
          g.functionCounter(
              "bulwark.bulkhead.rejected.calls",
              "calls rejected since the bulkhead was made",
              "",
              "",
              sum((Bulkhead b) -> b.snapshot().rejectedCalls()));
        }
      };

  static final MeterSet<Timeout> TIMEOUTS =
      new MeterSet<Timeout>("timeout", Set.of(CallRejected.class, LateOutcome.class)) {
        @Override
        EventSource events(Timeout policy) {
          return policy.events();
        }

        @Override
        void registerGauges(Group g) {
          // counted from events only: a timeout keeps no counts of its own
          g.counter("bulwark.timeout.exceeded.calls", "calls cut short at the deadline", "", "");
          g.counter(
              "bulwark.timeout.late.outcomes",
              "outcomes that arrived after their call was cut short, and were dropped",
              "",
              "");
        }

        @Override
        void onEvent(Group g, PolicyEvent event) {
          if (event instanceof CallRejected) {
            g.counter("bulwark.timeout.exceeded.calls", "calls cut short at the deadline", "", "")
                .increment();
          } else {
            g.counter(
                    "bulwark.timeout.late.outcomes",
                    "outcomes that arrived after their call was cut short, and were dropped",
                    "",
                    "")
                .increment();
          }
        }
      };

  static final MeterSet<Hedge> HEDGES =
      new MeterSet<Hedge>("hedge", Set.of()) {
        @Override
        EventSource events(Hedge policy) {
          return policy.events();
        }

        @Override
        void registerGauges(Group g) {
          String calls = "bulwark.hedge.calls";
          String callsDoc = "calls by outcome";
          g.functionCounter(
              calls,
              callsDoc,
              "outcome",
              "successful",
              sum((Hedge h) -> h.statistics().successfulCalls()));
          g.functionCounter(
              calls, callsDoc, "outcome", "failed", sum((Hedge h) -> h.statistics().failedCalls()));
          g.functionCounter(
              calls,
              callsDoc,
              "outcome",
              "cancelled",
              sum((Hedge h) -> h.statistics().cancelledCalls()));
          String hedges = "bulwark.hedge.hedges";
          String hedgesDoc =
              "hedges (attempts beyond the primary): started, won, refused by the cap";
          g.functionCounter(
              hedges,
              hedgesDoc,
              "result",
              "started",
              sum((Hedge h) -> h.statistics().hedgesStarted()));
          g.functionCounter(
              hedges, hedgesDoc, "result", "won", sum((Hedge h) -> h.statistics().hedgesWon()));
          g.functionCounter(
              hedges,
              hedgesDoc,
              "result",
              "refused",
              sum((Hedge h) -> h.statistics().hedgesRefused()));
          g.gauge(
              "bulwark.hedge.delay",
              "the delay before a call's first hedge now (the longest, for \"other\")",
              "seconds",
              grp -> grp.<Hedge>max(h -> h.statistics().delay().toNanos() / 1e9));
        }
      };

  static final MeterSet<Fallback<?>> FALLBACKS =
      new MeterSet<Fallback<?>>("fallback", Set.of(FallbackServed.class)) {
        @Override
        EventSource events(Fallback<?> policy) {
          return policy.events();
        }

        @Override
        void registerGauges(Group g) {}

        @Override
        void onEvent(Group g, PolicyEvent event) {
          g.counter(
                  "bulwark.fallback.served",
                  "outcomes replaced by a degraded value, by the rung that served it",
                  "rung",
                  ((FallbackServed) event).rung())
              .increment();
        }
      };

  /** Every meter name this class registers, Micrometer style, for the docs test. */
  static Set<String> names() {
    return new HashSet<>();
  }
}
