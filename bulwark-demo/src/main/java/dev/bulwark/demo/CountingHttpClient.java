package dev.bulwark.demo;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A JDK client that counts, on the wire side of a {@code ResilientHttpClient}, the attempts it was
 * asked to send and those that were cut before they completed: an attempt that outlives the
 * per-attempt timeout is cut by the retry (a synchronous one by interrupting its thread, an
 * asynchronous one by cancelling its future), so each cut attempt is one a timeout cut. Everything
 * else goes to the wrapped client unchanged.
 *
 * <p>Thread-safe.
 */
final class CountingHttpClient extends HttpClient {
  private final HttpClient delegate;
  private final LongAdder sent = new LongAdder();
  private final LongAdder cancelled = new LongAdder();

  CountingHttpClient(HttpClient delegate) {
    this.delegate = delegate;
  }

  /** Attempts sent so far. */
  long sent() {
    return sent.sum();
  }

  /** Attempts cancelled before they completed (cut by a timeout) so far. */
  long cancelled() {
    return cancelled.sum();
  }

  /** The wrapped client, to close it. */
  HttpClient delegate() {
    return delegate;
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> handler)
      throws IOException, InterruptedException {
    sent.increment();
    try {
      return delegate.send(request, handler);
    } catch (InterruptedException e) {
      cancelled.increment(); // a synchronous attempt is cut by interrupting its thread
      throw e;
    }
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> handler) {
    return watch(delegate.sendAsync(request, handler));
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> handler, PushPromiseHandler<T> pushes) {
    return watch(delegate.sendAsync(request, handler, pushes));
  }

  private <T> CompletableFuture<HttpResponse<T>> watch(CompletableFuture<HttpResponse<T>> attempt) {
    sent.increment();
    attempt.whenComplete(
        (response, failure) -> {
          if (attempt.isCancelled() || isCancellation(failure)) {
            cancelled.increment();
          }
        });
    return attempt;
  }

  /**
   * Whether {@code failure} is a cancellation, bare or wrapped: on some JDKs (seen on 25) the JDK
   * client's own future, once cancelled, fails with a wrapped {@code CancellationException}
   * ("Request cancelled") and does not report {@code isCancelled()}.
   */
  private static boolean isCancellation(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof CancellationException) {
        return true;
      }
      if (!(t instanceof CompletionException)) {
        return false;
      }
    }
    return false;
  }

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return delegate.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return delegate.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return delegate.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return delegate.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return delegate.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return delegate.authenticator();
  }

  @Override
  public Version version() {
    return delegate.version();
  }

  @Override
  public Optional<Executor> executor() {
    return delegate.executor();
  }
}
