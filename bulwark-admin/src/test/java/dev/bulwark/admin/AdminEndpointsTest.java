package dev.bulwark.admin;

import static dev.bulwark.admin.AdminFixture.TOKEN;
import static dev.bulwark.admin.AdminFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.Resilience;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdminEndpointsTest {
  private final AdminFixture admin = new AdminFixture(b -> b.token(TOKEN).metrics(() -> "up 1\n"));

  @AfterEach
  void stop() {
    admin.close();
  }

  @Test
  void healthIsHealthyWith200ThenCriticalWith503NamingTheOpenBreaker() throws Exception {
    HttpResponse<String> healthy = admin.get("health");
    assertThat(healthy.statusCode()).isEqualTo(200);
    assertThat(json(healthy).get("status").asText()).isEqualTo("HEALTHY");

    admin.fail(5);
    HttpResponse<String> degraded = admin.get("health");
    assertThat(degraded.statusCode()).isEqualTo(200);
    assertThat(json(degraded).get("status").asText()).isEqualTo("DEGRADED");

    admin.fail(5);
    admin.fail(5);
    HttpResponse<String> critical = admin.get("health");
    JsonNode report = json(critical);
    assertThat(critical.statusCode()).isEqualTo(503);
    assertThat(report.get("status").asText()).isEqualTo("CRITICAL");
    assertThat(report.get("openBreakers").get(0).asText()).isEqualTo("inventory");
    assertThat(report.get("reasons").get(0).asText()).startsWith("inventory: ");
    assertThat(report.get("findings").get(0).get("status").asText()).isEqualTo("CRITICAL");
  }

  @Test
  void policiesListEverySnapshotAndEachNamesRollingStatistics() throws Exception {
    admin.succeed(10);
    admin.succeed(20);
    admin.succeed(30);
    admin.fail(200);
    JsonNode body = json(admin.get("policies"));

    JsonNode breaker = policy(body, "breaker", "inventory");
    assertThat(breaker.get("label").asText()).isEqualTo("circuit breaker");
    assertThat(breaker.get("snapshot").get("state").asText()).isEqualTo("CLOSED");
    assertThat(breaker.get("snapshot").get("failedCalls").asInt()).isEqualTo(1);
    assertThat(breaker.get("snapshot").get("successfulCalls").asInt()).isEqualTo(3);
    assertThat(policy(body, "retry", "inventory")).isNotNull();
    assertThat(policy(body, "fallback", "inventory").get("snapshot").get("served").asLong())
        .isEqualTo(1);

    JsonNode stats = body.get("statistics").get("inventory");
    assertThat(stats.get("succeeded").asLong()).isEqualTo(3);
    assertThat(stats.get("failed").asLong()).isEqualTo(1);
    assertThat(stats.get("fallbacks").asLong()).isEqualTo(1);
    assertThat(stats.get("errorPercent").asDouble()).isEqualTo(25.0);
    assertThat(stats.get("ratePerSecond").asDouble()).isEqualTo(0.4);
    assertThat(stats.get("latencyMillis").get("p50").asDouble()).isBetween(17.5, 22.5);
    assertThat(stats.get("latencyMillis").get("p99").asDouble()).isBetween(175.0, 225.0);
    assertThat(stats.get("history").get("succeeded")).hasSize(60);
  }

  @Test
  void statisticsRollOffAfterTheTenSecondWindowButStayInTheMinuteOfHistory() throws Exception {
    admin.succeed(10);
    admin.clock.advance(Duration.ofSeconds(11));

    JsonNode stats = json(admin.get("policies")).get("statistics").get("inventory");

    assertThat(stats.get("succeeded").asLong()).isZero();
    assertThat(stats.get("ratePerSecond").asDouble()).isZero();
    assertThat(stats.get("errorPercent").isNull()).isTrue();
    assertThat(stats.get("latencyMillis").isNull()).isTrue();
    long inHistory = 0;
    for (JsonNode second : stats.get("history").get("succeeded")) {
      inHistory += second.asLong();
    }
    assertThat(inHistory).isEqualTo(1);
  }

  @Test
  void rejectionsOfAnOpenBreakerAreCountedWithTheFallbacksThatReplacedThem() throws Exception {
    for (int i = 0; i < 3; i++) {
      admin.fail(1);
    }
    assertThat(admin.succeed(1)).isEqualTo("cached stock");
    assertThat(admin.succeed(1)).isEqualTo("cached stock");

    JsonNode stats = json(admin.get("policies")).get("statistics").get("inventory");

    assertThat(stats.get("rejected").asLong()).isEqualTo(2);
    assertThat(stats.get("fallbacks").asLong()).isEqualTo(5);
    assertThat(stats.get("ratePerSecond").asDouble()).isEqualTo(0.5);
  }

  @ParameterizedTest
  @ValueSource(strings = {"reset", "force-open", "disable"})
  void eachBreakerActionWorksWithTheTokenAndSaysTheNewState(String action) {
    admin.breaker().forceOpen();
    if (action.equals("force-open")) {
      admin.breaker().reset();
    }

    HttpResponse<String> response =
        admin.postWithToken("circuit-breakers/inventory/" + action, "{\"reason\":\"drill\"}");

    CircuitBreaker.State expected =
        action.equals("reset")
            ? CircuitBreaker.State.CLOSED
            : action.equals("force-open")
                ? CircuitBreaker.State.FORCED_OPEN
                : CircuitBreaker.State.DISABLED;
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.get("state").asText()).isEqualTo(expected.name());
    assertThat(body.get("snapshot").get("state").asText()).isEqualTo(expected.name());
    assertThat(body.get("reason").asText()).isEqualTo("drill");
    assertThat(admin.breaker().state()).isEqualTo(expected);
  }

  @Test
  void aWriteNeedsNoBodyAtAll() {
    admin.breaker().forceOpen();

    HttpResponse<String> response = admin.postWithToken("circuit-breakers/inventory/reset", "");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).get("reason").isNull()).isTrue();
    assertThat(admin.breaker().state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "Bearer",
        "Bearer ",
        "Bearer wrong",
        "Bearer s3cret-token-for-tests-012345678",
        "Bearer s3cret-token-for-tests-01234567890",
        "Basic czNjcmV0LXRva2VuLWZvci10ZXN0cy0wMTIzNDU2Nzg5",
        "s3cret-token-for-tests-0123456789"
      })
  void aWriteWithoutTheRightTokenIsRefusedAndChangesNothing(String authorization) {
    admin.breaker().forceOpen();

    HttpResponse<String> response =
        admin.post(
            "circuit-breakers/inventory/reset",
            "",
            () -> authorization.isEmpty() ? null : authorization);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"bulwark-admin\"");
    assertThat(json(response).get("error").asText()).contains("admin token");
    assertThat(admin.breaker().state()).isEqualTo(CircuitBreaker.State.FORCED_OPEN);
  }

  @Test
  void aCallerWithoutTheTokenCannotLearnWhichBreakersExist() {
    HttpResponse<String> response =
        admin.post("circuit-breakers/no-such-breaker/reset", "", () -> "Bearer wrong");

    assertThat(response.statusCode()).isEqualTo(401);
  }

  @Test
  void writesAreRefusedWhenTheServerHasNoToken() {
    try (AdminFixture noToken = new AdminFixture(b -> b)) {
      noToken.breaker().forceOpen();

      HttpResponse<String> response =
          noToken.post("circuit-breakers/inventory/reset", "", () -> "Bearer anything-at-all-long");

      assertThat(response.statusCode()).isEqualTo(403);
      assertThat(json(response).get("error").asText()).contains("without a token");
      assertThat(noToken.breaker().state()).isEqualTo(CircuitBreaker.State.FORCED_OPEN);
    }
  }

  @Test
  void anUnknownBreakerIs404AndIsNotCreated() {
    HttpResponse<String> response = admin.postWithToken("circuit-breakers/nope/force-open", "");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(json(response).get("error").asText()).isEqualTo("no circuit breaker named \"nope\"");
    assertThat(admin.resilience.find(CircuitBreaker.KIND, "nope")).isEmpty();
  }

  @Test
  void aBreakerNameIsPercentDecodedFromThePath() {
    CircuitBreaker odd = admin.resilience.circuitBreaker("a/b c\u00e9");
    odd.forceOpen();

    HttpResponse<String> response =
        admin.postWithToken("circuit-breakers/a%2Fb%20c%C3%A9/reset", "");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(odd.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"nope", "circuit-breakers", "circuit-breakers/inventory/explode", "policies/x"})
  void anUnknownPathIs404Json(String path) {
    HttpResponse<String> response = admin.get(path);

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(json(response).get("error").asText()).startsWith("no such endpoint");
  }

  @Test
  void aReadWithTheWrongMethodIs405() {
    HttpResponse<String> response =
        admin.send(
            HttpRequest.newBuilder(admin.uri("policies"))
                .method("DELETE", HttpRequest.BodyPublishers.noBody())
                .build());

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(json(response).get("error").asText()).contains("use GET");
  }

  @Test
  void aWriteWithTheWrongMethodIs405NamingPost() {
    HttpResponse<String> response = admin.get("circuit-breakers/inventory/reset");

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("POST");
    assertThat(admin.breaker().state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{",
        "{\"reason\": }",
        "{\"reason\": \"x\",}",
        "[\"reason\"]",
        "\"reset\"",
        "{\"reason\": \"x\"} trailing",
        "{\"reason\": 42}",
        "{\"why\": \"x\"}",
        "{\"reason\": \"a\", \"reason\": \"b\"}",
        "{'reason': 'x'}"
      })
  void aWriteWithABadBodyIs400AndChangesNothing(String body) {
    admin.breaker().forceOpen();

    HttpResponse<String> response = admin.postWithToken("circuit-breakers/inventory/reset", body);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).get("error").asText()).isNotBlank();
    assertThat(admin.breaker().state()).isEqualTo(CircuitBreaker.State.FORCED_OPEN);
  }

  @Test
  void aReasonLongerThan200CharactersIs400() {
    HttpResponse<String> response =
        admin.postWithToken(
            "circuit-breakers/inventory/reset", "{\"reason\":\"" + "x".repeat(201) + "\"}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).get("error").asText()).contains("at most 200");
  }

  @Test
  void aBodyDeclaredTooLargeIsRefusedWith413BeforeItIsRead() {
    String answer =
        admin.raw(
            "POST /circuit-breakers/inventory/reset HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Authorization: Bearer "
                + TOKEN
                + "\r\nContent-Length: 100000000\r\n\r\n{");

    assertThat(answer).startsWith("HTTP/1.1 413");
    assertThat(json(answer.substring(answer.indexOf("\r\n\r\n") + 4)).get("error").asText())
        .contains("4096 bytes at most");
  }

  @Test
  void aChunkedBodyThatGrowsTooLargeIsRefusedWith413() {
    admin.breaker().forceOpen();
    String chunk = "{\"reason\":\"" + "x".repeat(5000) + "\"}";
    String answer =
        admin.raw(
            "POST /circuit-breakers/inventory/reset HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Authorization: Bearer "
                + TOKEN
                + "\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(chunk.length())
                + "\r\n"
                + chunk
                + "\r\n0\r\n\r\n");

    assertThat(answer).startsWith("HTTP/1.1 413");
    assertThat(admin.breaker().state()).isEqualTo(CircuitBreaker.State.FORCED_OPEN);
  }

  @Test
  void aRequestTargetLongerThan2048CharactersIs414() {
    HttpResponse<String> response = admin.get("policies?" + "x".repeat(2100));

    assertThat(response.statusCode()).isEqualTo(414);
    assertThat(json(response).get("error").asText()).contains("2048");
  }

  @Test
  void aLoopbackServerRefusesARequestForAnotherHostAsDnsRebindingWouldSendIt() {
    String answer = admin.raw("GET /policies HTTP/1.1\r\nHost: evil.example:80\r\n\r\n");

    assertThat(answer).startsWith("HTTP/1.1 403");
    assertThat(admin.raw("GET /health HTTP/1.1\r\nHost: localhost:1\r\n\r\n"))
        .startsWith("HTTP/1.1 200");
  }

  @Test
  void metricsServeTheSourcesTextAsPrometheusExpects() {
    HttpResponse<String> response = admin.get("metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(response.body()).isEqualTo("up 1\n");
  }

  @Test
  void metricsWithoutASourceAre404Json() {
    try (AdminFixture bare = new AdminFixture(b -> b)) {
      HttpResponse<String> response = bare.get("metrics");

      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(json(response).get("error").asText()).contains("no metrics source");
    }
  }

  @Test
  void aFailureOfOurOwnIsA500ThatSaysNothingOfIt() {
    try (AdminFixture broken =
        new AdminFixture(
            b ->
                b.metrics(
                    () -> {
                      throw new IllegalStateException("secret detail /etc/passwd");
                    }))) {
      HttpResponse<String> response = broken.get("metrics");

      assertThat(response.statusCode()).isEqualTo(500);
      assertThat(response.body())
          .isEqualTo("{\"error\":\"internal error; the server's log has the details\"}")
          .doesNotContain("secret");
    }
  }

  @Test
  void theDashboardIsOneSelfContainedPageUnderAStrictContentSecurityPolicy() {
    HttpResponse<String> page = admin.get("");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("default-src 'none'")
        .contains("connect-src 'self'");
    assertThat(page.body())
        .contains("<title>Bulwark dashboard</title>")
        .doesNotContainPattern("(?i)<script[^>]+src=")
        .doesNotContainPattern("(?i)<link[^>]+href=")
        .doesNotContainPattern("(?i)@import")
        .doesNotContain("innerHTML");
    assertThat(page.body().replace("http://www.w3.org/2000/svg", "")).doesNotContain("http");
  }

  @Test
  void nothingListensBeforeStartAndTheDefaultAddressIsLoopback() throws Exception {
    Resilience resilience = Resilience.ofDefaults();
    AdminServer idle = AdminServer.builder(resilience).build();
    assertThatThrownBy(idle::port).isInstanceOf(IllegalStateException.class);

    try (AdminServer started = AdminServer.builder(resilience).build().start()) {
      assertThat(InetAddress.getByName(started.uri().getHost()).isLoopbackAddress()).isTrue();
      int port = started.port();
      started.stop();
      assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
          .isInstanceOf(ConnectException.class);
    }
    idle.start();
    idle.stop();
    assertThatThrownBy(idle::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already started");
  }

  @Test
  void badSettingsFailNamingTheSettingAndItsRange() {
    AdminServer.Builder b = AdminServer.builder(Resilience.ofDefaults());
    assertThatThrownBy(() -> b.token("short"))
        .hasMessage("token must be 16 to 256 visible ASCII characters, was 5 characters");
    assertThatThrownBy(() -> b.token("has a space in it, sixteen+"))
        .hasMessageContaining("with others among them");
    assertThatThrownBy(() -> b.port(70_000)).hasMessage("port must be in [0, 65535], was 70000");
    assertThatThrownBy(() -> b.maxRequestBytes(10))
        .hasMessage("maxRequestBytes must be in [64, 1048576], was 10");
    assertThatThrownBy(() -> b.maxEventClients(0))
        .hasMessage("maxEventClients must be in [1, 256], was 0");
    assertThatThrownBy(() -> b.maxTrackedNames(0))
        .hasMessage("maxTrackedNames must be in [1, 100000], was 0");
  }

  @Test
  void noResponseCarriesAStackTrace() {
    // every request goes through the fixture, which checks each body; here, a sweep of odd ones
    for (String path :
        List.of("", "health", "policies", "metrics", "circuit-breakers/%C3%28/reset", "a/b/c/d")) {
      admin.get(path);
      admin.post(path, "{", () -> "Bearer " + TOKEN);
      admin.post(path, "", () -> null);
    }
    for (String request :
        List.of(
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n",
            "GET /%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "GET /circuit-breakers/%C3%28/reset HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "BREW /policies HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) {
      String answer = admin.raw(request);
      assertThat(answer).matches("(?s)HTTP/1.1 4\\d\\d .*");
    }
  }

  private static JsonNode policy(JsonNode body, String kind, String name) {
    for (JsonNode p : body.get("policies")) {
      if (p.get("kind").asText().equals(kind) && p.get("name").asText().equals(name)) {
        return p;
      }
    }
    throw new AssertionError("no " + kind + " " + name + " in " + body);
  }
}
