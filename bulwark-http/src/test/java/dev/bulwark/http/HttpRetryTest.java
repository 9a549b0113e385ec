package dev.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.test.http.Reply;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class HttpRetryTest extends HttpFixture {
  private final ResilientHttpClient client = client(b -> b);

  @Test
  void retriesA503AndAnswersWithTheNext200() throws Exception {
    server.enqueue(Reply.status(503).body("busy"), Reply.ok("fresh"));

    CompletableFuture<HttpResponse<String>> call =
        client.sendAsync(get(client, "/stock/42"), BodyHandlers.ofString());
    awaitPending(BACKOFF);
    scheduler.advance(BACKOFF);

    HttpResponse<String> response = answer(call);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("fresh");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void retriesEveryRetryableStatus() throws Exception {
    for (int status : new int[] {408, 425, 429, 500, 502, 503, 504}) {
      server.enqueue(Reply.status(status), Reply.ok("after " + status));
      CompletableFuture<HttpResponse<String>> call =
          client.sendAsync(get(client, "/s"), BodyHandlers.ofString());
      awaitPending(BACKOFF);
      scheduler.advance(BACKOFF);

      assertThat(answer(call).body()).isEqualTo("after " + status);
    }
    assertThat(server.requestCount()).isEqualTo(14);
  }

  @Test
  void givesTheCallerTheLastErrorResponseWithItsBodyWhenTheAttemptsRunOut() throws Exception {
    server.enqueue(
        Reply.status(503).body("first"),
        Reply.status(502).body("second"),
        Reply.status(500).body("third").header("X-Trace", "abc"));

    CompletableFuture<HttpResponse<String>> call =
        client.sendAsync(get(client, "/s"), BodyHandlers.ofString());
    for (int wait = 0; wait < 2; wait++) {
      awaitPending(BACKOFF);
      scheduler.advance(BACKOFF);
    }

    HttpResponse<String> response = answer(call);
    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).isEqualTo("third");
    assertThat(response.headers().firstValue("X-Trace")).hasValue("abc");
    assertThat(response.request().uri()).isEqualTo(server.uri("/s"));
    assertThat(server.requestCount()).isEqualTo(3);
  }

  @Test
  void retriesAConnectionResetOfAGet() throws Exception {
    // The JDK client retries a GET once by itself when the connection dies before any byte of the
    // answer, so two resets make one failed attempt of ours.
    server.enqueue(Reply.reset(), Reply.reset(), Reply.ok("after the reset"));

    CompletableFuture<HttpResponse<String>> call =
        client.sendAsync(get(client, "/s"), BodyHandlers.ofString());
    awaitPending(BACKOFF);
    scheduler.advance(BACKOFF);

    assertThat(answer(call).body()).isEqualTo("after the reset");
    assertThat(server.requestCount()).isEqualTo(3);
  }

  @Test
  void neverRetriesAPostAndGivesItsErrorAsItIs() throws Exception {
    server.enqueue(Reply.status(503).body("down"), Reply.ok("would be a second order"));
    HttpRequest order =
        client.request("/orders").POST(BodyPublishers.ofString("{\"sku\":42}")).build();

    HttpResponse<String> response = client.send(order, BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).isEqualTo("down");
    assertThat(server.requestCount()).isEqualTo(1);
    assertThat(scheduler.pendingDelays()).doesNotContain(BACKOFF);
  }

  @Test
  void neverRetriesAPostWhoseConnectionWasReset() throws Exception {
    server.enqueue(Reply.reset(), Reply.ok("would be a second order"));
    HttpRequest order = client.request("/orders").POST(BodyPublishers.ofString("{}")).build();

    Throwable failure = catchFailure(client.sendAsync(order, BodyHandlers.ofString()));

    assertThat(failure)
        .isInstanceOfSatisfying(
            HttpCallException.class,
            e -> {
              assertThat(e.attempts()).isEqualTo(1);
              assertThat(e.policyName()).isEmpty(); // the network failed, not a policy
              assertThat(e.lastStatus()).isEmpty();
              assertThat(e.getCause()).isInstanceOf(IOException.class);
            });
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void retriesAPostThatCarriesAnIdempotencyKey() throws Exception {
    server.enqueue(Reply.status(503), Reply.ok("created once"));
    HttpRequest order =
        client
            .request("/orders")
            .header("Idempotency-Key", "order-7f3a")
            .POST(BodyPublishers.ofString("{}"))
            .build();

    CompletableFuture<HttpResponse<String>> call = client.sendAsync(order, BodyHandlers.ofString());
    awaitPending(BACKOFF);
    scheduler.advance(BACKOFF);

    assertThat(answer(call).body()).isEqualTo("created once");
    assertThat(server.requests())
        .allSatisfy(r -> assertThat(r.header("Idempotency-Key")).hasValue("order-7f3a"));
  }

  @Test
  void retriesAnyMethodWhenTheUserOptsIn() throws Exception {
    ResilientHttpClient optedIn = client(b -> b.retryNonIdempotent(true));
    server.enqueue(Reply.status(502), Reply.ok("patched"));
    HttpRequest patch =
        optedIn.request("/items/1").method("PATCH", BodyPublishers.ofString("{}")).build();

    CompletableFuture<HttpResponse<String>> call =
        optedIn.sendAsync(patch, BodyHandlers.ofString());
    awaitPending(BACKOFF);
    scheduler.advance(BACKOFF);

    assertThat(answer(call).body()).isEqualTo("patched");
  }

  @Test
  void neverRetriesA401OrA403() throws Exception {
    server.enqueue(Reply.status(401).body("who are you"), Reply.status(403), Reply.ok("x"));

    HttpResponse<String> unauthorized = client.send(get(client, "/a"), BodyHandlers.ofString());
    HttpResponse<String> forbidden = client.send(get(client, "/b"), BodyHandlers.ofString());

    assertThat(unauthorized.statusCode()).isEqualTo(401);
    assertThat(unauthorized.body()).isEqualTo("who are you");
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void returnsOther4xxAsTheyAre() throws Exception {
    server.enqueue(Reply.status(404).body("no such item"), Reply.status(422));

    assertThat(client.send(get(client, "/x"), BodyHandlers.ofString()).body())
        .isEqualTo("no such item");
    assertThat(client.send(get(client, "/y"), BodyHandlers.ofString()).statusCode()).isEqualTo(422);
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void aRefusedConnectionFailsWithTheRequestAndTheAttemptsMade() throws Exception {
    java.net.URI nowhere = server.uri("/gone");
    server.close(); // nothing listens on that port any more
    HttpRequest request = HttpRequest.newBuilder(nowhere).build();

    CompletableFuture<HttpResponse<String>> call =
        client.sendAsync(request, BodyHandlers.ofString());
    for (int wait = 0; wait < 2; wait++) {
      awaitPending(BACKOFF);
      scheduler.advance(BACKOFF);
    }

    assertThat(catchFailure(call))
        .isInstanceOfSatisfying(
            HttpCallException.class,
            e -> {
              assertThat(e.attempts()).isEqualTo(3);
              assertThat(e.method()).isEqualTo("GET");
              assertThat(e.uri()).isEqualTo(nowhere);
              assertThat(e.route()).isEqualTo(server.authority());
              assertThat(e.policyName()).hasValue(server.authority()); // the host's retry
              assertThat(e.getCause()).isInstanceOf(java.net.ConnectException.class);
              assertThat(e).hasMessageStartingWith("GET " + nowhere + " failed after 3 attempts: ");
            });
  }

  @Test
  void sendThrowsTheFailureAsAnIoException() {
    server.enqueue(Reply.reset());
    HttpRequest order = client.request("/orders").POST(BodyPublishers.ofString("{}")).build();

    assertThatThrownBy(() -> client.send(order, BodyHandlers.ofString()))
        .isInstanceOf(HttpCallException.class)
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("POST " + server.uri("/orders") + " failed after 1 attempt");
  }

  static Throwable catchFailure(CompletableFuture<?> call) throws Exception {
    try {
      answer(call);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the call succeeded");
  }

  static Duration seconds(long s) {
    return Duration.ofSeconds(s);
  }
}
