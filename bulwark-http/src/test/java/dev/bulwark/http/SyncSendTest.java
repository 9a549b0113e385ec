package dev.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.hedge.HedgeConfig;
import dev.bulwark.test.http.Reply;
import dev.bulwark.timeout.TimeoutExceededException;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@code send} runs the call on the caller's thread: a retry's wait is a sleep on the scheduler,
 * which the manual scheduler records (and passes at once), and a deadline interrupts the caller.
 * When the caller is blocked on the wire, the test drives the clock from its own thread.
 */
class SyncSendTest extends HttpFixture {
  private final ResilientHttpClient client =
      client(b -> b.attemptTimeout(Duration.ofSeconds(3)).timeout(Duration.ofSeconds(5)));

  @Test
  void retriesA503AfterSleepingTheBackoff() throws Exception {
    server.enqueue(Reply.status(503), Reply.ok("fresh"));

    HttpResponse<String> response = client.send(get(client, "/s"), BodyHandlers.ofString());

    assertThat(response.body()).isEqualTo("fresh");
    assertThat(scheduler.sleeps()).containsExactly(BACKOFF);
  }

  @Test
  void sleepsWhatRetryAfterSaysInEitherForm() throws Exception {
    server.enqueue(Reply.status(429).header("Retry-After", "2"), Reply.ok("one"));
    assertThat(client.send(get(client, "/a"), BodyHandlers.ofString()).body()).isEqualTo("one");

    String inThreeSeconds =
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC)
            .format(clock.wallTime().plusSeconds(3));
    server.enqueue(Reply.status(503).header("Retry-After", inThreeSeconds), Reply.ok("two"));
    assertThat(client.send(get(client, "/b"), BodyHandlers.ofString()).body()).isEqualTo("two");

    assertThat(scheduler.sleeps()).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(3));
  }

  @Test
  void givesTheLastErrorResponseWithItsBodyWhenTheAttemptsRunOut() throws Exception {
    server.enqueue(Reply.status(502), Reply.status(502), Reply.status(503).body("still down"));

    HttpResponse<String> response = client.send(get(client, "/s"), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).isEqualTo("still down");
    assertThat(scheduler.sleeps()).hasSize(2);
  }

  @Test
  void retriesAResetGetButNotAResetPost() throws Exception {
    server.enqueue("/get", Reply.reset(), Reply.reset(), Reply.ok("got it"));
    server.enqueue("/post", Reply.reset(), Reply.ok("would be a second order"));

    assertThat(client.send(get(client, "/get"), BodyHandlers.ofString()).body())
        .isEqualTo("got it");
    assertThatThrownBy(
            () ->
                client.send(
                    client.request("/post").POST(BodyPublishers.ofString("{}")).build(),
                    BodyHandlers.ofString()))
        .isInstanceOfSatisfying(
            HttpCallException.class, e -> assertThat(e.attempts()).isEqualTo(1));
  }

  @Test
  void cutsASlowAttemptByInterruptingItAndRetries() throws Exception {
    server.enqueue(Reply.ok("too late").stall(slow), Reply.ok("fast"));

    CompletableFuture<HttpResponse<String>> call = sendOnAnotherThread(client, "/s");
    assertThat(slow.awaitStalled(WAIT)).isTrue();
    scheduler.advance(Duration.ofSeconds(3)); // the attempt's deadline interrupts the caller

    assertThat(answer(call).body()).isEqualTo("fast");
    assertThat(slow.awaitClientGone(WAIT)).isTrue();
  }

  @Test
  void theTotalTimeoutInterruptsTheCallAndNamesItself() throws Exception {
    ResilientHttpClient once =
        client(
            b ->
                b.attemptTimeout(Duration.ofSeconds(3))
                    .timeout(Duration.ofSeconds(3))
                    .retry(dev.bulwark.retry.RetryConfig.builder().maxAttempts(1).build()));
    server.enqueue(Reply.ok("too late").stall(slow));

    CompletableFuture<HttpResponse<String>> call = sendOnAnotherThread(once, "/s");
    assertThat(slow.awaitStalled(WAIT)).isTrue();
    scheduler.advance(Duration.ofSeconds(3));

    assertThat(HttpRetryTest.catchFailure(call))
        .isInstanceOfSatisfying(
            HttpCallException.class,
            e -> {
              assertThat(e.getCause()).isInstanceOf(TimeoutExceededException.class);
              assertThat(e.policyName()).hasValue(server.authority()); // the host's timeout
            });
    assertThat(slow.awaitClientGone(WAIT)).isTrue();
  }

  @Test
  void aHedgeWinsAgainstASlowAttemptOnTheSynchronousPathToo() throws Exception {
    ResilientHttpClient hedged =
        client(
            b ->
                b.hedge(
                    HedgeConfig.builder().delay(Duration.ofMillis(500)).maxExtraLoad(1.0).build()));
    server.enqueue(Reply.ok("slow replica").stall(slow), Reply.ok("fast replica"));

    CompletableFuture<HttpResponse<String>> call = sendOnAnotherThread(hedged, "/search");
    assertThat(slow.awaitStalled(WAIT)).isTrue();
    awaitPending(Duration.ofMillis(500));
    scheduler.advance(Duration.ofMillis(500));

    assertThat(answer(call).body()).isEqualTo("fast replica");
    assertThat(slow.awaitClientGone(WAIT)).isTrue(); // the losing thread was interrupted
  }

  /** {@code client.send} of a GET of {@code path} on a thread of its own, which may block. */
  private static CompletableFuture<HttpResponse<String>> sendOnAnotherThread(
      ResilientHttpClient client, String path) {
    CompletableFuture<HttpResponse<String>> answer = new CompletableFuture<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                answer.complete(client.send(get(client, path), BodyHandlers.ofString()));
              } catch (Throwable t) {
                answer.completeExceptionally(t);
              }
            });
    caller.setDaemon(true);
    caller.start();
    return answer;
  }
}
