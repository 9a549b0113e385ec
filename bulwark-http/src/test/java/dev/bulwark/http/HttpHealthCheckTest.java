package dev.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.Resilience;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.healthcheck.HealthCheck;
import dev.bulwark.healthcheck.HealthCheckConfig;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import dev.bulwark.test.http.Gate;
import dev.bulwark.test.http.Reply;
import dev.bulwark.test.http.ScriptedHttpServer;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP health checks against a real server on loopback, on a manual clock: the JDK client's threads
 * deliver each answer (a bounded wait), the manual scheduler drives the schedule and the timeout.
 */
class HttpHealthCheckTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final HttpClient JDK =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final ManualClock clock = ManualClock.create();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final ScriptedHttpServer server = ScriptedHttpServer.start();
  private final Gate hang = Gate.closed();

  @AfterEach
  void serverSawNothingMalformed() {
    hang.open();
    server.close();
    assertThat(server.errors()).isEmpty();
  }

  private HealthCheck check(HttpHealthCheckConfig.Builder config) {
    HttpHealthCheckConfig c =
        config
            .url(server.uri("/health").toString())
            .check(
                HealthCheckConfig.builder()
                    .jitter(0)
                    .timeout(Duration.ofSeconds(2))
                    .unhealthyThreshold(1)
                    .build())
            .httpClient(JDK)
            .build();
    HealthCheck check =
        HealthCheck.of(
            "inventory",
            c.check().toBuilder().probe(HttpHealthCheck.probe(JDK, c)).build(),
            clock,
            scheduler);
    check.start();
    scheduler.runDue(); // the first probe is sent
    return check;
  }

  /** The first result, once the JDK client has delivered it. */
  private static HealthCheck.Result firstResult(HealthCheck check) {
    await().atMost(WAIT).until(() -> check.status().checks() == 1);
    return check.status().lastResult().orElseThrow();
  }

  @Test
  void a200IsHealthyAndTheRequestIsAPlainGet() throws Exception {
    server.enqueue("/health", Reply.ok("fine"));

    HealthCheck check = check(HttpHealthCheckConfig.builder());

    assertThat(firstResult(check)).isEqualTo(HealthCheck.Result.healthy("HTTP 200"));
    assertThat(check.isHealthy()).isTrue();
    assertThat(server.takeRequest(WAIT).method()).isEqualTo("GET");
  }

  @Test
  void a503IsUnhealthy() {
    server.enqueue("/health", Reply.status(503).body("busy"));

    HealthCheck check = check(HttpHealthCheckConfig.builder());

    assertThat(firstResult(check)).isEqualTo(HealthCheck.Result.unhealthy("HTTP 503"));
    assertThat(check.isHealthy()).isFalse();
  }

  @Test
  void aHangIsCutAtTheChecksTimeoutAndCountsAsUnhealthy() throws Exception {
    server.enqueue("/health", Reply.ok("late").stall(hang));
    HealthCheck check = check(HttpHealthCheckConfig.builder());
    assertThat(hang.awaitStalled(WAIT)).isTrue();
    assertThat(check.status().checks()).isZero();

    scheduler.advance(Duration.ofSeconds(2));

    assertThat(check.isHealthy()).isFalse();
    assertThat(check.status().lastResult().orElseThrow().detail())
        .isEqualTo("no answer within 2 s");
  }

  @Test
  void aResetIsUnhealthyAndSaysSoWithNoRetryOfOurs() {
    // the JDK client re-sends a GET once by itself when the connection dies before any byte of
    // the answer (see Reply.reset()), so it takes two resets to make one failed check
    server.enqueue("/health", Reply.reset(), Reply.reset());

    HealthCheck check = check(HttpHealthCheckConfig.builder());

    HealthCheck.Result result = firstResult(check);
    assertThat(result.healthy()).isFalse();
    assertThat(result.detail()).startsWith("the probe failed: java.io.IOException");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void a200WhoseStatusFieldSaysDownIsUnhealthy() {
    server.enqueue(
        "/health",
        Reply.ok("{\"components\":{\"db\":{\"status\":\"UP\"}},\"status\":\"DOWN\"}")
            .header("Content-Type", "application/json"));

    HealthCheck check = check(HttpHealthCheckConfig.builder().statusField("status"));

    assertThat(firstResult(check)).isEqualTo(HealthCheck.Result.unhealthy("HTTP 200, status DOWN"));
  }

  @Test
  void a200WhoseStatusFieldHoldsAHealthyValueInAnyCaseIsHealthy() {
    server.enqueue("/health", Reply.ok("{ \"status\" : \"Healthy\", \"version\": 3 }"));

    HealthCheck check = check(HttpHealthCheckConfig.builder().statusField("status"));

    assertThat(firstResult(check))
        .isEqualTo(HealthCheck.Result.healthy("HTTP 200, status Healthy"));
  }

  @Test
  void a200WithoutTheFieldOrWithoutJsonIsUnhealthy() {
    server.enqueue("/health", Reply.ok("<html>ok</html>"));

    HealthCheck check = check(HttpHealthCheckConfig.builder().statusField("status"));

    assertThat(firstResult(check).detail())
        .isEqualTo("HTTP 200 without a top-level string \"status\" in its JSON body");
  }

  @Test
  void aBodyLongerThanTheBoundIsNotReadToItsEnd() {
    server.enqueue("/health", Reply.ok("{\"status\":\"UP\"}").endlessBody());

    HealthCheck check =
        check(HttpHealthCheckConfig.builder().maxBodyBytes(1024).statusField("status"));

    // an endless body read to its end would never give a result: judged on what was kept
    assertThat(firstResult(check).healthy()).isTrue();
  }

  @Test
  void theRegistryMakesChecksFromTheEnvironmentAndTheyOpenTheHostsBreaker() {
    server.otherwise(Reply.status(503));
    String url = server.uri("/health").toString();
    Resilience resilience =
        Resilience.builder()
            .clock(clock)
            .scheduler(scheduler)
            .environment(
                Map.of(
                    "BULWARK_HTTP_CHECK_INVENTORY_URL",
                    url,
                    "BULWARK_HTTP_CHECK_INVENTORY_UNHEALTHY_THRESHOLD",
                    "1",
                    "BULWARK_HTTP_CHECK_INVENTORY_BREAKER",
                    server.authority()))
            .build();
    try (resilience) {
      HealthCheck check = resilience.get(HttpHealthCheck.KIND, "inventory");
      assertThat(check.config().breaker()).isEqualTo(server.authority());
      scheduler.runDue();

      CircuitBreaker hostBreaker = resilience.circuitBreaker(server.authority());
      // the JDK client's thread records the result, then trips the breaker: wait for the latter
      await().atMost(WAIT).until(() -> hostBreaker.state() == CircuitBreaker.State.OPEN);

      assertThat(check.isHealthy()).isFalse();
      assertThat(resilience.snapshots(HttpHealthCheck.KIND)).containsKey("inventory");
    }
  }

  @Test
  void aCheckWithoutAUrlCannotBeMadeAndBadUrlsFailEarly() {
    Resilience resilience = Resilience.builder().clock(clock).scheduler(scheduler).build();
    assertThatThrownBy(() -> resilience.get(HttpHealthCheck.KIND, "inventory"))
        .hasMessageContaining("HTTP health check 'inventory' has no URL");
    assertThatThrownBy(
            () ->
                Resilience.builder()
                    .environment(Map.of("BULWARK_HTTP_CHECK_URL", "ftp://inventory/health"))
                    .build())
        .hasMessageContaining("BULWARK_HTTP_CHECK_URL")
        .hasMessageContaining("http or https");
  }
}
