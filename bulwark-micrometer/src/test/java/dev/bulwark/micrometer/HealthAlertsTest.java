package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpServer;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Alerts posted to a real webhook on loopback. Waits for the webhook are real cross-thread waits,
 * each bounded; the breaker's time and the retry's backoff run on the manual clock.
 */
class HealthAlertsTest {
  private static final long WAIT_SECONDS = 20;

  private final Exercise ex = new Exercise();
  private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
  private final BlockingQueue<Integer> answers = new LinkedBlockingQueue<>();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile @Nullable CountDownLatch hold;
  private HttpServer server;
  private URI webhook;

  @BeforeEach
  void startWebhook() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/hook",
        exchange -> {
          try (InputStream body = exchange.getRequestBody()) {
            String json = new String(body.readAllBytes(), StandardCharsets.UTF_8);
            CountDownLatch latch = hold;
            if (latch != null) {
              latch.await(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            Integer status = answers.poll();
            requests.incrementAndGet();
            exchange.sendResponseHeaders(status == null ? 204 : status, -1);
            received.add(json);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            exchange.close();
          }
        });
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
    webhook = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  @AfterEach
  void stopWebhook() {
    CountDownLatch latch = hold;
    if (latch != null) {
      latch.countDown();
    }
    server.stop(0);
  }

  private String next() throws InterruptedException {
    String json = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(json).as("an alert within %d s", WAIT_SECONDS).isNotNull();
    return json;
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
    answers.add(500);
    answers.add(503);
    HealthAlerts.builder(webhook).maxAttempts(4).start(ex.resilience);

    ex.resilience.circuitBreaker("payments").forceOpen();
    String first = next();
    for (int retry = 1; retry <= 2; retry++) {
      awaitRetryScheduled();
      ex.scheduler.advance(Duration.ofSeconds(30));
      assertThat(next()).isEqualTo(first);
    }
    assertThat(requests.get()).isEqualTo(3);
  }

  @Test
  void retriesStopAtTheCap() throws Exception {
    for (int i = 0; i < 10; i++) {
      answers.add(500);
    }
    HealthAlerts alerts = HealthAlerts.builder(webhook).maxAttempts(2).start(ex.resilience);

    ex.resilience.circuitBreaker("payments").forceOpen();
    next();
    awaitRetryScheduled();
    ex.scheduler.advance(Duration.ofSeconds(30));
    next();
    await()
        .atMost(Duration.ofSeconds(WAIT_SECONDS))
        .until(() -> alerts.toString().endsWith(" 0 in flight]"));
    // the retry gave up: nothing is in flight, so no third attempt waits (the one task left on
    // the scheduler is the breaker's five-minute timer)
    assertThat(requests.get()).isEqualTo(2);
  }

  @Test
  void aBreakerNotClosedForLongerThanTheLimitIsAlertedOnce() throws Exception {
    HealthAlerts.builder(webhook).openLongerThan(Duration.ofMinutes(5)).start(ex.resilience);
    CircuitBreaker breaker = ex.resilience.circuitBreaker("payments");
    breaker.forceOpen();
    assertThat(next()).contains("\"to\":\"CRITICAL\"");

    ex.scheduler.advance(Duration.ofMinutes(5).minusSeconds(1));
    assertThat(received.poll(200, TimeUnit.MILLISECONDS)).isNull();
    ex.scheduler.advance(Duration.ofSeconds(1));
    assertThat(next())
        .isEqualTo(
            "{\"type\":\"breaker-open\",\"breaker\":\"payments\",\"state\":\"FORCED_OPEN\","
                + "\"notClosedFor\":\"PT5M\",\"time\":\"2026-01-01T00:05:00Z\"}");

    ex.scheduler.advance(Duration.ofMinutes(30));
    assertThat(ex.scheduler.pendingTasks()).isZero();
    assertThat(requests.get()).isEqualTo(2);
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
    assertThat(received.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void aWebhookThatDoesNotAnswerNeverHoldsUpTheCallThatChangedTheStatus() throws Exception {
    hold = new CountDownLatch(1);
    HealthAlerts.builder(webhook).start(ex.resilience);
    CircuitBreaker breaker = ex.resilience.circuitBreaker("payments");

    assertTimeoutPreemptively(Duration.ofSeconds(WAIT_SECONDS), breaker::forceOpen);
    assertThat(received).isEmpty(); // the webhook is still holding the post

    hold.countDown();
    assertThat(next()).contains("\"to\":\"CRITICAL\"");
  }

  @Test
  void alertsBeyondTheCapInFlightAreDroppedAndCounted() throws Exception {
    hold = new CountDownLatch(1);
    HealthAlerts alerts = HealthAlerts.builder(webhook).maxPending(1).start(ex.resilience);
    CircuitBreaker breaker = ex.resilience.circuitBreaker("payments");
    breaker.forceOpen();
    breaker.reset();
    breaker.forceOpen();

    assertThat(alerts.dropped()).isEqualTo(2);
    hold.countDown();
    assertThat(next()).contains("\"to\":\"CRITICAL\"");
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
    assertThat(received.poll(200, TimeUnit.MILLISECONDS)).isNull();
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
    await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> ex.scheduler.pendingTasks() > 0);
  }
}
