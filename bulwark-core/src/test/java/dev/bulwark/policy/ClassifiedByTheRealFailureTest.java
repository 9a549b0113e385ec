package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.event.FailureRecorded;
import dev.bulwark.event.OutcomeIgnored;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.fallback.FallbackConfig;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.retry.RetryExhaustedException;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A policy outside a retry judges the failure that happened, not the retry's wrapper around it: a
 * breaker records or ignores by the real exception, a fallback handles by it, and the caller still
 * receives the {@link RetryExhaustedException} the pipeline produced.
 */
class ClassifiedByTheRealFailureTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final Retry retry =
      Retry.of(
          "retry",
          RetryConfig.builder()
              .maxAttempts(3)
              .backoff(Backoff.fixed(Duration.ofSeconds(1)))
              .build(),
          clock,
          scheduler);

  private CircuitBreaker breaker(CircuitBreakerConfig.Builder config) {
    return CircuitBreaker.of(
        "breaker", config.windowSize(10).minimumCalls(10).consecutiveFailures(2).build(), clock);
  }

  private static <T> T failWith(Exception failure) throws Exception {
    throw failure;
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aBreakerOutsideARetryRecordsTheLastAttemptsFailure(CallMode mode) {
    CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder());
    List<Throwable> recorded = new CopyOnWriteArrayList<>();
    breaker.events().subscribe(FailureRecorded.class, e -> recorded.add(e.failure()));
    IOException down = new IOException("down");

    assertThatThrownBy(
            () -> mode.call(Pipeline.of(breaker, retry), scheduler, () -> failWith(down)))
        .isInstanceOf(RetryExhaustedException.class) // the caller still gets what the retry threw
        .hasCause(down);

    assertThat(recorded).containsExactly(down);
    assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aBreakerOutsideARetryIgnoresWhatItsRulesIgnoreEvenWhenTheRetryGaveUpOnIt(CallMode mode) {
    CircuitBreaker breaker =
        breaker(CircuitBreakerConfig.builder().ignoreExceptions(FileNotFoundException.class));
    List<Throwable> ignored = new CopyOnWriteArrayList<>();
    breaker.events().subscribe(OutcomeIgnored.class, e -> ignored.add(e.failure()));
    FileNotFoundException missing = new FileNotFoundException("gone");

    for (int call = 0; call < 3; call++) {
      assertThatThrownBy(
              () -> mode.call(Pipeline.of(breaker, retry), scheduler, () -> failWith(missing)))
          .isInstanceOf(RetryExhaustedException.class);
    }

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.snapshot().bufferedCalls()).isZero();
    assertThat(ignored).containsExactly(missing, missing, missing);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aBreakerOutsideARetryCountsOnlyWhatItsRecordRulesName(CallMode mode) throws Exception {
    CircuitBreaker breaker =
        breaker(CircuitBreakerConfig.builder().recordExceptions(IOException.class));

    assertThatThrownBy(
            () ->
                mode.call(
                    Pipeline.of(breaker, retry),
                    scheduler,
                    () -> failWith(new IllegalStateException("not an I/O failure"))))
        .isInstanceOf(RetryExhaustedException.class); // retried, yet not what the breaker records
    for (int call = 0; call < 2; call++) {
      assertThatThrownBy(
              () ->
                  mode.call(
                      Pipeline.of(breaker, retry),
                      scheduler,
                      () -> failWith(new IOException("down"))))
          .isInstanceOf(RetryExhaustedException.class);
    }

    assertThat(breaker.snapshot().failedCalls()).isEqualTo(2);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aFallbackOutsideARetryServesTheFailuresItHandles(CallMode mode) throws Exception {
    List<Throwable> seen = new CopyOnWriteArrayList<>();
    Fallback<String> fallback =
        Fallback.of(
            "fallback",
            FallbackConfig.<String>builder()
                .handle(IOException.class)
                .otherwise(
                    "cached",
                    failure -> {
                      seen.add(failure);
                      return "cached";
                    })
                .build(),
            clock);

    String value =
        mode.call(Pipeline.of(fallback, retry), scheduler, () -> failWith(new IOException("down")));

    assertThat(value).isEqualTo("cached");
    assertThat(seen).singleElement().isInstanceOf(RetryExhaustedException.class); // as produced
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aFallbackOutsideARetryLeavesAloneWhatItDoesNotHandle(CallMode mode) {
    Fallback<String> fallback =
        Fallback.of(
            "fallback",
            FallbackConfig.<String>builder()
                .handle(FileNotFoundException.class)
                .otherwise("cached", failure -> "cached")
                .build(),
            clock);

    assertThatThrownBy(
            () ->
                mode.call(
                    Pipeline.of(fallback, retry),
                    scheduler,
                    () -> failWith(new IOException("down"))))
        .isInstanceOf(RetryExhaustedException.class)
        .hasCauseInstanceOf(IOException.class);
  }

  @org.junit.jupiter.api.Test
  void failureOfTakesOffFuturesAndNestedRetriesWrappers() {
    IOException down = new IOException("down");
    Throwable nested =
        new CompletionException(
            new RetryExhaustedException(
                "outer",
                2,
                new RetryExhaustedException("inner", 3, new CompletionException(down))));

    assertThat(RetryExhaustedException.failureOf(nested)).isSameAs(down);
    assertThat(RetryExhaustedException.failureOf(down)).isSameAs(down);
  }
}
