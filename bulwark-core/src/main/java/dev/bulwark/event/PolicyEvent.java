package dev.bulwark.event;

import java.time.Instant;

/**
 * Something a policy decided or saw: a call permitted or rejected, an outcome recorded, a state
 * changed, a retry scheduled. Events are built only when someone listens.
 *
 * <p>Immutable; thread-safe.
 */
public interface PolicyEvent {

  /** The name of the policy that published this event. */
  String policyName();

  /** When it happened, by the policy's clock. */
  Instant wallTime();
}
