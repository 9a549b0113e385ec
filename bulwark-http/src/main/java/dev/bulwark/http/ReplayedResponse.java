package dev.bulwark.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSession;

/*
 * A response whose body was read earlier (an error response kept by BufferedBody) or never came
 * from the network (a fallback), delivered to the caller through the caller's own BodyHandler, as
 * if it had just arrived: the handler sees the status and headers, and its subscriber gets the
 * bytes in one buffer, then completion.
 */
final class ReplayedResponse<T> implements HttpResponse<T> {
  private final int statusCode;
  private final HttpRequest request;
  private final HttpHeaders headers;
  private final T body;
  private final Optional<SSLSession> sslSession;
  private final URI uri;
  private final HttpClient.Version version;

  private ReplayedResponse(
      int statusCode,
      HttpRequest request,
      HttpHeaders headers,
      T body,
      Optional<SSLSession> sslSession,
      URI uri,
      HttpClient.Version version) {
    this.statusCode = statusCode;
    this.request = request;
    this.headers = headers;
    this.body = body;
    this.sslSession = sslSession;
    this.uri = uri;
    this.version = version;
  }

  /**
   * The server's error response {@code original}, its kept {@code bytes} given to {@code handler}.
   */
  static <T> CompletableFuture<HttpResponse<T>> of(
      HttpResponse<?> original, byte[] bytes, BodyHandler<T> handler) {
    return replay(
        original.statusCode(),
        original.headers(),
        original.version(),
        bytes,
        handler,
        original.request(),
        original.sslSession(),
        original.uri());
  }

  /** {@code fallback}, as the answer to {@code request}, through {@code handler}. */
  static <T> CompletableFuture<HttpResponse<T>> of(
      FallbackResponse fallback,
      HttpRequest request,
      HttpClient.Version version,
      BodyHandler<T> handler) {
    return replay(
        fallback.statusCode(),
        HttpHeaders.of(fallback.headers(), (name, value) -> true),
        version,
        fallback.bodyNoCopy(),
        handler,
        request,
        Optional.empty(),
        request.uri());
  }

  private static <T> CompletableFuture<HttpResponse<T>> replay(
      int status,
      HttpHeaders headers,
      HttpClient.Version version,
      byte[] bytes,
      BodyHandler<T> handler,
      HttpRequest request,
      Optional<SSLSession> ssl,
      URI uri) {
    ResponseInfo info =
        new ResponseInfo() {
          @Override
          public int statusCode() {
            return status;
          }

          @Override
          public HttpHeaders headers() {
            return headers;
          }

          @Override
          public HttpClient.Version version() {
            return version;
          }
        };
    CompletionStage<T> body;
    try {
      BodySubscriber<T> subscriber = handler.apply(info);
      subscriber.onSubscribe(new OneBuffer<>(subscriber, bytes));
      body = subscriber.getBody();
    } catch (RuntimeException | Error e) { // the caller's handler failed: so does the call
      return CompletableFuture.failedFuture(e);
    }
    return body.toCompletableFuture()
        .thenApply(b -> new ReplayedResponse<>(status, request, headers, b, ssl, uri, version));
  }

  /** Delivers one buffer then completion, on the first request. */
  private static final class OneBuffer<T> implements Flow.Subscription {
    private final BodySubscriber<T> subscriber;
    private final byte[] bytes;
    private final AtomicBoolean done = new AtomicBoolean(); // the first request or cancel wins

    OneBuffer(BodySubscriber<T> subscriber, byte[] bytes) {
      this.subscriber = subscriber;
      this.bytes = bytes;
    }

    @Override
    public void request(long n) {
      if (!done.compareAndSet(false, true)) {
        return;
      }
      if (n <= 0) {
        subscriber.onError(new IllegalArgumentException("request must be positive, was " + n));
        return;
      }
      if (bytes.length > 0) {
        subscriber.onNext(List.of(ByteBuffer.wrap(bytes.clone()))); // the handler may keep it
      }
      subscriber.onComplete();
    }

    @Override
    public void cancel() {
      done.set(true);
    }
  }

  @Override
  public int statusCode() {
    return statusCode;
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
    return headers;
  }

  @Override
  public T body() {
    return body;
  }

  @Override
  public Optional<SSLSession> sslSession() {
    return sslSession;
  }

  @Override
  public URI uri() {
    return uri;
  }

  @Override
  public HttpClient.Version version() {
    return version;
  }

  @Override
  public String toString() {
    return "(" + request.method() + " " + uri + ") " + statusCode;
  }
}
