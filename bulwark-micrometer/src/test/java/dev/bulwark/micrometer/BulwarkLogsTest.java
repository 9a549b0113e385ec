package dev.bulwark.micrometer;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.fallback.FallbackConfig;
import dev.bulwark.micrometer.capture.CapturingLoggerFinder;
import dev.bulwark.micrometer.capture.CapturingLoggerFinder.Entry;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BulwarkLogsTest {
  private final Exercise ex = new Exercise();

  @BeforeEach
  void forgetEarlierTests() {
    CapturingLoggerFinder.ENTRIES.clear();
  }

  @Test
  void breakerTransitionsAreLoggedByDefaultOpeningAsAWarning() {
    BulwarkLogs.attach(ex.resilience);
    CircuitBreaker breaker = ex.resilience.circuitBreaker("payments");
    breaker.forceOpen();
    breaker.reset();

    assertThat(CapturingLoggerFinder.from("dev.bulwark.circuitbreaker"))
        .containsExactly(
            new Entry(
                "dev.bulwark.circuitbreaker",
                WARNING,
                "circuit breaker 'payments' CLOSED -> FORCED_OPEN"),
            new Entry(
                "dev.bulwark.circuitbreaker",
                INFO,
                "circuit breaker 'payments' FORCED_OPEN -> CLOSED"));
  }

  @Test
  void serverHoldsAreLoggedByDefault() {
    BulwarkLogs.attach(ex.resilience);
    ex.resilience.rateLimiter("search").holdFor(Duration.ofSeconds(30));

    assertThat(CapturingLoggerFinder.from("dev.bulwark.ratelimit"))
        .containsExactly(
            new Entry(
                "dev.bulwark.ratelimit",
                WARNING,
                "rate limiter 'search' holds every call back for PT30S: the server asked for a"
                    + " pause"));
  }

  @Test
  void exhaustedRetriesAndFallbacksAreOffByDefaultAndLoggedWhenSwitchedOn() throws Exception {
    BulwarkLogs quiet = BulwarkLogs.attach(ex.resilience);
    Retry retry =
        ex.resilience.get(Retry.KIND, "inventory", RetryConfig.builder().maxAttempts(2).build());
    Exercise.failQuietly(retry);
    assertThat(CapturingLoggerFinder.from("dev.bulwark.retry")).isEmpty();
    quiet.close();

    BulwarkLogs.builder()
        .stateChanges(false)
        .exhaustedRetries(true)
        .fallbacks(true)
        .attach(ex.resilience);
    Exercise.failQuietly(retry);
    Fallback<Object> fallback =
        ex.resilience.get(
            Fallback.KIND,
            "prices",
            FallbackConfig.<Object>builder().otherwise("cached", e -> "stale").build());
    fallback.call(
        () -> {
          throw new IOException("down");
        });
    ex.resilience.circuitBreaker("payments").forceOpen();

    assertThat(CapturingLoggerFinder.ENTRIES)
        .containsExactly(
            new Entry(
                "dev.bulwark.retry",
                WARNING,
                "retry 'inventory' gave up after 2 attempts; last java.io.IOException: boom"),
            new Entry(
                "dev.bulwark.fallback",
                INFO,
                "fallback 'prices' served rung 'cached' in place of java.io.IOException: down"));
  }

  @Test
  void anOutageCannotFloodTheLogAndTheNextWindowSaysHowManyWereLeftOut() {
    BulwarkLogs.builder().maxPerInterval(5).interval(Duration.ofMinutes(1)).attach(ex.resilience);
    CircuitBreaker breaker = ex.resilience.circuitBreaker("payments");
    for (int i = 0; i < 500; i++) {
      breaker.forceOpen();
      breaker.reset();
    }
    assertThat(CapturingLoggerFinder.from("dev.bulwark.circuitbreaker")).hasSize(5);

    ex.clock.advance(Duration.ofMinutes(1));
    breaker.forceOpen();
    assertThat(CapturingLoggerFinder.from("dev.bulwark.circuitbreaker"))
        .hasSize(6)
        .last()
        .isEqualTo(
            new Entry(
                "dev.bulwark.circuitbreaker",
                WARNING,
                "circuit breaker 'payments' CLOSED -> FORCED_OPEN (995 similar messages left out"
                    + " before this one)"));
  }

  @Test
  void closedLogsLogNothingMoreAndEvictedPoliciesAreLetGo() {
    BulwarkLogs logs = BulwarkLogs.attach(ex.resilience);
    CircuitBreaker breaker = ex.resilience.circuitBreaker("payments");
    assertThat(breaker.events().toString()).isEqualTo("EventSource[1 subscriptions]");
    logs.close();
    logs.close();
    breaker.forceOpen();
    assertThat(CapturingLoggerFinder.ENTRIES).isEmpty();
    assertThat(breaker.events().toString()).isEqualTo("EventSource[0 subscriptions]");
  }

  @Test
  void aRateOutsideItsRangeIsRefusedWithTheSettingsName() {
    assertThatThrownBy(() -> BulwarkLogs.builder().maxPerInterval(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxPerInterval must be in [1, 1000000], was 0");
    assertThatThrownBy(() -> BulwarkLogs.builder().interval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("interval must be positive, was PT0S");
  }
}
