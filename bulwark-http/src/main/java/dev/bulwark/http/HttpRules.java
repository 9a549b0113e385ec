package dev.bulwark.http;

import dev.bulwark.ratelimit.RetryAfter;
import dev.bulwark.timeout.TimeoutExceededException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/*
 * What HTTP says is safe to try again. A request is safe to repeat when its method is idempotent
 * (RFC 9110 section 9.2.2), when it carries an Idempotency-Key (the server then deduplicates it),
 * or when the user says so. A safe request is retried on a retryable status, a timeout, or any I/O
 * failure but a TLS one (a bad certificate will not get better); any other request only when the
 * connection was never made, so the server cannot have seen it.
 */
final class HttpRules {
  static final Set<String> IDEMPOTENT_METHODS =
      Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  /**
   * Whether the JDK client resends any method, not only GET and HEAD, when a connection closes
   * before the answer: the process-wide system property its MultiExchange reads.
   */
  private static final boolean JDK_RESENDS_ALL_METHODS = jdkResendsAllMethods();

  /**
   * How much of an error body is read, at most, to save its connection for the next request: past
   * this the body is abandoned and the connection dropped, so a server answering 503 with a
   * gigabyte costs a new connection, not a gigabyte per attempt.
   */
  static final long DRAIN_LIMIT_BYTES = 1024 * 1024;

  private final boolean[] retryStatus = new boolean[600];
  private final boolean retryNonIdempotent;
  final RetryAfter retryAfter;
  final int maxErrorBodyBytes;
  final long maxDrainBytes;

  HttpRules(
      int[] retryStatuses,
      boolean retryNonIdempotent,
      RetryAfter retryAfter,
      int maxErrorBodyBytes) {
    for (int status : retryStatuses) {
      retryStatus[status] = true;
    }
    this.retryNonIdempotent = retryNonIdempotent;
    this.retryAfter = retryAfter;
    this.maxErrorBodyBytes = maxErrorBodyBytes;
    this.maxDrainBytes = Math.max(maxErrorBodyBytes, DRAIN_LIMIT_BYTES);
  }

  boolean repeatable(HttpRequest request) {
    return retryNonIdempotent
        || IDEMPOTENT_METHODS.contains(request.method().toUpperCase(Locale.ROOT))
        || request.headers().firstValue(IDEMPOTENCY_KEY).isPresent();
  }

  /** A status that fails the attempt: a server error, or one the client retries. */
  boolean failureStatus(int status) {
    return status >= 500 || (status >= 0 && status < retryStatus.length && retryStatus[status]);
  }

  boolean retryableStatus(int status) {
    return status >= 0 && status < retryStatus.length && retryStatus[status];
  }

  /** Whether a failed attempt of a repeatable request is tried again. */
  boolean retriesRepeatable(Throwable failure) {
    if (failure instanceof FailedResponse) {
      return retryableStatus(((FailedResponse) failure).status());
    }
    if (failure instanceof TimeoutExceededException || failure instanceof HttpTimeoutException) {
      return true;
    }
    if (failure instanceof SSLHandshakeException
        || failure instanceof SSLPeerUnverifiedException
        || failure instanceof HttpCallException) {
      return false;
    }
    return failure instanceof IOException;
  }

  /**
   * Whether the JDK client, having seen {@code failure} before any byte of the answer, has already
   * sent {@code request} a second time within the same attempt (see {@code Exchange.countResent}):
   * an I/O failure of an exchange that was sent (not a refused connection, not a timeout or a
   * cancellation), for a GET or HEAD, or any method when the JDK is told to.
   */
  boolean jdkResends(HttpRequest request, Throwable failure) {
    if (!(failure instanceof IOException)
        || failure instanceof ConnectException
        || failure instanceof HttpTimeoutException
        || failure instanceof FailedResponse
        || failure instanceof HttpCallException) {
      return false;
    }
    String method = request.method();
    return JDK_RESENDS_ALL_METHODS || method.equals("GET") || method.equals("HEAD");
  }

  private static boolean jdkResendsAllMethods() {
    String value = System.getProperty("jdk.httpclient.enableAllMethodRetry");
    return value != null && (value.isEmpty() || Boolean.parseBoolean(value));
  }

  /** Whether a failed attempt of any other request is tried again: only if it never left. */
  static boolean retriesUnrepeatable(Throwable failure) {
    return failure instanceof ConnectException || failure instanceof HttpConnectTimeoutException;
  }
}
