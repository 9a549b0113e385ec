package dev.bulwark.http;

import static dev.bulwark.http.HttpRetryTest.catchFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.circuitbreaker.CircuitBreakerOpenException;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.test.http.Reply;
import dev.bulwark.test.http.ScriptedHttpServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HostBreakerTest extends HttpFixture {
  private final ScriptedHttpServer healthy = ScriptedHttpServer.start();
  private final ResilientHttpClient client =
      client(
          b ->
              b.retry(RetryConfig.builder().maxAttempts(1).build())
                  .circuitBreaker(
                      CircuitBreakerConfig.builder()
                          .consecutiveFailures(2)
                          .openDuration(Duration.ofSeconds(30))
                          .build()));

  @AfterEach
  void stopTheOtherServer() {
    healthy.close();
    assertThat(healthy.errors()).isEmpty();
  }

  @Test
  void aHostWhoseBreakerOpensIsRejectedWhileAnotherHostKeepsWorking() throws Exception {
    server.otherwise(Reply.status(503).body("down"));
    HttpRequest failing = get(client, "/stock");
    HttpRequest working = HttpRequest.newBuilder(healthy.uri("/stock")).build();

    assertThat(client.send(failing, BodyHandlers.ofString()).statusCode()).isEqualTo(503);
    assertThat(client.send(failing, BodyHandlers.ofString()).statusCode()).isEqualTo(503);
    Throwable rejected = catchFailure(client.sendAsync(failing, BodyHandlers.ofString()));
    HttpResponse<String> fine = client.send(working, BodyHandlers.ofString());

    assertThat(rejected)
        .isInstanceOfSatisfying(
            HttpCallException.class,
            e -> {
              assertThat(e.route()).isEqualTo(server.authority());
              assertThat(e.policyName()).hasValue(server.authority());
              assertThat(e.attempts()).isZero();
              assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(30));
              assertThat(e.getCause()).isInstanceOf(CircuitBreakerOpenException.class);
            });
    assertThat(server.requestCount()).isEqualTo(2);
    assertThat(fine.statusCode()).isEqualTo(200);
    assertThat(registry.instances(CircuitBreaker.KIND))
        .hasEntrySatisfying(
            server.authority(), s -> assertThat(s.state()).isEqualTo(CircuitBreaker.State.OPEN))
        .hasEntrySatisfying(
            healthy.authority(), s -> assertThat(s.state()).isEqualTo(CircuitBreaker.State.CLOSED));
  }

  @Test
  void probesAfterTheWaitAndClosesWhenTheHostRecovers() throws Exception {
    server.enqueue(Reply.status(500), Reply.status(500));
    HttpRequest request = get(client, "/stock");
    client.send(request, BodyHandlers.ofString());
    client.send(request, BodyHandlers.ofString());
    CircuitBreaker breaker = client.circuitBreaker(request);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);

    scheduler.advance(Duration.ofSeconds(30));
    HttpResponse<String> probe = client.send(request, BodyHandlers.ofString());

    assertThat(probe.statusCode()).isEqualTo(200);
    assertThat(breaker.state()).isNotEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void a401NeitherRetriesNorCountsAgainstTheBreaker() throws Exception {
    ResilientHttpClient retrying =
        client(
            b -> b.circuitBreaker(CircuitBreakerConfig.builder().consecutiveFailures(1).build()));
    server.enqueue(Reply.status(401), Reply.status(401), Reply.status(401));
    HttpRequest request = get(retrying, "/secret");

    for (int i = 0; i < 3; i++) {
      assertThat(retrying.send(request, BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    }

    assertThat(server.requestCount()).isEqualTo(3);
    CircuitBreaker breaker = retrying.circuitBreaker(request);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.snapshot().failedCalls()).isZero();
  }

  @Test
  void keepsABreakerPerRouteWhenAskedTo() throws Exception {
    ResilientHttpClient perRoute =
        client(
            b ->
                b.retry(RetryConfig.builder().maxAttempts(1).build())
                    .circuitBreaker(CircuitBreakerConfig.builder().consecutiveFailures(1).build())
                    .route(
                        r -> r.uri().getPath().startsWith("/payments") ? "payments" : "catalog"));
    server.enqueue("/payments/1", Reply.status(500));

    perRoute.send(get(perRoute, "/payments/1"), BodyHandlers.ofString());
    HttpResponse<String> catalog =
        perRoute.send(get(perRoute, "/catalog/1"), BodyHandlers.ofString());

    assertThat(catalog.statusCode()).isEqualTo(200);
    assertThat(registry.instances(CircuitBreaker.KIND).get("payments").state())
        .isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(registry.instances(CircuitBreaker.KIND).get("catalog").state())
        .isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void aConfigTheRegistryDeclaresForAHostWinsOverTheClients() throws Exception {
    var registryWithHostConfig =
        dev.bulwark.Resilience.builder()
            .clock(clock)
            .scheduler(scheduler)
            .config(
                CircuitBreaker.KIND,
                server.authority(),
                CircuitBreakerConfig.builder().consecutiveFailures(1).build())
            .build();
    ResilientHttpClient declared =
        ResilientHttpClient.builder()
            .resilience(registryWithHostConfig)
            .httpClient(JDK)
            .baseUri(server.uri())
            .retry(RetryConfig.builder().maxAttempts(1).build())
            .circuitBreaker(CircuitBreakerConfig.builder().consecutiveFailures(50).build())
            .build();
    server.enqueue(Reply.status(500));

    declared.send(get(declared, "/x"), BodyHandlers.ofString());

    assertThat(declared.circuitBreaker(get(declared, "/x")).state())
        .isEqualTo(CircuitBreaker.State.OPEN);
  }
}
