package dev.bulwark.admin;

import com.sun.net.httpserver.HttpServer;
import dev.bulwark.Resilience;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The admin endpoints of a {@link Resilience} registry, on the JDK's own {@link HttpServer}: no
 * framework, nothing listening until {@link #start()}, on the loopback address by default.
 *
 * <table class="striped">
 *   <caption>Endpoints</caption>
 *   <tr><th>Request</th><th>Answer</th></tr>
 *   <tr><td>{@code GET /}</td><td>the dashboard: one self-contained page, live</td></tr>
 *   <tr><td>{@code GET /health}</td><td>the registry's health report as JSON: 200 when
 *       {@code HEALTHY} or {@code DEGRADED}, 503 when {@code CRITICAL}</td></tr>
 *   <tr><td>{@code GET /policies}</td><td>every policy's snapshot, and each name's rolling
 *       statistics (10 s rate, error %, latency percentiles, a minute of history)</td></tr>
 *   <tr><td>{@code POST /circuit-breakers/{name}/reset}, {@code /force-open},
 *       {@code /disable}</td><td>acts on the breaker of that name (never creates one); needs
 *       {@code Authorization: Bearer <token>}; an optional JSON body {@code {"reason": "..."}}</td></tr>
 *   <tr><td>{@code GET /metrics}</td><td>Prometheus text from the {@linkplain Builder#metrics
 *       source} given, or 404</td></tr>
 *   <tr><td>{@code GET /events}</td><td>Server-Sent Events: {@code state}, {@code rejection},
 *       {@code fallback}, {@code retries-exhausted}, {@code health}, {@code policy-added},
 *       {@code policy-evicted}, {@code admin}</td></tr>
 * </table>
 *
 * <p>Every error is a JSON object {@code {"error": "..."}} with the fitting status (400, 401, 403,
 * 404, 405, 413, 414, 503); an unexpected failure is logged and answered with a 500 that says
 * nothing more. No response ever carries a stack trace.
 *
 * <p>Writes (the breaker actions) need the {@linkplain Builder#token token}, compared in constant
 * time; without a token configured they are refused. Bound to a loopback address, the server also
 * refuses requests whose {@code Host} is not a loopback name, so a web page cannot reach it through
 * DNS rebinding.
 *
 * <p>While started it listens to every policy's events (each breaker then builds an event per call,
 * as under a health monitor) and to the registry's {@linkplain Resilience#health() health monitor},
 * which it creates if nobody has.
 *
 * {@snippet :
 * AdminServer admin =
 *     AdminServer.builder(resilience)
 *         .port(9090)
 *         .token(System.getenv("BULWARK_ADMIN_TOKEN"))
 *         .metrics(prometheusRegistry::scrape)
 *         .build()
 *         .start();
 * System.out.println("dashboard: " + admin.uri());
 * }
 *
 * <p>Thread-safe.
 */
public final class AdminServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AdminServer.class.getName());

  private final InetAddress address;
  private final int requestedPort;
  private final EventHub hub = new EventHub();
  private final PolicyWatch watch;
  private final AdminHandler handler;
  private final int maxEventClients;
  private final ReentrantLock lock = new ReentrantLock(); // start/stop only: may bind a port
  private @Nullable HttpServer server; // guarded by lock
  private @Nullable ExecutorService executor; // guarded by lock
  private boolean started; // guarded by lock

  private AdminServer(Builder b) {
    this.address = b.address;
    this.requestedPort = b.port;
    this.maxEventClients = b.maxEventClients;
    this.watch = new PolicyWatch(b.resilience, hub, b.maxTrackedNames);
    this.handler =
        new AdminHandler(
            b.resilience,
            watch,
            hub,
            b.token == null ? null : new BearerToken(b.token),
            b.metrics,
            b.maxRequestBytes,
            b.maxEventClients,
            address.isLoopbackAddress(),
            dashboard());
  }

  /**
   * A builder for an admin server of {@code resilience}: loopback, any free port, no token (so no
   * writes), no metrics source.
   *
   * @throws NullPointerException if {@code resilience} is null
   */
  public static Builder builder(Resilience resilience) {
    return new Builder(Objects.requireNonNull(resilience, "resilience"));
  }

  /**
   * Binds the address and starts answering, and listening to the registry's policies.
   *
   * @return this server
   * @throws IOException if the address cannot be bound
   * @throws IllegalStateException if it was started before (a stopped server cannot restart)
   */
  public AdminServer start() throws IOException {
    lock.lock();
    try {
      if (started) {
        throw new IllegalStateException("the admin server was already started");
      }
      started = true;
      HttpServer http = HttpServer.create(new InetSocketAddress(address, requestedPort), 64);
      AtomicInteger threads = new AtomicInteger();
      ThreadPoolExecutor pool =
          new ThreadPoolExecutor(
              maxEventClients + 4,
              maxEventClients + 4,
              30,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(),
              r -> {
                Thread t = new Thread(r, "bulwark-admin-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      pool.allowCoreThreadTimeOut(true);
      http.setExecutor(pool);
      http.createContext("/", handler);
      watch.start();
      http.start();
      server = http;
      executor = pool;
      LOG.log(System.Logger.Level.DEBUG, () -> "bulwark admin listening on " + uri());
      return this;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Where the server answers, as {@code http://127.0.0.1:port/}: the dashboard.
   *
   * @throws IllegalStateException if not started
   */
  public URI uri() {
    String host = address.getHostAddress();
    if (host.indexOf(':') >= 0) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + port() + "/");
  }

  /**
   * The port bound; with port 0 (the default), the one the system chose.
   *
   * @throws IllegalStateException if not started, or stopped
   */
  public int port() {
    lock.lock();
    try {
      if (server == null) {
        throw new IllegalStateException("the admin server is not running");
      }
      return server.getAddress().getPort();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops answering: ends every event stream, closes the port, stops listening to the registry.
   * Does nothing if not running.
   */
  public void stop() {
    HttpServer http;
    ExecutorService pool;
    lock.lock();
    try {
      http = server;
      pool = executor;
      server = null;
      executor = null;
    } finally {
      lock.unlock();
    }
    if (http == null || pool == null) {
      return;
    }
    watch.stop();
    hub.closeAll();
    http.stop(0);
    pool.shutdownNow();
  }

  /** {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  private static byte[] dashboard() {
    try (InputStream in = AdminServer.class.getResourceAsStream("dashboard.html")) {
      if (in == null) {
        throw new IllegalStateException("dashboard.html is missing from bulwark-admin's jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Builds an {@link AdminServer}. Setters check their own value.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final Resilience resilience;
    private InetAddress address = InetAddress.getLoopbackAddress();
    private int port;
    private @Nullable String token;
    private @Nullable Supplier<String> metrics;
    private int maxRequestBytes = 4096;
    private int maxEventClients = 8;
    private int maxTrackedNames = 256;

    private Builder(Resilience resilience) {
      this.resilience = resilience;
    }

    /**
     * The address to listen on. Default the loopback address; another exposes the endpoints (and
     * the unauthenticated reads) to the network.
     *
     * @throws NullPointerException if {@code address} is null
     */
    public Builder address(InetAddress address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * The port to listen on; 0 (the default) lets the system choose, then {@link #port()} tells.
     *
     * @throws IllegalArgumentException if {@code port} is not in [0, 65535]
     */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be in [0, 65535], was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * The token writes need, as {@code Authorization: Bearer <token>}. Default none: every write is
     * refused.
     *
     * @throws NullPointerException if {@code token} is null
     * @throws IllegalArgumentException if {@code token} is not 16 to 256 visible ASCII characters
     */
    public Builder token(String token) {
      Objects.requireNonNull(token, "token");
      if (token.length() < 16
          || token.length() > 256
          || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException(
            "token must be 16 to 256 visible ASCII characters, was "
                + token.length()
                + " characters"
                + (token.chars().allMatch(c -> c > 0x20 && c < 0x7f)
                    ? ""
                    : " with others among them"));
      }
      this.token = token;
      return this;
    }

    /**
     * Where {@code GET /metrics} gets its Prometheus text: {@code prometheusRegistry::scrape}, for
     * example. Called on a server thread for each request. Default none: {@code /metrics} answers
     * 404.
     *
     * @throws NullPointerException if {@code metrics} is null
     */
    public Builder metrics(Supplier<String> metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /**
     * The largest request body read, in bytes; a larger one is refused with 413 unread. Default
     * 4,096.
     *
     * @throws IllegalArgumentException if {@code bytes} is not in [64, 1,048,576]
     */
    public Builder maxRequestBytes(int bytes) {
      if (bytes < 64 || bytes > 1 << 20) {
        throw new IllegalArgumentException(
            "maxRequestBytes must be in [64, 1048576], was " + bytes);
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    /**
     * How many {@code /events} streams may be open at once; more are refused with 503. Each holds a
     * server thread. Default 8.
     *
     * @throws IllegalArgumentException if {@code clients} is not in [1, 256]
     */
    public Builder maxEventClients(int clients) {
      if (clients < 1 || clients > 256) {
        throw new IllegalArgumentException("maxEventClients must be in [1, 256], was " + clients);
      }
      this.maxEventClients = clients;
      return this;
    }

    /**
     * For how many policy names rolling statistics are kept (about 13 KB each); names past that are
     * listed with their snapshots only. Default 256.
     *
     * @throws IllegalArgumentException if {@code names} is not in [1, 100,000]
     */
    public Builder maxTrackedNames(int names) {
      if (names < 1 || names > 100_000) {
        throw new IllegalArgumentException("maxTrackedNames must be in [1, 100000], was " + names);
      }
      this.maxTrackedNames = names;
      return this;
    }

    /** The server, not started: call {@link AdminServer#start()}. */
    public AdminServer build() {
      return new AdminServer(this);
    }
  }
}
