package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.event.PolicyAdded;
import dev.bulwark.event.PolicyEvicted;
import dev.bulwark.policy.Policy;
import dev.bulwark.spi.EventBus;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.test.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class NamedPoliciesTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final EventBus events = new EventBus();
  private final List<PolicyEvicted> evicted = new ArrayList<>();
  private final List<String> hooked = new ArrayList<>();

  /** A policy whose "busy" answers are scripted, to stage a race with a held reference. */
  static final class Stub implements Policy {
    private final String name;
    final AtomicInteger checks = new AtomicInteger();
    volatile int idleAnswers = Integer.MAX_VALUE; // checks answered "evictable"

    Stub(String name) {
      this.name = name;
    }

    boolean evictable() {
      return checks.incrementAndGet() <= idleAnswers;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public <T> T execute(Callable<T> call, Next next) throws Exception {
      return next.proceed(call);
    }

    @Override
    public <T> CompletionStage<T> executeAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
      return next.proceed(call);
    }
  }

  private NamedPolicies<Stub> policies(int max, Duration idle) {
    events.subscribe(PolicyEvicted.class, evicted::add);
    PolicyKind<Stub, Object, Object> kind =
        PolicyKind.<Stub, Object, Object>builder(
                "stub", "stub", new Object(), (n, c, k, s) -> new Stub(n), c -> c, b -> b)
            .busy(stub -> !stub.evictable())
            .build();
    return new NamedPolicies<>(
        kind, max, idle.toNanos(), clock, events, e -> {}, e -> hooked.add(e.name));
  }

  private static NamedPolicies.Made<Stub> make(String name) {
    return new NamedPolicies.Made<>(new Stub(name), null);
  }

  @Test
  void anInstanceThatTurnsBusyWhileBeingEvictedIsPutBackSilently() {
    NamedPolicies<Stub> policies = policies(10, Duration.ofMinutes(1));
    Stub stub = policies.get("a", null, NamedPoliciesTest::make);
    stub.idleAnswers = 1; // idle when checked, busy right after it was removed
    clock.advance(Duration.ofMinutes(2));

    assertThat(policies.evictIdle(clock.nanoTime())).isZero();

    assertThat(stub.checks).hasValue(2);
    assertThat(policies.find("a")).containsSame(stub);
    assertThat(policies.get("a", null, NamedPoliciesTest::make)).isSameAs(stub);
    assertThat(policies.size()).isEqualTo(1);
    assertThat(evicted).isEmpty();
    assertThat(hooked).isEmpty();
  }

  @Test
  void anEvictedInstanceIsReportedOnceToTheHookAndTheListeners() {
    NamedPolicies<Stub> policies = policies(10, Duration.ofMinutes(1));
    Stub stub = policies.get("a", null, NamedPoliciesTest::make);
    clock.advance(Duration.ofMinutes(2));

    assertThat(policies.evictIdle(clock.nanoTime())).isEqualTo(1);
    assertThat(policies.evictIdle(clock.nanoTime())).isZero();

    assertThat(hooked).containsExactly("a");
    assertThat(evicted).extracting(PolicyEvicted::policy).containsExactly(stub);
    assertThat(policies.size()).isZero();
  }

  @Test
  void aCreatorThatLosesTheRaceGivesItsSlotBackAndReturnsTheWinner() {
    NamedPolicies<Stub> policies = policies(2, Duration.ZERO);
    List<PolicyAdded> added = new ArrayList<>();
    events.subscribe(PolicyAdded.class, added::add);
    Stub[] winner = new Stub[1];

    // while this creator builds its instance, another one registers the name first
    Stub got =
        policies.get(
            "a",
            null,
            name -> {
              winner[0] = policies.get(name, null, NamedPoliciesTest::make);
              return make(name);
            });

    assertThat(got).isSameAs(winner[0]);
    assertThat(policies.size()).isEqualTo(1);
    assertThat(added).extracting(PolicyAdded::policy).containsExactly(winner[0]);
    policies.get("b", null, NamedPoliciesTest::make); // the slot given back is free again
    assertThat(policies.size()).isEqualTo(2);
  }
}
