package dev.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.test.http.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ResilientHttpClientTest extends HttpFixture {
  private final ResilientHttpClient client = client(b -> b);

  @Test
  void isAJdkHttpClientThatReportsTheWrappedClientsSettings() {
    HttpClient asJdk = client;

    assertThat(asJdk.version()).isEqualTo(JDK.version());
    assertThat(asJdk.followRedirects()).isEqualTo(JDK.followRedirects());
    assertThat(asJdk.connectTimeout()).isEqualTo(JDK.connectTimeout());
    assertThat(asJdk.sslContext()).isSameAs(JDK.sslContext());
  }

  @Test
  void buildsItsOwnJdkClientWithAConnectTimeoutAndNormalRedirects() {
    ResilientHttpClient own =
        ResilientHttpClient.builder().connectTimeout(Duration.ofSeconds(3)).build();

    assertThat(own.connectTimeout()).hasValue(Duration.ofSeconds(3));
    assertThat(own.followRedirects()).isEqualTo(HttpClient.Redirect.NORMAL);
    assertThat(own.baseUri()).isEmpty();
    own.close();
  }

  @Test
  void resolvesPathsAgainstTheBaseUri() {
    assertThat(client.uri("/stock/42")).isEqualTo(server.uri("/stock/42"));
    assertThat(client.request("items?page=2").build().uri())
        .isEqualTo(server.uri().resolve("items?page=2"));
    assertThatThrownBy(() -> ResilientHttpClient.builder().build().request("/x"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("baseUri");
  }

  @Test
  void passesAnyBodyHandlerThrough() throws Exception {
    server.enqueue(Reply.ok("line one\nline two"), Reply.ok("bytes"), Reply.status(204));

    HttpResponse<java.util.stream.Stream<String>> lines =
        client.send(get(client, "/lines"), BodyHandlers.ofLines());
    HttpResponse<byte[]> bytes = client.send(get(client, "/bytes"), BodyHandlers.ofByteArray());
    HttpResponse<Void> nothing = client.send(get(client, "/none"), BodyHandlers.discarding());

    assertThat(lines.body().collect(Collectors.toList())).containsExactly("line one", "line two");
    assertThat(bytes.body()).isEqualTo("bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(nothing.statusCode()).isEqualTo(204);
  }

  @Test
  void sendsHeadRequests() throws Exception {
    server.enqueue(Reply.ok("not sent for HEAD"));

    HttpResponse<String> head =
        client.send(
            client.request("/s").method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
            BodyHandlers.ofString());

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(server.takeRequest(WAIT).method()).isEqualTo("HEAD");
  }

  @Test
  void anExceptionFromTheCallersHandlerIsNotWrapped() {
    server.enqueue(Reply.ok("x"));

    assertThatThrownBy(
            () ->
                client.send(
                    get(client, "/s"),
                    info -> {
                      throw new IllegalArgumentException("no handler for " + info.statusCode());
                    }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no handler for 200");
  }

  @Test
  void keepsEachHostsPoliciesUnderHostAndPort() {
    assertThat(ResilientHttpClient.hostAndPort(URI.create("https://API.example.com/x")))
        .isEqualTo("api.example.com:443");
    assertThat(ResilientHttpClient.hostAndPort(URI.create("http://example.com/x")))
        .isEqualTo("example.com:80");
    assertThat(ResilientHttpClient.hostAndPort(URI.create("http://127.0.0.1:8080/")))
        .isEqualTo("127.0.0.1:8080");
    assertThat(client.circuitBreaker(get(client, "/a")).name()).isEqualTo(server.authority());
    assertThat(client.rateLimiter(get(client, "/a")).name()).isEqualTo(server.authority());
  }

  @Test
  void refusesSettingsThatCannotWork() {
    assertThatThrownBy(
            () ->
                ResilientHttpClient.builder()
                    .timeout(Duration.ofSeconds(5))
                    .attemptTimeout(Duration.ofSeconds(6))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("attemptTimeout must be at most timeout (PT5S), was PT6S");
    assertThatThrownBy(() -> ResilientHttpClient.builder().retryOnStatus(503, 401))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("retryOnStatus must not hold 401");
    assertThatThrownBy(() -> ResilientHttpClient.builder().retryOnStatus(302))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retryOnStatus must be in [400, 599], was 302");
    assertThatThrownBy(() -> ResilientHttpClient.builder().httpClient(client))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("plain JDK client");
    assertThatThrownBy(() -> ResilientHttpClient.builder().baseUri(URI.create("/relative")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("baseUri must be absolute, was /relative");
    assertThatThrownBy(() -> ResilientHttpClient.builder().maxErrorBodyBytes(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxErrorBodyBytes");
  }

  @Test
  void retriesOnlyTheStatusesItIsToldTo() throws Exception {
    ResilientHttpClient only502 = client(b -> b.retryOnStatus(502));
    server.enqueue(Reply.status(503).body("not retried"));

    HttpResponse<String> response = only502.send(get(only502, "/s"), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).isEqualTo("not retried");
    assertThat(server.requestCount()).isEqualTo(1);
  }
}
