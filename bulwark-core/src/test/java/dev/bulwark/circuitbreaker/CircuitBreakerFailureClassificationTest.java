package dev.bulwark.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.event.FailureRecorded;
import dev.bulwark.event.OutcomeIgnored;
import dev.bulwark.policy.RejectedException;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import dev.bulwark.timeout.TimeoutExceededException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Which exceptions count as failures, which are ignored. */
class CircuitBreakerFailureClassificationTest {
  private final ManualClock clock = ManualClock.create();
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  /** A rejection by some other policy, as a bulkhead's would be. */
  static final class FullException extends RejectedException {
    private static final long serialVersionUID = 1L;

    FullException() {
      super("bulkhead", "bulkhead 'bulkhead' is full", -1);
    }
  }

  private CircuitBreaker breaker(CircuitBreakerConfig.Builder config) {
    return CircuitBreaker.of("svc", config.windowSize(10).minimumCalls(1).build(), clock);
  }

  private static void run(CallMode mode, CircuitBreaker b, ManualScheduler s, Exception e) {
    assertThatThrownBy(
            () ->
                mode.call(
                    b,
                    s,
                    () -> {
                      throw e;
                    }))
        .isSameAs(e);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void anotherPolicysRejectionIsIgnoredButATimeoutCounts(CallMode mode) {
    CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder());
    Recorder recorder = Recorder.listeningTo(breaker);

    run(mode, breaker, scheduler, new FullException());
    assertThat(breaker.snapshot().bufferedCalls()).isZero();
    assertThat(recorder.count(OutcomeIgnored.class)).isEqualTo(1);

    run(mode, breaker, scheduler, new TimeoutExceededException("timeout", Duration.ofSeconds(1)));
    assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
    assertThat(recorder.count(FailureRecorded.class)).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void ignoredExceptionsCountNeitherWayAndWinOverRecorded(CallMode mode) throws Exception {
    CircuitBreaker breaker =
        breaker(
            CircuitBreakerConfig.builder()
                .recordExceptions(IOException.class)
                .ignoreExceptions(FileNotFoundException.class));

    run(mode, breaker, scheduler, new FileNotFoundException("no such key"));
    run(mode, breaker, scheduler, new IllegalStateException("not recorded"));
    assertThat(breaker.snapshot().bufferedCalls()).isZero();

    run(mode, breaker, scheduler, new IOException("reset"));
    assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
    assertThat(breaker.snapshot().bufferedCalls()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void replacingTheIgnoredListCountsOtherPoliciesRejections(CallMode mode) {
    CircuitBreaker breaker =
        breaker(CircuitBreakerConfig.builder().ignoreExceptions(IllegalArgumentException.class));

    run(mode, breaker, scheduler, new FullException());

    assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aFailurePredicateNarrowsWhatCounts(CallMode mode) {
    CircuitBreaker breaker =
        breaker(
            CircuitBreakerConfig.builder()
                .recordFailurePredicate(e -> !e.getMessage().startsWith("4")));

    run(mode, breaker, scheduler, new IOException("404 not found"));
    assertThat(breaker.snapshot().bufferedCalls()).isZero();
    run(mode, breaker, scheduler, new IOException("500 internal error"));
    assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void anotherBreakersRejectionIsNotThisServiceFailing(CallMode mode) {
    CircuitBreaker inner =
        CircuitBreaker.of("inner", CircuitBreakerConfig.builder().build(), clock);
    CircuitBreaker outer = breaker(CircuitBreakerConfig.builder());
    inner.forceOpen();

    assertThatThrownBy(
            () ->
                mode.call(
                    dev.bulwark.policy.Pipeline.of(outer, inner), scheduler, () -> "unreached"))
        .isInstanceOf(CircuitBreakerOpenException.class);

    assertThat(outer.snapshot().bufferedCalls()).isZero();
  }

  @Test
  void theStandaloneApiClassifiesTheSameWay() {
    CircuitBreaker breaker =
        breaker(
            CircuitBreakerConfig.builder()
                .recordResultAsFailure(r -> "503".equals(r))
                .slowCallDuration(Duration.ofSeconds(1)));

    breaker.onError(0, new FullException());
    breaker.onError(0, new IOException("reset"));
    breaker.onResult(0, "503");
    breaker.onResult(0, "200");
    breaker.onSuccess(Duration.ofSeconds(2).toNanos());

    CircuitBreaker.Snapshot snapshot = breaker.snapshot();
    assertThat(snapshot.bufferedCalls()).isEqualTo(4);
    assertThat(snapshot.failedCalls()).isEqualTo(2);
    assertThat(snapshot.slowCalls()).isEqualTo(1);
    assertThat(snapshot.failureRate()).isEqualTo(50f);
    assertThat(snapshot.slowCallRate()).isEqualTo(25f);
  }
}
