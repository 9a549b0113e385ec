package dev.bulwark.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Resilience;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.http.HttpCallException;
import dev.bulwark.http.ResilientHttpClient;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import dev.bulwark.test.http.Reply;
import dev.bulwark.test.http.ScriptedHttpServer;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * The WebClient filter applies bulwark-http's rules, as the RestClient interceptor does; both obey
 * {@code Retry-After}. Policies run on a manual clock: a test waits (bounded) only for the JDK
 * client to hand a response over, never for a policy's time.
 */
class WebClientFilterTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration BACKOFF = Duration.ofSeconds(1);

  private final ScriptedHttpServer server = ScriptedHttpServer.start();
  private final ManualScheduler scheduler = new ManualScheduler(ManualClock.create());
  private final Resilience resilience =
      Resilience.builder().clock(scheduler.clock()).scheduler(scheduler).build();
  private final ResilientHttpClient client =
      ResilientHttpClient.builder()
          .resilience(resilience)
          .httpClient(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build())
          .retry(RetryConfig.builder().maxAttempts(3).backoff(Backoff.fixed(BACKOFF)).build())
          .build();
  private final WebClient web =
      WebClient.builder()
          .clientConnector(new JdkClientHttpConnector()) // never used: the filter ends the chain
          .filter(new BulwarkWebClientFilter(client))
          .build();

  @AfterEach
  void close() {
    client.close();
    server.close();
  }

  @Test
  void anIdempotentRequestIsRetriedOnA503AfterTheBackoff() throws Exception {
    server.enqueue(Reply.status(503), Reply.ok("fine"));

    CompletableFuture<String> body =
        web.get().uri(server.uri("/stock")).retrieve().bodyToMono(String.class).toFuture();
    awaitPending(BACKOFF);
    scheduler.advance(BACKOFF);

    assertThat(body.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("fine");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void nothingIsSentUntilTheResponseIsSubscribed() throws Exception {
    server.enqueue(Reply.ok("late"));
    var response = web.get().uri(server.uri("/lazy")).retrieve().bodyToMono(String.class);
    assertThat(server.requestCount()).isZero();

    assertThat(response.block(WAIT)).isEqualTo("late");
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void aPostIsNotRetriedOnA503AndTheCallerSeesTheStatus() {
    server.enqueue(Reply.status(503), Reply.ok("fine"));

    CompletableFuture<String> body =
        web.post()
            .uri(server.uri("/orders"))
            .bodyValue("{}")
            .retrieve()
            .bodyToMono(String.class)
            .toFuture();

    assertThat(body)
        .failsWithin(WAIT)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(WebClientResponseException.ServiceUnavailable.class);
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void aPostWithAnIdempotencyKeyIsRetriedAndItsBodySentEachTime() throws Exception {
    server.enqueue(Reply.status(503), Reply.ok("created"));

    CompletableFuture<String> body =
        web.post()
            .uri(server.uri("/orders"))
            .header("Idempotency-Key", "order-42")
            .bodyValue("{\"id\":42}")
            .retrieve()
            .bodyToMono(String.class)
            .toFuture();
    awaitPending(BACKOFF);
    scheduler.advance(BACKOFF);

    assertThat(body.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
        .isEqualTo("created");
    assertThat(server.requestCount()).isEqualTo(2);
    assertThat(server.requests())
        .allSatisfy(r -> assertThat(r.bodyUtf8()).isEqualTo("{\"id\":42}"));
  }

  @Test
  void aRetryAfterIsWaitedInsteadOfTheBackoff() throws Exception {
    server.enqueue(Reply.status(429).header("Retry-After", "7"), Reply.ok("served"));

    CompletableFuture<String> body =
        web.get().uri(server.uri("/quota")).retrieve().bodyToMono(String.class).toFuture();
    awaitPending(Duration.ofSeconds(7));
    assertThat(scheduler.pendingDelays()).doesNotContain(BACKOFF);
    scheduler.advance(Duration.ofSeconds(6));
    assertThat(server.requestCount()).isEqualTo(1); // not yet
    scheduler.advance(Duration.ofSeconds(1));

    assertThat(body.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
        .isEqualTo("served");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void theRestClientInterceptorWaitsARetryAfterToo() {
    RestClient rest =
        RestClient.builder().requestInterceptor(new BulwarkHttpInterceptor(client)).build();
    server.enqueue(Reply.status(503).header("Retry-After", "5"), Reply.ok("back"));

    // a synchronous call sleeps on the scheduler: the manual one records the sleep and moves on
    assertThat(rest.get().uri(server.uri("/s")).retrieve().body(String.class)).isEqualTo("back");
    assertThat(scheduler.sleeps()).containsExactly(Duration.ofSeconds(5));
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void theHostsBreakerIsTheRegistrysAndAnOpenOneRefusesWithoutCallingTheServer() {
    assertThat(web.get().uri(server.uri("/a")).retrieve().bodyToMono(String.class).block(WAIT))
        .isEqualTo("ok");
    String host = server.authority();
    assertThat(resilience.find(CircuitBreaker.KIND, host)).isPresent();

    resilience.forceOpen(host);
    CompletableFuture<String> refused =
        web.get().uri(server.uri("/a")).retrieve().bodyToMono(String.class).toFuture();

    assertThat(refused)
        .failsWithin(WAIT)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(HttpCallException.class);
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void theStarterMakesTheFilterOverTheApplicationsRegistry() {
    new org.springframework.boot.test.context.runner.ApplicationContextRunner()
        .withConfiguration(
            org.springframework.boot.autoconfigure.AutoConfigurations.of(
                BulwarkAutoConfiguration.class))
        .run(
            context ->
                assertThat(context.getBean(BulwarkWebClientFilter.class).client().resilience())
                    .isSameAs(context.getBean(Resilience.class)));
  }

  /** Waits, bounded, until a task due in exactly {@code delay} is pending: the JDK handed over. */
  private void awaitPending(Duration delay) {
    awaitTrue(() -> scheduler.pendingDelays().contains(delay), "a pending delay of " + delay);
  }

  /** Waits, bounded, for a real thread's hand-over (not a policy's time, which is manual). */
  static void awaitTrue(Supplier<Boolean> condition, String what) {
    Awaitility.await(what).atMost(WAIT).pollInterval(Duration.ofMillis(2)).until(condition::get);
  }
}
