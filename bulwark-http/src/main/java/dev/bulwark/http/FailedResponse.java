package dev.bulwark.http;

import java.net.http.HttpResponse;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/*
 * An attempt answered with an error status (5xx, 408, 425, 429). Inside the client it travels as an
 * exception, so that the retry and the host's breaker judge it like any other failure; when it is
 * the last word, the client turns it back into the response the caller sees, its kept body
 * replayed into the caller's BodyHandler. Two classes carry it: FailedStatus (an IOException, which
 * a breaker counts) and Throttled (a 429: a RejectedException, which a breaker does not count,
 * since a server asking us to slow down is not failing). Either carries the server's Retry-After
 * as a ServerBusyException cause, which a retry waits out.
 */
interface FailedResponse {
  /** The response, its body a BufferedBody.Kept. */
  HttpResponse<Object> response();

  /** The kept body. */
  default BufferedBody.Kept kept() {
    return (BufferedBody.Kept) response().body();
  }

  /** The server's Retry-After, or null if it sent none. */
  @Nullable Duration serverDelay();

  /** The response's status. */
  default int status() {
    return response().statusCode();
  }
}
