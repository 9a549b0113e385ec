package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.event.PolicyAdded;
import dev.bulwark.event.PolicyEvicted;
import dev.bulwark.policy.Policy;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.test.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class RegistrySlotTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final List<PolicyEvicted> evicted = new ArrayList<>();

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

  private final AtomicReference<Resilience> registry = new AtomicReference<>();
  private volatile boolean raceOnCreate; // the next creation lets another creator win the name
  private volatile Stub winner;

  private final PolicyKind<Stub, Object, Object> kind =
      PolicyKind.<Stub, Object, Object>builder(
              "stub", "stub", new Object(), (n, c, k, s) -> create(n), c -> c, b -> b)
          .busy(stub -> !stub.evictable())
          .build();

  private Stub create(String name) {
    if (raceOnCreate) { // while this creator builds its instance, another one registers the name
      raceOnCreate = false;
      winner = registry.get().get(kind, name);
    }
    return new Stub(name);
  }

  private Resilience policies(int max, Duration idle) {
    Resilience resilience =
        Resilience.builder().kind(kind).clock(clock).maxInstances(max).idleEviction(idle).build();
    resilience.events().subscribe(PolicyEvicted.class, evicted::add);
    registry.set(resilience);
    return resilience;
  }

  @Test
  void anInstanceThatTurnsBusyWhileBeingEvictedIsPutBackSilently() {
    Resilience policies = policies(10, Duration.ofMinutes(1));
    Stub stub = policies.get(kind, "a");
    stub.idleAnswers = 1; // idle when checked, busy right after it was removed
    clock.advance(Duration.ofMinutes(2));

    assertThat(policies.evictIdle()).isZero();

    assertThat(stub.checks).hasValue(2);
    assertThat(policies.find(kind, "a")).containsSame(stub);
    assertThat(policies.get(kind, "a")).isSameAs(stub);
    assertThat(policies.instances(kind)).hasSize(1);
    assertThat(evicted).isEmpty();
  }

  @Test
  void anEvictedInstanceIsReportedOnceToTheListeners() {
    Resilience policies = policies(10, Duration.ofMinutes(1));
    Stub stub = policies.get(kind, "a");
    clock.advance(Duration.ofMinutes(2));

    assertThat(policies.evictIdle()).isEqualTo(1);
    assertThat(policies.evictIdle()).isZero();

    assertThat(evicted).extracting(PolicyEvicted::policy).containsExactly(stub);
    assertThat(policies.instances(kind)).isEmpty();
    assertThat(policies.toString()).contains("stub=0");
  }

  @Test
  void aCreatorThatLosesTheRaceGivesItsSlotBackAndReturnsTheWinner() {
    Resilience policies = policies(2, Duration.ZERO);
    List<PolicyAdded> added = new ArrayList<>();
    policies.events().subscribe(PolicyAdded.class, added::add);
    raceOnCreate = true;

    Stub got = policies.get(kind, "a");

    assertThat(got).isSameAs(winner);
    assertThat(policies.toString()).contains("stub=1");
    assertThat(added).extracting(PolicyAdded::policy).containsExactly(winner);
    policies.get(kind, "b"); // the slot given back is free again
    assertThat(policies.instances(kind)).hasSize(2);
    assertThat(policies.toString()).contains("stub=2");
  }
}
