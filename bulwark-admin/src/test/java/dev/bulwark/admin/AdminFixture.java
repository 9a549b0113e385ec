package dev.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.Resilience;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.fallback.FallbackConfig;
import dev.bulwark.retry.Retry;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A registry on a manual clock with an "inventory" dependency (fallback, breaker opening after 3
 * failures in a row for 10 s, one attempt), and an admin server over it with a token. Calls made
 * through {@link #succeed} and {@link #fail} take the time they are given on the manual clock.
 */
final class AdminFixture implements AutoCloseable {
  static final String TOKEN = "s3cret-token-for-tests-0123456789";
  static final ObjectMapper JSON = new ObjectMapper();

  final ManualClock clock = ManualClock.nearOverflow();
  final ManualScheduler scheduler = new ManualScheduler(clock);
  final Resilience resilience;
  final AdminServer server;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  AdminFixture() {
    this(b -> b.token(TOKEN));
  }

  AdminFixture(java.util.function.UnaryOperator<AdminServer.Builder> options) {
    resilience =
        Resilience.builder()
            .clock(clock)
            .scheduler(scheduler)
            .config(
                CircuitBreaker.KIND,
                "inventory",
                CircuitBreakerConfig.builder()
                    .consecutiveFailures(3)
                    .openDuration(Duration.ofSeconds(10))
                    .build())
            .derive(Retry.KIND, "inventory", b -> b.maxAttempts(1))
            .config(
                Fallback.KIND,
                "inventory",
                FallbackConfig.builder()
                    .handleIf(failure -> true)
                    .otherwise("cached", failure -> "cached stock")
                    .build())
            .build();
    resilience.pipeline("inventory"); // the policies exist before the server starts
    try {
      server = options.apply(AdminServer.builder(resilience)).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  CircuitBreaker breaker() {
    return resilience.circuitBreaker("inventory");
  }

  /** One call through the inventory pipeline that succeeds after {@code millis} on the clock. */
  Object succeed(long millis) throws Exception {
    return resilience.call(
        "inventory",
        () -> {
          clock.advance(Duration.ofMillis(millis));
          return "42 in stock";
        });
  }

  /** One call through the inventory pipeline that fails after {@code millis} on the clock. */
  Object fail(long millis) throws Exception {
    return resilience.call(
        "inventory",
        () -> {
          clock.advance(Duration.ofMillis(millis));
          throw new IOException("inventory is down");
        });
  }

  URI uri(String path) {
    return server.uri().resolve(path);
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET().build());
  }

  HttpResponse<String> post(String path, String body, Supplier<String> authorization) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    String auth = authorization.get();
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return send(b.build());
  }

  HttpResponse<String> postWithToken(String path, String body) {
    return post(path, body, () -> "Bearer " + TOKEN);
  }

  HttpResponse<String> send(HttpRequest request) {
    if (request.timeout().isEmpty()) {
      request =
          HttpRequest.newBuilder(request, (n, v) -> true).timeout(Duration.ofSeconds(10)).build();
    }
    try {
      HttpResponse<String> response =
          http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      assertNoStackTrace(response.body());
      return response;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Sends {@code request} as raw bytes and reads the whole answer (the server closes it). */
  String raw(String request) {
    try (Socket socket = new Socket(server.uri().getHost(), server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      int n;
      while ((n = in.read(buffer)) > 0) {
        answer.write(buffer, 0, n);
        if (answer.toString(StandardCharsets.UTF_8).contains("\r\n\r\n")
            && complete(answer.toString(StandardCharsets.UTF_8))) {
          break;
        }
      }
      String text = answer.toString(StandardCharsets.UTF_8);
      assertNoStackTrace(text);
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean complete(String answer) {
    int split = answer.indexOf("\r\n\r\n");
    String head = answer.substring(0, split).toLowerCase(java.util.Locale.ROOT);
    int at = head.indexOf("content-length:");
    if (at < 0) {
      return false;
    }
    int end = head.indexOf("\r\n", at);
    long length = Long.parseLong(head.substring(at + 15, end < 0 ? head.length() : end).trim());
    return answer.getBytes(StandardCharsets.UTF_8).length - split - 4 >= length;
  }

  static JsonNode json(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("application/json; charset=utf-8");
    return json(response.body());
  }

  static JsonNode json(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }

  static void assertNoStackTrace(String body) {
    assertThat(body)
        .doesNotContain("\tat ")
        .doesNotContain("at dev.bulwark")
        .doesNotContain("at java.");
    assertThat(body).doesNotContainPattern("Exception\\s*\\n\\s*at ");
  }

  @Override
  public void close() {
    server.stop();
  }
}
