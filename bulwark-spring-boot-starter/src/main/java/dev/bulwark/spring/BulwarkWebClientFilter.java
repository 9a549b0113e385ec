package dev.bulwark.spring;

import dev.bulwark.http.ResilientHttpClient;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.ExchangeStrategies;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Sends the requests of a {@code WebClient} through bulwark-http's {@link ResilientHttpClient}, so
 * they follow the same rules as {@link BulwarkHttpInterceptor}'s: a rate limiter, circuit breaker,
 * timeout and retry per host, kept in the application's registry under the host's name; only
 * idempotent requests (or those with an {@code Idempotency-Key}) retried on a failure the server
 * may have seen; {@code Retry-After} obeyed; 4xx never counted against the host. See {@link
 * ResilientHttpClient} for every rule.
 *
 * <p>It ends the chain: the request is sent by the resilient client's asynchronous mode, not by the
 * {@code WebClient}'s connector, and filters added after it do not run. Add it last: {@code
 * WebClient.builder().filter(filter)}. The request runs when the response is subscribed; cancelling
 * the subscription cancels the call through every policy. Bodies are held in memory, both ways: not
 * for streaming responses.
 *
 * <p>Thread-safe.
 */
public final class BulwarkWebClientFilter implements ExchangeFilterFunction {
  /** Headers the JDK client sets itself and refuses from callers. */
  private static final Set<String> RESTRICTED =
      Set.of("connection", "content-length", "expect", "host", "upgrade");

  private final Supplier<ResilientHttpClient> clientSource;
  private final ExchangeStrategies strategies;
  private volatile @Nullable ResilientHttpClient client;

  /** A filter sending through {@code client}, with WebFlux's default codecs. */
  public BulwarkWebClientFilter(ResilientHttpClient client) {
    Objects.requireNonNull(client, "client");
    this.clientSource = () -> client;
    this.client = client;
    this.strategies = ExchangeStrategies.withDefaults();
  }

  /** A filter sending through the client {@code source} gives on the first request. */
  BulwarkWebClientFilter(Supplier<ResilientHttpClient> source) {
    this.clientSource = Objects.requireNonNull(source, "source");
    this.strategies = ExchangeStrategies.withDefaults();
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
   * Sends {@code request} through the resilient client; {@code next} is not used. The response
   * fails with an {@code HttpCallException} naming the host and the policy if the call ends without
   * a response (an open breaker, retries exhausted, a timeout).
   */
  @Override
  public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
    return Mono.defer(
        () -> {
          Captured captured = new Captured(request.method(), request.url());
          return request.writeTo(captured, strategies).then(Mono.defer(() -> send(captured)));
        });
  }

  private Mono<ClientResponse> send(Captured captured) {
    byte[] body = captured.body();
    java.net.http.HttpRequest.Builder out =
        java.net.http.HttpRequest.newBuilder(captured.getURI())
            .method(
                captured.getMethod().name(),
                body.length == 0
                    ? java.net.http.HttpRequest.BodyPublishers.noBody()
                    : java.net.http.HttpRequest.BodyPublishers.ofByteArray(body));
    captured
        .getHeaders()
        .forEach(
            (name, values) -> {
              if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> out.header(name, value));
              }
            });
    if (!captured.getCookies().isEmpty()) {
      StringBuilder cookies = new StringBuilder();
      captured
          .getCookies()
          .values()
          .forEach(
              list ->
                  list.forEach(
                      c ->
                          cookies
                              .append(cookies.length() == 0 ? "" : "; ")
                              .append(c.getName())
                              .append('=')
                              .append(c.getValue())));
      out.header(HttpHeaders.COOKIE, cookies.toString());
    }
    return Mono.fromFuture(
            () -> client().sendAsync(out.build(), HttpResponse.BodyHandlers.ofByteArray()))
        .map(this::response);
  }

  private ClientResponse response(HttpResponse<byte[]> response) {
    byte[] body = response.body();
    ClientResponse.Builder built =
        ClientResponse.create(HttpStatusCode.valueOf(response.statusCode()), strategies)
            .headers(
                headers -> {
                  for (Map.Entry<String, List<String>> e : response.headers().map().entrySet()) {
                    if (!e.getKey().startsWith(":")) { // HTTP/2 pseudo-headers
                      headers.addAll(e.getKey(), e.getValue());
                    }
                  }
                })
            .request(new SentRequest(response.request().method(), response.uri()));
    return body == null || body.length == 0
        ? built.build()
        : built.body(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body))).build();
  }

  /** The request as the WebClient wrote it: headers, cookies and body bytes, held. */
  private static final class Captured implements ClientHttpRequest {
    private final HttpMethod method;
    private final URI uri;
    private final HttpHeaders headers = new HttpHeaders();
    private final MultiValueMap<String, HttpCookie> cookies = new LinkedMultiValueMap<>();
    private final Map<String, Object> attributes = new HashMap<>();
    private volatile byte[] body = new byte[0];
    private volatile boolean committed;

    Captured(HttpMethod method, URI uri) {
      this.method = method;
      this.uri = uri;
    }

    byte[] body() {
      return body;
    }

    @Override
    public HttpMethod getMethod() {
      return method;
    }

    @Override
    public URI getURI() {
      return uri;
    }

    @Override
    public Map<String, Object> getAttributes() {
      return attributes;
    }

    @Override
    public HttpHeaders getHeaders() {
      return headers;
    }

    @Override
    public MultiValueMap<String, HttpCookie> getCookies() {
      return cookies;
    }

    @Override
    public <T> T getNativeRequest() {
      throw new UnsupportedOperationException("a request held for bulwark-http has no native one");
    }

    @Override
    public DataBufferFactory bufferFactory() {
      return DefaultDataBufferFactory.sharedInstance;
    }

    @Override
    public void beforeCommit(Supplier<? extends Mono<Void>> action) {
      // nothing is committed here: the request is sent later, by the resilient client
    }

    @Override
    public boolean isCommitted() {
      return committed;
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
      return DataBufferUtils.join(body)
          .doOnNext(
              joined -> {
                byte[] bytes = new byte[joined.readableByteCount()];
                joined.read(bytes);
                DataBufferUtils.release(joined);
                this.body = bytes;
              })
          .then(setComplete());
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
      return writeWith(Flux.from(body).flatMap(p -> p));
    }

    @Override
    public Mono<Void> setComplete() {
      return Mono.fromRunnable(() -> committed = true);
    }
  }

  /** The request a response answers, as the response's {@code request()}. */
  private record SentRequest(String method, URI uri)
      implements org.springframework.http.HttpRequest {
    @Override
    public HttpMethod getMethod() {
      return HttpMethod.valueOf(method);
    }

    @Override
    public URI getURI() {
      return uri;
    }

    @Override
    public Map<String, Object> getAttributes() {
      return Map.of();
    }

    @Override
    public HttpHeaders getHeaders() {
      return HttpHeaders.EMPTY;
    }
  }
}
