package dev.bulwark.ratelimit;

import dev.bulwark.internal.Check;
import dev.bulwark.policy.RejectedException;
import java.time.Duration;

/**
 * A server refused a call because it is overloaded or rate limiting us (HTTP {@code 429 Too Many
 * Requests} or {@code 503 Service Unavailable}), and asked us to wait {@link #retryAfter()} before
 * trying again. Thrown by the code that makes the call (the HTTP module, or a caller's own client)
 * with the delay from {@link RetryAfter#forResponse}; a retry can wait exactly that delay, and a
 * {@link RateLimiter} configured with {@link RateLimiterConfig#holdOnServerBusy()} holds back all
 * its callers until then.
 *
 * {@snippet :
 * HttpResponse<String> response = client.send(request, BodyHandlers.ofString());
 * String header = response.headers().firstValue("Retry-After").orElse(null);
 * Optional<Duration> pause = retryAfter.forResponse(response.statusCode(), header);
 * if (pause.isPresent()) {
 *   throw new ServerBusyException("api.example.com", response.statusCode(), pause.get());
 * }
 * }
 *
 * <p>Thread-safe (immutable once thrown).
 */
public class ServerBusyException extends RejectedException {
  private static final long serialVersionUID = 1L;

  private final int status;

  /**
   * The server {@code serverName} (a host, or the name of the client calling it) answered with
   * {@code status} and asked for {@code retryAfter}.
   *
   * @throws NullPointerException if {@code serverName} or {@code retryAfter} is null
   * @throws IllegalArgumentException if {@code retryAfter} is negative
   */
  public ServerBusyException(String serverName, int status, Duration retryAfter) {
    super(
        Check.notNull("serverName", serverName),
        serverName + ": server busy (HTTP " + status + "); it asks to retry after " + retryAfter,
        Check.nonNegative("retryAfter", retryAfter).toNanos());
    this.status = status;
  }

  /** The HTTP status the server answered with, usually 429 or 503. */
  public int status() {
    return status;
  }
}
