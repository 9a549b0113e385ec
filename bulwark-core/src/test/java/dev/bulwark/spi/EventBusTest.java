package dev.bulwark.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Resilience;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.circuitbreaker.StateChanged;
import dev.bulwark.event.CallPermitted;
import dev.bulwark.event.DegradedOutcome;
import dev.bulwark.event.EventListener;
import dev.bulwark.event.EventSource;
import dev.bulwark.event.FallbackServed;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.event.SuccessRecorded;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.hedge.Hedge;
import dev.bulwark.hedge.HedgeConfig;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.timeout.Timeout;
import dev.bulwark.timeout.TimeoutConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventBusTest {
  private final EventBus bus = new EventBus();
  private final List<PolicyEvent> seen = new ArrayList<>();
  private static final Instant NOW = Instant.EPOCH;

  @Test
  void theViewSubscribesToTheBusButCannotBeCastBackToPublish() {
    EventSource view = bus.view();
    view.subscribe(seen::add);
    SuccessRecorded success = new SuccessRecorded("db", Duration.ZERO, NOW);

    bus.publish(success);

    assertThat(view).isNotInstanceOf(EventBus.class).isSameAs(bus.view());
    assertThat(seen).containsExactly(success);
    assertThat(view.unsubscribe(seen::add)).as("a different listener instance").isFalse();
  }

  @Test
  void everyPolicyHandsOutAViewNotItsBus() {
    Resilience resilience = Resilience.ofDefaults();
    List<EventSource> sources =
        List.of(
            resilience.events(),
            CircuitBreaker.of("b", CircuitBreakerConfig.ofDefaults()).events(),
            Retry.of("r", RetryConfig.ofDefaults()).events(),
            RateLimiter.of("l", RateLimiterConfig.ofDefaults()).events(),
            Bulkhead.of("k", BulkheadConfig.ofDefaults()).events(),
            Timeout.of("t", TimeoutConfig.ofDefaults()).events(),
            Hedge.of("h", HedgeConfig.ofDefaults()).events(),
            Fallback.<String>of("f", failure -> "cached").events());

    assertThat(sources).allSatisfy(s -> assertThat(s).isNotInstanceOf(EventBus.class));
  }

  @Test
  void nobodyListeningWantsNothing() {
    assertThat(bus.hasListeners()).isFalse();
    assertThat(bus.hasListeners(SuccessRecorded.class)).isFalse();
  }

  @Test
  void aTypedListenerMakesPoliciesBuildOnlyItsKinds() {
    bus.subscribe(seen::add, Set.of(StateChanged.class, DegradedOutcome.class));

    assertThat(bus.hasListeners(StateChanged.class)).isTrue();
    assertThat(bus.hasListeners(FallbackServed.class))
        .as("a subtype of an interface asked for")
        .isTrue();
    assertThat(bus.hasListeners(SuccessRecorded.class)).isFalse();
    assertThat(bus.hasListeners(CallPermitted.class)).isFalse();
  }

  @Test
  void publishDeliversOnlyTheKindsEachListenerAskedFor() {
    List<PolicyEvent> all = new ArrayList<>();
    bus.subscribe(all::add);
    bus.subscribe(seen::add, Set.of(StateChanged.class));
    StateChanged opened =
        new StateChanged("db", CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN, NOW);
    SuccessRecorded success = new SuccessRecorded("db", Duration.ZERO, NOW);

    bus.publish(success);
    bus.publish(opened);

    assertThat(seen).containsExactly(opened);
    assertThat(all).containsExactly(success, opened);
  }

  @Test
  void aListenerThatThrowsDoesNotStopTheOthers() {
    bus.subscribe(
        event -> {
          throw new IllegalStateException("broken listener");
        });
    bus.subscribe(seen::add);
    CallPermitted event = new CallPermitted("db", NOW);

    bus.publish(event);

    assertThat(seen).containsExactly(event);
  }

  @Test
  void unsubscribingStopsDeliveryAndSaysWhetherItWasSubscribed() {
    EventListener listener = seen::add;
    bus.subscribe(listener, Set.of(CallPermitted.class));

    assertThat(bus.unsubscribe(listener)).isTrue();
    assertThat(bus.unsubscribe(listener)).isFalse();
    bus.publish(new CallPermitted("db", NOW));

    assertThat(seen).isEmpty();
    assertThat(bus.hasListeners()).isFalse();
  }

  @Test
  void anEmptySetOfKindsIsRefused() {
    assertThatThrownBy(() -> bus.subscribe(seen::add, Set.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("types must name at least one kind of event");
  }
}
