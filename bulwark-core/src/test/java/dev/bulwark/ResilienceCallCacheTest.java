package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.circuitbreaker.CircuitBreakerOpenException;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/** {@code call(name, ...)} finds a cached pipeline; these are the changes it must not miss. */
class ResilienceCallCacheTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final Resilience resilience =
      Resilience.builder()
          .clock(clock)
          .scheduler(new ManualScheduler(clock))
          .idleEviction(Duration.ofMinutes(1))
          .defaultConfig(Retry.KIND, RetryConfig.builder().maxAttempts(1).build())
          .build();
  private final Callable<String> ok = () -> "ok";
  private final Callable<String> failing =
      () -> {
        throw new IOException("down");
      };

  @Test
  void aCallByNameAfterItsPoliciesWereEvictedGoesThroughTheFreshOnes() throws Exception {
    resilience.call("inventory", ok);
    CircuitBreaker evicted = resilience.circuitBreaker("inventory");
    clock.advance(Duration.ofMinutes(2));
    assertThat(resilience.evictIdle()).isEqualTo(2);

    assertThatThrownBy(() -> resilience.call("inventory", failing)).isInstanceOf(IOException.class);

    CircuitBreaker fresh = resilience.find(CircuitBreaker.KIND, "inventory").orElseThrow();
    assertThat(fresh).isNotSameAs(evicted);
    assertThat(fresh.snapshot().failedCalls()).isEqualTo(1);
    assertThat(evicted.snapshot().failedCalls()).isZero();
  }

  @Test
  void aConfigDeclaredWhileRunningPutsItsPolicyInTheNextCallByName() throws Exception {
    resilience.call("inventory", ok);
    assertThat(resilience.find(Bulkhead.KIND, "inventory")).isEmpty();

    resilience.updateConfig(
        Bulkhead.KIND, "inventory", BulkheadConfig.builder().maxConcurrentCalls(3).build());
    resilience.call("inventory", ok);

    assertThat(resilience.find(Bulkhead.KIND, "inventory")).isPresent();
    assertThat(resilience.pipeline("inventory").policies())
        .startsWith(resilience.bulkhead("inventory"));
  }

  @Test
  void aBreakerReconfiguredOrResetTakesEffectOnTheNextCallByName() throws Exception {
    resilience.call("inventory", ok);
    resilience.updateConfig(
        CircuitBreaker.KIND,
        "inventory",
        CircuitBreakerConfig.builder().consecutiveFailures(1).build());

    assertThatThrownBy(() -> resilience.call("inventory", failing)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> resilience.call("inventory", ok))
        .isInstanceOf(CircuitBreakerOpenException.class);

    assertThat(resilience.reset(CircuitBreaker.KIND, "inventory")).isTrue();
    assertThat(resilience.call("inventory", ok)).isEqualTo("ok");
  }
}
