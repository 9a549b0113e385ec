package dev.bulwark.http;

import static dev.bulwark.http.HttpRetryTest.catchFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Resilience;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerOpenException;
import dev.bulwark.retry.Retry;
import dev.bulwark.test.http.Reply;
import dev.bulwark.timeout.Timeout;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Each host's policies are the registry's, composed by one pipeline in one order: per-name settings
 * reach them, the registry lists and resets them, and the HTTP rules still apply on top.
 */
class HostPipelineTest extends HttpFixture {

  @Test
  void aHostsPoliciesMeetACallInOneDeclaredOrder() throws Exception {
    ResilientHttpClient client = client(b -> b);
    HostPolicies host = client.host(server.authority());

    assertThat(host.pipeline(true).policies())
        .containsExactly(host.limiter, host.breaker, host.timeout, host.retry);
    assertThat(host.pipeline(false).policies())
        .containsExactly(host.limiter, host.breaker, host.timeout, host.unrepeatableRetry);
    assertThat(client.host(server.authority())).isSameAs(host); // built once, kept
  }

  @Test
  void theRetryAndTimeoutOfAHostAreTheRegistrysUnderTheHostsName() throws Exception {
    ResilientHttpClient client = client(b -> b);
    server.enqueue(Reply.ok("fine"));

    client.send(get(client, "/x"), BodyHandlers.ofString());

    HttpRequest request = get(client, "/x");
    assertThat(registry.find(Retry.KIND, server.authority())).containsSame(client.retry(request));
    assertThat(registry.find(Timeout.KIND, server.authority()))
        .containsSame(client.timeout(request));
    assertThat(registry.find(CircuitBreaker.KIND, server.authority()))
        .containsSame(client.circuitBreaker(request));
    assertThat(
            registry
                .find(Retry.KIND, server.authority())
                .orElseThrow()
                .statistics()
                .totalAttempts())
        .isOne();
    assertThat(registry.find(Timeout.KIND, server.authority()).orElseThrow().config().timeout())
        .isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aPerNameSettingOfTheRegistryReachesTheRoutesRetryAndTheHttpRulesStillApply()
      throws Exception {
    Resilience configured =
        Resilience.builder()
            .clock(clock)
            .scheduler(scheduler)
            .environment(
                Map.of(
                    "BULWARK_RETRY_INVENTORY_MAX_ATTEMPTS", "2",
                    "BULWARK_RETRY_INVENTORY_INITIAL_DELAY", "1s",
                    "BULWARK_RETRY_INVENTORY_MAX_DELAY", "1s",
                    "BULWARK_RETRY_INVENTORY_JITTER", "none"))
            .build();
    ResilientHttpClient client =
        ResilientHttpClient.builder()
            .resilience(configured)
            .httpClient(JDK)
            .baseUri(server.uri())
            .route(request -> "inventory")
            .build();
    server.enqueue("/stock", Reply.status(503), Reply.status(503), Reply.ok("third"));
    server.enqueue("/order", Reply.status(503), Reply.ok("a second order"));

    CompletableFuture<HttpResponse<String>> stock =
        client.sendAsync(get(client, "/stock"), BodyHandlers.ofString());
    awaitPending(Duration.ofSeconds(1));
    scheduler.advance(Duration.ofSeconds(1));
    HttpResponse<String> order =
        client.send(
            client.request("/order").POST(BodyPublishers.ofString("{}")).build(),
            BodyHandlers.ofString());

    assertThat(answer(stock).statusCode()).isEqualTo(503); // two attempts, as the setting says
    assertThat(order.statusCode()).isEqualTo(503); // a POST is never retried on a 503
    assertThat(server.requestCount()).isEqualTo(3);
    assertThat(client.retry(get(client, "/stock")).config().maxAttempts()).isEqualTo(2);
  }

  @Test
  void theRegistryForcingTheHostsBreakerOpenStopsTheClientsCalls() throws Exception {
    ResilientHttpClient client = client(b -> b);
    server.enqueue(Reply.ok("fine"), Reply.ok("after the reset"));
    client.send(get(client, "/x"), BodyHandlers.ofString());

    registry.forceOpen(server.authority());
    Throwable refused = catchFailure(client.sendAsync(get(client, "/x"), BodyHandlers.ofString()));
    registry.reset(CircuitBreaker.KIND, server.authority());

    assertThat(refused)
        .isInstanceOfSatisfying(
            HttpCallException.class,
            e -> assertThat(e.getCause()).isInstanceOf(CircuitBreakerOpenException.class));
    assertThat(client.send(get(client, "/x"), BodyHandlers.ofString()).body())
        .isEqualTo("after the reset");
  }

  @Test
  void aHostWhosePoliciesTheRegistryEvictedGetsTheNewOnes() throws Exception {
    Resilience evicting =
        Resilience.builder()
            .clock(clock)
            .scheduler(scheduler)
            .idleEviction(Duration.ofMinutes(1))
            .build();
    ResilientHttpClient client =
        ResilientHttpClient.builder()
            .resilience(evicting)
            .httpClient(JDK)
            .baseUri(server.uri())
            .build();
    server.enqueue(Reply.ok("first"), Reply.ok("second"));
    client.send(get(client, "/x"), BodyHandlers.ofString());
    HostPolicies before = client.host(server.authority());

    clock.advance(Duration.ofMinutes(2));
    assertThat(evicting.evictIdle()).isPositive();
    client.send(get(client, "/x"), BodyHandlers.ofString());

    HostPolicies after = client.host(server.authority());
    assertThat(after).isNotSameAs(before);
    assertThat(evicting.find(CircuitBreaker.KIND, server.authority())).containsSame(after.breaker);
    assertThat(evicting.find(Retry.KIND, server.authority())).containsSame(after.retry);
  }

  @Test
  void theClientKeepsNoMoreHostsThanTheRegistryHoldsPoliciesFor() throws Exception {
    Resilience small =
        Resilience.builder().clock(clock).scheduler(scheduler).maxInstances(16).build();
    ResilientHttpClient perPath =
        ResilientHttpClient.builder()
            .resilience(small)
            .httpClient(JDK)
            .baseUri(server.uri())
            .route(request -> request.uri().getPath().substring(1))
            .build();

    for (int device = 0; device < 100; device++) {
      server.enqueue("/device-" + device, Reply.ok("fine"));
      assertThat(perPath.send(get(perPath, "/device-" + device), BodyHandlers.ofString()).body())
          .isEqualTo("fine");
    }

    assertThat(perPath.hostsKept()).isLessThanOrEqualTo(17);
    assertThat(small.instances(CircuitBreaker.KIND)).hasSizeLessThanOrEqualTo(16);
  }

  @Test
  void theHostsBreakerJudgesTheFailureTheRetryGaveUpOnNotTheRetrysWrapper() throws Exception {
    ResilientHttpClient client =
        client(
            b ->
                b.circuitBreaker(
                    dev.bulwark.circuitbreaker.CircuitBreakerConfig.builder()
                        .consecutiveFailures(1)
                        .build()));
    server.enqueue("/q", Reply.status(429), Reply.status(429), Reply.status(429));
    server.enqueue("/s", Reply.status(503), Reply.status(503), Reply.status(503));

    assertThat(client.send(get(client, "/q"), BodyHandlers.ofString()).statusCode())
        .isEqualTo(429); // three 429s: a server asking to slow down is not failing
    assertThat(client.circuitBreaker(get(client, "/q")).state())
        .isEqualTo(dev.bulwark.circuitbreaker.CircuitBreaker.State.CLOSED);

    assertThat(client.send(get(client, "/s"), BodyHandlers.ofString()).statusCode())
        .isEqualTo(503); // three 503s: one failed call
    assertThat(client.circuitBreaker(get(client, "/s")).snapshot().failedCalls()).isOne();
    assertThat(client.circuitBreaker(get(client, "/s")).state())
        .isEqualTo(dev.bulwark.circuitbreaker.CircuitBreaker.State.OPEN);
  }
}
