package dev.bulwark.http;

import dev.bulwark.ratelimit.ServerBusyException;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** An error status that counts as a failure of the server; see {@link FailedResponse}. */
final class FailedStatus extends IOException implements FailedResponse {
  private static final long serialVersionUID = 1L;

  private final transient HttpResponse<Object> response;
  private final @Nullable Duration serverDelay;

  /**
   * {@code busy} is the server's Retry-After (on a 503), attached as the cause so that a retry
   * waits what the server asked; null if it sent none.
   */
  FailedStatus(HttpResponse<Object> response, @Nullable ServerBusyException busy) {
    super(
        response.request().method() + " " + response.uri() + " answered " + response.statusCode(),
        busy);
    this.response = response;
    this.serverDelay = busy == null ? null : busy.retryAfter().orElse(null);
  }

  /** Built per error response and never shown with a trace of its own: skip the stack walk. */
  @Override
  @SuppressWarnings("sync-override") // nothing to guard: the trace is never filled
  public Throwable fillInStackTrace() {
    return this;
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
