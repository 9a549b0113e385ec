package dev.bulwark.demo;

import dev.bulwark.Resilience;
import dev.bulwark.cache.CacheConfig;
import dev.bulwark.cache.CacheStats;
import dev.bulwark.cache.Codec;
import dev.bulwark.cache.RedisLevel;
import dev.bulwark.cache.ResilientCache;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerOpenException;
import dev.bulwark.fallback.Aged;
import dev.bulwark.http.FallbackResponse;
import dev.bulwark.http.HttpCallException;
import dev.bulwark.http.ResilientHttpClient;
import dev.bulwark.ratelimit.RateLimitedException;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.time.Clock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The protected client: every request goes through a {@link ResilientHttpClient}; when a call fails
 * (the breaker is open, the server asked callers to hold back, or the attempts ran out), its
 * fallback answers with the last known good body for the item, marked {@value
 * FallbackResponse#HEADER}, if there is one.
 *
 * <p>Thread-safe.
 */
public final class GuardedClient implements InventoryClient, AutoCloseable {
  private final CountingHttpClient wire;
  private final ResilientHttpClient client;
  private final ResilientCache<String, String> lastKnown;
  private final LongAdder heldBack = new LongAdder();
  private final LongAdder refused = new LongAdder();

  /**
   * A client of the service at {@code service} with {@code protection}'s settings, keeping its last
   * known good answers in a process-only cache.
   */
  GuardedClient(URI service, Resilience resilience, Protection protection) {
    this(service, resilience, protection, lastKnownCache(resilience.clock(), null));
  }

  /**
   * A client of the service at {@code service} with {@code protection}'s settings, keeping its last
   * known good answers in {@code lastKnown}.
   */
  GuardedClient(
      URI service,
      Resilience resilience,
      Protection protection,
      ResilientCache<String, String> lastKnown) {
    this.lastKnown = lastKnown;
    this.wire = new CountingHttpClient(Protection.plainHttpClient());
    this.client = protection.client(service, resilience, wire, this::recover);
  }

  /**
   * The cache of last known good bodies: fresh for 5 s, kept 10 min more for failures, 1 s in the
   * process when {@code redis} (may be null) holds the shared copy.
   */
  static ResilientCache<String, String> lastKnownCache(Clock clock, @Nullable RedisLevel redis) {
    ResilientCache.Builder<String, String> builder =
        ResilientCache.<String, String>builder("inventory-last-known", Codec.string())
            .config(
                CacheConfig.builder()
                    .ttl(Duration.ofSeconds(5))
                    .localTtl(Duration.ofSeconds(1))
                    .staleIfError(Duration.ofMinutes(10))
                    .build())
            .clock(clock);
    if (redis != null) {
      builder.redis(redis);
    }
    return builder.build();
  }

  @Override
  public Answer fetch(String sku) {
    try {
      HttpResponse<String> response =
          client.send(request(sku), HttpResponse.BodyHandlers.ofString());
      if (response.headers().firstValue(FallbackResponse.HEADER).isPresent()) {
        return Answer.FALLBACK;
      }
      if (response.statusCode() == 200) {
        lastKnown.put(sku, response.body());
        return Answer.FRESH;
      }
      return Answer.FAILED; // an error status, and nothing known to fall back on
    } catch (IOException e) {
      return Answer.FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Answer.FAILED;
    }
  }

  /** Counts why the call failed, then answers with the item's last known good body, if any. */
  private Optional<FallbackResponse> recover(HttpRequest request, HttpCallException failure) {
    Throwable cause = failure.getCause();
    if (cause instanceof CircuitBreakerOpenException) {
      refused.increment();
    } else if (cause instanceof RateLimitedException) {
      heldBack.increment(); // the host's limiter is holding callers back for the server
    }
    String path = request.uri().getPath();
    String sku = path.substring(path.lastIndexOf('/') + 1);
    Aged<String> known = lastKnown.lastKnown(sku);
    return known == null ? Optional.empty() : Optional.of(FallbackResponse.of(200, known.value()));
  }

  private HttpRequest request(String sku) {
    return client.request("stock/" + sku).GET().build();
  }

  /** The service's circuit breaker, named {@code 127.0.0.1:<port>}, to listen to it. */
  public CircuitBreaker breaker() {
    return client.circuitBreaker(request("any"));
  }

  /** The service's rate limiter, which holds callers back when the service asks. */
  public RateLimiter limiter() {
    return client.rateLimiter(request("any"));
  }

  /** What the client counted on its side of the wire, for the report. */
  public ClientCounts counts() {
    return new ClientCounts(wire.cancelled(), heldBack.sum(), refused.sum());
  }

  /** The JDK client below the policies, to warm its connections up. */
  HttpClient wire() {
    return wire.delegate();
  }

  /** The last-known-good cache's counters, for the report. */
  public CacheStats cacheStats() {
    return lastKnown.stats();
  }

  /** Attempts sent to the service, retries included. */
  public long attempts() {
    return wire.sent();
  }

  @Override
  public void close() {
    client.close();
    lastKnown.close();
    Closing.close(wire.delegate());
  }
}
