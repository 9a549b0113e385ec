package dev.bulwark.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * A real HTTP inventory service on loopback that follows a {@link Timeline}: {@code GET
 * /stock/{sku}} answers a small JSON body, or fails the way the phase under way says (a 500 or 503,
 * a 1.5 s stall, a 429 with {@code Retry-After}, or a 503 on every request while it is down).
 *
 * <p>It runs on the JDK's {@link HttpServer}, bound to 127.0.0.1 on a port the system picks, with
 * handler threads of its own (daemon threads, so a stalled handler cannot keep the JVM alive).
 * Which phase a request falls in is decided when it arrives, from the injected clock, so a test
 * selects a phase by moving a manual clock; stalls wait through the injected scheduler. The service
 * counts every request that reaches it, per phase, and what it answered.
 *
 * <p>Of the 5xx answers outside an outage, odd-numbered requests get a 500 and even ones a 503; of
 * the 429s, the first, third, ... carry {@code Retry-After: 1} and the others an HTTP date one
 * second ahead (cut to the whole second, as the format wants), so both forms of the header are
 * sent.
 *
 * <p>Thread-safe if the random source is.
 */
public final class FlakyHttpService implements AutoCloseable {
  /** The header's HTTP-date form (RFC 9110 section 5.6.7), always in GMT. */
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

  /**
   * The header that marks a warm-up request: answered at once with a 200, not counted, and not
   * drawn for, so a client can open its connections before the run without changing the run.
   */
  public static final String WARM_UP = "X-Warm-Up";

  /** What the service does with one request. */
  public enum Outcome {
    /** A good answer after the phase's latency. */
    OK,
    /** A good answer, but only after the phase's slow latency. */
    SLOW,
    /** 429 Too Many Requests, with Retry-After. */
    THROTTLED,
    /** A 500 or 503 (always a 503 without Retry-After in an outage). */
    ERROR
  }

  private final Timeline timeline;
  private final Clock clock;
  private volatile long originNanos;
  private final Scheduler scheduler;
  private final DoubleSupplier random;
  private final HttpServer server;
  private final ExecutorService handlers;
  private final AtomicLong requests = new AtomicLong();
  private final LongAdder[] callsPerPhase;
  private final LongAdder errors = new LongAdder();
  private final LongAdder slow = new LongAdder();
  private final AtomicLong throttled = new AtomicLong();

  private FlakyHttpService(
      String name, Timeline timeline, Clock clock, Scheduler scheduler, DoubleSupplier random)
      throws IOException {
    this.timeline = Objects.requireNonNull(timeline, "timeline");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.originNanos = clock.nanoTime();
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.random = Objects.requireNonNull(random, "random");
    this.callsPerPhase = new LongAdder[timeline.phases().size()];
    for (int i = 0; i < callsPerPhase.length; i++) {
      callsPerPhase[i] = new LongAdder();
    }
    AtomicInteger threads = new AtomicInteger();
    this.handlers =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, name + "-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    this.server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
    server.createContext("/", this::handle);
    server.setExecutor(handlers);
  }

  /**
   * Starts a service on 127.0.0.1 whose script begins now on {@code clock}; {@link #scriptFrom}
   * moves the beginning.
   *
   * @param name names the handler threads
   * @param scheduler what stalls and latencies wait through
   * @param random uniform numbers in [0, 1), one per request: which outcome it gets
   * @throws IOException if no port could be bound
   */
  public static FlakyHttpService start(
      String name, Timeline timeline, Clock clock, Scheduler scheduler, DoubleSupplier random)
      throws IOException {
    FlakyHttpService service = new FlakyHttpService(name, timeline, clock, scheduler, random);
    service.server.start();
    return service;
  }

  /**
   * Makes the script begin at {@code originNanos} on the clock: a request arriving at {@code t}
   * falls in the phase under way at {@code t - originNanos}, the first phase if that is negative.
   */
  public void scriptFrom(long originNanos) {
    this.originNanos = originNanos;
  }

  /** Where the service listens: {@code http://127.0.0.1:<port>/}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  /** The script this service follows. */
  public Timeline timeline() {
    return timeline;
  }

  /** What the service has received and answered so far. */
  public ServiceCounts counts() {
    List<Long> perPhase = new ArrayList<>(callsPerPhase.length);
    for (LongAdder calls : callsPerPhase) {
      perPhase.add(calls.sum());
    }
    return new ServiceCounts(perPhase, errors.sum(), slow.sum(), throttled.get());
  }

  /** Stops listening at once and ends the handler threads, interrupting stalled ones. */
  @Override
  public void close() {
    server.stop(0);
    handlers.shutdownNow();
    try {
      handlers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What a request that draws {@code u} gets during {@code phase}. */
  public static Outcome outcome(Phase phase, double u) {
    if (phase.isDown() || u < phase.errorRate()) {
      return Outcome.ERROR;
    }
    if (u < phase.errorRate() + phase.slowRate()) {
      return Outcome.SLOW;
    }
    if (u < phase.errorRate() + phase.slowRate() + phase.throttleRate()) {
      return Outcome.THROTTLED;
    }
    return Outcome.OK;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      exchange.getRequestBody().readAllBytes();
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "GET");
        reply(exchange, 405, "{\"error\":\"method not allowed\"}");
        return;
      }
      String path = exchange.getRequestURI().getPath();
      if (!path.startsWith("/stock/") || path.length() == "/stock/".length()) {
        reply(exchange, 404, "{\"error\":\"no such resource\"}");
        return;
      }
      if (exchange.getRequestHeaders().containsKey(WARM_UP)) {
        reply(exchange, 200, "{\"warmUp\":true}"); // uncounted, and draws nothing
        return;
      }
      serve(exchange, path.substring("/stock/".length()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // shutting down: drop the request
    } catch (IOException e) {
      // the client hung up (a stalled answer it stopped waiting for); nothing to answer
    } finally {
      exchange.close();
    }
  }

  private void serve(HttpExchange exchange, String sku) throws IOException, InterruptedException {
    long request = requests.incrementAndGet();
    int index = timeline.phaseIndexAt(clock.nanoTime() - originNanos);
    callsPerPhase[index].increment();
    Phase phase = timeline.phases().get(index);
    switch (outcome(phase, random.getAsDouble())) {
      case ERROR:
        errors.increment();
        int status = phase.isDown() || request % 2 == 0 ? 503 : 500;
        reply(exchange, status, "{\"error\":\"" + phase.name() + "\"}");
        return;
      case THROTTLED:
        long n = throttled.incrementAndGet();
        String retryAfter = n % 2 == 1 ? "1" : HTTP_DATE.format(clock.wallTime().plusSeconds(1));
        exchange.getResponseHeaders().set("Retry-After", retryAfter);
        reply(exchange, 429, "{\"error\":\"too many requests\"}");
        return;
      case SLOW:
        slow.increment();
        scheduler.sleep(phase.slowLatency().toNanos());
        break;
      default:
        scheduler.sleep(phase.latency().toNanos());
    }
    reply(
        exchange,
        200,
        String.format(
            Locale.ROOT,
            "{\"sku\":\"%s\",\"units\":%d,\"request\":%d}",
            sku.replace("\"", ""),
            40 + (int) (request % 17),
            request));
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
