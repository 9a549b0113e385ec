package dev.bulwark.admin;

import static dev.bulwark.admin.AdminFixture.TOKEN;
import static dev.bulwark.admin.AdminFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventStreamTest {
  private final AdminFixture admin = new AdminFixture(b -> b.token(TOKEN).maxEventClients(2));

  @AfterEach
  void stop() {
    admin.close();
  }

  /** One open {@code /events} stream; its events in a queue, read with bounded waits. */
  private final class Stream1 {
    final BlockingQueue<String[]> events = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> ended;
    final HttpResponse<Stream<String>> response;

    Stream1() throws Exception {
      response =
          admin
              .http
              .sendAsync(
                  HttpRequest.newBuilder(admin.uri("events")).GET().build(),
                  HttpResponse.BodyHandlers.ofLines())
              .get(10, TimeUnit.SECONDS);
      ended =
          CompletableFuture.runAsync(
              () -> {
                String type = "message";
                for (String line : (Iterable<String>) response.body()::iterator) {
                  AdminFixture.assertNoStackTrace(line);
                  if (line.startsWith("event: ")) {
                    type = line.substring(7);
                  } else if (line.startsWith("data: ")) {
                    events.add(new String[] {type, line.substring(6)});
                  }
                }
              });
      assertThat(next("hello").get("queue").asInt()).isEqualTo(EventHub.QUEUE);
    }

    /** The next event of {@code type}, skipping others; fails after 10 s. */
    JsonNode next(String type) throws InterruptedException {
      List<String> skipped = new ArrayList<>();
      while (true) {
        String[] event = events.poll(10, TimeUnit.SECONDS);
        if (event == null) {
          throw new AssertionError("no '" + type + "' event within 10 s; saw " + skipped);
        }
        if (event[0].equals(type)) {
          return json(event[1]);
        }
        skipped.add(event[0]);
      }
    }
  }

  @Test
  void streamsStateChangesRejectionsFallbacksHealthAndAdminActions() throws Exception {
    Stream1 stream = new Stream1();
    assertThat(stream.response.headers().firstValue("Content-Type"))
        .hasValue("text/event-stream; charset=utf-8");

    admin.fail(1);
    JsonNode fallback = stream.next("fallback");
    assertThat(fallback.get("name").asText()).isEqualTo("inventory");
    assertThat(fallback.get("kind").asText()).isEqualTo("fallback");
    assertThat(fallback.get("rung").asText()).isEqualTo("cached");
    assertThat(fallback.get("failure").asText()).isEqualTo("IOException: inventory is down");

    admin.fail(1);
    admin.fail(1);
    JsonNode opened = stream.next("state");
    assertThat(opened.get("kind").asText()).isEqualTo("breaker");
    assertThat(opened.get("from").asText()).isEqualTo("CLOSED");
    assertThat(opened.get("to").asText()).isEqualTo("OPEN");
    assertThat(stream.next("health").get("to").asText()).isEqualTo("CRITICAL");

    admin.succeed(1);
    JsonNode rejected = stream.next("rejection");
    assertThat(rejected.get("exception").asText()).isEqualTo("CircuitBreakerOpenException");
    assertThat(rejected.get("retryAfter").asText()).isEqualTo("PT10S");

    admin.postWithToken("circuit-breakers/inventory/reset", "{\"reason\":\"fixed\"}");
    JsonNode action = stream.next("admin");
    assertThat(action.get("action").asText()).isEqualTo("reset");
    assertThat(action.get("reason").asText()).isEqualTo("fixed");
    assertThat(stream.next("state").get("to").asText()).isEqualTo("CLOSED");
  }

  @Test
  void aPolicyCreatedWhileStreamingIsAnnouncedAndWatched() throws Exception {
    Stream1 stream = new Stream1();

    admin.resilience.circuitBreaker("payments").forceOpen();

    JsonNode added = stream.next("policy-added");
    assertThat(added.get("name").asText()).isEqualTo("payments");
    assertThat(added.get("kind").asText()).isEqualTo("breaker");
    JsonNode forced = stream.next("state");
    assertThat(forced.get("name").asText()).isEqualTo("payments");
    assertThat(forced.get("to").asText()).isEqualTo("FORCED_OPEN");
  }

  @Test
  void streamsBeyondTheLimitAreRefusedWith503() throws Exception {
    new Stream1();
    new Stream1();

    HttpResponse<String> third = admin.get("events");

    assertThat(third.statusCode()).isEqualTo(503);
    assertThat(json(third).get("error").asText()).contains("2 at most");
  }

  @Test
  void stoppingTheServerEndsEveryStream() throws Exception {
    Stream1 stream = new Stream1();

    admin.server.stop();

    // ended, cleanly or cut: either way the browser's EventSource sees the end and reconnects
    stream.ended.handle((done, cut) -> null).get(10, TimeUnit.SECONDS);
    assertThat(stream.ended).isDone();
  }

  @Test
  void aClientThatGoesAwayFreesItsPlace() throws Exception {
    Stream1 first = new Stream1();
    new Stream1();
    first.response.body().close();

    // the server notices when it next writes to that client: give it something to write
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              admin.breaker().forceOpen();
              admin.breaker().reset();
              HttpResponse<Stream<String>> again =
                  admin.http.send(
                      HttpRequest.newBuilder(admin.uri("events")).GET().build(),
                      HttpResponse.BodyHandlers.ofLines());
              again.body().close();
              return again.statusCode() == 200;
            });
  }
}
