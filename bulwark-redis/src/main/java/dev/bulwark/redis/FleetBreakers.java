package dev.bulwark.redis;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.StateChanged;
import dev.bulwark.event.EventListener;
import dev.bulwark.event.PolicyEvent;
import io.lettuce.core.ScriptOutputType;
import java.lang.System.Logger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/*
 * Breaker state the fleet can act on; each instance still decides for itself.
 *
 * Reports. When a shared breaker opens by itself (StateChanged to OPEN; never when the fleet
 * forced it), the instance runs REPORT on the breaker's two keys (one hash tag, one slot): adds
 * itself to a sorted set of reporters scored by Redis time, drops reports older than the window,
 * and raises the "open until" record to now + the breaker's open duration. Then it publishes
 * "OPEN <instance> <name>" on the fleet's channel.
 *
 * Quorum. An instance that hears OPEN for a breaker it shares (from another instance) runs
 * REPORTERS and counts the distinct reporters other than itself within the window; at `quorum` or
 * more it force-opens its breaker for the open duration (then resets it, if still forced by the
 * fleet). One sick instance therefore cannot open the others when quorum >= 2.
 *
 * Operators. forceOpen/forceClose/reset(name) publish a command every instance applies to its
 * breaker of that name: forceOpen(), disable() (calls pass, outcomes counted), reset().
 *
 * Restart. Sharing a breaker reads its "open until" record (UNTIL): if it lies ahead, the breaker
 * starts force-opened until then, so a fresh instance does not hammer a dependency that is down.
 *
 * Redis failures here are logged and skipped: the breaker keeps working alone.
 */
final class FleetBreakers {
  private static final Logger LOG = System.getLogger(FleetBreakers.class.getName());

  static final Script REPORT =
      new Script(
          """
          local window = tonumber(ARGV[2])
          local open = tonumber(ARGV[3])
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
          redis.call('ZADD', KEYS[1], string.format('%.0f', now), ARGV[1])
          redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now - window))
          redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
          local until_t = now + open
          local current = tonumber(redis.call('GET', KEYS[2]))
          if current == nil or current < until_t then
            redis.call('SET', KEYS[2], string.format('%.0f', until_t), 'PX', math.ceil(open / 1000))
          end
          return 1
          """);

  static final Script REPORTERS =
      new Script(
          """
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
          redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now - tonumber(ARGV[1])))
          return redis.call('ZRANGE', KEYS[1], 0, -1)
          """);

  static final Script UNTIL =
      new Script(
          """
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
          local until_t = tonumber(redis.call('GET', KEYS[1]))
          if until_t == nil or until_t <= now then return 0 end
          return until_t - now
          """);

  static final String CHANNEL_SUFFIX = ":breakers";

  private final RedisFleet fleet;
  private final String instance = UUID.randomUUID().toString();
  private final Map<String, Shared> shared = new ConcurrentHashMap<>();

  FleetBreakers(RedisFleet fleet) {
    this.fleet = fleet;
  }

  String instance() {
    return instance;
  }

  /** The breaker named {@code name} as shared, or null. */
  @org.jspecify.annotations.Nullable
  Shared shared(String name) {
    return shared.get(name);
  }

  /** One breaker shared with the fleet. */
  final class Shared implements AutoCloseable {
    final CircuitBreaker breaker;
    final int quorum;
    final Duration window;
    final String reporters;
    final String until;
    private final EventListener listener = this::onEvent;
    // the reset scheduled for a fleet-forced open; null when the fleet did not force it
    private final AtomicReference<Future<?>> fleetForced = new AtomicReference<>();
    // peers' reports counted so far (for tests: a report that opened nothing was still counted)
    final java.util.concurrent.atomic.AtomicInteger quorumChecks =
        new java.util.concurrent.atomic.AtomicInteger();

    Shared(CircuitBreaker breaker, int quorum, Duration window) {
      this.breaker = breaker;
      this.quorum = quorum;
      this.window = window;
      this.reporters = fleet.key("cb", breaker.name()) + ":open";
      this.until = fleet.key("cb", breaker.name()) + ":until";
    }

