package dev.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.hedge.Hedge;
import dev.bulwark.hedge.HedgeConfig;
import dev.bulwark.test.http.Reply;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class HedgedRequestTest extends HttpFixture {
  private static final Duration HEDGE_DELAY = Duration.ofMillis(500);
  private final ResilientHttpClient client =
      client(b -> b.hedge(HedgeConfig.builder().delay(HEDGE_DELAY).maxExtraLoad(1.0).build()));

  @Test
  void aSlowFirstAttemptLosesToTheHedgeAndIsAborted() throws Exception {
    server.enqueue(Reply.ok("slow replica").stall(slow), Reply.ok("fast replica"));

    CompletableFuture<HttpResponse<String>> call =
        client.sendAsync(get(client, "/search?q=bolts"), BodyHandlers.ofString());
    assertThat(slow.awaitStalled(WAIT)).isTrue();
    awaitPending(HEDGE_DELAY);
    scheduler.advance(HEDGE_DELAY);

    assertThat(answer(call).body()).isEqualTo("fast replica");
    assertThat(slow.awaitClientGone(WAIT)).isTrue(); // the loser's exchange was aborted
    assertThat(server.requestCount()).isEqualTo(2);
    Hedge hedge = client.hedge(get(client, "/search")).orElseThrow();
    await() // counted once the race is settled, on the thread that settled it
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(hedge.statistics().hedgesWon()).isEqualTo(1));
    assertThat(hedge.statistics().hedgesStarted()).isEqualTo(1);
  }

  @Test
  void aFastAnswerStartsNoHedge() throws Exception {
    server.enqueue(Reply.ok("fast"));

    HttpResponse<String> response = client.send(get(client, "/search"), BodyHandlers.ofString());
    scheduler.advance(HEDGE_DELAY);

    assertThat(response.body()).isEqualTo("fast");
    assertThat(server.requestCount()).isEqualTo(1);
    assertThat(client.hedge(get(client, "/search")).orElseThrow().statistics().hedgesStarted())
        .isZero();
  }

  @Test
  void neverHedgesARequestThatIsNotRepeatable() throws Exception {
    server.enqueue(Reply.ok("created").stall(slow));

    CompletableFuture<HttpResponse<String>> call =
        client.sendAsync(
            client.request("/orders").POST(BodyPublishers.ofString("{}")).build(),
            BodyHandlers.ofString());
    assertThat(slow.awaitStalled(WAIT)).isTrue();
    assertThat(scheduler.pendingDelays()).doesNotContain(HEDGE_DELAY);
    scheduler.advance(HEDGE_DELAY);
    slow.open();

    assertThat(answer(call).body()).isEqualTo("created");
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void isOffByDefault() throws Exception {
    ResilientHttpClient plain = client(b -> b);
    server.enqueue(Reply.ok("slow").stall(slow));

    CompletableFuture<HttpResponse<String>> call =
        plain.sendAsync(get(plain, "/search"), BodyHandlers.ofString());
    assertThat(slow.awaitStalled(WAIT)).isTrue();
    scheduler.advance(Duration.ofSeconds(1));
    slow.open();

    assertThat(answer(call).body()).isEqualTo("slow");
    assertThat(server.requestCount()).isEqualTo(1);
    assertThat(plain.hedge(get(plain, "/search"))).isEmpty();
  }
}
