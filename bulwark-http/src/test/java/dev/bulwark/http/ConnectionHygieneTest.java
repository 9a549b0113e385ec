package dev.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Resilience;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.test.http.Reply;
import dev.bulwark.test.http.ScriptedHttpServer;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retries must not leak: every error response retried is read to its end, so its connection goes
 * back to the pool. Without the draining, each retried request would strand its connection and the
 * server would see a new one per request. These tests retry with no backoff on the system
 * scheduler: nothing waits for time, so nothing depends on it.
 */
class ConnectionHygieneTest {
  private static final int REQUESTS = 1_000;
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final ScriptedHttpServer server = ScriptedHttpServer.start();
  private final HttpClient jdk =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ResilientHttpClient client =
      ResilientHttpClient.builder()
          .resilience(Resilience.ofDefaults())
          .httpClient(jdk)
          .baseUri(server.uri())
          .retry(RetryConfig.builder().maxAttempts(2).backoff(Backoff.none()).build())
          .build();

  @AfterEach
  void stop() {
    server.close();
    assertThat(server.errors()).isEmpty();
  }

  @Test
  void aThousandRetriedRequestsLeaveNoConnectionOrThreadBehind() throws Exception {
    byte[] errorPage = new byte[8 * 1024];
    Arrays.fill(errorPage, (byte) 'x');
    for (int i = 0; i < REQUESTS; i++) {
      server.enqueue(Reply.status(503).body(errorPage).chunked(1024), Reply.ok("fresh " + i));
    }
    warmUp();
    int threadsBefore = liveThreads();

    for (int i = 0; i < REQUESTS; i++) {
      HttpResponse<String> response =
          client.send(client.request("/stock/" + i).build(), BodyHandlers.ofString());
      assertThat(response.body()).isEqualTo("fresh " + i);
    }

    assertThat(server.requestCount()).isEqualTo(2 * REQUESTS + 1);
    assertThat(server.acceptedConnections()).isLessThanOrEqualTo(2); // one, reused throughout
    assertThat(server.openConnections()).isLessThanOrEqualTo(1); // the pooled one, idle
    // The JDK client's and the scheduler's pools grow and shrink by a few threads on their own; a
    // leak would leave one per request, a thousand.
    assertThat(liveThreads() - threadsBefore).as(threadNames()).isLessThan(10);
  }

  @Test
  void anEndlessErrorBodyIsAbandonedAtTheDrainLimitAndItsConnectionDropped() throws Exception {
    warmUp();
    server.enqueue("/endless", Reply.status(503).endlessBody(), Reply.ok("fine"));

    HttpResponse<String> response =
        client.send(client.request("/endless").build(), BodyHandlers.ofString());

    assertThat(response.body()).isEqualTo("fine");
    assertThat(server.bodyBytesWritten()) // the drain limit, plus what the sockets buffered
        .isGreaterThanOrEqualTo(HttpRules.DRAIN_LIMIT_BYTES)
        .isLessThan(HttpRules.DRAIN_LIMIT_BYTES + 32 * 1024 * 1024);
    assertThat(server.awaitOpenConnections(1, WAIT)).isTrue(); // the abandoned one is gone
  }

  @Test
  void anEndlessLastErrorBodyReachesTheCallerCutToWhatIsKept() throws Exception {
    ResilientHttpClient once =
        ResilientHttpClient.builder()
            .resilience(Resilience.ofDefaults())
            .httpClient(jdk)
            .baseUri(server.uri())
            .retry(RetryConfig.builder().maxAttempts(1).build())
            .maxErrorBodyBytes(16)
            .build();
    server.enqueue("/endless", Reply.status(500).body("0123456789abcdef and on").endlessBody());

    HttpResponse<String> response =
        once.sendAsync(once.request("/endless").build(), BodyHandlers.ofString())
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).isEqualTo("0123456789abcdef");
    assertThat(server.awaitOpenConnections(0, WAIT)).isTrue();
  }

  @Test
  void anErrorBodyUpToTheDrainLimitIsReadToItsEndAndItsConnectionKept() throws Exception {
    byte[] huge = new byte[1024 * 1024];
    Arrays.fill(huge, (byte) 'y');
    for (int i = 0; i < 20; i++) {
      server.enqueue(Reply.status(500).body(huge), Reply.ok("fine"));
    }
    for (int i = 0; i < 20; i++) {
      assertThat(client.send(client.request("/big").build(), BodyHandlers.ofString()).body())
          .isEqualTo("fine");
    }
    assertThat(server.acceptedConnections()).isLessThanOrEqualTo(2);
  }

  @Test
  void theLastErrorBodyIsCutAtItsLimitForTheCaller() throws Exception {
    ResilientHttpClient small =
        ResilientHttpClient.builder()
            .resilience(Resilience.ofDefaults())
            .httpClient(jdk)
            .baseUri(server.uri())
            .retry(RetryConfig.builder().maxAttempts(1).build())
            .maxErrorBodyBytes(10)
            .build();
    server.enqueue(Reply.status(500).body("0123456789 and the rest"));

    HttpResponse<String> response =
        small.send(small.request("/x").build(), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).isEqualTo("0123456789");
  }

  /** One request first, so the JDK client's selector thread and pool exist before counting. */
  private void warmUp() throws Exception {
    server.enqueue("/warm", Reply.ok("warm"));
    client.send(client.request("/warm").build(), BodyHandlers.ofString());
  }

  private static String threadNames() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .sorted()
        .collect(java.util.stream.Collectors.joining(", "));
  }

  private static int liveThreads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }
}
