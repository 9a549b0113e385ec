package dev.bulwark.admin;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.bulwark.Resilience;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.health.HealthReport;
import dev.bulwark.health.HealthStatus;
import dev.bulwark.spi.PolicyKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Routes and answers every admin request. Limits come first (path length, body size, the Host of a
 * loopback server), then the method, then the token for writes, then the names: an unauthorized
 * caller learns nothing about which breakers exist. Any failure of our own is logged and answered
 * with a bare 500.
 *
 * <p>Thread-safe.
 */
final class AdminHandler implements HttpHandler {
  private static final System.Logger LOG = System.getLogger(AdminServer.class.getName());
  static final int MAX_PATH = 2048;
  static final int MAX_NAME = 256;
  static final int MAX_REASON = 200;
  private static final long HEARTBEAT_MILLIS = 15_000;
  private static final String JSON = "application/json; charset=utf-8";
  private static final String CSP =
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src"
          + " 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final Resilience resilience;
  private final PolicyWatch watch;
  private final EventHub hub;
  private final @Nullable BearerToken token;
  private final @Nullable Supplier<String> metrics;
  private final int maxRequestBytes;
  private final int maxEventClients;
  private final boolean loopbackOnly;
  private final byte[] dashboard;

  AdminHandler(
      Resilience resilience,
      PolicyWatch watch,
      EventHub hub,
      @Nullable BearerToken token,
      @Nullable Supplier<String> metrics,
      int maxRequestBytes,
      int maxEventClients,
      boolean loopbackOnly,
      byte[] dashboard) {
    this.resilience = resilience;
    this.watch = watch;
    this.hub = hub;
    this.token = token;
    this.metrics = metrics;
    this.maxRequestBytes = maxRequestBytes;
    this.maxEventClients = maxEventClients;
    this.loopbackOnly = loopbackOnly;
    this.dashboard = dashboard;
  }

