package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Resilience;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.spi.Setting;
import dev.bulwark.test.redis.RedisExtension;
import dev.bulwark.time.Clock;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Fleet breaker sharing turned on by an operator's environment, through the registry. */
class FleetBreakerKindTest {
  @RegisterExtension static final RedisExtension redis = RedisExtension.server();

  private static final Clock SYSTEM = Clock.system();

  private final List<Resilience> registries = new ArrayList<>();

  @AfterEach
  void close() {
    registries.forEach(Resilience::close);
    FleetLimiter.closeSharedFleets();
  }

  /** One instance of the service: its own registry (own clock, scheduler, fleet connection). */
  private Resilience instance() {
    Clock own = // a clock of its own: instances in one JVM do not share a fleet connection
        new Clock() {
          @Override
          public long nanoTime() {
            return SYSTEM.nanoTime();
          }

          @Override
          public java.time.Instant wallTime() {
            return SYSTEM.wallTime();
          }
        };
    Resilience resilience =
        Resilience.builder()
            .clock(own)
            .environment(
                Map.of(
                    "BULWARK_FLEET_BREAKER_URI", redis.redis().uri().toString(),
                    "BULWARK_FLEET_BREAKER_COMMAND_TIMEOUT", "2s",
                    "BULWARK_FLEET_BREAKER_PAYMENTS_QUORUM", "2",
                    "BULWARK_FLEET_BREAKER_PAYMENTS_WINDOW", "30s",
                    "BULWARK_BREAKER_PAYMENTS_WINDOW_SIZE", "2",
                    "BULWARK_BREAKER_PAYMENTS_MINIMUM_CALLS", "2",
                    "BULWARK_BREAKER_PAYMENTS_OPEN_DURATION", "30s"))
            .build();
    registries.add(resilience);
    resilience.pipeline("payments"); // the pipeline holds the fleet breaker, which starts sharing
    FleetBreaker shared = resilience.find(FleetBreaker.KIND, "payments").orElseThrow();
    assertThat(shared.isSharing()).isTrue();
    await(shared.fleet()::isConnected, "connected");
    return resilience;
  }

  private static void fail(Resilience instance) {
    CircuitBreaker breaker = instance.circuitBreaker("payments");
    for (int i = 0; i < 2; i++) {
      assertThat(breaker.tryAcquirePermission()).isTrue();
      breaker.onError(1_000, new IOException("down"));
    }
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
  }

  private static int quorumChecks(Resilience instance) {
    FleetBreaker shared = instance.find(FleetBreaker.KIND, "payments").orElseThrow();
    return Objects.requireNonNull(shared.fleet().breakers().shared("payments")).quorumChecks.get();
  }

  @Test
  void aQuorumDeclaredInTheEnvironmentSharesTheRegistrysBreakerAcrossTheFleet() {
    Resilience a = instance();
    Resilience b = instance();
    Resilience c = instance();

    fail(a);
    await(() -> quorumChecks(b) >= 1 && quorumChecks(c) >= 1, "b and c count a's report");
    assertThat(b.circuitBreaker("payments").state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(c.circuitBreaker("payments").state()).isEqualTo(CircuitBreaker.State.CLOSED);

    fail(b);
    await(
        () -> c.circuitBreaker("payments").state() == CircuitBreaker.State.FORCED_OPEN,
        "c opens once two peers reported");
  }

  @Test
  void aNameWithoutAFleetBreakerDeclaredSharesNothingAndClosingTheRegistryStopsSharing() {
    Resilience a = instance();
    FleetBreaker payments = a.find(FleetBreaker.KIND, "payments").orElseThrow();

    a.pipeline("search");
    a.close();

    assertThat(a.find(FleetBreaker.KIND, "search")).isEmpty();
    assertThat(payments.isSharing()).isFalse();
    assertThat(payments.fleet().breakers().shared("payments")).isNull();
  }

  @Test
  void itsSettingsAreDeclaredAndCheckedNamingTheVariable() {
    assertThat(FleetBreaker.KIND.settings())
        .extracting(Setting::name)
        .containsExactly("URI", "COMMAND_TIMEOUT", "QUORUM", "WINDOW");
    assertThat(FleetBreaker.KIND.envPrefix()).isEqualTo("FLEET_BREAKER_");
    assertThatThrownBy(
            () ->
                Resilience.builder()
                    .environment(Map.of("BULWARK_FLEET_BREAKER_PAYMENTS_QUORUM", "0"))
                    .build())
        .hasMessage("BULWARK_FLEET_BREAKER_PAYMENTS_QUORUM must be in [1, 1000], was 0");
    String secretUri = "redis://fleet:s3cret-pass@127.0.0.1:1";
    assertThat(FleetBreakerConfig.builder().uri(secretUri).build().toString())
        .doesNotContain("s3cret");
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
