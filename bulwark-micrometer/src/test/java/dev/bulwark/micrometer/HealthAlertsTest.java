package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.test.http.Gate;
import dev.bulwark.test.http.Reply;
import dev.bulwark.test.http.ScriptedHttpServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Alerts posted to a real webhook on loopback. Waits for the webhook are real cross-thread waits,
 * each bounded; the breaker's time and the retry's backoff run on the manual clock.
 */
class HealthAlertsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final Exercise ex = new Exercise();
  private final ScriptedHttpServer server = ScriptedHttpServer.start();
  private final URI webhook = server.uri("/hook");

  @AfterEach
  void stopWebhook() {
    server.close();
  }

  private String next() throws InterruptedException {
    return server.takeRequest(WAIT).bodyUtf8();
  }

  private void noMoreRequests() {
    assertThatThrownBy(() -> server.takeRequest(Duration.ofMillis(300)))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void eachStatusChangeIsPostedAsJsonWithItsReasons() throws Exception {
    HealthAlerts.builder(webhook).start(ex.resilience);
    CircuitBreaker breaker = ex.resilience.circuitBreaker("payments");

    breaker.forceOpen();
    assertThat(next())
        .isEqualTo(
            "{\"type\":\"status-changed\",\"from\":\"HEALTHY\",\"to\":\"CRITICAL\",\"reasons\":[\"payments:"
                + " FORCED_OPEN until reset\"],\"time\":\"2026-01-01T00:00:00Z\"}");

    breaker.reset();
    assertThat(next())
        .startsWith("{\"type\":\"status-changed\",\"from\":\"CRITICAL\",\"to\":\"HEALTHY\"");
  }

  @Test
  void aFailedPostIsRetriedThroughBulwarksRetryOnTheRegistrysScheduler() throws Exception {
    server.enqueue(Reply.status(500), Reply.status(503));
    HealthAlerts.builder(webhook).maxAttempts(4).start(ex.resilience);

    ex.resilience.circuitBreaker("payments").forceOpen();
    String first = next();
    for (int retry = 1; retry <= 2; retry++) {
      awaitRetryScheduled();
      ex.scheduler.advance(Duration.ofSeconds(30));
      assertThat(next()).isEqualTo(first);
    }
    assertThat(server.requestCount()).isEqualTo(3);
  }

  @Test
  void retriesStopAtTheCap() throws Exception {
    server.otherwise(Reply.status(500));
    HealthAlerts alerts = HealthAlerts.builder(webhook).maxAttempts(2).start(ex.resilience);

    ex.resilience.circuitBreaker("payments").forceOpen();
    next();
    awaitRetryScheduled();
    ex.scheduler.advance(Duration.ofSeconds(30));
    next();
    await().atMost(WAIT).until(() -> alerts.toString().endsWith(" 0 in flight]"));
    // the retry gave up: nothing is in flight, so no third attempt waits (the one task left on
    // the scheduler is the breaker's five-minute timer)
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void aBreakerNotClosedForLongerThanTheLimitIsAlertedOnce() throws Exception {
    HealthAlerts.builder(webhook).openLongerThan(Duration.ofMinutes(5)).start(ex.resilience);
    CircuitBreaker breaker = ex.resilience.circuitBreaker("payments");
    breaker.forceOpen();
    assertThat(next()).contains("\"to\":\"CRITICAL\"");

    ex.scheduler.advance(Duration.ofMinutes(5).minusSeconds(1));
    noMoreRequests();
    ex.scheduler.advance(Duration.ofSeconds(1));
    assertThat(next())
        .isEqualTo(
            "{\"type\":\"breaker-open\",\"breaker\":\"payments\",\"state\":\"FORCED_OPEN\","
                + "\"notClosedFor\":\"PT5M\",\"time\":\"2026-01-01T00:05:00Z\"}");

    ex.scheduler.advance(Duration.ofMinutes(30));
    assertThat(ex.scheduler.pendingTasks()).isZero();
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void aBreakerClosedInTimeIsNotAlerted() throws Exception {
    HealthAlerts.builder(webhook).start(ex.resilience);
    CircuitBreaker breaker = ex.resilience.circuitBreaker("payments");
    breaker.forceOpen();
    ex.scheduler.advance(Duration.ofMinutes(4));
    breaker.reset();
    ex.scheduler.advance(Duration.ofMinutes(10));

    // two posts in flight at once may arrive in either order
    assertThat(List.of(next(), next()))
        .anySatisfy(json -> assertThat(json).contains("\"to\":\"CRITICAL\""))
        .anySatisfy(json -> assertThat(json).contains("\"to\":\"HEALTHY\""));
    assertThat(ex.scheduler.pendingTasks()).isZero();
    noMoreRequests();
  }

  @Test
  void aWebhookThatDoesNotAnswerNeverHoldsUpTheCallThatChangedTheStatus() throws Exception {
    Gate gate = Gate.closed();
    server.otherwise(Reply.status(204).stall(gate));
    HealthAlerts.builder(webhook).start(ex.resilience);
    CircuitBreaker breaker = ex.resilience.circuitBreaker("payments");

    assertTimeoutPreemptively(WAIT, breaker::forceOpen);
    assertThat(next()).contains("\"to\":\"CRITICAL\"");
    assertThat(gate.awaitStalled(WAIT)).isTrue(); // the webhook holds the post; the call is done
    gate.open();
  }

  @Test
  void alertsBeyondTheCapInFlightAreDroppedAndCounted() throws Exception {
    Gate gate = Gate.closed();
    server.otherwise(Reply.status(204).stall(gate));
    HealthAlerts alerts = HealthAlerts.builder(webhook).maxPending(1).start(ex.resilience);
    CircuitBreaker breaker = ex.resilience.circuitBreaker("payments");
    breaker.forceOpen();
    breaker.reset();
    breaker.forceOpen();

    assertThat(alerts.dropped()).isEqualTo(2);
    gate.open();
    assertThat(next()).contains("\"to\":\"CRITICAL\"");
    noMoreRequests();
  }

  @Test
  void closedAlertsSendNothingMore() throws Exception {
    HealthAlerts alerts = HealthAlerts.builder(webhook).start(ex.resilience);
    CircuitBreaker breaker = ex.resilience.circuitBreaker("payments");
    alerts.close();
    alerts.close();
    breaker.forceOpen();
    ex.scheduler.advance(Duration.ofMinutes(10));

    assertThat(ex.scheduler.pendingTasks()).isZero();
    noMoreRequests();
  }

  @Test
  void badSettingsAreRefusedWithTheirNames() {
    assertThatThrownBy(() -> HealthAlerts.builder(URI.create("ftp://example.com/")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("webhook must be an absolute http or https URI, was ftp://example.com/");
    assertThatThrownBy(() -> HealthAlerts.builder(webhook).maxAttempts(0))
        .hasMessage("maxAttempts must be in [1, 20], was 0");
    assertThatThrownBy(() -> HealthAlerts.builder(webhook).openLongerThan(Duration.ZERO))
        .hasMessage("openLongerThan must be positive, was PT0S");
  }

  private void awaitRetryScheduled() {
    await().atMost(WAIT).until(() -> ex.scheduler.pendingTasks() > 0);
  }
}
