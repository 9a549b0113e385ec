package dev.bulwark.demo;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.time.Clock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The unprotected client: a plain {@link HttpClient}; every request goes straight to the service,
 * with a per-request timeout, and anything but a 200 (a 5xx, a 429, a timeout, a broken connection)
 * reaches the user as an error.
 *
 * <p>Thread-safe.
 */
public final class DirectClient implements InventoryClient {

  private final HttpClient http;
  private final URI service;
  private final Duration requestTimeout;
  private final LongAdder timedOut = new LongAdder();
  private volatile @Nullable Observer observer;

  /** Where the answers are reported for the dashboard: a disabled breaker and its clock. */
  private static final class Observer {
    final CircuitBreaker breaker;
    final Clock clock;

    Observer(CircuitBreaker breaker, Clock clock) {
      this.breaker = breaker;
      this.clock = clock;
    }
  }

  /** A client of the service at {@code service} whose every request may take {@code timeout}. */
  public DirectClient(HttpClient http, URI service, Duration requestTimeout) {
    this.http = Objects.requireNonNull(http, "http");
    this.service = Objects.requireNonNull(service, "service");
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
  }

  /**
   * Reports every answer from now on to {@code breaker}, timed on {@code clock}, so that a
   * dashboard shows this side too. Give it a {@linkplain CircuitBreaker#disable() disabled}
   * breaker: it counts outcomes and never refuses a call, so the client stays unprotected.
   */
  public void observe(CircuitBreaker breaker, Clock clock) {
    this.observer =
        new Observer(
            Objects.requireNonNull(breaker, "breaker"), Objects.requireNonNull(clock, "clock"));
  }

  @Override
  public Answer fetch(String sku) {
    Observer watching = observer;
    if (watching == null || !watching.breaker.tryAcquirePermission()) {
      return send(sku);
    }
    long start = watching.clock.nanoTime();
    Answer answer = send(sku);
    long took = watching.clock.nanoTime() - start;
    if (answer == Answer.FRESH) {
      watching.breaker.onSuccess(took);
    } else {
      watching.breaker.onError(took, new IOException("the unprotected side's user got an error"));
    }
    return answer;
  }

  private Answer send(String sku) {
    HttpRequest request =
        HttpRequest.newBuilder(service.resolve("stock/" + sku)).timeout(requestTimeout).build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Answer.FRESH : Answer.FAILED;
    } catch (HttpTimeoutException e) {
      timedOut.increment();
      return Answer.FAILED;
    } catch (IOException e) {
      return Answer.FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Answer.FAILED;
    }
  }

  /** What the client counted on its side of the wire, for the report. */
  public ClientCounts counts() {
    return new ClientCounts(timedOut.sum(), -1, -1);
  }
}
