package dev.bulwark.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.bulwark.http.ResilientHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@link ResilientHttpClient} costs on top of the JDK's {@link HttpClient}: a synchronous
 * {@code GET} of a 64-byte body from a loopback server in the same JVM, through the raw client and
 * through the resilient one with its defaults (the host's holds-only rate limiter and circuit
 * breaker, the 30 s total timeout, the retry with its 10 s attempt timeout), in the same run. The
 * asynchronous pair compares like with like: the JDK's {@code sendAsync} completes on its pool, a
 * thread hop its {@code send} does not make, and the resilient client's {@code sendAsync} is built
 * on it, while its {@code send} is built on the JDK's {@code send}.
 *
 * <p>Sample time, so JMH reports percentiles: the target is on the median ({@code p0.50}).
 * With {@code -prof gc}, {@code gc.alloc.rate.norm} gives the bytes allocated per call by every
 * thread of the JVM (the JDK client's selector thread and the server's threads included, alike for
 * every row), so the difference between the rows is what the wrapper allocates.
 *
 * <p>The server shares the machine's cores with the client, so the noise is large: compare rows of
 * one run, never across runs.
 *
 * {@snippet lang=shell :
 * java -jar bulwark-benchmarks/target/benchmarks.jar HttpClientBenchmark -prof gc
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(2)
public class HttpClientBenchmark {

  /** The clients compared. */
  public enum Client {
    /** The JDK client's {@code send}: the baseline. */
    RAW {
      @Override
      HttpClient wrap(HttpClient plain) {
        return plain;
      }
    },
    /**
     * The JDK client's {@code sendAsync}, waited for: what any wrapper built on {@code sendAsync}
     * starts from. The JDK completes such a future on the common pool (a thread hop that its {@code
     * send} does not make), so this row isolates the JDK's share of the wrapper's cost.
     */
    RAW_ASYNC {
      @Override
      HttpClient wrap(HttpClient plain) {
        return plain;
      }

      @Override
      <T> HttpResponse<T> send(HttpClient http, HttpRequest request, BodyHandler<T> handler)
          throws IOException, InterruptedException {
        try {
          return http.sendAsync(request, handler).get();
        } catch (ExecutionException e) {
          throw new IOException(e.getCause());
        }
      }
    },
    /** The JDK client inside a {@link ResilientHttpClient} with every default. */
    BULWARK {
      @Override
      HttpClient wrap(HttpClient plain) {
        return ResilientHttpClient.builder().httpClient(plain).build();
      }
    },
    /** {@link #BULWARK}'s {@code sendAsync}, waited for: to compare with {@link #RAW_ASYNC}. */
    BULWARK_ASYNC {
      @Override
      HttpClient wrap(HttpClient plain) {
        return BULWARK.wrap(plain);
      }

      @Override
      <T> HttpResponse<T> send(HttpClient http, HttpRequest request, BodyHandler<T> handler)
          throws IOException, InterruptedException {
        return RAW_ASYNC.send(http, request, handler);
      }
    };

    abstract HttpClient wrap(HttpClient plain);

    <T> HttpResponse<T> send(HttpClient http, HttpRequest request, BodyHandler<T> handler)
        throws IOException, InterruptedException {
      return http.send(request, handler);
    }
  }

  static final int BODY_BYTES = 64;
  static final int SERVER_THREADS = 4;
  static final BodyHandler<String> BODY = BodyHandlers.ofString(StandardCharsets.US_ASCII);

  @Param({"RAW", "BULWARK", "RAW_ASYNC", "BULWARK_ASYNC"})
  public Client client;

  private ExecutorService serverThreads;
  private HttpServer server;
  private HttpClient plain;
  private HttpClient http;
  private HttpRequest request;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    byte[] body = new byte[BODY_BYTES];
    Arrays.fill(body, (byte) 'x');
    // The JDK server writes the headers and the body apart; with Nagle's algorithm on, the body
    // then waits for the client's delayed ACK, and every call takes 40 ms. Read once, when the
    // first server is made, so before it.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    serverThreads = Executors.newFixedThreadPool(SERVER_THREADS);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(serverThreads);
    server.createContext(
        "/ok",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream()); // a GET has none; drain it anyway
          }
          exchange.sendResponseHeaders(200, BODY_BYTES); // sets Content-Length; keeps alive
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    URI uri =
        URI.create(
            "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort());
    request = HttpRequest.newBuilder(uri.resolve("/ok")).GET().build();
    plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    http = client.wrap(plain);
    HttpResponse<String> first = client.send(http, request, BODY);
    if (first.statusCode() != 200 || first.body().length() != BODY_BYTES) {
      throw new IllegalStateException(
          "the loopback server answered " + first.statusCode() + " " + first.body());
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    if (http instanceof AutoCloseable) {
      ((AutoCloseable) http).close(); // leaves the plain client to us
    }
    if (plain instanceof AutoCloseable) {
      ((AutoCloseable) plain).close(); // Java 21 and later
    }
    server.stop(0);
    serverThreads.shutdownNow();
  }

  @Benchmark
  public HttpResponse<String> get() throws IOException, InterruptedException {
    return client.send(http, request, BODY);
  }

  @Benchmark
  @Threads(2)
  public HttpResponse<String> get_2threads() throws IOException, InterruptedException {
    return client.send(http, request, BODY);
  }
}
