package dev.bulwark.event;

/**
 * Receives a policy's events, on the thread that caused them. Keep it quick and non-blocking; an
 * exception it throws is logged and never reaches the call.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface EventListener {

  /** Called once for each event, in the order the publishing thread saw them. */
  void onEvent(PolicyEvent event);
}
