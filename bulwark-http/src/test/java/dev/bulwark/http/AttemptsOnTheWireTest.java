package dev.bulwark.http;

import static dev.bulwark.http.HttpRetryTest.catchFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.test.http.Reply;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The attempts a failed call reports are the requests that reached the server. The JDK client
 * resends a GET once, inside one of our attempts, when its connection closes before any byte of the
 * answer; the client counts that resend, so a server that hangs up on every request and a caller
 * reading {@link HttpCallException#attempts()} agree.
 */
class AttemptsOnTheWireTest extends HttpFixture {
  private final ResilientHttpClient client = client(b -> b);

  static Stream<Supplier<Reply>> hangUps() {
    return Stream.of(Reply::disconnect, Reply::reset);
  }

  @ParameterizedTest
  @MethodSource("hangUps")
  void aGetThatIsNeverAnsweredReportsEveryRequestTheServerReceived(Supplier<Reply> hangUp)
      throws Exception {
    for (int i = 0; i < 8; i++) {
      server.enqueue("/gone", hangUp.get());
    }

    CompletableFuture<HttpResponse<String>> call =
        client.sendAsync(get(client, "/gone"), BodyHandlers.ofString());
    for (int wait = 0; wait < 2; wait++) {
      awaitPending(BACKOFF);
      scheduler.advance(BACKOFF);
    }

    assertThat(catchFailure(call))
        .isInstanceOfSatisfying(
            HttpCallException.class,
            e -> assertThat(e.attempts()).isEqualTo(server.requestCount()));
  }

  @ParameterizedTest
  @MethodSource("hangUps")
  void aBlockingGetThatIsNeverAnsweredReportsEveryRequestTheServerReceived(Supplier<Reply> hangUp) {
    for (int i = 0; i < 8; i++) {
      server.enqueue("/gone", hangUp.get());
    }

    assertThatThrownBy(() -> client.send(get(client, "/gone"), BodyHandlers.ofString()))
        .isInstanceOfSatisfying(
            HttpCallException.class,
            e -> assertThat(e.attempts()).isEqualTo(server.requestCount()));
  }

  @ParameterizedTest
  @MethodSource("hangUps")
  void aPostThatIsNeverAnsweredWasSentOnce(Supplier<Reply> hangUp) throws Exception {
    server.enqueue("/order", hangUp.get(), Reply.ok("a second order"));

    Throwable failure =
        catchFailure(
            client.sendAsync(
                client.request("/order").POST(BodyPublishers.ofString("{}")).build(),
                BodyHandlers.ofString()));

    assertThat(failure)
        .isInstanceOfSatisfying(HttpCallException.class, e -> assertThat(e.attempts()).isOne());
    assertThat(server.requestCount()).isOne();
  }

  @ParameterizedTest
  @MethodSource("hangUps")
  void aGetAnsweredAfterAHangUpCountsTheRequestsBeforeIt(Supplier<Reply> hangUp) throws Exception {
    server.enqueue("/flaky", hangUp.get(), hangUp.get(), Reply.status(503), Reply.status(503));
    ResilientHttpClient twice =
        client(
            b ->
                b.retry(
                    dev.bulwark.retry.RetryConfig.builder()
                        .maxAttempts(2)
                        .backoff(dev.bulwark.retry.Backoff.fixed(BACKOFF))
                        .build()));

    CompletableFuture<HttpResponse<String>> call =
        twice.sendAsync(get(twice, "/flaky"), BodyHandlers.ofString());
    awaitPending(BACKOFF);
    scheduler.advance(BACKOFF);

    assertThat(answer(call).statusCode()).isEqualTo(503); // the last answer, as it is
    assertThat(server.requestCount()).isEqualTo(3); // two hang-ups (one attempt), one 503
  }
}
