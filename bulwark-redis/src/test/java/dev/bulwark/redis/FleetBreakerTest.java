package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.test.redis.RedisExtension;
import dev.bulwark.time.Clock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Breaker state the fleet acts on: quorum, operators' commands, open-until across restarts. */
class FleetBreakerTest {
  @RegisterExtension static final RedisExtension redis = RedisExtension.server();

  private static final Clock SYSTEM = Clock.system();
  private static final CircuitBreakerConfig TWO_FAILURES =
      CircuitBreakerConfig.builder()
          .windowSize(2)
          .minimumCalls(2)
          .openDuration(Duration.ofSeconds(30))
          .build();

  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  /** A fresh instance: its own fleet and its own breaker "payments", shared with quorum 2. */
  private Instance instance() {
    RedisFleet fleet =
        Fleets.connected(
            RedisFleet.builder(redis.redis().uri().toString())
                .commandTimeout(Duration.ofSeconds(1)));
    closing.add(fleet);
    CircuitBreaker breaker = CircuitBreaker.of("payments", TWO_FAILURES);
    closing.add(fleet.shareBreaker(breaker, 2, Duration.ofSeconds(10)));
    return new Instance(fleet, breaker);
  }

  private record Instance(RedisFleet fleet, CircuitBreaker breaker) {
    void fail() {
      for (int i = 0; i < 2; i++) {
        assertThat(breaker.tryAcquirePermission()).isTrue();
        breaker.onError(1_000, new IOException("down"));
      }
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    int quorumChecks() {
      FleetBreakers.Shared shared = Objects.requireNonNull(fleet.breakers().shared("payments"));
      return shared.quorumChecks.get();
    }
  }

  @Test
  void onePeerReportingOpenDoesNotOpenTheOthersButTwoDo() {
    Instance a = instance();
    Instance b = instance();
    Instance c = instance();

    a.fail();
    await(() -> b.quorumChecks() >= 1 && c.quorumChecks() >= 1, "b and c count a's report");
    assertThat(b.breaker().state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(c.breaker().state()).isEqualTo(CircuitBreaker.State.CLOSED);

    b.fail();
    await(
        () -> c.breaker().state() == CircuitBreaker.State.FORCED_OPEN,
        "c opens once two peers reported");
  }

  @Test
  void anOperatorsForceOpenReachesThreeInstancesWithinOneSecond() {
    List<Instance> fleet = List.of(instance(), instance(), instance());

    long sent = SYSTEM.nanoTime();
    fleet.get(0).fleet().forceOpenBreaker("payments");
    await(
        () -> fleet.stream().allMatch(i -> i.breaker().state() == CircuitBreaker.State.FORCED_OPEN),
        "all three forced open");
    assertThat(SYSTEM.nanoTime() - sent).isLessThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));

    fleet.get(1).fleet().forceCloseBreaker("payments");
    await(
        () -> fleet.stream().allMatch(i -> i.breaker().state() == CircuitBreaker.State.DISABLED),
        "all three forced closed");
    fleet.get(2).fleet().resetBreaker("payments");
    await(
        () -> fleet.stream().allMatch(i -> i.breaker().state() == CircuitBreaker.State.CLOSED),
        "all three reset");
  }

  @Test
  void anInstanceStartedWhileTheBreakerIsOpenStartsOpen() {
    Instance first = instance();
    first.fail();
    await(
        () ->
            Long.valueOf(1).equals(redis.redis().command("EXISTS", "bulwark:cb:{payments}:until")),
        "the open-until record is written");

    Instance restarted = instance();

    assertThat(restarted.breaker().state()).isEqualTo(CircuitBreaker.State.FORCED_OPEN);
    Object ttl = redis.redis().command("PTTL", "bulwark:cb:{payments}:until");
    assertThat((Long) ttl).isBetween(1L, 30_000L);
  }

  /** Waits for {@code condition}, 5 s at most. */
  private static void await(BooleanSupplier condition, String what) {
    long deadline = SYSTEM.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      assertThat(SYSTEM.nanoTime() - deadline).as(what).isNegative();
      LockSupport.parkNanos(1_000_000);
    }
  }
}
