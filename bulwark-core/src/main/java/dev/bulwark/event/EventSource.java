package dev.bulwark.event;

import dev.bulwark.internal.Check;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where a policy's events can be listened to. Until something subscribes, the policy builds no
 * event at all.
 *
 * <p>Thread-safe.
 */
public interface EventSource {

  /** Delivers every later event to {@code listener}, until {@link #unsubscribe} is called. */
  void subscribe(EventListener listener);

  /**
   * Delivers every later event that is an instance of one of {@code types} (classes or interfaces
   * such as {@link DegradedOutcome}) to {@code listener}, until {@link #unsubscribe}.
   *
   * <p>Prefer this to {@link #subscribe(EventListener)} when only some kinds matter: a policy
   * builds no event of a kind nobody asked for, so listening to state changes costs a successful
   * call nothing, where listening to everything makes it build a {@link CallPermitted} and a {@link
   * SuccessRecorded} each time.
   *
   * @throws IllegalArgumentException if {@code types} is empty
   */
  void subscribe(EventListener listener, Set<Class<? extends PolicyEvent>> types);

  /**
   * Delivers every later event of {@code type} to {@code consumer}.
   *
   * @return the listener to pass to {@link #unsubscribe}
   */
  default <E extends PolicyEvent> EventListener subscribe(
      Class<E> type, Consumer<? super E> consumer) {
    Check.notNull("type", type);
    Check.notNull("consumer", consumer);
    EventListener listener = event -> consumer.accept(type.cast(event));
    subscribe(listener, Set.of(type));
    return listener;
  }

  /**
   * Stops delivering events to {@code listener}.
   *
   * @return true if it was subscribed
   */
  boolean unsubscribe(EventListener listener);
}
