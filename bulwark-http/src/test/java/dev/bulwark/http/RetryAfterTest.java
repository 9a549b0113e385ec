package dev.bulwark.http;

import static dev.bulwark.http.HttpRetryTest.catchFailure;
import static java.net.http.HttpResponse.BodyHandlers.ofString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.ratelimit.RateLimitedException;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.ratelimit.RetryAfterConfig;
import dev.bulwark.test.http.Reply;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryAfterTest extends HttpFixture {
  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  private final ResilientHttpClient client = client(b -> b);

  @Test
  void waitsTheSecondsA429AsksForInsteadOfTheBackoff() throws Exception {
    server.enqueue(Reply.status(429).header("Retry-After", "2"), Reply.ok("served"));

    CompletableFuture<HttpResponse<String>> call =
        client.sendAsync(get(client, "/quota"), BodyHandlers.ofString());
    awaitPending(Duration.ofSeconds(2));
    assertThat(scheduler.pendingDelays()).doesNotContain(BACKOFF);
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(server.requestCount()).isEqualTo(1); // not yet
    scheduler.advance(Duration.ofSeconds(1));

    assertThat(answer(call).body()).isEqualTo("served");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void waitsUntilTheHttpDateA429AsksFor() throws Exception {
    String inThreeSeconds = IMF_FIXDATE.format(clock.wallTime().plusSeconds(3));
    server.enqueue(Reply.status(429).header("Retry-After", inThreeSeconds), Reply.ok("served"));

    CompletableFuture<HttpResponse<String>> call =
        client.sendAsync(get(client, "/quota"), BodyHandlers.ofString());
    awaitPending(Duration.ofSeconds(3));
    scheduler.advance(Duration.ofSeconds(3));

    assertThat(answer(call).body()).isEqualTo("served");
  }

  @Test
  void waitsTheSecondsA503AsksFor() throws Exception {
    server.enqueue(Reply.status(503).header("Retry-After", "7"), Reply.ok("back"));

    CompletableFuture<HttpResponse<String>> call =
        client.sendAsync(get(client, "/s"), BodyHandlers.ofString());
    awaitPending(Duration.ofSeconds(7));
    scheduler.advance(Duration.ofSeconds(7));

    assertThat(answer(call).body()).isEqualTo("back");
  }

  @Test
  void capsWhatTheServerAsksFor() throws Exception {
    ResilientHttpClient capped =
        client(
            b ->
                b.retryAfter(
                    RetryAfterConfig.builder()
                        .defaultDelay(Duration.ofSeconds(1))
                        .maxDelay(Duration.ofSeconds(5))
                        .build()));
    server.enqueue(Reply.status(429).header("Retry-After", "86400"), Reply.ok("served"));

    CompletableFuture<HttpResponse<String>> call =
        capped.sendAsync(get(capped, "/quota"), BodyHandlers.ofString());
    awaitPending(Duration.ofSeconds(5));
    scheduler.advance(Duration.ofSeconds(5));

    assertThat(answer(call).body()).isEqualTo("served");
  }

  @ParameterizedTest
  @ValueSource(strings = {"999999999", "Fri, 31 Dec 9999 23:59:59 GMT"})
  void aRetryAfterLongerThanTheTimeLeftFailsAtOnceSayingWhatTheServerAsked(String asked)
      throws Exception {
    ResilientHttpClient threeSeconds =
        client(b -> b.timeout(Duration.ofSeconds(3)).attemptTimeout(Duration.ofSeconds(3)));
    server.enqueue("/busy", Reply.status(503).header("Retry-After", asked), Reply.ok("unasked"));

    Throwable failure =
        catchFailure(threeSeconds.sendAsync(get(threeSeconds, "/busy"), BodyHandlers.ofString()));

    assertThat(failure)
        .isInstanceOfSatisfying(
            HttpCallException.class,
            e -> {
              assertThat(e.retryAfter()).hasValue(Duration.ofMinutes(5)); // as read, capped
              assertThat(e.attempts()).isOne();
              assertThat(e.lastStatus()).hasValue(503);
              assertThat(e.policyName()).hasValue(server.authority()); // the host's retry
              assertThat(e)
                  .hasMessageContaining(
                      "the server asked to wait PT5M (Retry-After: " + asked + ")")
                  .hasMessageContaining("longer than the PT3S left of the call's PT3S timeout");
            });
    assertThat(server.requestCount()).isOne();
    assertThat(scheduler.sleeps()).isEmpty(); // no time was spent waiting for nothing
  }

  @Test
  void aBlockingSendFailsAtOnceTooWhenRetryAfterOutlastsTheTimeout() {
    ResilientHttpClient threeSeconds =
        client(b -> b.timeout(Duration.ofSeconds(3)).attemptTimeout(Duration.ofSeconds(3)));
    server.enqueue("/busy", Reply.status(429).header("Retry-After", "10"), Reply.ok("unasked"));

    assertThatThrownBy(() -> threeSeconds.send(get(threeSeconds, "/busy"), BodyHandlers.ofString()))
        .isInstanceOfSatisfying(
            HttpCallException.class,
            e -> {
              assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(10));
              assertThat(e).hasMessageContaining("the server asked to wait PT10S");
            });
    assertThat(scheduler.sleeps()).isEmpty();
    assertThat(server.requestCount()).isOne();
  }

  @Test
  void aRetryAfterThatFitsInTheTimeLeftIsStillWaited() throws Exception {
    ResilientHttpClient threeSeconds =
        client(b -> b.timeout(Duration.ofSeconds(3)).attemptTimeout(Duration.ofSeconds(3)));
    server.enqueue("/busy", Reply.status(503).header("Retry-After", "2"), Reply.ok("served"));

    CompletableFuture<HttpResponse<String>> call =
        threeSeconds.sendAsync(get(threeSeconds, "/busy"), BodyHandlers.ofString());
    awaitPending(Duration.ofSeconds(2));
    scheduler.advance(Duration.ofSeconds(2));

    assertThat(answer(call).body()).isEqualTo("served");
  }

  @Test
  void aRetryAfterDateASecondInThePastMeansNowAndHoldsNobody() throws Exception {
    String aSecondAgo = IMF_FIXDATE.format(clock.wallTime().minusSeconds(1)); // clock skew
    server.enqueue("/quota", Reply.status(429).header("Retry-After", aSecondAgo));
    server.enqueue("/quota", Reply.ok("served"));

    HttpResponse<String> response = client.send(get(client, "/quota"), BodyHandlers.ofString());

    assertThat(response.body()).isEqualTo("served");
    assertThat(scheduler.sleeps()).containsOnly(Duration.ZERO);
    assertThat(client.send(get(client, "/other"), BodyHandlers.ofString()).statusCode())
        .isEqualTo(200); // not held for the 30 s default
  }

  @Test
  void oneResponseHoldsTheHostNoLongerThanACallMayLast() throws Exception {
    ResilientHttpClient fiveSeconds =
        client(b -> b.timeout(Duration.ofSeconds(5)).attemptTimeout(Duration.ofSeconds(5)));
    server.enqueue("/a", Reply.status(429).header("Retry-After", "86400"));
    server.enqueue("/b", Reply.ok("b"));

    Throwable first = catchFailure(fiveSeconds.sendAsync(get(fiveSeconds, "/a"), ofString()));
    Throwable heldBack = catchFailure(fiveSeconds.sendAsync(get(fiveSeconds, "/b"), ofString()));

    assertThat(first)
        .isInstanceOfSatisfying(
            HttpCallException.class,
            e -> assertThat(e.retryAfter()).hasValue(Duration.ofMinutes(5)));
    assertThat(heldBack)
        .isInstanceOfSatisfying(
            HttpCallException.class,
            e -> {
              assertThat(e.getCause()).isInstanceOf(RateLimitedException.class);
              assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(5)); // not a day, not 5 min
            });
    clock.advance(Duration.ofSeconds(5));
    assertThat(fiveSeconds.send(get(fiveSeconds, "/b"), ofString()).body()).isEqualTo("b");
  }

  @Test
  void holdsBackEveryOtherCallerOfTheHostUntilThen() throws Exception {
    server.enqueue("/a", Reply.status(429).header("Retry-After", "2"), Reply.ok("a"));
    server.enqueue("/b", Reply.ok("b"));

    CompletableFuture<HttpResponse<String>> first =
        client.sendAsync(get(client, "/a"), BodyHandlers.ofString());
    awaitPending(Duration.ofSeconds(2));
    scheduler.advance(Duration.ofMillis(500));
    Throwable heldBack = catchFailure(client.sendAsync(get(client, "/b"), BodyHandlers.ofString()));

    assertThat(heldBack)
        .isInstanceOfSatisfying(
            HttpCallException.class,
            e -> {
              assertThat(e.attempts()).isZero();
              assertThat(e.route()).isEqualTo(server.authority());
              assertThat(e.policyName()).hasValue(server.authority()); // the host's limiter
              assertThat(e.retryAfter()).hasValue(Duration.ofMillis(1500));
              assertThat(e.getCause()).isInstanceOf(RateLimitedException.class);
              assertThat(e).hasMessageStartingWith("GET " + server.uri("/b") + " was not sent: ");
            });
    assertThat(server.requestCount()).isEqualTo(1);

    scheduler.advance(Duration.ofMillis(1500));
    assertThat(answer(first).body()).isEqualTo("a");
    assertThat(client.send(get(client, "/b"), BodyHandlers.ofString()).body()).isEqualTo("b");
  }

  @Test
  void aHeldBackCallerWaitsInsteadWhenTheLimiterAllowsIt() throws Exception {
    ResilientHttpClient patient =
        client(
            b ->
                b.rateLimit(
                    RateLimiterConfig.builder()
                        .limit(1000)
                        .period(Duration.ofSeconds(1))
                        .maxWait(Duration.ofSeconds(5))
                        .build()));
    server.enqueue("/a", Reply.status(429).header("Retry-After", "2"), Reply.ok("a"));
    server.enqueue("/b", Reply.ok("b"));

    CompletableFuture<HttpResponse<String>> first =
        patient.sendAsync(get(patient, "/a"), BodyHandlers.ofString());
    awaitPending(Duration.ofSeconds(2));
    CompletableFuture<HttpResponse<String>> second =
        patient.sendAsync(get(patient, "/b"), BodyHandlers.ofString());
    assertThat(second).isNotDone();
    scheduler.advance(Duration.ofSeconds(2));

    assertThat(answer(first).body()).isEqualTo("a");
    assertThat(answer(second).body()).isEqualTo("b");
  }

  @Test
  void a429WithoutRetryAfterWaitsTheBackoffAndHoldsNobody() throws Exception {
    server.enqueue("/quota", Reply.status(429), Reply.ok("served"));

    CompletableFuture<HttpResponse<String>> call =
        client.sendAsync(get(client, "/quota"), BodyHandlers.ofString());
    awaitPending(BACKOFF);
    HttpResponse<String> other = client.send(get(client, "/other"), BodyHandlers.ofString());
    scheduler.advance(BACKOFF);

    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(answer(call).body()).isEqualTo("served");
  }

  @Test
  void a429DoesNotCountAgainstTheHostsBreaker() throws Exception {
    ResilientHttpClient oneStrike =
        client(
            b ->
                b.retry(dev.bulwark.retry.RetryConfig.builder().maxAttempts(1).build())
                    .circuitBreaker(
                        dev.bulwark.circuitbreaker.CircuitBreakerConfig.builder()
                            .consecutiveFailures(1)
                            .build()));
    server.enqueue(Reply.status(429), Reply.status(429), Reply.status(500));

    assertThat(oneStrike.send(get(oneStrike, "/q"), BodyHandlers.ofString()).statusCode())
        .isEqualTo(429);
    assertThat(oneStrike.send(get(oneStrike, "/q"), BodyHandlers.ofString()).statusCode())
        .isEqualTo(429);
    assertThat(oneStrike.circuitBreaker(get(oneStrike, "/q")).state())
        .isEqualTo(dev.bulwark.circuitbreaker.CircuitBreaker.State.CLOSED);

    assertThat(oneStrike.send(get(oneStrike, "/q"), BodyHandlers.ofString()).statusCode())
        .isEqualTo(500); // one real failure is enough to open it, so the 429s were not counted
    assertThat(oneStrike.circuitBreaker(get(oneStrike, "/q")).state())
        .isEqualTo(dev.bulwark.circuitbreaker.CircuitBreaker.State.OPEN);
  }
}
