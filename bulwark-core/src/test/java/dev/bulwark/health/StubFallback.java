package dev.bulwark.health;

import dev.bulwark.event.DegradedOutcome;
import dev.bulwark.event.EventSource;
import dev.bulwark.policy.Policy;
import dev.bulwark.spi.EventBus;
import dev.bulwark.time.Clock;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Stands in for the real fallback policy, which health must not depend on: replaces a failed call's
 * outcome with a fixed value and publishes a {@link DegradedOutcome} event through an {@link
 * EventBus}, as a fallback does. Thread-safe.
 */
final class StubFallback implements Policy {
  /** What this stub publishes: any event implementing {@link DegradedOutcome} would do. */
  record ServedSubstitute(String policyName, Throwable failure, Instant wallTime)
      implements DegradedOutcome {}

  private final String name;
  private final Object value;
  private final Clock clock;
  private final EventBus events = new EventBus();

  StubFallback(String name, Object value, Clock clock) {
    this.name = name;
    this.value = value;
    this.clock = clock;
  }

  EventSource events() {
    return events;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T execute(Callable<T> call, Next next) {
    try {
      return next.proceed(call);
    } catch (Exception e) {
      served(e);
      return (T) value;
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> CompletionStage<T> executeAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
    return next.proceed(call)
        .handle(
            (result, failure) -> {
              if (failure == null) {
                return result;
              }
              served(failure);
              return (T) value;
            });
  }

  private void served(Throwable failure) {
    if (events.hasListeners()) {
      events.publish(new ServedSubstitute(name, failure, clock.wallTime()));
    }
  }
}
