package dev.bulwark.redis;

import dev.bulwark.event.PolicyEvent;
import java.time.Instant;

/**
 * A fleet policy stopped using Redis and fell back to its local form, or came back to Redis.
 *
 * <p>Immutable; thread-safe.
 *
 * @param policyName the limiter or budget that switched
 * @param wallTime when it switched
 * @param kind which way it switched
 * @param reason why: the Redis failure for {@link Kind#FELL_BACK} (never with credentials), "Redis
 *     answered" for {@link Kind#RECOVERED}
 */
public record FleetEvent(String policyName, Instant wallTime, Kind kind, String reason)
    implements PolicyEvent {

  /** Which way a fleet policy switched. */
  public enum Kind {
    /** Redis failed or did not answer within the command timeout: the local form decides now. */
    FELL_BACK,
    /** Redis answered again: it decides again. */
    RECOVERED
  }
}
