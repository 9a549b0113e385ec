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

  private final boolean[] retryStatus = new boolean[600];
  private final boolean retryNonIdempotent;
  final RetryAfter retryAfter;
  final int maxErrorBodyBytes;

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

  /** Whether a failed attempt of any other request is tried again: only if it never left. */
  static boolean retriesUnrepeatable(Throwable failure) {
    return failure instanceof ConnectException || failure instanceof HttpConnectTimeoutException;
  }
}
