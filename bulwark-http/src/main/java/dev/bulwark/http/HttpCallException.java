package dev.bulwark.http;

import dev.bulwark.policy.RejectedException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * A call through a {@link ResilientHttpClient} that ended without a response: the network failed on
 * every attempt, a policy refused or cut the call, or the attempts ran out. It says what a caller
 * needs to act: which request and {@link #route() host}, which {@link #policyName() policy} stopped
 * it (empty when the network did), how many {@link #attempts() attempts} were made, the {@link
 * #lastStatus() last status} seen and, when known, {@link #retryAfter() when to try again}. The
 * {@linkplain #getCause() cause} is the failure itself: a {@code ConnectException}, a {@code
 * CircuitBreakerOpenException}, a {@code TimeoutExceededException}, and so on.
 *
 * <p>An {@link IOException}, as the JDK client's own failures are, so code written for {@code
 * HttpClient.send} handles it unchanged.
 *
 * <p>Thread-safe (immutable once thrown).
 */
public class HttpCallException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String method;
  private final URI uri;
  private final String route;
  private final @Nullable String policyName; // null: the network or the server, not a policy
  private final int attempts;
  private final int lastStatus; // -1: no response was seen
  private final long retryAfterNanos; // -1: not known

  HttpCallException(
      String method,
      URI uri,
      String route,
      @Nullable String policyName,
      int attempts,
      int lastStatus,
      Throwable failure,
      @Nullable Duration serverRetryAfter) {
    this(method, uri, route, policyName, attempts, lastStatus, failure, serverRetryAfter, null);
  }

  /** As above, {@code why} (if not null) saying why the call stopped instead of the failure. */
  HttpCallException(
      String method,
      URI uri,
      String route,
      @Nullable String policyName,
      int attempts,
      int lastStatus,
      Throwable failure,
      @Nullable Duration serverRetryAfter,
      @Nullable String why) {
    super(message(method, uri, attempts, lastStatus, failure, why), failure);
    this.method = method;
    this.uri = uri;
    this.route = route;
    this.policyName = policyName;
    this.attempts = attempts;
    this.lastStatus = lastStatus;
    long hint = -1;
    if (failure instanceof RejectedException) {
      hint = ((RejectedException) failure).retryAfterNanos();
    }
    if (hint < 0 && serverRetryAfter != null) {
      hint = serverRetryAfter.toNanos();
    }
    this.retryAfterNanos = hint;
  }

  private static String message(
      String method,
      URI uri,
      int attempts,
      int lastStatus,
      Throwable failure,
      @Nullable String reason) {
    StringBuilder m = new StringBuilder(method).append(' ').append(uri);
    if (attempts == 0) {
      m.append(" was not sent");
    } else {
      m.append(" failed after ").append(attempts).append(attempts == 1 ? " attempt" : " attempts");
    }
    if (lastStatus >= 0) {
      m.append(" (last status ").append(lastStatus).append(')');
    }
    String why = reason != null ? reason : failure == null ? null : failure.getMessage();
    m.append(": ").append(why == null ? String.valueOf(failure) : why);
    return m.toString();
  }

  /** The request's method, such as {@code GET}. */
  public String method() {
    return method;
  }

  /** The request's URI. */
  public URI uri() {
    return uri;
  }

  /**
   * The name the client keeps the host's policies under: by default {@code host:port}, or the route
   * the client's {@code route} function gave the request. The host's circuit breaker and rate
   * limiter carry this name in the registry.
   */
  public String route() {
    return route;
  }

  /**
   * The policy that refused, cut or gave up on the call (a circuit breaker, rate limiter, timeout
   * or retry, by its name); empty when the call failed on its own (the network, or the server's
   * answer after a single attempt).
   */
  public Optional<String> policyName() {
    return Optional.ofNullable(policyName);
  }

  /** Attempts sent to the server, counting the first and any hedges; 0 if none was sent. */
  public int attempts() {
    return attempts;
  }

  /** The HTTP status of the last response received, if any was. */
  public OptionalInt lastStatus() {
    return lastStatus < 0 ? OptionalInt.empty() : OptionalInt.of(lastStatus);
  }

  /**
   * When a new call may succeed, if a policy or the server said: the time left on an open breaker
   * or a rate limiter's hold, or the server's {@code Retry-After} (as read, within {@code
   * RetryAfterConfig.maxDelay()}), also when it asked for longer than the call had left.
   */
  public Optional<Duration> retryAfter() {
    return retryAfterNanos < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(retryAfterNanos));
  }
}
