package dev.bulwark.http;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.Resilience;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import dev.bulwark.test.http.Gate;
import dev.bulwark.test.http.ScriptedHttpServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;

/**
 * What every client test shares: a real server on loopback, a registry on a manual clock, and a
 * client whose retry waits a fixed, unjittered second. The JDK client's own threads hand responses
 * to the policies, so a test waits (bounded) for the JDK to deliver, never for a policy's time: it
 * waits until the delay it expects is pending on the manual scheduler, then advances exactly that.
 */
abstract class HttpFixture {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final Duration BACKOFF = Duration.ofSeconds(1);

  /** One JDK client for every test, so connection and thread counts are the client's, not ours. */
  static final HttpClient JDK =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  final ManualClock clock = ManualClock.create();
  final ManualScheduler scheduler = new ManualScheduler(clock);
  final Resilience registry = Resilience.builder().clock(clock).scheduler(scheduler).build();
  final ScriptedHttpServer server = ScriptedHttpServer.start();

  /** The gate a test's slow replies stall on; opened after each test, before the server closes. */
  final Gate slow = Gate.closed();

  ResilientHttpClient client(UnaryOperator<ResilientHttpClient.Builder> custom) {
    return custom
        .apply(
            ResilientHttpClient.builder()
                .resilience(registry)
                .httpClient(JDK)
                .baseUri(server.uri())
                .retry(
                    RetryConfig.builder().maxAttempts(3).backoff(Backoff.fixed(BACKOFF)).build()))
        .build();
  }

  static HttpRequest get(ResilientHttpClient client, String path) {
    return client.request(path).build();
  }

  static <T> T answer(CompletableFuture<T> future) throws Exception {
    return future.get(WAIT.toSeconds(), SECONDS);
  }

  /** Waits until a task due in exactly {@code delay} is pending: the JDK has handed over. */
  void awaitPending(Duration delay) {
    await().atMost(WAIT).until(() -> scheduler.pendingDelays().contains(delay));
  }

  @AfterEach
  void serverSawNothingMalformed() {
    slow.open();
    server.close();
    assertThat(server.errors()).isEmpty();
  }
}
