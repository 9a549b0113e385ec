package dev.bulwark.http;

import static dev.bulwark.http.HttpRetryTest.catchFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.circuitbreaker.CircuitBreakerOpenException;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.test.http.Reply;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class FallbackTest extends HttpFixture {
  private final List<HttpCallException> asked = new CopyOnWriteArrayList<>();

  private ResilientHttpClient withFallback(HttpFallback fallback) {
    return client(
        b ->
            b.retry(RetryConfig.builder().maxAttempts(1).build())
                .circuitBreaker(CircuitBreakerConfig.builder().consecutiveFailures(2).build())
                .fallback(
                    (request, failure) -> {
                      asked.add(failure);
                      return fallback.recover(request, failure);
                    }));
  }

  @Test
  void servesTheFallbackThroughTheCallersHandlerWhenTheServerFails() throws Exception {
    ResilientHttpClient client =
        withFallback((request, failure) -> Optional.of(FallbackResponse.of(200, "cached stock")));
    server.enqueue(Reply.status(503).body("down"));

    HttpResponse<String> response = client.send(get(client, "/stock/1"), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("cached stock");
    assertThat(response.headers().firstValue(FallbackResponse.HEADER)).hasValue("true");
    assertThat(response.request().uri()).isEqualTo(server.uri("/stock/1"));
    assertThat(asked)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.lastStatus()).hasValue(503);
              assertThat(e.attempts()).isEqualTo(1);
            });
  }

  @Test
  void servesTheFallbackWhenTheBreakerRejects() throws Exception {
    ResilientHttpClient client =
        withFallback(
            (request, failure) ->
                failure.getCause() instanceof CircuitBreakerOpenException
                    ? Optional.of(FallbackResponse.of(200, "stale").header("Age", "120"))
                    : Optional.empty());
    server.otherwise(Reply.status(500));
    client.send(get(client, "/s"), BodyHandlers.ofString());
    client.send(get(client, "/s"), BodyHandlers.ofString());

    HttpResponse<String> response = client.send(get(client, "/s"), BodyHandlers.ofString());

    assertThat(response.body()).isEqualTo("stale");
    assertThat(response.headers().firstValue("Age")).hasValue("120");
    assertThat(server.requestCount()).isEqualTo(2);
    assertThat(asked.get(2).attempts()).isZero();
  }

  @Test
  void anEmptyFallbackLetsTheFailureStand() throws Exception {
    ResilientHttpClient client = withFallback((request, failure) -> Optional.empty());
    server.enqueue(Reply.status(502).body("bad gateway"), Reply.reset());

    HttpResponse<String> response = client.send(get(client, "/s"), BodyHandlers.ofString());
    Throwable failure =
        catchFailure(
            client.sendAsync(
                client
                    .request("/s")
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                    .build(),
                BodyHandlers.ofString()));

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).isEqualTo("bad gateway");
    assertThat(failure).isInstanceOf(HttpCallException.class);
    assertThat(asked).hasSize(2);
  }

  @Test
  void aFallbackThatThrowsFailsTheCallWithWhatItThrew() throws Exception {
    ResilientHttpClient client =
        withFallback(
            (request, failure) -> {
              throw new IllegalStateException("cache offline");
            });
    server.enqueue(Reply.status(503));

    Throwable failure = catchFailure(client.sendAsync(get(client, "/s"), BodyHandlers.ofString()));

    assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("cache offline");
    assertThat(failure.getSuppressed()).singleElement().isInstanceOf(HttpCallException.class);
  }
}
