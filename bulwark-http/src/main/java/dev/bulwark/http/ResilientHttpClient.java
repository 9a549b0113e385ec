package dev.bulwark.http;

import dev.bulwark.Resilience;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.hedge.Hedge;
import dev.bulwark.hedge.HedgeConfig;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.ratelimit.RetryAfter;
import dev.bulwark.ratelimit.RetryAfterConfig;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.timeout.Timeout;
import dev.bulwark.timeout.TimeoutConfig;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;

/**
 * An {@link HttpClient} that keeps its caller healthy when the servers it calls are not: it is a
 * {@code java.net.http.HttpClient} (same {@code send} and {@code sendAsync}, any {@code
 * BodyHandler}), with the right behaviour by default.
 *
 * <pre>{@code
 * ResilientHttpClient client = ResilientHttpClient.builder()
 *     .baseUri(URI.create("https://api.example.com/"))
 *     .build();
 * HttpResponse<String> stock = client.send(client.request("/stock/42").build(), BodyHandlers.ofString());
 * }</pre>
 *
 * <p><b>What a call goes through.</b> Each host (by default {@code host:port}; see {@link
 * Builder#route}) has one pipeline, built on its first call and kept: the host's rate limiter, then
 * its circuit breaker, then a total {@link Builder#timeout timeout}, then a retry with jittered
 * exponential backoff whose every attempt has its own {@link Builder#attemptTimeout timeout}, then,
 * if {@link Builder#hedge hedging} is on and the request is repeatable, a hedge that starts another
 * attempt when the first is slow and takes whichever answers first. The limiter, breaker, timeout,
 * retry and hedge are kept in a {@link Resilience} registry under the host's name, so they show in
 * its listings, health and admin operations, and a config the registry declares under that name (in
 * code, or by a per-name setting such as {@code BULWARK_RETRY_<NAME>_MAX_ATTEMPTS}) wins over the
 * builder's; the HTTP rules below always apply on top of it. The breaker counts one outcome per
 * call, judged by the failure that happened (a retried 503 counts as a 503, a retried 429 not at
 * all), never by the retry's wrapper.
 *
 * <p><b>What is retried.</b> Only what is safe and likely to pass next time. A request is
 * repeatable if its method is idempotent (GET, HEAD, OPTIONS, PUT, DELETE, TRACE), if it carries an
 * {@code Idempotency-Key} header, or if {@link Builder#retryNonIdempotent} says so. A repeatable
 * request is retried on a connection failure, a timeout, any other I/O failure except a TLS
 * handshake one, and the statuses 408, 425, 429, 500, 502, 503 and 504 ({@link
 * Builder#retryOnStatus}). Any other request is retried only when the connection could not be made,
 * since the server cannot have seen it. 401 and 403 are never retried, and no 4xx counts against
 * the host's breaker: they reach the caller as they are, like every status the JDK client returns.
 *
 * <p><b>Retry-After.</b> A 429 or 503 with {@code Retry-After} (seconds or an HTTP date, read with
 * {@link Builder#retryAfter}: capped at 300 s by default, a date in the past meaning now) makes the
 * retry wait exactly that long instead of its backoff, and holds back every other caller of the
 * host's limiter until then, but never longer than the call's {@link Builder#timeout timeout}: they
 * fail at once with {@link HttpCallException#retryAfter()} set, or wait if the limiter's {@link
 * RateLimiterConfig#maxWait() maxWait} allows. A hold is bounded by the timeout, not by the 300 s
 * cap, because holding longer only refuses callers whom a new request might serve, and so that one
 * odd header cannot take a host away for minutes; while the server keeps asking for more, it gets
 * about one request per timeout. When the server asks for more than the call has left, the call
 * fails at once with an {@link HttpCallException} whose message and {@code retryAfter()} say what
 * the server asked, instead of sleeping into its timeout.
 *
 * <p><b>Bodies.</b> An error response (5xx, 408, 425, 429) is read, keeping at most {@link
 * Builder#maxErrorBodyBytes} of it, whether it is retried or not: to its end when it ends within 1
 * MiB (or {@code maxErrorBodyBytes} if larger), so its connection goes back to the pool; past that
 * the body is abandoned and its connection closed, so an endless error body costs a connection, not
 * memory or time. If it is the last answer, the caller gets it with its kept body, through the
 * caller's {@code BodyHandler}, as from the JDK client. Every other response goes straight to the
 * caller's handler, untouched.
 *
 * <p><b>Attempts.</b> The JDK client itself resends a GET or HEAD once, on a new connection, when
 * its connection closes or resets before any byte of the answer; it offers no per-client switch
 * (only the process-wide system properties of {@code jdk.internal.net.http.MultiExchange}), so this
 * client leaves it on and counts such a resend as an attempt: {@link HttpCallException#attempts()}
 * is what the server received.
 *
 * <p><b>Failures.</b> A call that ends without a response fails with an {@link HttpCallException}
 * (an {@code IOException}) naming the request, the host, the policy that stopped it, the attempts
 * made and the last status seen; the original failure is its cause. An exception thrown by the
 * caller's own handler is not wrapped. A {@link Builder#fallback fallback} may answer instead.
 *
 * <p><b>Cancellation.</b> Cancelling the future of {@code sendAsync}, or interrupting a thread
 * blocked in {@code send}, aborts every attempt still on the wire, and starts no other.
 *
 * <p>Thread-safe.
 */