    private void onEvent(PolicyEvent event) {
      StateChanged change = (StateChanged) event;
      if (change.to() != CircuitBreaker.State.OPEN) {
        return;
      }
      long openMicros = TimeUnit.NANOSECONDS.toMicros(breaker.config().openDuration().toNanos());
      fleet
          .eval(
              REPORT,
              ScriptOutputType.INTEGER,
              List.of(reporters, until),
              instance,
              Long.toString(TimeUnit.NANOSECONDS.toMicros(window.toNanos())),
              Long.toString(openMicros))
          .whenComplete(
              (ok, failure) -> {
                if (failure != null) {
                  LOG.log(
                      Logger.Level.WARNING,
                      () -> breaker.name() + ": cannot report OPEN: " + fleet.describe(failure));
                  return;
                }
                fleet.publish("OPEN " + instance + " " + breaker.name());
              });
    }

    /** Another instance reported OPEN: count the reporters and open if they reach the quorum. */
    void peerOpened() {
      fleet
          .<List<String>>eval(
              REPORTERS,
              ScriptOutputType.MULTI,
              List.of(reporters),
              Long.toString(TimeUnit.NANOSECONDS.toMicros(window.toNanos())))
          .whenComplete(
              (members, failure) -> {
                if (failure == null
                    && members.stream().filter(m -> !m.equals(instance)).count() >= quorum) {
                  openForFleet(breaker.config().openDuration().toNanos());
                }
                quorumChecks.incrementAndGet();
              });
    }

    /** Force-opens the breaker for {@code nanos}, unless it is already open. */
    void openForFleet(long nanos) {
      CircuitBreaker.State state = breaker.state();
      if (state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN) {
        return;
      }
      breaker.forceOpen();
      Future<?> reset =
          fleet
              .scheduler()
              .schedule(
                  () -> {
                    Future<?> mine = fleetForced.get();
                    if (mine != null
                        && fleetForced.compareAndSet(mine, null)
                        && breaker.state() == CircuitBreaker.State.FORCED_OPEN) {
                      breaker.reset();
                    }
                  },
                  nanos);
      Future<?> previous = fleetForced.getAndSet(reset);
      if (previous != null) {
        previous.cancel(false);
      }
    }

    /** An operator's command: clears a fleet-forced open's scheduled reset first. */
    void apply(String command) {
      Future<?> previous = fleetForced.getAndSet(null);
      if (previous != null) {
        previous.cancel(false);
      }
      switch (command) {
        case "FORCE_OPEN":
          breaker.forceOpen();
          break;
        case "FORCE_CLOSE":
          breaker.disable();
          break;
        default:
          breaker.reset();
      }
    }

    @Override
    public void close() {
      breaker.events().unsubscribe(listener);
      shared.remove(breaker.name(), this);
      Future<?> previous = fleetForced.getAndSet(null);
      if (previous != null) {
        previous.cancel(false);
      }
    }
  }

  /** Shares {@code breaker}; reads its "open until" record, bounded by the command timeout. */
  Shared share(CircuitBreaker breaker, int quorum, Duration window) {
    Shared s = new Shared(breaker, quorum, window);
    if (shared.putIfAbsent(breaker.name(), s) != null) {
      throw new IllegalStateException(
          "a breaker named '" + breaker.name() + "' is already shared by this fleet");
    }
    breaker.events().subscribe(s.listener, Set.of(StateChanged.class));
    fleet.subscribe(this);
    try {
      Long remainingMicros =
          fleet
              .<Long>eval(UNTIL, ScriptOutputType.INTEGER, List.of(s.until))
              .get(fleet.commandTimeout().toNanos(), TimeUnit.NANOSECONDS);
      if (remainingMicros != null && remainingMicros > 0) {
        s.openForFleet(TimeUnit.MICROSECONDS.toNanos(remainingMicros));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) { // Redis slow or gone: the breaker starts closed, alone
      LOG.log(
          Logger.Level.WARNING,
          () -> breaker.name() + ": cannot read its open-until record: " + fleet.describe(e));
    }
    return s;
  }

  /** A message on the fleet's channel: "OPEN instance name" or "COMMAND - name". */
  void onMessage(String message) {
    int first = message.indexOf(' ');
    int second = first < 0 ? -1 : message.indexOf(' ', first + 1);
    if (second < 0) {
      return;
    }
    String command = message.substring(0, first);
    String from = message.substring(first + 1, second);
    Shared s = shared.get(message.substring(second + 1));
    if (s == null) {
      return;
    }
    if (command.equals("OPEN")) {
      if (!from.equals(instance)) {
        s.peerOpened();
      }
    } else if (command.equals("FORCE_OPEN")
        || command.equals("FORCE_CLOSE")
        || command.equals("RESET")) {
      s.apply(command);
    }
  }
}