  /** A refusal: the status and what to say. */
  private static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    Refusal(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      route(exchange);
    } catch (Refusal r) {
      if (r.status == 401) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"bulwark-admin\"");
      }
      error(exchange, r.status, String.valueOf(r.getMessage()));
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "admin client went away", e);
    } catch (RuntimeException | Error e) {
      LOG.log(
          System.Logger.Level.WARNING, "admin request " + exchange.getRequestURI() + " failed", e);
      try {
        error(exchange, 500, "internal error; the server's log has the details");
      } catch (IOException | RuntimeException ignored) {
        // the response had begun, or the client went away: nothing more to say
      }
    } finally {
      exchange.close();
    }
  }

  private void route(HttpExchange exchange) throws IOException, Refusal {
    String rawPath = exchange.getRequestURI().getRawPath();
    if (rawPath == null || exchange.getRequestURI().toString().length() > MAX_PATH) {
      throw new Refusal(414, "the request target is longer than " + MAX_PATH + " characters");
    }
    checkHost(exchange.getRequestHeaders());
    long declared = contentLength(exchange.getRequestHeaders());
    if (declared > maxRequestBytes) {
      throw new Refusal(413, "a request body may hold " + maxRequestBytes + " bytes at most");
    }
    String method = exchange.getRequestMethod();
    List<String> path = segments(rawPath);
    if (path.isEmpty() || path.equals(List.of("index.html"))) {
      get(method);
      send(exchange, 200, "text/html; charset=utf-8", dashboard, true);
    } else if (path.equals(List.of("health"))) {
      get(method);
      health(exchange);
    } else if (path.equals(List.of("policies"))) {
      get(method);
      sendJson(exchange, 200, policies());
    } else if (path.equals(List.of("metrics"))) {
      get(method);
      metrics(exchange);
    } else if (path.equals(List.of("events"))) {
      get(method);
      events(exchange);
    } else if (path.size() == 3
        && path.get(0).equals("circuit-breakers")
        && isAction(path.get(2))) {
      if (!method.equals("POST")) {
        exchange.getResponseHeaders().set("Allow", "POST");
        throw new Refusal(405, method + " is not allowed here: use POST");
      }
      breakerAction(exchange, path.get(1), path.get(2));
    } else {
      throw new Refusal(404, "no such endpoint: " + rawPath);
    }
  }

  private static boolean isAction(String action) {
    return action.equals("reset") || action.equals("force-open") || action.equals("disable");
  }

  private static void get(String method) throws Refusal {
    if (!method.equals("GET")) {
      throw new Refusal(405, method + " is not allowed here: use GET");
    }
  }

  private void checkHost(Headers headers) throws Refusal {
    String host = headers.getFirst("Host");
    if (!loopbackOnly || host == null) {
      return;
    }
    String name = host.toLowerCase(Locale.ROOT);
    if (name.startsWith("[")) {
      int end = name.indexOf(']');
      name = end < 0 ? name : name.substring(0, end + 1);
    } else if (name.indexOf(':') >= 0) {
      name = name.substring(0, name.indexOf(':'));
    }
    if (!(name.equals("localhost")
        || name.equals("[::1]")
        || name.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}"))) {
      throw new Refusal(
          403,
          "this admin server listens on loopback and answers only requests for a loopback host");
    }
  }

  private static long contentLength(Headers headers) throws Refusal {
    String value = headers.getFirst("Content-Length");
    if (value == null) {
      return 0;
    }
    try {
      long length = Long.parseLong(value.trim());
      if (length < 0) {
        throw new Refusal(400, "Content-Length must not be negative");
      }
      return length;
    } catch (NumberFormatException e) {
      throw new Refusal(400, "Content-Length must be a number");
    }
  }

  /** The path's segments, percent-decoded as UTF-8; "/" is none. */
  static List<String> segments(String rawPath) throws Refusal {
    List<String> out = new ArrayList<>();
    for (String raw : rawPath.split("/", -1)) {
      if (!raw.isEmpty()) {
        out.add(decode(raw));
      }
    }
    return out;
  }

  private static String decode(String raw) throws Refusal {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int lo = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw new Refusal(400, "bad percent-encoding in the path");
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(b, 0, b.length);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new Refusal(400, "the path is not UTF-8 once decoded");
    }
  }

  private void health(HttpExchange exchange) throws IOException {
    HealthReport report = resilience.health().report();
    Json json = new Json().begin();
    json.field("status", report.status()).field("wallTime", report.wallTime());
    json.field("reasons", report.reasons());
    json.name("findings").beginArray();
    for (HealthReport.Finding f : report.findings()) {
      json.begin()
          .field("component", f.component())
          .field("status", f.status())
          .field("reason", f.reason())
          .end();
    }
    json.endArray();
    json.field("openBreakers", report.openBreakers());
    json.field("degradedComponents", report.degradedComponents());
    sendJson(exchange, report.status() == HealthStatus.CRITICAL ? 503 : 200, json.end().toString());
  }

  private String policies() {
    long now = watch.second();
    Json json = new Json().begin();
    json.field("wallTime", resilience.clock().wallTime());
    json.field("windowSeconds", RollingStats.WINDOW_SECONDS);
    json.field("historySeconds", RollingStats.HISTORY_SECONDS);
    json.name("policies").beginArray();
    List<String> names = new ArrayList<>();
    for (PolicyKind<?, ?, ?> kind : resilience.kinds()) {
      SortedMap<String, Object> snapshots = resilience.snapshots(kind);
      for (Map.Entry<String, Object> e : snapshots.entrySet()) {
        json.begin()
            .field("kind", kind.id())
            .field("label", kind.label())
            .field("name", e.getKey())
            .field("snapshot", e.getValue())
            .end();
        if (!names.contains(e.getKey())) {
          names.add(e.getKey());
        }
      }
    }
    json.endArray();
    json.name("statistics").begin();
    for (String name : names) {
      RollingStats stats = watch.stats(name);
      if (stats != null) {
        json.name(name);
        statistics(json, stats, now);
      }
    }
    json.end();
    return json.end().toString();
  }

  private static void statistics(Json json, RollingStats stats, long now) {
    long[] sum = stats.sum(now, RollingStats.WINDOW_SECONDS);
    long succeeded = sum[RollingStats.SUCCEEDED];
    long failed = sum[RollingStats.FAILED];
    long rejected = sum[RollingStats.REJECTED];
    long ended = succeeded + failed;
    json.begin()
        .field("succeeded", succeeded)
        .field("failed", failed)
        .field("rejected", rejected)
        .field("fallbacks", sum[RollingStats.FALLBACKS])
        .field(
            "ratePerSecond",
            Math.round((ended + rejected) * 10.0 / RollingStats.WINDOW_SECONDS) / 10.0)
        .field("errorPercent", ended == 0 ? null : Math.round(failed * 1000.0 / ended) / 10.0)
        .field("latencyMillis", stats.percentiles(now));
    json.name("history")
        .begin()
        .field("succeeded", longs(stats.history(now, RollingStats.SUCCEEDED)))
        .field("failed", longs(stats.history(now, RollingStats.FAILED)))
        .field("rejected", longs(stats.history(now, RollingStats.REJECTED)))
        .field("fallbacks", longs(stats.history(now, RollingStats.FALLBACKS)))
        .end();
    json.end();
  }

  private static List<Long> longs(long[] values) {
    List<Long> out = new ArrayList<>(values.length);
    for (long v : values) {
      out.add(v);
    }
    return out;
  }

  private void metrics(HttpExchange exchange) throws IOException, Refusal {
    if (metrics == null) {
      throw new Refusal(404, "no metrics source is configured: see AdminServer.Builder.metrics");
    }
    String text = metrics.get();
    if (text == null) {
      throw new IllegalStateException("the metrics source returned null");
    }
    send(
        exchange,
        200,
        "text/plain; version=0.0.4; charset=utf-8",
        text.getBytes(StandardCharsets.UTF_8),
        false);
  }

  private void events(HttpExchange exchange) throws IOException, Refusal {
    if (hub.clients() >= maxEventClients) {
      throw new Refusal(503, "too many event streams open (" + maxEventClients + " at most)");
    }
    EventHub.Client client = hub.join();
    try {
      Headers headers = exchange.getResponseHeaders();
      headers.set("Content-Type", "text/event-stream; charset=utf-8");
      headers.set("Cache-Control", "no-store");
      headers.set("X-Content-Type-Options", "nosniff");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      String hello =
          new Json()
              .begin()
              .field("wallTime", resilience.clock().wallTime())
              .field("queue", EventHub.QUEUE)
              .end()
              .toString();
      out.write(
          ("retry: 2000\n\nevent: hello\ndata: " + hello + "\n\n")
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      while (true) {
        String frame;
        try {
          frame = client.next(HEARTBEAT_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (frame == null) {
          out.write(": still here\n\n".getBytes(StandardCharsets.UTF_8));
        } else if (client.isClose(frame)) {
          return;
        } else {
          StringBuilder batch = new StringBuilder(frame);
          for (int i = 0; i < 256; i++) {
            String more = client.poll();
            if (more == null) {
              break;
            }
            if (client.isClose(more)) {
              out.write(batch.toString().getBytes(StandardCharsets.UTF_8));
              out.flush();
              return;
            }
            batch.append(more);
          }
          out.write(batch.toString().getBytes(StandardCharsets.UTF_8));
        }
        out.flush();
      }
    } finally {
      client.leave();
    }
  }

  private void breakerAction(HttpExchange exchange, String name, String action)
      throws IOException, Refusal {
    if (token == null) {
      throw new Refusal(403, "writes are disabled: the admin server was started without a token");
    }
    if (!token.accepts(exchange.getRequestHeaders().getFirst("Authorization"))) {
      throw new Refusal(401, "this needs the admin token, as 'Authorization: Bearer <token>'");
    }
    String reason = reason(body(exchange));
    if (name.length() > MAX_NAME) {
      throw new Refusal(400, "a breaker name has at most " + MAX_NAME + " characters");
    }
    Optional<CircuitBreaker> found = resilience.find(CircuitBreaker.KIND, name);
    if (found.isEmpty()) {
      throw new Refusal(404, "no circuit breaker named " + Json.quote(name));
    }
    CircuitBreaker breaker = found.get();
    LOG.log(
        System.Logger.Level.INFO,
        () ->
            "admin: "
                + action
                + " of circuit breaker "
                + Json.quote(name)
                + (reason == null ? "" : " (" + reason + ")"));
    Json json = new Json().begin().field("kind", CircuitBreaker.KIND.id()).field("name", name);
    json.field("action", action)
        .field("reason", reason)
        .field("wallTime", resilience.clock().wallTime());
    String event = json.end().toString();
    hub.publish("admin", event);
    switch (action) {
      case "reset":
        breaker.reset();
        break;
      case "force-open":
        breaker.forceOpen();
        break;
      default:
        breaker.disable();
        break;
    }
    Json answer = new Json().begin().field("name", name).field("action", action);
    answer.field("state", breaker.state()).field("snapshot", breaker.snapshot());
    sendJson(exchange, 200, answer.field("reason", reason).end().toString());
  }

  private String body(HttpExchange exchange) throws IOException, Refusal {
    InputStream in = exchange.getRequestBody();
    byte[] bytes = in.readNBytes(maxRequestBytes + 1);
    if (bytes.length > maxRequestBytes) {
      throw new Refusal(413, "a request body may hold " + maxRequestBytes + " bytes at most");
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new Refusal(400, "the request body is not UTF-8");
    }
  }

  /** The optional {@code {"reason": "..."}} of a write; an empty body has none. */
  static @Nullable String reason(String body) throws Refusal {
    if (body.isBlank()) {
      return null;
    }
    Object parsed;
    try {
      parsed = JsonParser.parse(body);
    } catch (JsonParser.MalformedJsonException e) {
      throw new Refusal(400, "the body is not JSON: " + e.getMessage());
    }
    if (!(parsed instanceof Map)) {
      throw new Refusal(400, "the body must be a JSON object, such as {\"reason\": \"...\"}");
    }
    Map<?, ?> members = (Map<?, ?>) parsed;
    for (Object key : members.keySet()) {
      if (!"reason".equals(key)) {
        throw new Refusal(
            400, "unknown member " + Json.quote(String.valueOf(key)) + ": only \"reason\" is read");
      }
    }
    Object reason = members.get("reason");
    if (reason == null) {
      return null;
    }
    if (!(reason instanceof String) || ((String) reason).length() > MAX_REASON) {
      throw new Refusal(400, "reason must be a string of at most " + MAX_REASON + " characters");
    }
    return (String) reason;
  }

  private static void error(HttpExchange exchange, int status, String message) throws IOException {
    sendJson(exchange, status, new Json().begin().field("error", message).end().toString());
  }

  private static void sendJson(HttpExchange exchange, int status, String json) throws IOException {
    send(exchange, status, JSON, json.getBytes(StandardCharsets.UTF_8), false);
  }

  private static void send(
      HttpExchange exchange, int status, String contentType, byte[] body, boolean page)
      throws IOException {
    Headers headers = exchange.getResponseHeaders();
    headers.set("Content-Type", contentType);
    headers.set("Cache-Control", "no-store");
    headers.set("X-Content-Type-Options", "nosniff");
    if (page) {
      headers.set("Content-Security-Policy", CSP);
      headers.set("Referrer-Policy", "no-referrer");
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
