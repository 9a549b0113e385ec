package dev.bulwark.benchmarks;

import dev.bulwark.http.ResilientHttpClient;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.net.http.HttpResponse.ResponseInfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@link ResilientHttpClient} itself costs per call, without the network's noise: the client
 * with its defaults around a stand-in JDK client that answers at once (it runs the body handler on
 * a 64-byte body, as the JDK client would, and nothing else), beside that stand-in alone. On a
 * loopback server the noise of one run is several percent of a request's median; this is the
 * precise part of the overhead, to set against {@link HttpClientBenchmark}'s medians.
 *
 * {@snippet lang=shell :
 * java -jar bulwark-benchmarks/target/benchmarks.jar HttpClientOverheadBenchmark -prof gc
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class HttpClientOverheadBenchmark {
  static final byte[] BODY = "x".repeat(64).getBytes(StandardCharsets.US_ASCII);

  @Param({"STAND_IN", "BULWARK"})
  public String client;

  private HttpClient http;
  private HttpRequest request;

  @Setup
  public void setUp() {
    HttpClient standIn = new AnswersAtOnce();
    http =
        client.equals("BULWARK")
            ? ResilientHttpClient.builder().httpClient(standIn).build()
            : standIn;
    request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/ok")).build();
  }

  @Benchmark
  public HttpResponse<String> send() throws Exception {
    return http.send(request, BodyHandlers.ofString(StandardCharsets.US_ASCII));
  }

  @Benchmark
  public HttpResponse<String> sendAsync() throws Exception {
    return http.sendAsync(request, BodyHandlers.ofString(StandardCharsets.US_ASCII)).get();
  }

  /** A JDK client that answers every request at once with 200 and a 64-byte body. */
  static final class AnswersAtOnce extends HttpClient {
    private static final HttpHeaders HEADERS =
        HttpHeaders.of(Map.of("Content-Length", List.of("64")), (name, value) -> true);
    private static final ResponseInfo INFO =
        new ResponseInfo() {
          @Override
          public int statusCode() {
            return 200;
          }

          @Override
          public HttpHeaders headers() {
            return HEADERS;
          }

          @Override
          public Version version() {
            return Version.HTTP_1_1;
          }
        };

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> handler) {
      BodySubscriber<T> subscriber = handler.apply(INFO);
      subscriber.onSubscribe(
          new Flow.Subscription() {
            private boolean done;

            @Override
            public void request(long n) {
              if (!done) {
                done = true;
                subscriber.onNext(List.of(ByteBuffer.wrap(BODY)));
                subscriber.onComplete();
              }
            }

            @Override
            public void cancel() {
              done = true;
            }
          });
      T body = subscriber.getBody().toCompletableFuture().join();
      return new Answer<>(request, body);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(
        HttpRequest request, BodyHandler<T> handler) {
      return CompletableFuture.completedFuture(send(request, handler));
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(
        HttpRequest request, BodyHandler<T> handler, PushPromiseHandler<T> pushes) {
      return sendAsync(request, handler);
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
      return Optional.empty();
    }

    @Override
    public Optional<Duration> connectTimeout() {
      return Optional.empty();
    }

    @Override
    public Redirect followRedirects() {
      return Redirect.NEVER;
    }

    @Override
    public Optional<ProxySelector> proxy() {
      return Optional.empty();
    }

    @Override
    public @Nullable SSLContext sslContext() {
      return null;
    }

    @Override
    public @Nullable SSLParameters sslParameters() {
      return null;
    }

    @Override
    public Optional<Authenticator> authenticator() {
      return Optional.empty();
    }

    @Override
    public Version version() {
      return Version.HTTP_1_1;
    }

    @Override
    public Optional<Executor> executor() {
      return Optional.of(Runnable::run);
    }
  }

  /** The stand-in's answer. */
  private static final class Answer<T> implements HttpResponse<T> {
    private final HttpRequest request;
    private final T body;

    Answer(HttpRequest request, T body) {
      this.request = request;
      this.body = body;
    }

    @Override
    public int statusCode() {
      return 200;
    }

    @Override
    public HttpRequest request() {
      return request;
    }

    @Override
    public Optional<HttpResponse<T>> previousResponse() {
      return Optional.empty();
    }

    @Override
    public HttpHeaders headers() {
      return AnswersAtOnce.HEADERS;
    }

    @Override
    public T body() {
      return body;
    }

    @Override
    public Optional<SSLSession> sslSession() {
      return Optional.empty();
    }

    @Override
    public URI uri() {
      return request.uri();
    }

    @Override
    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }
}
