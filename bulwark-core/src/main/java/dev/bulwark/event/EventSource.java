package dev.bulwark.event;

import java.util.Objects;
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
   * Delivers every later event of {@code type} to {@code consumer}.
   *
   * @return the listener to pass to {@link #unsubscribe}
   */
  default <E extends PolicyEvent> EventListener subscribe(
      Class<E> type, Consumer<? super E> consumer) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(consumer, "consumer");
    EventListener listener =
        event -> {
          if (type.isInstance(event)) {
            consumer.accept(type.cast(event));
          }
        };
    subscribe(listener);
    return listener;
  }

  /**
   * Stops delivering events to {@code listener}.
   *
   * @return true if it was subscribed
   */
  boolean unsubscribe(EventListener listener);
}
