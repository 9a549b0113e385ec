package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.retry.RetryExhaustedException;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import dev.bulwark.timeout.Timeout;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code call(name, retryConfigName, ...)}: a named breaker with a chosen retry config. */
class ResilienceRetryChoiceTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  private ResilienceBuilder builder() {
    return Resilience.builder()
        .clock(clock)
        .scheduler(scheduler)
        .defaultConfig(
            Retry.KIND,
            RetryConfig.builder()
                .maxAttempts(2)
                .backoff(Backoff.fixed(Duration.ofSeconds(1)))
                .build())
        .derive(Retry.KIND, "idempotent-reads", b -> b.maxAttempts(5));
  }

  private static String failUntil(AtomicInteger attempts, int succeedingAttempt)
      throws IOException {
    if (attempts.incrementAndGet() < succeedingAttempt) {
      throw new IOException("flaky");
    }
    return "stock";
  }

  @Test
  void runsTheCallWithTheBreakerOfTheNameAndTheRetryOfTheConfig() throws Exception {
    Resilience resilience = builder().build();
    AtomicInteger attempts = new AtomicInteger();

    String value =
        resilience.call("inventory-42", "idempotent-reads", () -> failUntil(attempts, 5));

    assertThat(value).isEqualTo("stock");
    assertThat(attempts).hasValue(5); // the default retry would have given up after 2
    assertThat(resilience.circuitBreaker("inventory-42").snapshot().bufferedCalls()).isEqualTo(1);
    assertThat(resilience.instances(Retry.KIND)).containsOnlyKeys("idempotent-reads");
    assertThat(resilience.retry("idempotent-reads").statistics().successfulWithRetry())
        .isEqualTo(1);
    assertThat(resilience.find(Retry.KIND, "inventory-42")).isEmpty();
    assertThat(scheduler.sleeps()).hasSize(4).containsOnly(Duration.ofSeconds(1));
  }

  @Test
  void theSameRetryConfigIsSharedByEveryNameWhateverItsSpelling() throws Exception {
    Resilience resilience = builder().build();

    resilience.call("a", "idempotent-reads", () -> "x");
    resilience.call("b", "IDEMPOTENT_READS", () -> "x");
    resilience.call("c", "default", () -> "x");

    assertThat(resilience.instances(Retry.KIND)).containsOnlyKeys("idempotent-reads", "default");
    assertThat(resilience.instances(CircuitBreaker.KIND)).containsOnlyKeys("a", "b", "c");
  }

  @Test
  void theAsyncCallUsesTheSameRetryAndBreaker() {
    Resilience resilience = builder().build();
    AtomicInteger attempts = new AtomicInteger();

    CompletionStage<String> stage =
        resilience.callAsync(
            "inventory-42",
            "idempotent-reads",
            () -> {
              try {
                return CompletableFuture.completedFuture(failUntil(attempts, 4));
              } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
              }
            });
    scheduler.runAll();

    assertThat(stage).isCompletedWithValue("stock");
    assertThat(attempts).hasValue(4);
    assertThat(resilience.circuitBreaker("inventory-42").snapshot().bufferedCalls()).isEqualTo(1);
  }

  @Test
  void aPairKeepsThePipelineOfItsNameWithTheChosenRetry() throws Exception {
    Resilience resilience =
        builder()
            .derive(Bulkhead.KIND, "inventory", b -> b.maxConcurrentCalls(5))
            .defaultTimeout(Duration.ofSeconds(2))
            .build();
    AtomicInteger attempts = new AtomicInteger();

    assertThatThrownBy(
            () ->
                resilience.call(
                    "inventory",
                    "default",
                    () -> {
                      attempts.incrementAndGet();
                      scheduler.advance(Duration.ofSeconds(3)); // cut by the timeout, innermost
                      return "late";
                    }))
        .isInstanceOf(RetryExhaustedException.class);

    assertThat(attempts).hasValue(2);
    assertThat(resilience.instances(Bulkhead.KIND)).containsOnlyKeys("inventory");
    assertThat(resilience.instances(Timeout.KIND)).containsOnlyKeys("inventory");
  }

  @Test
  void pipelinesAreCachedPerPairAndDroppedWhenTheirBreakerIsEvicted() throws Exception {
    Resilience resilience = builder().idleEviction(Duration.ofMinutes(1)).build();

    resilience.call("a", "idempotent-reads", () -> "x");
    resilience.call("a", "idempotent-reads", () -> "x");
    resilience.call("a", "Idempotent.Reads", () -> "x");
    resilience.call("b", "idempotent-reads", () -> "x");
    resilience.call("a", "default", () -> "x");
    assertThat(resilience.cachedPipelines()).isEqualTo(3);

    clock.advance(Duration.ofMinutes(2));
    resilience.evictIdle();

    assertThat(resilience.cachedPipelines()).isZero();
    assertThat(resilience.call("a", "idempotent-reads", () -> "again")).isEqualTo("again");
  }

  @Test
  void theCacheOfPairsStaysWithinTheBoundOfBreakersPerRetryConfig() throws Exception {
    Resilience resilience = builder().maxInstances(32).build();

    for (int i = 0; i < 10_000; i++) {
      resilience.call("device-" + i, "idempotent-reads", () -> "x");
      resilience.call("device-" + i, "default", () -> "x");
    }

    assertThat(resilience.instances(CircuitBreaker.KIND).size()).isLessThanOrEqualTo(32);
    assertThat(resilience.cachedPipelines()).isLessThanOrEqualTo(2 * 32);
  }

  @Test
  void anUnknownRetryConfigFailsListingTheConfigsEvenWhenDisabled() {
    Resilience enabled = builder().build();
    Resilience disabled = builder().enabled(false).build();

    assertThatThrownBy(() -> enabled.call("x", "idempotent-read", () -> "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "no retry config named 'idempotent-read'; configs: [DEFAULT, IDEMPOTENT_READS]");
    assertThatThrownBy(() -> disabled.callAsync("x", "nope", () -> null))
        .hasMessageStartingWith("no retry config named 'nope'");
    assertThat(enabled.instances(CircuitBreaker.KIND)).isEmpty();
  }

  @Test
  void aDisabledRegistryRunsThePairCallStraightThrough() throws Exception {
    Resilience resilience = builder().enabled(false).build();
    AtomicInteger attempts = new AtomicInteger();

    assertThatThrownBy(() -> resilience.call("x", "idempotent-reads", () -> failUntil(attempts, 9)))
        .isExactlyInstanceOf(IOException.class);

    assertThat(attempts).hasValue(1);
    assertThat(resilience.instances(CircuitBreaker.KIND)).isEmpty();
    assertThat(resilience.instances(Retry.KIND)).isEmpty();
  }

  @Test
  void aRetryConfigOnlyASettingNamesCanBeChosen() throws Exception {
    Resilience resilience =
        builder()
            .defaultConfig(CircuitBreaker.KIND, CircuitBreakerConfig.ofDefaults())
            .environment(Map.of("BULWARK_RETRY_BULK_MAX_ATTEMPTS", "4"))
            .build();
    AtomicInteger attempts = new AtomicInteger();

    assertThat(resilience.call("x", "bulk", () -> failUntil(attempts, 4))).isEqualTo("stock");

    assertThat(resilience.instances(Retry.KIND)).containsOnlyKeys("BULK");
  }

  @Test
  void rejectsNullArgumentsNamingThem() {
    Resilience resilience = builder().build();

    assertThatThrownBy(() -> resilience.call("x", null, () -> "x"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("retryConfigName must not be null");
    assertThatThrownBy(() -> resilience.call("x", "default", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("call must not be null");
    assertThatThrownBy(() -> resilience.callAsync(" ", "default", () -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank");
  }
}
