package dev.bulwark.redis;

import dev.bulwark.spi.EventBus;
import java.lang.System.Logger;
import java.util.concurrent.atomic.AtomicBoolean;

/*
 * Whether a fleet policy decides through Redis or by its local form. One volatile boolean: a
 * caller reads it once. A failed command flips it off (the CAS winner publishes FELL_BACK and
 * starts the probe); the probe asks Redis about the policy's own key every probeInterval (so on a
 * cluster it asks the key's slot owner) and flips it back on the first answer (publishing
 * RECOVERED). Only one probe runs per policy: the one started by the winner of the flip off.
 */
final class RedisSwitch {
  private static final Logger LOG = System.getLogger(RedisSwitch.class.getName());

  private final RedisFleet fleet;
  private final String name;
  private final String key;
  private final EventBus events;
  private final AtomicBoolean onRedis = new AtomicBoolean(true);

  RedisSwitch(RedisFleet fleet, String name, String key, EventBus events) {
    this.fleet = fleet;
    this.name = name;
    this.key = key;
    this.events = events;
  }

  /** True while Redis decides. */
  boolean onRedis() {
    return onRedis.get();
  }

  /** A command failed or timed out: fall back, unless another caller already did. */
  void failed(Throwable failure) {
    if (!onRedis.get() || !onRedis.compareAndSet(true, false)) {
      return; // the caller that flipped it reports and probes
    }
    String reason = fleet.describe(failure);
    LOG.log(Logger.Level.WARNING, () -> name + ": Redis failed, deciding locally: " + reason);
    if (events.hasListeners(FleetEvent.class)) {
      events.publish(
          new FleetEvent(name, fleet.clock().wallTime(), FleetEvent.Kind.FELL_BACK, reason));
    }
    scheduleProbe();
  }

  private void scheduleProbe() {
    if (fleet.isClosed()) {
      return;
    }
    try {
      fleet.scheduler().schedule(this::probe, fleet.probeInterval().toNanos());
    } catch (RuntimeException e) { // a scheduler that refuses work: stay local
      LOG.log(Logger.Level.WARNING, () -> name + ": cannot schedule a Redis probe", e);
    }
  }

  private void probe() {
    fleet
        .probe(key)
        .whenComplete(
            (ttl, failure) -> {
              if (failure != null) {
                scheduleProbe();
                return;
              }
              if (onRedis.compareAndSet(false, true)) {
                LOG.log(Logger.Level.INFO, () -> name + ": Redis answers again");
                if (events.hasListeners(FleetEvent.class)) {
                  fleet
                      .scheduler()
                      .completionExecutor()
                      .execute(
                          () ->
                              events.publish(
                                  new FleetEvent(
                                      name,
                                      fleet.clock().wallTime(),
                                      FleetEvent.Kind.RECOVERED,
                                      "Redis answered")));
                }
              }
            });
  }
}
