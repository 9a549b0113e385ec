package dev.bulwark.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Resilience;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.http.HttpCallException;
import dev.bulwark.http.ResilientHttpClient;
import dev.bulwark.test.http.Reply;
import dev.bulwark.test.http.ScriptedHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/** The interceptor applies bulwark-http's rules to RestTemplate and RestClient requests. */
class HttpInterceptorTest {
  private final ScriptedHttpServer server = ScriptedHttpServer.start();
  private final Resilience resilience = Resilience.ofDefaults();
  private final ResilientHttpClient client =
      ResilientHttpClient.builder().resilience(resilience).build();
  private final BulwarkHttpInterceptor interceptor = new BulwarkHttpInterceptor(client);

  @AfterEach
  void close() {
    client.close();
    server.close();
  }

  @Test
  void anIdempotentRequestIsRetriedOnA503() {
    RestTemplate template = new RestTemplate();
    template.getInterceptors().add(interceptor);
    server.enqueue(Reply.status(503), Reply.ok("fine"));

    assertThat(template.getForObject(server.uri("/stock"), String.class)).isEqualTo("fine");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void aPostIsNotRetriedOnA503AndTheCallerSeesTheStatus() {
    RestClient rest = RestClient.builder().requestInterceptor(interceptor).build();
    server.enqueue(Reply.status(503), Reply.ok("fine"));

    assertThatThrownBy(
            () -> rest.post().uri(server.uri("/orders")).body("{}").retrieve().body(String.class))
        .isInstanceOf(HttpServerErrorException.class)
        .hasMessageContaining("503");
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void aPostWithAnIdempotencyKeyIsRetried() {
    RestClient rest = RestClient.builder().requestInterceptor(interceptor).build();
    server.enqueue(Reply.status(503), Reply.ok("created"));

    String body =
        rest.post()
            .uri(server.uri("/orders"))
            .header("Idempotency-Key", "order-42")
            .body("{}")
            .retrieve()
            .body(String.class);

    assertThat(body).isEqualTo("created");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void theHostsBreakerIsTheRegistrysAndAnOpenOneRefusesWithoutCallingTheServer() {
    RestClient rest = RestClient.builder().requestInterceptor(interceptor).build();
    assertThat(rest.get().uri(server.uri("/a")).retrieve().body(String.class)).isEqualTo("ok");
    String host = server.authority();
    assertThat(resilience.find(CircuitBreaker.KIND, host)).isPresent();

    resilience.forceOpen(host);
    assertThatThrownBy(() -> rest.get().uri(server.uri("/a")).retrieve().body(String.class))
        .isInstanceOf(ResourceAccessException.class)
        .hasCauseInstanceOf(HttpCallException.class);
    assertThat(server.requestCount()).isEqualTo(1);
  }
}
