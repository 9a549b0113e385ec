package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.event.PolicyAdded;
import dev.bulwark.event.PolicyEvicted;
import dev.bulwark.policy.Pipeline;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.retry.Retry;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ResilienceEvictionTest {
  private static final Duration IDLE = Duration.ofMinutes(1);

  private final ManualClock clock = ManualClock.nearOverflow(); // wraps mid-test
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final List<PolicyEvicted> evicted = new ArrayList<>();

  private ResilienceBuilder builder() {
    return Resilience.builder()
        .clock(clock)
        .scheduler(scheduler)
        .defaultConfig(
            CircuitBreaker.KIND,
            CircuitBreakerConfig.builder()
                .consecutiveFailures(1)
                .openDuration(Duration.ofSeconds(10))
                .build());
  }

  private Resilience build(ResilienceBuilder builder) {
    Resilience resilience = builder.build();
    resilience.events().subscribe(PolicyEvicted.class, evicted::add);
    return resilience;
  }

  private static void trip(CircuitBreaker breaker) {
    assertThat(breaker.tryAcquirePermission()).isTrue();
    breaker.onError(0, new IOException("down"));
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void evictsIdleInstancesButNeverAnOpenOrHalfOpenOrForcedOpenBreaker() {
    Resilience resilience = build(builder().idleEviction(IDLE));
    CircuitBreaker idle = resilience.circuitBreaker("idle");
    trip(resilience.circuitBreaker("open"));
    trip(resilience.circuitBreaker("half-open"));
    resilience.forceOpen("forced");
    resilience.retry("idle");
    clock.advance(Duration.ofSeconds(10));
    assertThat(resilience.circuitBreaker("half-open").tryAcquirePermission()).isTrue(); // a probe

    clock.advance(Duration.ofMinutes(2));
    int count = resilience.evictIdle();

    assertThat(count).isEqualTo(2); // breaker "idle" and retry "idle"
    assertThat(resilience.instances(CircuitBreaker.KIND))
        .containsOnlyKeys("open", "half-open", "forced");
    assertThat(resilience.find(CircuitBreaker.KIND, "half-open").orElseThrow().state())
        .isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(resilience.instances(Retry.KIND)).isEmpty();
    assertThat(evicted)
        .extracting(PolicyEvicted::policyName, PolicyEvicted::reason)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("idle", PolicyEvicted.Reason.IDLE),
            org.assertj.core.groups.Tuple.tuple("idle", PolicyEvicted.Reason.IDLE));
    assertThat(evicted).extracting(PolicyEvicted::policy).contains(idle);
    assertThat(resilience.circuitBreaker("idle")).isNotSameAs(idle); // a fresh one
  }

  @Test
  void aBreakerIsEvictedOnceItHasClosedAndStayedIdle() {
    Resilience resilience = build(builder().idleEviction(IDLE));
    trip(resilience.circuitBreaker("open"));
    clock.advance(Duration.ofMinutes(5));
    assertThat(resilience.evictIdle()).isZero();

    resilience.reset(CircuitBreaker.KIND, "open");
    clock.advance(Duration.ofSeconds(1));

    assertThat(resilience.evictIdle()).isEqualTo(1);
    assertThat(resilience.find(CircuitBreaker.KIND, "open")).isEmpty();
  }

  @Test
  void anInstanceLookedUpWithinTheIdleTimeStays() {
    Resilience resilience = build(builder().idleEviction(IDLE));
    CircuitBreaker breaker = resilience.circuitBreaker("device-1");

    for (int i = 0; i < 10; i++) {
      clock.advance(Duration.ofSeconds(50));
      assertThat(resilience.circuitBreaker("device-1")).isSameAs(breaker);
      assertThat(resilience.evictIdle()).isZero();
    }
    clock.advance(IDLE.plus(IDLE.dividedBy(16)));
    assertThat(resilience.evictIdle()).isEqualTo(1);
  }

  @Test
  void neverEvictsBeforeTheIdleTimeHasPassed() {
    Resilience resilience = build(builder().idleEviction(IDLE));
    resilience.circuitBreaker("device-1");

    clock.advance(IDLE.minusNanos(1));

    assertThat(resilience.evictIdle()).isZero();
  }

  @Test
  void lookingUpThePipelineKeepsItsPoliciesAlive() {
    Resilience resilience = build(builder().idleEviction(IDLE));
    Pipeline pipeline = resilience.pipeline("inventory");

    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(50));
      assertThat(resilience.pipeline("inventory")).isSameAs(pipeline);
      assertThat(resilience.evictIdle()).isZero();
    }
    clock.advance(Duration.ofMinutes(2));
    assertThat(resilience.evictIdle()).isEqualTo(2);
    Pipeline fresh = resilience.pipeline("inventory");
    assertThat(fresh).isNotSameAs(pipeline);
    assertThat(fresh.policies())
        .containsExactly(resilience.circuitBreaker("inventory"), resilience.retry("inventory"));
  }

  @Test
  void creatingAnInstanceSweepsIdleOnesOnceHalfTheIdleTimeHasPassed() {
    Resilience resilience = build(builder().idleEviction(IDLE));
    resilience.circuitBreaker("old");
    clock.advance(Duration.ofMinutes(3));

    resilience.circuitBreaker("new");

    assertThat(resilience.instances(CircuitBreaker.KIND)).containsOnlyKeys("new");
    assertThat(evicted).extracting(PolicyEvicted::policyName).containsExactly("old");
  }

  @Test
  void aRateLimiterHoldingCallersBackIsNotEvicted() {
    Resilience resilience =
        build(
            builder()
                .idleEviction(IDLE)
                .defaultConfig(
                    RateLimiter.KIND,
                    RateLimiterConfig.builder().limit(1).period(Duration.ofHours(1)).build()));
    RateLimiter held = resilience.rateLimiter("held");
    held.holdFor(Duration.ofHours(2));
    RateLimiter spent = resilience.rateLimiter("spent");
    assertThat(spent.tryAcquire()).isTrue();
    resilience.rateLimiter("idle");

    clock.advance(Duration.ofMinutes(30));

    assertThat(resilience.evictIdle()).isEqualTo(1);
    assertThat(resilience.instances(RateLimiter.KIND)).containsOnlyKeys("held", "spent");
  }

  @Test
  void aMillionDistinctNamesStayWithinTheBound() {
    Resilience resilience =
        Resilience.builder()
            .clock(clock)
            .maxInstances(1000)
            .defaultConfig(
                CircuitBreaker.KIND,
                CircuitBreakerConfig.builder().windowSize(10).minimumCalls(5).build())
            .build();
    int[] live = new int[2]; // [now, most ever], counted from the registry's own events
    resilience
        .events()
        .subscribe(
            e -> {
              live[0] += e instanceof PolicyAdded ? 1 : -1;
              live[1] = Math.max(live[1], live[0]);
            });

    for (int i = 0; i < 1_000_000; i++) {
      resilience.circuitBreaker("device-" + i);
      if (i % 1000 == 0) {
        clock.advance(Duration.ofSeconds(1));
      }
    }

    assertThat(live[1]).isEqualTo(1000);
    assertThat(resilience.instances(CircuitBreaker.KIND))
        .hasSize(live[0])
        .hasSizeLessThanOrEqualTo(1000);
    assertThat(resilience.find(CircuitBreaker.KIND, "device-999999")).isPresent();
  }

  @Test
  void aFullRegistryEvictsTheLeastRecentlyUsedClosedInstanceFirst() {
    Resilience resilience = build(builder().maxInstances(8)); // makes room one at a time
    for (int i = 0; i < 8; i++) {
      resilience.circuitBreaker("b" + i);
      clock.advance(Duration.ofSeconds(2));
    }
    trip(resilience.circuitBreaker("b1"));
    resilience.circuitBreaker("b0"); // b0 is now the most recently used

    resilience.circuitBreaker("new-1");
    resilience.circuitBreaker("new-2");

    assertThat(evicted)
        .extracting(PolicyEvicted::policyName, PolicyEvicted::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("b2", PolicyEvicted.Reason.CAPACITY),
            org.assertj.core.groups.Tuple.tuple("b3", PolicyEvicted.Reason.CAPACITY));
    assertThat(resilience.instances(CircuitBreaker.KIND)).hasSize(8).containsKeys("b0", "b1");
  }

  @Test
  void aRegistryFullOfOpenBreakersRefusesToCreateNamingTheBound() {
    Resilience resilience = build(builder().maxInstances(3));
    for (int i = 0; i < 3; i++) {
      trip(resilience.circuitBreaker("b" + i));
    }

    assertThatThrownBy(() -> resilience.circuitBreaker("b3"))
        .isInstanceOfSatisfying(
            RegistryFullException.class,
            e -> {
              assertThat(e.policyName()).isEqualTo("b3");
              assertThat(e.maxInstances()).isEqualTo(3);
            })
        .hasMessageStartingWith(
            "cannot create circuit breaker 'b3': the registry holds maxInstances (3) circuit"
                + " breaker instances and none can be evicted");
    CompletableFuture<String> async =
        resilience
            .callAsync("b4", () -> CompletableFuture.completedFuture("x"))
            .toCompletableFuture();
    assertThat(async).isCompletedExceptionally();
    assertThat(evicted).isEmpty();

    resilience.reset(CircuitBreaker.KIND, "b0");
    assertThat(resilience.circuitBreaker("b3").state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(resilience.instances(CircuitBreaker.KIND)).containsOnlyKeys("b1", "b2", "b3");
  }

  @Test
  void aNameCalledThroughItsPipelineIsNotTheOneEvictedToMakeRoom() throws Exception {
    Resilience resilience = build(builder().maxInstances(16)); // a full registry evicts one
    resilience.call("hot", () -> "ok");
    for (int i = 0; i < 15; i++) {
      clock.advance(Duration.ofSeconds(1));
      resilience.circuitBreaker("cold-" + i);
    }
    clock.advance(Duration.ofSeconds(1));
    resilience.call("hot", () -> "ok"); // the oldest entry, but used since: no clock read here

    resilience.circuitBreaker("new");

    assertThat(resilience.instances(CircuitBreaker.KIND))
        .containsKey("hot")
        .doesNotContainKey("cold-0");
    assertThat(evicted).extracting(PolicyEvicted::policyName).containsExactly("cold-0");
  }
}
