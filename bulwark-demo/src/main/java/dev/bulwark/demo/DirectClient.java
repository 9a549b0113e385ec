package dev.bulwark.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

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

  /** A client of the service at {@code service} whose every request may take {@code timeout}. */
  public DirectClient(HttpClient http, URI service, Duration requestTimeout) {
    this.http = Objects.requireNonNull(http, "http");
    this.service = Objects.requireNonNull(service, "service");
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
  }

  @Override
  public Answer fetch(String sku) {
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
