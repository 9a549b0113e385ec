package dev.bulwark.spring;

import dev.bulwark.http.ResilientHttpClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Sends the requests of a {@code RestClient} or {@code RestTemplate} through bulwark-http's {@link
 * ResilientHttpClient}, so they follow its rules: a rate limiter, circuit breaker, timeout and
 * retry per host, kept in the application's registry under the host's name; only idempotent
 * requests (or those with an {@code Idempotency-Key}) retried on a failure the server may have
 * seen; {@code Retry-After} obeyed; 4xx never counted against the host. See {@link
 * ResilientHttpClient} for every rule.
 *
 * <p>It ends the chain: the request is sent by the resilient client, not by the {@code
 * RestClient}'s request factory, and interceptors added after it do not run. Add it last: {@code
 * RestClient.builder().requestInterceptor(interceptor)}. Bodies are held in memory, both ways.
 *
 * <p>Thread-safe.
 */
public final class BulwarkHttpInterceptor implements ClientHttpRequestInterceptor {
  /** Headers the JDK client sets itself and refuses from callers. */
  private static final Set<String> RESTRICTED =
      Set.of("connection", "content-length", "expect", "host", "upgrade");

  private final Supplier<ResilientHttpClient> clientSource;
  private volatile @Nullable ResilientHttpClient client;

  /** An interceptor sending through {@code client}. */
  public BulwarkHttpInterceptor(ResilientHttpClient client) {
    Objects.requireNonNull(client, "client");
    this.clientSource = () -> client;
    this.client = client;
  }

  /**
   * An interceptor sending through the client {@code source} gives on the first request: the JDK
   * client's start (its selector thread, TLS set-up) is then not paid at application start.
   */
  BulwarkHttpInterceptor(Supplier<ResilientHttpClient> source) {
    this.clientSource = Objects.requireNonNull(source, "source");
  }

  /** The client requests are sent through. */
  public ResilientHttpClient client() {
    ResilientHttpClient c = client;
    if (c == null) { // racing first requests get the same client: the source is a singleton bean
      c = Objects.requireNonNull(clientSource.get(), "the client source gave null");
      client = c;
    }
    return c;
  }

  /**
   * Sends {@code request} through the resilient client; {@code execution} is not used.
   *
   * @throws IOException an {@code HttpCallException} naming the host and the policy, if the call
   *     ends without a response (an open breaker, retries exhausted, a timeout)
   */
  @Override
  public ClientHttpResponse intercept(
      HttpRequest request, byte[] body, ClientHttpRequestExecution execution) throws IOException {
    java.net.http.HttpRequest.Builder out =
        java.net.http.HttpRequest.newBuilder(request.getURI())
            .method(
                request.getMethod().name(),
                body.length == 0
                    ? java.net.http.HttpRequest.BodyPublishers.noBody()
                    : java.net.http.HttpRequest.BodyPublishers.ofByteArray(body));
    request
        .getHeaders()
        .forEach(
            (name, values) -> {
              if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> out.header(name, value));
              }
            });
    try {
      return new Response(client().send(out.build(), HttpResponse.BodyHandlers.ofByteArray()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted =
          new InterruptedIOException("interrupted while calling " + request.getURI());
      interrupted.initCause(e);
      throw interrupted;
    }
  }

  /** A JDK response as Spring's. */
  private static final class Response implements ClientHttpResponse {
    private final HttpResponse<byte[]> response;
    private final HttpHeaders headers = new HttpHeaders();

    Response(HttpResponse<byte[]> response) {
      this.response = response;
      for (Map.Entry<String, List<String>> e : response.headers().map().entrySet()) {
        headers.addAll(e.getKey(), e.getValue());
      }
    }

    @Override
    public HttpStatusCode getStatusCode() {
      return HttpStatusCode.valueOf(response.statusCode());
    }

    @Override
    public String getStatusText() {
      return "";
    }

    @Override
    public HttpHeaders getHeaders() {
      return headers;
    }

    @Override
    public InputStream getBody() {
      byte[] body = response.body();
      return new ByteArrayInputStream(body == null ? new byte[0] : body);
    }

    @Override
    public void close() {}
  }
}
