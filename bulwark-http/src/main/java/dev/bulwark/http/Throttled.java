package dev.bulwark.http;

import dev.bulwark.policy.RejectedException;
import dev.bulwark.ratelimit.ServerBusyException;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A 429 Too Many Requests; see {@link FailedResponse}. A rejection, so a breaker does not count it;
 * with a Retry-After, a {@link ServerBusyException} for the server's delay is its cause, and a
 * retry waits that delay.
 */
final class Throttled extends RejectedException implements FailedResponse {
  private static final long serialVersionUID = 1L;

  private final transient HttpResponse<Object> response;
  private final @Nullable Duration serverDelay;

  Throttled(String route, HttpResponse<Object> response, @Nullable Duration serverDelay) {
    super(
        route,
        response.request().method() + " " + response.uri() + " answered 429 Too Many Requests",
        -1,
        serverDelay == null ? null : new ServerBusyException(route, 429, serverDelay));
    this.response = response;
    this.serverDelay = serverDelay;
  }

  @Override
  public HttpResponse<Object> response() {
    return response;
  }

  @Override
  public @Nullable Duration serverDelay() {
    return serverDelay;
  }
}
