package dev.bulwark.test.http;

import static java.net.http.HttpResponse.BodyHandlers.ofString;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScriptedHttpServerTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final ScriptedHttpServer server = ScriptedHttpServer.start();
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void closeServerWithoutErrors() {
    server.close();
    assertThat(server.errors()).isEmpty();
    assertThat(server.openConnections()).isZero();
  }

  @Test
  void answersWithTheScriptedStatusHeadersAndBody() throws Exception {
    server.enqueue(Reply.status(503).header("Retry-After", "7").header("X-A", "1").body("busy"));

    HttpResponse<String> response = get("/anything");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("retry-after")).contains("7");
    assertThat(response.headers().firstValue("x-a")).contains("1");
    assertThat(response.headers().firstValue("content-length")).contains("4");
    assertThat(response.body()).isEqualTo("busy");
    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
  }

  @Test
  void servesThePathQueueFirstThenTheGlobalQueueEachInOrder() throws Exception {
    server.enqueue(Reply.ok("any-1"), Reply.ok("any-2"));
    server.enqueue("/a", Reply.ok("a-1"), Reply.ok("a-2"));

    assertThat(get("/b").body()).isEqualTo("any-1");
    assertThat(get("/a").body()).isEqualTo("a-1");
    assertThat(get("/a?page=2").body()).isEqualTo("a-2"); // the query does not change the path
    assertThat(get("/a").body()).isEqualTo("any-2");
    assertThat(get("/a").body()).isEqualTo("ok");
  }

  @Test
  void answersWithTheOtherwiseReplyWhenNoQueueHasOne() throws Exception {
    assertThat(get("/").body()).isEqualTo("ok");

    server.otherwise(Reply.status(404).body("none"));

    HttpResponse<String> response = get("/missing");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).isEqualTo("none");
  }

  @Test
  void answersHeadWithTheContentLengthButNoBody() throws Exception {
    server.enqueue(Reply.ok("twelve bytes"), Reply.ok("after"));
    HttpRequest head =
        HttpRequest.newBuilder(server.uri("/h")).method("HEAD", BodyPublishers.noBody()).build();

    HttpResponse<String> response = client.sendAsync(head, ofString()).get(5, SECONDS);

    assertThat(response.headers().firstValue("content-length")).contains("12");
    assertThat(response.body()).isEmpty();
    assertThat(get("/h").body()).isEqualTo("after"); // the connection was not left out of step
    assertThat(server.takeRequest(WAIT).method()).isEqualTo("HEAD");
  }

  @Test
  void recordsThePostedBodyAndHeaders() throws Exception {
    HttpRequest post =
        HttpRequest.newBuilder(server.uri("/items"))
            .header("X-Trace", "t1")
            .POST(BodyPublishers.ofString("{\"name\":\"é\"}"))
            .build();

    client.sendAsync(post, ofString()).get(5, SECONDS);

    RecordedRequest request = server.takeRequest(WAIT);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/items");
    assertThat(request.bodyUtf8()).isEqualTo("{\"name\":\"é\"}");
    assertThat(request.header("x-trace")).contains("t1");
    assertThat(request.headers().get("X-TRACE")).containsExactly("t1");
    assertThat(request.header("Host")).contains(server.authority());
    assertThat(request.header("absent")).isEmpty();
  }

  @Test
  void decodesAChunkedRequestBody() throws Exception {
    byte[] bytes = "a body of unknown length".repeat(100).getBytes(UTF_8);
    HttpRequest post =
        HttpRequest.newBuilder(server.uri("/upload"))
            .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)))
            .build();

    client.sendAsync(post, ofString()).get(5, SECONDS);

    RecordedRequest request = server.takeRequest(WAIT);
    assertThat(request.header("Transfer-Encoding")).contains("chunked");
    assertThat(request.body()).isEqualTo(bytes);
  }

  @Test
  void keepsTheConnectionAliveForSequentialRequests() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(get("/k").statusCode()).isEqualTo(200);
    }

    assertThat(server.acceptedConnections()).isEqualTo(1);
    assertThat(server.requests())
        .extracting(RecordedRequest::connectionId, RecordedRequest::sequence)
        .containsExactly(tuple(1, 0), tuple(1, 1), tuple(1, 2));
    assertThat(server.requestCount()).isEqualTo(3);
  }

  @Test
  void closeAfterEndsTheConnectionSoTheNextRequestOpensAnother() throws Exception {
    server.enqueue(Reply.ok("last").closeAfter());

    assertThat(get("/c").body()).isEqualTo("last");
    assertThat(server.awaitOpenConnections(0, WAIT)).isTrue();
    assertThat(get("/c").body()).isEqualTo("ok");

    assertThat(server.acceptedConnections()).isEqualTo(2);
  }

  @Test
  void resetFailsTheClientWithAnIoExceptionAfterRecordingTheRequest() throws Exception {
    server.enqueue(Reply.reset());

    assertThatThrownBy(() -> post("/r"))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IOException.class);

    assertThat(server.takeRequest(WAIT).path()).isEqualTo("/r");
    assertThat(server.requestCount()).isEqualTo(1); // the client did not retry
    assertThat(server.awaitOpenConnections(0, WAIT)).isTrue();
  }

  @Test
  void disconnectFailsTheClientWithAnIoExceptionAfterRecordingTheRequest() throws Exception {
    server.enqueue(Reply.disconnect());

    assertThatThrownBy(() -> post("/d"))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IOException.class);

    assertThat(server.takeRequest(WAIT).path()).isEqualTo("/d");
    assertThat(server.awaitOpenConnections(0, WAIT)).isTrue();
  }

  @Test
  void recordsTheSilentRetryTheJdkClientMakesForAGet() throws Exception {
    server.enqueue(Reply.reset(), Reply.disconnect());

    assertThatThrownBy(() -> get("/twice"))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IOException.class);

    assertThat(server.requests())
        .extracting(RecordedRequest::path)
        .containsExactly("/twice", "/twice");
    assertThat(server.acceptedConnections()).isEqualTo(2);
  }

  @Test
  void resetSendsATcpResetWhileDisconnectSendsAnEndOfStream() throws Exception {
    server.enqueue(Reply.reset(), Reply.disconnect());

    try (Socket reset = rawRequest("GET /r HTTP/1.1\r\nHost: x\r\n\r\n")) {
      assertThatThrownBy(() -> reset.getInputStream().read()).isInstanceOf(IOException.class);
    }
    try (Socket eof = rawRequest("GET /d HTTP/1.1\r\nHost: x\r\n\r\n")) {
      assertThat(eof.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void stalledRequestSeesTheClientGoneWhenTheCallIsCancelled() throws Exception {
    Gate gate = Gate.closed();
    server.enqueue(Reply.ok("never").stall(gate));
    CompletableFuture<HttpResponse<String>> call = send("/s");

    assertThat(gate.awaitStalled(WAIT)).isTrue();
    assertThat(gate.awaitClientGone(Duration.ofMillis(50))).isFalse();
    call.cancel(true);

    assertThat(gate.awaitClientGone(WAIT)).isTrue();
    assertThat(server.awaitOpenConnections(0, WAIT)).isTrue();
    assertThat(gate.stalledCount()).isEqualTo(1);
    assertThat(gate.clientGoneCount()).isEqualTo(1);
  }

  @Test
  void stalledRequestSeesTheClientGoneWhenTheRequestTimesOut() throws Exception {
    Gate gate = Gate.closed();
    server.enqueue(Reply.ok("never").stall(gate));
    HttpRequest request =
        HttpRequest.newBuilder(server.uri("/t")).timeout(Duration.ofMillis(200)).build();

    CompletableFuture<HttpResponse<String>> call = client.sendAsync(request, ofString());

    assertThat(gate.awaitClientGone(WAIT)).isTrue();
    assertThatThrownBy(() -> call.get(5, SECONDS)).hasCauseInstanceOf(HttpTimeoutException.class);
    assertThat(server.awaitOpenConnections(0, WAIT)).isTrue();
  }

  @Test
  void stalledRequestIsAnsweredOnceTheGateOpens() throws Exception {
    Gate gate = Gate.closed();
    server.enqueue(Reply.ok("released").stall(gate));
    CompletableFuture<HttpResponse<String>> call = send("/s");

    assertThat(gate.awaitStalled(WAIT)).isTrue();
    assertThat(call).isNotDone();
    gate.open();

    assertThat(call.get(5, SECONDS).body()).isEqualTo("released");
    assertThat(gate.clientGoneCount()).isZero();
    assertThat(gate.isOpen()).isTrue();
  }

  @Test
  void openGateLetsLaterRequestsPassWithoutCountingThem() throws Exception {
    Gate gate = Gate.closed();
    gate.open();
    server.enqueue(Reply.ok("free").stall(gate));

    assertThat(get("/g").body()).isEqualTo("free");
    assertThat(gate.stalledCount()).isZero();
    assertThat(gate.awaitStalled(Duration.ZERO)).isFalse();
  }

  @Test
  void keepsBytesTheClientSendsWhileStalledForTheNextRequest() throws Exception {
    Gate gate = Gate.closed();
    server.enqueue(Reply.ok("first").stall(gate), Reply.ok("second"));

    try (Socket socket = rawRequest("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n")) {
      assertThat(gate.awaitStalled(WAIT)).isTrue();
      OutputStream out = socket.getOutputStream();
      out.write("GET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(ISO_8859_1));
      out.flush();
      gate.open();

      String answers = new String(socket.getInputStream().readAllBytes(), ISO_8859_1);
      assertThat(answers).startsWith("HTTP/1.1 200 OK\r\n").contains("first").endsWith("second");
    }
    assertThat(server.requests()).extracting(RecordedRequest::path).containsExactly("/1", "/2");
  }

  @Test
  void sendsAChunkedResponseBodyThatIsReadCompletely() throws Exception {
    String body = "0123456789".repeat(1000);
    server.enqueue(Reply.ok(body).chunked(777), Reply.ok("next"));

    HttpResponse<String> response = get("/chunked");

    assertThat(response.headers().firstValue("transfer-encoding")).contains("chunked");
    assertThat(response.body()).isEqualTo(body);
    assertThat(get("/chunked").body()).isEqualTo("next"); // the framing left the stream in step
    assertThat(server.acceptedConnections()).isEqualTo(1);
  }

  @Test
  void delayedReplyStillAnswers() throws Exception {
    server.enqueue(Reply.ok("late").delayHeaders(Duration.ofMillis(50)));

    assertThat(get("/late").body()).isEqualTo("late");
  }

  @Test
  void answersAnH2cUpgradeRequestAsHttp11() throws Exception {
    HttpClient http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();

    HttpResponse<String> response =
        http2
            .sendAsync(HttpRequest.newBuilder(server.uri("/up")).build(), ofString())
            .get(5, SECONDS);

    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(response.body()).isEqualTo("ok");
    assertThat(server.takeRequest(WAIT).header("Upgrade")).contains("h2c");
  }

  @Test
  void takeRequestFailsWithAnAssertionErrorWhenNoneArrives() throws Exception {
    get("/once");
    server.takeRequest(WAIT);

    assertThatThrownBy(() -> server.takeRequest(Duration.ofMillis(10)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("1 arrived so far");
  }

  @Test
  void keepsAMalformedRequestAsAnErrorAndClosesItsConnection() throws Exception {
    try (ScriptedHttpServer other = ScriptedHttpServer.start();
        Socket socket = new Socket("127.0.0.1", other.port())) {
      socket.getOutputStream().write("NONSENSE\r\n\r\n".getBytes(ISO_8859_1));

      assertThat(readByteOrEnd(socket)).isEqualTo(-1); // no answer, just the end
      assertThat(other.awaitOpenConnections(0, WAIT)).isTrue();
      assertThat(other.errors()).singleElement().asString().contains("NONSENSE");
      assertThat(other.requestCount()).isZero();
    }
  }

  @Test
  void closeEndsEveryConnectionAndThread() throws Exception {
    Gate gate = Gate.closed();
    server.enqueue("/stalled", Reply.ok("never").stall(gate));
    server.enqueue("/delayed", Reply.ok("never").delayHeaders(Duration.ofMinutes(1)));
    CompletableFuture<HttpResponse<String>> stalled = send("/stalled");
    CompletableFuture<HttpResponse<String>> delayed = send("/delayed");
    server.takeRequest(WAIT);
    server.takeRequest(WAIT);
    get("/idle"); // both pooled connections are busy: a third one, left idle after this
    assertThat(server.openConnections()).isEqualTo(3);

    server.close();

    assertThat(server.openConnections()).isZero();
    assertThat(liveServerThreads()).isEmpty();
    assertThatThrownBy(() -> stalled.get(5, SECONDS)).hasCauseInstanceOf(IOException.class);
    assertThatThrownBy(() -> delayed.get(5, SECONDS)).hasCauseInstanceOf(IOException.class);
    assertThat(gate.clientGoneCount()).isZero(); // the server left, not the client
  }

  @Test
  void repliesAreCheckedAndDescribed() {
    assertThatThrownBy(() -> Reply.status(99)).hasMessage("code must be in [100, 599], was 99");
    assertThatThrownBy(() -> Reply.ok("x").header("X", "a\r\nb"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Reply.ok("x").chunked(0))
        .hasMessage("chunkSize must be in [1, 1048576], was 0");
    assertThat(Reply.ok("abc").chunked(2).closeAfter())
        .hasToString("Reply[200, 3 bytes, close after, chunked 2]");
    assertThat(Reply.reset()).hasToString("Reply[reset]");
    assertThat(server.uri("/items/1").toString())
        .isEqualTo("http://" + server.authority() + "/items/1");
  }

  @Test
  void theExampleInTheJavadocWorks() throws Exception {
    // Keep in step with the snippet atop ScriptedHttpServer.
    try (ScriptedHttpServer server = ScriptedHttpServer.start()) {
      Gate slow = Gate.closed();
      server
          .enqueue(Reply.status(503).header("Retry-After", "1")) // the first request: overloaded
          .enqueue("/items/1", Reply.ok("{\"id\":1}").stall(slow)); // held until slow.open()
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

      HttpResponse<String> busy =
          client
              .sendAsync(HttpRequest.newBuilder(server.uri("/items")).build(), ofString())
              .get(5, SECONDS);
      assertThat(busy.statusCode()).isEqualTo(503);

      CompletableFuture<HttpResponse<String>> call =
          client.sendAsync(HttpRequest.newBuilder(server.uri("/items/1")).build(), ofString());
      assertThat(slow.awaitStalled(Duration.ofSeconds(5))).isTrue();
      call.cancel(true); // the client gives up...
      assertThat(slow.awaitClientGone(Duration.ofSeconds(5))).isTrue(); // ...and the server saw it

      assertThat(server.takeRequest(Duration.ofSeconds(5)).path()).isEqualTo("/items");
      assertThat(server.takeRequest(Duration.ofSeconds(5)).path()).isEqualTo("/items/1");
      assertThat(server.acceptedConnections()).isEqualTo(1); // kept alive, then closed by cancel
      assertThat(server.awaitOpenConnections(0, Duration.ofSeconds(5))).isTrue();
      assertThat(server.errors()).isEmpty();
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send(path).get(5, SECONDS);
  }

  private HttpResponse<String> post(String path) throws Exception {
    HttpRequest post =
        HttpRequest.newBuilder(server.uri(path)).POST(BodyPublishers.ofString("x")).build();
    return client.sendAsync(post, ofString()).get(5, SECONDS);
  }

  private CompletableFuture<HttpResponse<String>> send(String path) {
    return client.sendAsync(HttpRequest.newBuilder(server.uri(path)).build(), ofString());
  }

  private Socket rawRequest(String request) throws IOException {
    Socket socket = new Socket("127.0.0.1", server.port());
    socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(5));
    socket.getOutputStream().write(request.getBytes(ISO_8859_1));
    socket.getOutputStream().flush();
    return socket;
  }

  /** The next byte, or -1 at the end of the stream or if the peer reset the connection. */
  private static int readByteOrEnd(Socket socket) {
    try {
      return socket.getInputStream().read();
    } catch (IOException reset) {
      return -1;
    }
  }

  private List<String> liveServerThreads() {
    String prefix = "scripted-http-" + server.port() + "-";
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith(prefix))
        .toList();
  }
}