public final class ResilientHttpClient extends HttpClient implements AutoCloseable {
  private final HttpClient delegate;
  private final boolean ownsDelegate;
  private final @Nullable URI baseUri;
  private final Resilience resilience;
  private final Function<HttpRequest, String> route;
  private final @Nullable CircuitBreakerConfig
      breakerConfig; // null: the registry's config for the host
  private final RateLimiterConfig limiterConfig;
  private final RetryConfig retryConfig;
  private final TimeoutConfig timeoutConfig;
  private final HttpRules rules;
  private final @Nullable HttpFallback fallback;
  private final @Nullable HedgeConfig hedgeConfig; // null: no hedging
  private final Executor completionExecutor;
  private final ConcurrentHashMap<String, HostPolicies> hosts = new ConcurrentHashMap<>();
  // How often a host's policies are checked against the registry: 1 s, or a quarter of the
  // registry's idle eviction if that is shorter, so an active host is never evicted as idle.
  private final long checkNanos;

  private ResilientHttpClient(Builder b) {
    this.ownsDelegate = b.httpClient == null;
    this.delegate =
        b.httpClient != null
            ? b.httpClient
            : HttpClient.newBuilder()
                .connectTimeout(b.connectTimeout)
                .followRedirects(Redirect.NORMAL)
                .build();
    this.completionExecutor = delegate.executor().orElse(ForkJoinPool.commonPool());

    this.baseUri = b.baseUri;
    this.resilience = b.resilience != null ? b.resilience : Resilience.ofDefaults();
    this.checkNanos =
        Math.min(
            Duration.ofSeconds(1).toNanos(),
            resilience.idleEviction().map(Duration::toNanos).orElse(Long.MAX_VALUE) / 4);
    this.route = b.route;
    this.breakerConfig = b.circuitBreaker;
    this.limiterConfig = b.rateLimit != null ? b.rateLimit : HOLDS_ONLY;
    this.retryConfig = b.retry.toBuilder().attemptTimeout(b.attemptTimeout).build();
    this.timeoutConfig = TimeoutConfig.builder().timeout(b.timeout).build();
    this.rules =
        new HttpRules(
            b.retryOnStatus,
            b.retryNonIdempotent,
            RetryAfter.of(b.retryAfter, resilience.clock()),
            b.maxErrorBodyBytes);
    this.fallback = b.fallback;
    this.hedgeConfig = b.hedge;
  }

  /** A limiter that never limits: it is there to hold callers back when a server asks. */
  private static final RateLimiterConfig HOLDS_ONLY =
      RateLimiterConfig.builder().limit(1_000_000_000).period(Duration.ofSeconds(1)).build();

  /**
   * A builder with every default: no base URI, a JDK client of its own, a registry of its own.
   *
   * <p>Thread-safe.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A client for {@code baseUri}, with every other default.
   *
   * <p>Thread-safe.
   *
   * @throws NullPointerException if {@code baseUri} is null
   */
  public static ResilientHttpClient of(URI baseUri) {
    return builder().baseUri(baseUri).build();
  }

