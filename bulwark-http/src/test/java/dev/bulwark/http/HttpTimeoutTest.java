package dev.bulwark.http;

import static dev.bulwark.http.HttpRetryTest.catchFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.test.http.Gate;
import dev.bulwark.test.http.Reply;
import dev.bulwark.timeout.TimeoutExceededException;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HttpTimeoutTest extends HttpFixture {
  private final ResilientHttpClient client =
      client(b -> b.attemptTimeout(Duration.ofSeconds(3)).timeout(Duration.ofSeconds(5)));

  @Test
  void cutsASlowAttemptAtItsTimeoutAbortsItAndRetriesOnAFastOne() throws Exception {
    server.enqueue(Reply.ok("too late").stall(slow), Reply.ok("fast"));

    CompletableFuture<HttpResponse<String>> call =
        client.sendAsync(get(client, "/s"), BodyHandlers.ofString());
    assertThat(slow.awaitStalled(WAIT)).isTrue();
    scheduler.advance(Duration.ofSeconds(3)); // the attempt's deadline
    assertThat(slow.awaitClientGone(WAIT)).isTrue(); // the JDK client aborted the exchange
    awaitPending(BACKOFF);
    scheduler.advance(BACKOFF);

    HttpResponse<String> response = answer(call);
    assertThat(response.body()).isEqualTo("fast");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void theTotalTimeoutCutsTheCallAndAbortsTheAttemptOnTheWire() throws Exception {
    Gate alsoSlow = Gate.closed();
    server.enqueue(Reply.ok("late").stall(slow), Reply.ok("late too").stall(alsoSlow));
    try {
      CompletableFuture<HttpResponse<String>> call =
          client.sendAsync(get(client, "/s"), BodyHandlers.ofString());
      assertThat(slow.awaitStalled(WAIT)).isTrue();
      scheduler.advance(Duration.ofSeconds(3)); // attempt 1 cut
      awaitPending(BACKOFF);
      scheduler.advance(BACKOFF); // attempt 2 starts at 4 s
      assertThat(alsoSlow.awaitStalled(WAIT)).isTrue();
      scheduler.advance(Duration.ofSeconds(1)); // 5 s: the whole call's deadline

      assertThat(catchFailure(call))
          .isInstanceOfSatisfying(
              HttpCallException.class,
              e -> {
                assertThat(e.policyName()).hasValue(server.authority()); // the host's timeout
                assertThat(e.attempts()).isEqualTo(2);
                assertThat(e.getCause()).isInstanceOf(TimeoutExceededException.class);
              });
      assertThat(alsoSlow.awaitClientGone(WAIT)).isTrue();
    } finally {
      alsoSlow.open();
    }
  }

  @Test
  void aTimedOutCallIsFinishedOffTheThreadThatRunsTheTimers() throws Exception {
    AtomicReference<Thread> fallbackRanOn = new AtomicReference<>();
    ResilientHttpClient withFallback =
        client(
            b ->
                b.attemptTimeout(Duration.ofSeconds(3))
                    .timeout(Duration.ofSeconds(3))
                    .fallback(
                        (request, failure) -> {
                          fallbackRanOn.set(Thread.currentThread());
                          return java.util.Optional.of(FallbackResponse.of(200, "stale"));
                        }));
    server.enqueue(Reply.ok("late").stall(slow));

    CompletableFuture<HttpResponse<String>> call =
        withFallback.sendAsync(get(withFallback, "/s"), BodyHandlers.ofString());
    assertThat(slow.awaitStalled(WAIT)).isTrue();
    scheduler.advance(Duration.ofSeconds(3)); // the manual scheduler runs timers on this thread

    assertThat(answer(call).body()).isEqualTo("stale");
    assertThat(fallbackRanOn.get()).isNotNull().isNotSameAs(Thread.currentThread());
  }

  @Test
  void cancellingTheCallAbortsTheAttemptAndStartsNoOther() throws Exception {
    server.enqueue(Reply.ok("late").stall(slow), Reply.ok("never asked"));

    CompletableFuture<HttpResponse<String>> call =
        client.sendAsync(get(client, "/s"), BodyHandlers.ofString());
    assertThat(slow.awaitStalled(WAIT)).isTrue();
    call.cancel(true);

    assertThat(slow.awaitClientGone(WAIT)).isTrue();
    scheduler.runAll();
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void interruptingABlockedSendAbortsTheAttempt() throws Exception {
    server.enqueue(Reply.ok("late").stall(slow));
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                client.send(
                    client.request("/s").POST(BodyPublishers.noBody()).build(),
                    BodyHandlers.ofString());
              } catch (Throwable t) {
                thrown.set(t);
              }
            });
    caller.start();
    assertThat(slow.awaitStalled(WAIT)).isTrue();

    caller.interrupt();
    caller.join(WAIT.toMillis());

    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    assertThat(slow.awaitClientGone(WAIT)).isTrue();
  }

  @Test
  void aTimedOutCallCountsAgainstTheHostsBreaker() throws Exception {
    ResilientHttpClient oneStrike =
        client(
            b ->
                b.attemptTimeout(Duration.ofSeconds(3))
                    .timeout(Duration.ofSeconds(3))
                    .retry(dev.bulwark.retry.RetryConfig.builder().maxAttempts(1).build())
                    .circuitBreaker(
                        dev.bulwark.circuitbreaker.CircuitBreakerConfig.builder()
                            .consecutiveFailures(1)
                            .build()));
    server.enqueue(Reply.ok("late").stall(slow));

    CompletableFuture<HttpResponse<String>> call =
        oneStrike.sendAsync(get(oneStrike, "/s"), BodyHandlers.ofString());
    assertThat(slow.awaitStalled(WAIT)).isTrue();
    scheduler.advance(Duration.ofSeconds(3));

    assertThat(catchFailure(call)).isInstanceOf(HttpCallException.class);
    await()
        .atMost(WAIT)
        .until(
            () ->
                oneStrike.circuitBreaker(get(oneStrike, "/s")).state()
                    == dev.bulwark.circuitbreaker.CircuitBreaker.State.OPEN);
  }
}
