package dev.bulwark.demo;

import dev.bulwark.Resilience;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.http.HttpFallback;
import dev.bulwark.http.ResilientHttpClient;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.RetryConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * The protected client's settings, and the {@link ResilientHttpClient} built from them: per host, a
 * circuit breaker around a total timeout around a retry whose every attempt has its own timeout;
 * the host's rate limiter holds callers back when the service sends {@code Retry-After}.
 *
 * <p>Thread-safe (immutable).
 */
final class Protection {
  /** How long one attempt may take; the unprotected client gets the same per-request timeout. */
  static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(1);

  /** How long a request may take in all, attempts and waits included. */
  static final Duration TOTAL_TIMEOUT = Duration.ofMillis(2500);

  /** How long a client waits for a connection to the service. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

  private final CircuitBreakerConfig breaker;
  private final RetryConfig retry;

  private Protection(CircuitBreakerConfig breaker, RetryConfig retry) {
    this.breaker = breaker;
    this.retry = retry;
  }

  /**
   * The showcase's settings: the breaker opens after 10 failed requests in a row or half of the
   * last 40 (once 20 are in), stays open 2 s, and closes after 2 good probes; the retry makes up to
   * 3 attempts with fully jittered exponential backoff from 100 ms, doubling, capped at 400 ms.
   */
  static Protection standard() {
    return new Protection(
        CircuitBreakerConfig.builder()
            .consecutiveFailures(10)
            .failureRateThreshold(50)
            .windowSize(40)
            .minimumCalls(20)
            .openDuration(Duration.ofSeconds(2))
            .halfOpenMaxCalls(2)
            .successThreshold(2)
            .build(),
        RetryConfig.builder()
            .maxAttempts(3)
            .backoff(
                Backoff.exponential(Duration.ofMillis(100), 2.0, Duration.ofMillis(400))
                    .withJitter(Backoff.Jitter.FULL))
            .build());
  }

  /**
   * A client of {@code service} with these settings, keeping its host's policies in {@code
   * resilience}, sending through {@code http} and answering failures with {@code fallback}.
   */
  ResilientHttpClient client(
      URI service, Resilience resilience, HttpClient http, HttpFallback fallback) {
    Objects.requireNonNull(service, "service");
    return ResilientHttpClient.builder()
        .baseUri(service)
        .resilience(resilience)
        .httpClient(http)
        .circuitBreaker(breaker)
        .retry(retry)
        .attemptTimeout(ATTEMPT_TIMEOUT)
        .timeout(TOTAL_TIMEOUT)
        .fallback(fallback)
        .build();
  }

  /** A plain JDK client as both sides use it: HTTP/1.1, with the connect timeout. */
  static HttpClient plainHttpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(CONNECT_TIMEOUT)
        .build();
  }

  /** The settings in a few lines, read back from the policies' own configuration. */
  String describe() {
    Backoff backoff = retry.backoff();
    return String.format(
        Locale.ROOT,
        "ResilientHttpClient, per host: circuit breaker (opens after %d failed requests in a row"
            + "%n               or %.0f%% of the last %d; stays open %.1f s; closes after %d good"
            + " probes)%n               around a %.1f s total timeout around retry (%d attempts,"
            + " backoff from %d ms%n               x%.0f up to %d ms, %s jitter, each attempt cut"
            + " at %.1f s); Retry-After holds%n               every caller of the host back;"
            + " a failure is answered with the last known good body",
        breaker.consecutiveFailures(),
        breaker.failureRateThreshold(),
        breaker.windowSize(),
        breaker.openDuration().toMillis() / 1e3,
        breaker.successThreshold(),
        TOTAL_TIMEOUT.toMillis() / 1e3,
        retry.maxAttempts(),
        backoff.initial().toMillis(),
        backoff.multiplier(),
        backoff.max().toMillis(),
        backoff.jitter().name().toLowerCase(Locale.ROOT),
        ATTEMPT_TIMEOUT.toMillis() / 1e3);
  }
}
