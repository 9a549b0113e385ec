package dev.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Resilience;
import dev.bulwark.test.http.Reply;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The README's HTTP example, as written there, against a loopback server. */
class ReadmeExampleTest extends HttpFixture {

  /** The README's {@code cache}: the last body seen per URI. */
  static final class Cache {
    final Map<URI, String> bodies = new ConcurrentHashMap<>();

    Optional<String> get(URI uri) {
      return Optional.ofNullable(bodies.get(uri));
    }
  }

  @Test
  void theReadmeExampleAnswersFromTheServerThenFromTheCacheWhenTheHostFails() throws Exception {
    Resilience resilience = Resilience.builder().clock(clock).scheduler(scheduler).build();
    Cache cache = new Cache();
    cache.bodies.put(server.uri("/stock/42"), "12 (cached)");
    URI base = server.uri(); // the README says https://api.example.com/

    // -- as in the README --
    ResilientHttpClient client =
        ResilientHttpClient.builder()
            .baseUri(base)
            .resilience(resilience) // each host's breaker and limiter live here
            .timeout(Duration.ofSeconds(10)) // the whole call, retries included
            .attemptTimeout(Duration.ofSeconds(2)) // each attempt
            .fallback(
                (request, failure) ->
                    cache.get(request.uri()).map(body -> FallbackResponse.of(200, body)))
            .build();

    HttpResponse<String> stock =
        client.send(client.request("/stock/42").build(), BodyHandlers.ofString());
    // -- end --

    assertThat(stock.body()).isEqualTo("ok");
    server.enqueue(Reply.status(500), Reply.status(500), Reply.status(500));
    var later = client.sendAsync(client.request("/stock/42").build(), BodyHandlers.ofString());
    for (int retry = 0; retry < 2; retry++) {
      await()
          .atMost(WAIT)
          .until(
              () ->
                  !scheduler.pendingDelays().isEmpty()
                      && scheduler.pendingDelays().get(0).compareTo(Duration.ofSeconds(2)) < 0);
      scheduler.advance(scheduler.pendingDelays().get(0)); // the jittered backoff
    }
    assertThat(answer(later).body()).isEqualTo("12 (cached)");
  }

  private static org.awaitility.core.ConditionFactory await() {
    return org.awaitility.Awaitility.await();
  }
}