  /**
   * A request builder for {@code path}, resolved against the {@link Builder#baseUri base URI}.
   *
   * <p>Thread-safe.
   *
   * @throws IllegalStateException if the client has no base URI
   * @throws IllegalArgumentException if {@code path} is not a valid URI reference
   */
  public HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(uri(path));
  }

  /**
   * {@code path} resolved against the {@link Builder#baseUri base URI}.
   *
   * <p>Thread-safe.
   *
   * @throws IllegalStateException if the client has no base URI
   * @throws IllegalArgumentException if {@code path} is not a valid URI reference
   */
  public URI uri(String path) {
    if (baseUri == null) {
      throw new IllegalStateException("no baseUri: set one on the builder, or build full URIs");
    }
    return baseUri.resolve(Check.notNull("path", path));
  }

  /** The base URI relative paths resolve against, if one was set. Thread-safe. */
  public Optional<URI> baseUri() {
    return Optional.ofNullable(baseUri);
  }

  /** The registry holding each host's limiter, breaker, timeout and retry. Thread-safe. */
  public Resilience resilience() {
    return resilience;
  }

  /**
   * The hedge that {@code request}, if repeatable, goes through: the registry's hedge named like
   * its host, present if {@link Builder#hedge} turned hedging on. Its {@link Hedge#statistics()
   * statistics} say how many hedges started and won.
   *
   * <p>Thread-safe.
   */
  public Optional<Hedge> hedge(HttpRequest request) {
    return Optional.ofNullable(host(routeOf(request)).hedge);
  }

  /**
   * The circuit breaker of {@code request}'s host, created on first use.
   *
   * <p>Thread-safe.
   */
  public CircuitBreaker circuitBreaker(HttpRequest request) {
    return host(routeOf(request)).breaker;
  }

  /**
   * The rate limiter of {@code request}'s host, created on first use; it holds callers back when
   * the server asks with {@code Retry-After}.
   *
   * <p>Thread-safe.
   */
  public RateLimiter rateLimiter(HttpRequest request) {
    return host(routeOf(request)).limiter;
  }

  /**
   * The retry of {@code request}'s host that the request would go through, created on first use:
   * the registry's retry named like the host for a repeatable request, else the one named {@code
   * "<host> (unrepeatable)"}, which retries only a connection that could not be made.
   *
   * <p>Thread-safe.
   */
  public Retry retry(HttpRequest request) {
    return host(routeOf(request)).retry(rules.repeatable(request));
  }

  /**
   * The timeout of the whole call for {@code request}'s host, created on first use.
   *
   * <p>Thread-safe.
   */
  public Timeout timeout(HttpRequest request) {
    return host(routeOf(request)).timeout;
  }

  /**
   * Sends {@code request} through the host's policies and waits for the answer, on this thread:
   * attempts use the wrapped client's {@code send}, retries wait on the scheduler, timeouts
   * interrupt this thread (which aborts the exchange), so a call costs no thread hand-off unless it
   * is hedged.
   *
   * @throws HttpCallException if the call ended without a response (see the class comment)
   * @throws InterruptedException if the thread was interrupted while waiting; every attempt still
   *     on the wire is then aborted
   */
  @Override
  public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> handler)
      throws IOException, InterruptedException {
    return new Exchange<>(
            this, Check.notNull("request", request), Check.notNull("handler", handler), null)
        .send();
  }

  /**
   * Sends {@code request} through the host's policies without blocking. The future completes with
   * the response, or exceptionally with an {@link HttpCallException}; cancelling it aborts every
   * attempt still on the wire.
   */
  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> handler) {
    return new Exchange<>(
            this, Check.notNull("request", request), Check.notNull("handler", handler), null)
        .start();
  }

  /**
   * As {@link #sendAsync(HttpRequest, BodyHandler)}, accepting HTTP/2 server pushes with {@code
   * pushes}; each attempt may receive pushes.
   */
  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> handler, PushPromiseHandler<T> pushes) {
    return new Exchange<>(
            this,
            Check.notNull("request", request),
            Check.notNull("handler", handler),
            Check.notNull("pushes", pushes))
        .start();
  }

  /**
   * Closes the JDK client this client built for itself (on Java 21 and later, where it can be
   * closed); a client passed to {@link Builder#httpClient} is left to its owner.
   */
  @Override
  public void close() {
    if (ownsDelegate && delegate instanceof AutoCloseable) {
      try {
        ((AutoCloseable) delegate).close();
      } catch (Exception e) {
        throw new IllegalStateException("closing the JDK HTTP client failed", e);
      }
    }
  }

  // ---- the JDK client's settings, as the wrapped client has them ----

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return delegate.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return delegate.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return delegate.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return delegate.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return delegate.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return delegate.authenticator();
  }

  @Override
  public Version version() {
    return delegate.version();
  }

  @Override
  public Optional<Executor> executor() {
    return delegate.executor();
  }

  /** The wrapped client's WebSocket builder; WebSockets are not protected by the policies. */
  @Override
  public WebSocket.Builder newWebSocketBuilder() {
    return delegate.newWebSocketBuilder();
  }

  @Override
  public String toString() {
    return "ResilientHttpClient[" + (baseUri == null ? "" : baseUri + ", ") + delegate + "]";
  }

  // ---- for Exchange ----

  HttpClient delegate() {
    return delegate;
  }

  HttpRules rules() {
    return rules;
  }

  @Nullable HttpFallback fallback() {
    return fallback;
  }

  /**
   * Where a failed asynchronous call is finished (its fallback asked, its error body replayed into
   * the caller's handler, the caller's callbacks run): the wrapped client's executor, else the
   * common pool, as the JDK client completes its own futures; never the scheduler's thread, which
   * every timer of the JVM's policies shares.
   */
  Executor completionExecutor() {
    return completionExecutor;
  }

  String routeOf(HttpRequest request) {
    return Check.name(route.apply(request));
  }

  /**
   * The policies of {@code route}, built on its first call and kept; built again if the registry
   * has since evicted and replaced one of them. At most every {@link #checkNanos}, a call asks the
   * registry for each policy (a lookup, which also keeps it from idle eviction) and compares; so a
   * policy the registry replaced is picked up within that time.
   */
  HostPolicies host(String route) {
    HostPolicies host = hosts.get(route);
    if (host != null) {
      long now = resilience.clock().nanoTime();
      if (now - host.checkedNanos < checkNanos) {
        return host; // checked a moment ago: one clock read, no lookups
      }
      if (isCurrent(host)) {
        host.checkedNanos = now; // a racing check writes about the same time: either will do
        return host;
      }
    }
    HostPolicies built = newHost(route);
    built.checkedNanos = resilience.clock().nanoTime();
    hosts.put(route, built); // a racing call may put its own: both hold the registry's instances
    if (hosts.size() > resilience.maxInstances()) { // routes the registry has let go of
      hosts
          .values()
          .removeIf(h -> resilience.find(CircuitBreaker.KIND, h.route).orElse(null) != h.breaker);
    }
    return built;
  }

  /** How many hosts' policies the client keeps now. */
  int hostsKept() {
    return hosts.size();
  }

  private boolean isCurrent(HostPolicies host) {
    String name = host.route;
    return limiterFor(name, host.limiter.config()) == host.limiter
        && breakerFor(name, host.breaker.config()) == host.breaker
        && timeoutFor(name, host.timeout.config()) == host.timeout
        && retryFor(name, host.retry.config()) == host.retry
        && retryFor(unrepeatableName(name), host.unrepeatableRetry.config())
            == host.unrepeatableRetry
        && (host.hedge == null || hedgeFor(name) == host.hedge);
  }

  private HostPolicies newHost(String route) {
    // A config the registry declares under the route's name wins over the builder's; the HTTP
    // rules (what is retried, the whole call's budget, aborting a cut exchange) go on top of
    // either.
    RetryConfig retry = resilience.config(Retry.KIND, route).orElse(retryConfig);
    if (retry.attemptTimeout().isEmpty()) {
      retry = retry.toBuilder().attemptTimeout(retryConfig.attemptTimeout().orElseThrow()).build();
    }
    TimeoutConfig timeout =
        resilience.config(Timeout.KIND, route).orElse(timeoutConfig).toBuilder()
            .cancelRunningFuture(true)
            .build();
    Duration budget = timeout.timeout(); // no wait that would outlast the whole call is begun
    if (retry.maxDuration().isEmpty() || retry.maxDuration().get().compareTo(budget) > 0) {
      retry = retry.toBuilder().maxDuration(budget).build();
    }
    RetryConfig repeatable = retry.toBuilder().retryOn().retryIf(rules::retriesRepeatable).build();
    RetryConfig unrepeatable =
        retry.toBuilder().retryOn().retryIf(HttpRules::retriesUnrepeatable).build();
    CircuitBreakerConfig breaker =
        breakerConfig == null || resilience.config(CircuitBreaker.KIND, route).isPresent()
            ? resilience.circuitBreaker(route).config() // the registry's for the route, or default
            : breakerConfig;
    RateLimiterConfig limiter = resilience.config(RateLimiter.KIND, route).orElse(limiterConfig);
    return new HostPolicies(
        route,
        limiterFor(route, limiter),
        breakerFor(route, breaker),
        timeoutFor(route, timeout),
        retryFor(route, repeatable),
        retryFor(unrepeatableName(route), unrepeatable),
        hedgeFor(route));
  }

  // One method per kind, so that each policy is obtained from the registry in one place.

  private RateLimiter limiterFor(String route, RateLimiterConfig config) {
    return resilience.get(RateLimiter.KIND, route, config);
  }

  private CircuitBreaker breakerFor(String route, CircuitBreakerConfig config) {
    return resilience.get(CircuitBreaker.KIND, route, config);
  }

  private Timeout timeoutFor(String route, TimeoutConfig config) {
    return resilience.get(Timeout.KIND, route, config);
  }

  private Retry retryFor(String name, RetryConfig config) {
    return resilience.get(Retry.KIND, name, config);
  }

  /** The registry's hedge for {@code route}, if hedging is on; a config declared for it wins. */
  private @Nullable Hedge hedgeFor(String route) {
    if (hedgeConfig == null) {
      return null;
    }
    return resilience.get(
        Hedge.KIND, route, resilience.config(Hedge.KIND, route).orElse(hedgeConfig));
  }

  /** The name of the retry that requests which are not repeatable go through. */
  private static String unrepeatableName(String route) {
    return route + " (unrepeatable)";
  }

  /** {@code host:port} of {@code uri}, the port made explicit. */
  static String hostAndPort(URI uri) {
    String host = uri.getHost();
    if (host == null) {
      return String.valueOf(uri.getAuthority());
    }
    int port = uri.getPort();
    if (port < 0) {
      port = "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
    return host.toLowerCase(Locale.ROOT) + ":" + port;
  }

  /**
   * How a {@link ResilientHttpClient} protects its calls; every setting has a default.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private @Nullable URI baseUri;
    private @Nullable HttpClient httpClient;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private @Nullable Resilience resilience;
    private Function<HttpRequest, String> route = request -> hostAndPort(request.uri());
    private @Nullable CircuitBreakerConfig circuitBreaker;
    private @Nullable RateLimiterConfig rateLimit;
    private RetryConfig retry = RetryConfig.ofDefaults();
    private Duration timeout = Duration.ofSeconds(30);
    private Duration attemptTimeout = Duration.ofSeconds(10);
    private int[] retryOnStatus = {408, 425, 429, 500, 502, 503, 504};
    private boolean retryNonIdempotent;
    private RetryAfterConfig retryAfter = RetryAfterConfig.ofDefaults();
    private int maxErrorBodyBytes = 64 * 1024;
    private @Nullable HttpFallback fallback;
    private @Nullable HedgeConfig hedge;

    private Builder() {}

    /**
     * The URI that {@link ResilientHttpClient#request(String)} resolves paths against. Default
     * none.
     *
     * @throws IllegalArgumentException if it is not absolute
     */
    public Builder baseUri(URI uri) {
      Check.notNull("baseUri", uri);
      if (!uri.isAbsolute()) {
        throw new IllegalArgumentException("baseUri must be absolute, was " + uri);
      }
      this.baseUri = uri;
      return this;
    }

    /**
     * The JDK client that sends the requests; the caller keeps owning it. Default: one of the
     * client's own, with a {@link #connectTimeout} and normal redirects.
     */
    public Builder httpClient(HttpClient client) {
      Check.notNull("httpClient", client);
      if (client instanceof ResilientHttpClient) {
        throw new IllegalArgumentException(
            "httpClient must be a plain JDK client: wrapping a ResilientHttpClient would retry"
                + " its retries");
      }
      this.httpClient = client;
      return this;
    }

    /**
     * How long the client's own JDK client waits to connect, positive. Default 10 s. Ignored when
     * an {@link #httpClient} is given.
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Check.positive("connectTimeout", timeout);
      return this;
    }

    /**
     * The registry that keeps each host's breaker and limiter, and whose clock and scheduler every
     * policy of the client uses. Default: a registry of the client's own, on the system clock.
     * Configs the registry declares under a host's name win over this builder's.
     */
    public Builder resilience(Resilience registry) {
      this.resilience = Check.notNull("resilience", registry);
      return this;
    }

    /**
     * The name a request's host policies are kept under. Default {@code host:port} of the request's
     * URI, so each host has its own breaker; return a route name (say {@code "payments"} for {@code
     * /payments/**}) for a breaker per route.
     */
    public Builder route(Function<HttpRequest, String> route) {
      this.route = Check.notNull("route", route);
      return this;
    }

    /**
     * The config of each host's circuit breaker. Default: the registry's config named like the
     * host, else the registry's default.
     */
    public Builder circuitBreaker(CircuitBreakerConfig config) {
      this.circuitBreaker = Check.notNull("circuitBreaker", config);
      return this;
    }

    /**
     * A client-side rate limit per host. Default none: each host's limiter only holds callers back
     * when the server sends {@code Retry-After}.
     */
    public Builder rateLimit(RateLimiterConfig config) {
      this.rateLimit = Check.notNull("rateLimit", config);
      return this;
    }

    /**
     * How many attempts, how far apart, within what budget: the config's attempts, backoff, time
     * budget, retry budget and server-delay settings apply. Which failures are retried is the
     * client's rule (see the class comment), {@link #attemptTimeout} sets the attempts' timeout
     * unless the config has one, and the time budget is at most the call's {@link #timeout}. A
     * retry config the registry declares under a host's name wins over this one, under the same
     * rules. Default {@link RetryConfig#ofDefaults()}: 3 attempts, exponential backoff from 100 ms
     * with full jitter.
     */
    public Builder retry(RetryConfig config) {
      this.retry = Check.notNull("retry", config);
      return this;
    }

    /**
     * How long a call may take in all, attempts and waits included; positive. Default 30 s. Also
     * the longest a server's {@code Retry-After} holds the host's other callers back. A timeout
     * config the registry declares under a host's name wins.
     */
    public Builder timeout(Duration total) {
      this.timeout = Check.positive("timeout", total);
      return this;
    }

    /** How long one attempt may take; positive. Default 10 s. */
    public Builder attemptTimeout(Duration timeout) {
      this.attemptTimeout = Check.positive("attemptTimeout", timeout);
      return this;
    }

    /**
     * The statuses a repeatable request is retried on, each in [400, 599]. Default 408, 425, 429,
     * 500, 502, 503, 504. 401 and 403 are never retried.
     *
     * @throws IllegalArgumentException if a status is outside [400, 599], or is 401 or 403
     */
    public Builder retryOnStatus(int... statuses) {
      Check.notNull("retryOnStatus", statuses);
      for (int status : statuses) {
        Check.inRange("retryOnStatus", status, 400, 599);
        if (status == 401 || status == 403) {
          throw new IllegalArgumentException(
              "retryOnStatus must not hold "
                  + status
                  + ": credentials do not get better by retrying");
        }
      }
      this.retryOnStatus = Arrays.copyOf(statuses, statuses.length);
      return this;
    }

    /**
     * Whether requests that are not idempotent (POST, PATCH, and so on) and carry no {@code
     * Idempotency-Key} are retried like idempotent ones. Default false: they are retried only when
     * the connection could not be made.
     */
    public Builder retryNonIdempotent(boolean retry) {
      this.retryNonIdempotent = retry;
      return this;
    }

    /**
     * How {@code Retry-After} is read and capped. Default {@link RetryAfterConfig#ofDefaults()}.
     */
    public Builder retryAfter(RetryAfterConfig config) {
      this.retryAfter = Check.notNull("retryAfter", config);
      return this;
    }

    /**
     * How much of an error response's body is kept for the caller, in [0, 16 MiB]; the rest is read
     * and dropped. Default 64 KiB.
     */
    public Builder maxErrorBodyBytes(int bytes) {
      this.maxErrorBodyBytes = Check.inRange("maxErrorBodyBytes", bytes, 0, 16 * 1024 * 1024);
      return this;
    }

    /**
     * Hedges repeatable requests (see the class comment): when an attempt has not answered after
     * the config's delay (fixed, or a percentile of recent latencies), another starts, the first
     * answer wins and the others are aborted, within the config's cap on extra load. Default off:
     * hedging spends the server's capacity to cut the caller's tail latency, a trade to choose.
     * Requests that are not repeatable are never hedged.
     */
    public Builder hedge(HedgeConfig config) {
      this.hedge = Check.notNull("hedge", config);
      return this;
    }

    /** What to answer instead of a failure. Default none. */
    public Builder fallback(HttpFallback fallback) {
      this.fallback = Check.notNull("fallback", fallback);
      return this;
    }

    /**
     * The client.
     *
     * @throws IllegalArgumentException if the attempt timeout is longer than the total timeout
     */
    public ResilientHttpClient build() {
      if (attemptTimeout.compareTo(timeout) > 0) {
        throw new IllegalArgumentException(
            "attemptTimeout must be at most timeout (" + timeout + "), was " + attemptTimeout);
      }
      return new ResilientHttpClient(this);
    }
  }
}
