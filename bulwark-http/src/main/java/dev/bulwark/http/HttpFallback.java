package dev.bulwark.http;

import java.net.http.HttpRequest;
import java.util.Optional;

/**
 * What a {@link ResilientHttpClient} answers instead of a failure: a cached copy, a last known
 * value, a default. Asked when a call ends in an {@link HttpCallException}, or with a server error
 * status (5xx, 408, 425 or 429) once the retries are spent; the {@code failure} describes either.
 * The response it gives goes through the caller's own {@code BodyHandler}, so it reaches the caller
 * as any other response would.
 *
 * <pre>{@code
 * HttpFallback lastKnown = (request, failure) ->
 *     cache.get(request.uri()).map(body -> FallbackResponse.of(200, body));
 * }</pre>
 *
 * <p>Implementations must be thread-safe; one that throws fails the call with what it threw.
 */
@FunctionalInterface
public interface HttpFallback {

  /**
   * A response to give the caller of {@code request} instead of {@code failure}, or empty to let
   * the failure (or the server's error response) stand.
   */
  Optional<FallbackResponse> recover(HttpRequest request, HttpCallException failure);
}
