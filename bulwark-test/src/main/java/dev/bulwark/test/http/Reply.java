package dev.bulwark.test.http;

import static java.util.Locale.ROOT;

import dev.bulwark.test.internal.Check;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link ScriptedHttpServer} does with one request: an answer, or a fault, as data.
 *
 * <p>Every method returns a new reply, so one reply can be enqueued many times and shared by tests.
 * A reply runs in this order: record the request, wait {@link #delayHeaders(Duration)}, hold at
 * {@link #stall(Gate)}, then answer (or {@link #reset()} / {@link #disconnect()}).
 *
 * {@snippet :
 * Gate gate = Gate.closed();
 * server.enqueue(Reply.status(503).header("Retry-After", "1"))
 *     .enqueue("/slow", Reply.ok("late").stall(gate))
 *     .enqueue(Reply.reset());
 * }
 *
 * <p>Immutable; thread-safe.
 */
public final class Reply {
  private static final byte[] NO_BODY = new byte[0];

  /** What the connection does once the request is read and any delay or stall is over. */
  enum Action {
    ANSWER,
    RESET,
    DISCONNECT
  }

  private final Action action;
  private final int status;
  private final List<Map.Entry<String, String>> headers;
  private final byte[] body;
  private final long delayNanos;
  private final @Nullable Gate gate; // null: no stall
  private final boolean closeAfter;
  private final int chunkSize; // 0: Content-Length framing
  private final boolean endless;

  private Reply(
      Action action,
      int status,
      List<Map.Entry<String, String>> headers,
      byte[] body,
      long delayNanos,
      @Nullable Gate gate,
      boolean closeAfter,
      int chunkSize,
      boolean endless) {
    this.action = action;
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.delayNanos = delayNanos;
    this.gate = gate;
    this.closeAfter = closeAfter;
    this.chunkSize = chunkSize;
    this.endless = endless;
  }

  /**
   * An answer with this status code, no headers and an empty body framed by {@code Content-Length}.
   *
   * <p>The reason phrase comes from a small table of common codes ({@code "OK"}, {@code "Service
   * Unavailable"}, ...), else it is {@code "Status"}.
   *
   * @throws IllegalArgumentException if {@code code} is not in [100, 599]
   */
  public static Reply status(int code) {
    Check.inRange("code", code, 100, 599);
    return new Reply(Action.ANSWER, code, List.of(), NO_BODY, 0, null, false, 0, false);
  }

  /** A {@code 200 OK} answer with this body, encoded as UTF-8. */
  public static Reply ok(String body) {
    return status(200).body(body);
  }

  /**
   * Reads the request, then aborts the connection with a TCP reset ({@code SO_LINGER} 0, then
   * close); the client sees "connection reset" or a similar {@link java.io.IOException}.
   *
   * <p>Beware: when a connection closes or resets before any byte of the answer, the JDK client (17
   * to 25 at least) silently retries an idempotent request such as GET once, on a new connection,
   * and only the retry's outcome reaches the caller. Enqueue two faults for a GET, or use POST, to
   * make the caller see one.
   */
  public static Reply reset() {
    return new Reply(Action.RESET, 200, List.of(), NO_BODY, 0, null, false, 0, false);
  }

  /**
   * Reads the request, then closes the connection without answering; the client sees end of stream,
   * an {@link java.io.IOException}. The JDK client retries a GET once after this, as explained at
   * {@link #reset()}.
   */
  public static Reply disconnect() {
    return new Reply(Action.DISCONNECT, 200, List.of(), NO_BODY, 0, null, false, 0, false);
  }

  /**
   * A copy with one more response header, written after those already added, in order.
   *
   * <p>A scripted {@code Content-Length} or {@code Transfer-Encoding} replaces the one the server
   * would write, so a test can send a lying frame on purpose.
   *
   * @throws IllegalArgumentException if the name is blank or either contains CR or LF
   */
  public Reply header(String name, String value) {
    Check.notNull("name", name);
    Check.notNull("value", value);
    if (name.isBlank() || containsLineBreak(name) || containsLineBreak(value)) {
      throw new IllegalArgumentException(
          "header must have a non-blank name and no CR or LF, was " + name + ": " + value);
    }
    List<Map.Entry<String, String>> more = new ArrayList<>(headers);
    more.add(Map.entry(name, value));
    return new Reply(
        action, status, List.copyOf(more), body, delayNanos, gate, closeAfter, chunkSize, endless);
  }

  /** A copy with this body, encoded as UTF-8; replaces any earlier body. */
  public Reply body(String utf8) {
    return body(Check.notNull("utf8", utf8).getBytes(StandardCharsets.UTF_8));
  }

  /** A copy with this body (copied); replaces any earlier body. */
  public Reply body(byte[] bytes) {
    byte[] copy = Check.notNull("bytes", bytes).clone();
    return new Reply(
        action, status, headers, copy, delayNanos, gate, closeAfter, chunkSize, endless);
  }

  /**
   * A copy that waits this long, in real time, after reading the request and before writing
   * anything. The wait ends early when the server closes. Waits on a latch, never sleeps.
   *
   * @throws IllegalArgumentException if {@code real} is negative or over 365 days
   */
  public Reply delayHeaders(Duration real) {
    long nanos = Check.nonNegative("real", real).toNanos();
    return new Reply(action, status, headers, body, nanos, gate, closeAfter, chunkSize, endless);
  }

  /**
   * A copy that holds the request, writing nothing, until {@code gate} is {@linkplain Gate#open()
   * opened}, the client goes away (then nothing more is written) or the server closes.
   *
   * <p>While holding, the server watches the connection, so {@link Gate#awaitClientGone(Duration)}
   * tells a test that the client really cancelled the request.
   */
  public Reply stall(Gate gate) {
    Check.notNull("gate", gate);
    return new Reply(
        action, status, headers, body, delayNanos, gate, closeAfter, chunkSize, endless);
  }

  /** A copy that answers with {@code Connection: close} and closes the connection after it. */
  public Reply closeAfter() {
    return new Reply(action, status, headers, body, delayNanos, gate, true, chunkSize, endless);
  }

  /**
   * A copy whose body is sent with {@code Transfer-Encoding: chunked}, in chunks of at most {@code
   * chunkSize} bytes.
   *
   * @throws IllegalArgumentException if {@code chunkSize} is not in [1, 1048576]
   */
  public Reply chunked(int chunkSize) {
    Check.inRange("chunkSize", chunkSize, 1, 1 << 20);
    return new Reply(
        action, status, headers, body, delayNanos, gate, closeAfter, chunkSize, endless);
  }

  /**
   * A copy whose body never ends: sent chunked, its bytes (or {@code 'x'} if it has none) repeated
   * in chunks of at most 64 KiB, until the client goes away or the server closes. For a client that
   * must stop reading on its own; {@link ScriptedHttpServer#bodyBytesWritten()} says how much it
   * was sent.
   */
  public Reply endlessBody() {
    return new Reply(action, status, headers, body, delayNanos, gate, closeAfter, chunkSize, true);
  }

  /** The status code answered; 200 for {@link #reset()} and {@link #disconnect()}. */
  public int statusCode() {
    return status;
  }

  /** Describes the reply for failure messages, e.g. {@code Reply[503, 12 bytes, stall]}. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("Reply[");
    s.append(action == Action.ANSWER ? String.valueOf(status) : action.name().toLowerCase(ROOT));
    if (action == Action.ANSWER) {
      s.append(", ").append(body.length).append(" bytes");
    }
    if (delayNanos > 0) {
      s.append(", delay ").append(Duration.ofNanos(delayNanos));
    }
    if (gate != null) {
      s.append(", stall");
    }
    if (closeAfter) {
      s.append(", close after");
    }
    if (chunkSize > 0) {
      s.append(", chunked ").append(chunkSize);
    }
    if (endless) {
      s.append(", endless");
    }
    return s.append(']').toString();
  }

  Action action() {
    return action;
  }

  List<Map.Entry<String, String>> headers() {
    return headers;
  }

  byte[] bodyBytes() {
    return body; // never handed out: the connection only writes it
  }

  long delayNanos() {
    return delayNanos;
  }

  @Nullable Gate gate() {
    return gate;
  }

  boolean closesAfter() {
    return closeAfter;
  }

  int chunkSize() {
    return chunkSize;
  }

  boolean endless() {
    return endless;
  }

  static String reasonPhrase(int code) {
    switch (code) {
      case 100:
        return "Continue";
      case 200:
        return "OK";
      case 201:
        return "Created";
      case 202:
        return "Accepted";
      case 204:
        return "No Content";
      case 301:
        return "Moved Permanently";
      case 302:
        return "Found";
      case 304:
        return "Not Modified";
      case 400:
        return "Bad Request";
      case 401:
        return "Unauthorized";
      case 403:
        return "Forbidden";
      case 404:
        return "Not Found";
      case 408:
        return "Request Timeout";
      case 409:
        return "Conflict";
      case 429:
        return "Too Many Requests";
      case 500:
        return "Internal Server Error";
      case 502:
        return "Bad Gateway";
      case 503:
        return "Service Unavailable";
      case 504:
        return "Gateway Timeout";
      default:
        return "Status";
    }
  }

  private static boolean containsLineBreak(String s) {
    return s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0;
  }
}
