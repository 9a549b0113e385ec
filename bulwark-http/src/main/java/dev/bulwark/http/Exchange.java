package dev.bulwark.http;

import dev.bulwark.policy.BulwarkException;
import dev.bulwark.ratelimit.ServerBusyException;
import dev.bulwark.retry.RetryExhaustedException;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.net.http.HttpResponse.ResponseInfo;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/*
 * One call through a ResilientHttpClient, from admission to the caller's answer, through the
 * host's pipeline (its order is declared in HostPolicies, and nowhere else).
 *
 * Each attempt sends the request with a BodyHandler of our own that looks at the status first: a
 * response the caller will get as it is goes to the caller's handler untouched; an error response
 * (5xx, 408, 425, 429) is read into a bounded buffer (BufferedBody: to its end if it is short, so
 * its connection goes back to the pool; dropping the connection if it is long), and travels through
 * the policies as a FailedResponse exception. If it is the last word, finish() replays the kept
 * bytes into the caller's handler.
 *
 * Two paths, the same decisions. start() runs the pipeline's asynchronous path over the JDK
 * client's sendAsync. Every attempt's JDK future is kept in inFlight until it completes, so
 * cancelling the caller's future aborts whatever is still on the wire; an attempt cut by a timeout
 * or lost to a hedge is cancelled by the policy that cut it, which cancels the JDK future through
 * judged. send() runs its synchronous path over the JDK client's send, on the caller's thread:
 * a deadline interrupts the thread, and the JDK client aborts an interrupted exchange.
 *
 * The policies see every failure as it happened; only what the caller receives is shaped here: a
 * spent retry's wrapper is taken off (remembering which retry gave up), an error response replayed.
 */
final class Exchange<T> {
  private final ResilientHttpClient client;
  private final HttpRequest request;
  private final BodyHandler<T> handler;
  private final @Nullable PushPromiseHandler<T> pushes; // null unless the caller passed one
  private final String route;
  private final long startNanos;
  private HostPolicies host; // set by start() or send(), before any attempt can read it
  // Asynchronous calls only; set by start(), before any attempt can read them.
  private CompletableFuture<HttpResponse<T>> result;
  private Set<CompletableFuture<?>> inFlight;
  private final AtomicInteger attempts = new AtomicInteger(); // requests sent, resends included
  private final AtomicInteger tries = new AtomicInteger(); // attempts the retry and hedge made
  private volatile int lastStatus = -1;
  private volatile Duration lastServerDelay;
  private volatile String lastRetryAfterHeader;
  private volatile String gaveUp; // the retry that ran out of attempts, if one did

  @SuppressWarnings("NullAway.Init") // result and inFlight: see above
  Exchange(
      ResilientHttpClient client,
      HttpRequest request,
      BodyHandler<T> handler,
      @Nullable PushPromiseHandler<T> pushes) {
    this.client = client;
    this.request = request;
    this.handler = handler;
    this.pushes = pushes;
    this.route = client.routeOf(request);
    this.startNanos = client.resilience().clock().nanoTime();
  }

  /** The call, without blocking: the future completes with the caller's answer. */
  CompletableFuture<HttpResponse<T>> start() {
    result = new CompletableFuture<>();
    inFlight = ConcurrentHashMap.newKeySet();
    result.whenComplete(
        (response, error) -> {
          if (result.isCancelled()) {
            inFlight.forEach(exchange -> exchange.cancel(true));
          }
        });
    CompletionStage<HttpResponse<Object>> outcome;
    try {
      host = client.host(route);
      outcome = host.pipeline(client.rules().repeatable(request)).callAsync(this::attempt);
    } catch (RuntimeException | Error e) { // a full registry
      outcome = CompletableFuture.failedFuture(e);
    }
    outcome.whenComplete(
        (response, error) -> {
          if (error == null) {
            finish(response, null);
          } else { // possibly on the scheduler's thread (a deadline): leave it to its timers
            client.completionExecutor().execute(() -> finish(null, error));
          }
        });
    return result;
  }

  /**
   * The same call on the caller's thread, through the policies' synchronous paths and the JDK
   * client's {@code send}: no hand-off to another thread (the JDK completes {@code sendAsync} on
   * its own pool), waits slept on the scheduler, timeouts by interrupt, which the JDK client turns
   * into aborting the exchange.
   */
  @SuppressWarnings("unchecked") // a response that is not a FailedResponse went through handler
  HttpResponse<T> send() throws IOException, InterruptedException {
    HttpResponse<Object> response;
    try {
      host = client.host(route);
      response = host.pipeline(client.rules().repeatable(request)).call(this::attemptOnThisThread);
    } catch (InterruptedException e) {
      throw e; // the caller was interrupted, not a policy's deadline: as the JDK client does
    } catch (Exception | Error failure) {
      return await(outcomeOf(failure));
    }
    return (HttpResponse<T>) (HttpResponse<?>) response;
  }

  /**
   * The last attempt's failure if {@code failure} says a retry ran out (remembering which retry,
   * for the caller's exception), else {@code failure}.
   */
  private Throwable lastFailureOf(Throwable failure) {
    if (failure instanceof RetryExhaustedException && failure.getCause() != null) {
      gaveUp = ((RetryExhaustedException) failure).policyName();
      return Failures.unwrap(failure.getCause());
    }
    return failure;
  }

  /** Sends the request once, on the caller's thread (or a hedge's). */
  private HttpResponse<Object> attemptOnThisThread() throws Exception {
    attempts.incrementAndGet();
    tries.incrementAndGet();
    Attempt attempt = new Attempt();
    try {
      return judge(client.delegate().send(request, attempt));
    } catch (IOException e) {
      countResent(attempt, e);
      throw e;
    }
  }

  /**
   * Counts the JDK client's own second try inside an attempt, so that {@link
   * HttpCallException#attempts()} says how many requests went on the wire. The JDK client (17 to
   * 25, {@code jdk.internal.net.http.MultiExchange}) resends a GET or HEAD once, on a new
   * connection, when its connection closes or resets before any byte of the answer (any method if
   * the system property {@code jdk.httpclient.enableAllMethodRetry} is set); it has no per-client
   * switch, and the system properties that change it are process-wide, so the client counts
   * instead. The JDK's other silent retry, after a refused connection, sends nothing to count.
   */
  private void countResent(Attempt attempt, Throwable failure) {
    if (!attempt.answered && client.rules().jdkResends(request, failure)) {
      attempts.incrementAndGet();
    }
  }

  /** One attempt's handler: notes that the answer's head arrived, then picks the subscriber. */
  private final class Attempt implements BodyHandler<Object> {
    volatile boolean answered;

    @Override
    public BodySubscriber<Object> apply(ResponseInfo info) {
      answered = true;
      return subscriberFor(info);
    }
  }

  /** A replayed or failed outcome, which completes at once (the body is already in memory). */
  private static <R> R await(CompletableFuture<R> outcome)
      throws IOException, InterruptedException {
    try {
      return outcome.get();
    } catch (ExecutionException e) {
      Throwable failure = e.getCause();
      if (failure instanceof IOException) {
        throw (IOException) failure;
      }
      if (failure instanceof RuntimeException) {
        throw (RuntimeException) failure;
      }
      if (failure instanceof Error) {
        throw (Error) failure;
      }
      throw new IOException(failure);
    }
  }

  /** Sends the request once. */
  private CompletionStage<HttpResponse<Object>> attempt() {
    if (result.isDone()) { // the caller gave up while a retry or hedge was waiting
      return CompletableFuture.failedFuture(new CancellationException("the call was cancelled"));
    }
    attempts.incrementAndGet();
    tries.incrementAndGet();
    Attempt attempt = new Attempt();
    CompletableFuture<HttpResponse<Object>> exchange = sendAsync(attempt);
    inFlight.add(exchange);
    if (result.isCancelled()) { // cancelled while this attempt was starting
      exchange.cancel(true);
    }
    CompletableFuture<HttpResponse<Object>> judged = new CompletableFuture<>();
    exchange.whenComplete(
        (response, error) -> {
          inFlight.remove(exchange);
          if (error != null) {
            Throwable failure = Failures.unwrap(error);
            countResent(attempt, failure);
            judged.completeExceptionally(failure);
            return;
          }
          try {
            if (!judged.complete(judge(response))) {
              discard(response); // cut or lost while its body was read: nobody will close it
            }
          } catch (Throwable failure) {
            judged.completeExceptionally(failure);
          }
        });
    judged.whenComplete(
        (response, error) -> {
          if (judged.isCancelled()) { // cut by a timeout, or lost to a hedge
            exchange.cancel(true);
          }
        });
    return judged;
  }

  @SuppressWarnings("unchecked") // the caller's handler makes T; our own handler makes Kept
  private CompletableFuture<HttpResponse<Object>> sendAsync(BodyHandler<Object> chooser) {
    try {
      return pushes == null
          ? client.delegate().sendAsync(request, chooser)
          : client.delegate().sendAsync(request, chooser, (PushPromiseHandler<Object>) pushes);
    } catch (RuntimeException e) { // the JDK client refused the request outright
      return CompletableFuture.failedFuture(e);
    }
  }

  @SuppressWarnings("unchecked")
  private BodySubscriber<Object> subscriberFor(ResponseInfo info) {
    if (client.rules().failureStatus(info.statusCode())) {
      return new BufferedBody(client.rules().maxErrorBodyBytes, client.rules().maxDrainBytes);
    }
    return (BodySubscriber<Object>) handler.apply(info);
  }

  /** The response as it is, or the failure it stands for. */
  private HttpResponse<Object> judge(HttpResponse<Object> response) throws Exception {
    int status = response.statusCode();
    lastStatus = status;
    if (!client.rules().failureStatus(status)) {
      return response;
    }
    Duration serverDelay = null;
    if (status == 429 || status == 503) {
      Optional<String> header = response.headers().firstValue("Retry-After");
      if (header.isPresent()) {
        serverDelay = client.rules().retryAfter.parse(header.get());
        lastServerDelay = serverDelay;
        lastRetryAfterHeader = header.get();
        // Every other caller of this host waits too, but never longer than one call may last: a
        // longer hold would only refuse callers that a new request, after a call's timeout, might
        // serve; the server gets at most one request per timeout while it keeps asking for more.
        host.limiter.holdForNanos(Math.min(serverDelay.toNanos(), host.timeoutNanos));
      }
    }
    if (status == 429) {
      throw new Throttled(route, response, serverDelay);
    }
    throw new FailedStatus(
        response, serverDelay == null ? null : new ServerBusyException(route, status, serverDelay));
  }

  @SuppressWarnings("unchecked") // a response that is not a FailedResponse went through handler
  private void finish(@Nullable HttpResponse<Object> response, @Nullable Throwable error) {
    if (error == null) {
      result.complete((HttpResponse<T>) (HttpResponse<?>) response);
      return;
    }
    if (result.isDone()) { // cancelled by the caller; the outcome is moot
      return;
    }
    outcomeOf(error)
        .whenComplete(
            (value, failure) -> {
              if (failure == null) {
                result.complete(value);
              } else {
                result.completeExceptionally(Failures.unwrap(failure));
              }
            });
  }

  /**
   * What the caller gets for a call that ended in {@code failure}: the server's last error response
   * replayed, a fallback's response, or the failure to throw (an {@link HttpCallException}, or the
   * caller's own bug as it is).
   */
  private CompletableFuture<HttpResponse<T>> outcomeOf(Throwable thrown) {
    Throwable failure = lastFailureOf(Failures.unwrap(thrown));
    if (failure instanceof FailedResponse) {
      FailedResponse failed = (FailedResponse) failure;
      HttpCallException tooLong = serverDelayBeyondTheTimeout(failed);
      if (tooLong != null) {
        return recover(tooLong, () -> CompletableFuture.failedFuture(tooLong));
      }
      return recover(
          describe(failure),
          () -> ReplayedResponse.of(failed.response(), failed.kept().bytes(), handler));
    }
    if (failure instanceof RuntimeException && !(failure instanceof BulwarkException)
        || failure instanceof Error) {
      return CompletableFuture.failedFuture(
          failure); // a bug (in a handler, say), not a failed call
    }
    HttpCallException described = describe(failure);
    return recover(described, () -> CompletableFuture.failedFuture(described));
  }

  /**
   * The failure to report when the last answer asked, with {@code Retry-After}, for a wait longer
   * than the call had left, and the retry would otherwise have tried again: the call stopped at
   * once rather than sleeping into its timeout, and says what the server asked for. Null otherwise.
   */
  private @Nullable HttpCallException serverDelayBeyondTheTimeout(FailedResponse failed) {
    Duration asked = failed.serverDelay();
    if (asked == null
        || !client.rules().retryableStatus(failed.status())
        || !client.rules().repeatable(request)
        || tries.get() >= host.retry.config().maxAttempts()) {
      return null;
    }
    long elapsed = client.resilience().clock().nanoTime() - startNanos;
    long left = Math.max(0, host.timeoutNanos - elapsed);
    if (asked.toNanos() < left) {
      return null; // the retry stopped for another reason (its budget, say)
    }
    String why =
        "the server asked to wait "
            + asked
            + " (Retry-After: "
            + lastRetryAfterHeader
            + "), longer than the "
            + Duration.ofNanos(left)
            + " left of the call's "
            + Duration.ofNanos(host.timeoutNanos)
            + " timeout";
    return new HttpCallException(
        request.method(),
        request.uri(),
        route,
        host.retry.name(),
        attempts.get(),
        lastStatus,
        (Throwable) failed,
        asked,
        why);
  }

  private HttpCallException describe(Throwable failure) {
    String policy = gaveUp;
    if (policy == null && failure instanceof BulwarkException && !(failure instanceof Throttled)) {
      policy = ((BulwarkException) failure).policyName();
    }
    return new HttpCallException(
        request.method(),
        request.uri(),
        route,
        policy,
        attempts.get(),
        lastStatus,
        failure,
        lastServerDelay);
  }

  /** The fallback's response if it has one for this failure, else what {@code otherwise} gives. */
  private CompletableFuture<HttpResponse<T>> recover(
      HttpCallException failure, Supplier<CompletableFuture<HttpResponse<T>>> otherwise) {
    HttpFallback fallback = client.fallback();
    if (fallback == null) {
      return otherwise.get();
    }
    Optional<FallbackResponse> served;
    try {
      served = fallback.recover(request, failure);
    } catch (RuntimeException | Error e) {
      e.addSuppressed(failure);
      return CompletableFuture.failedFuture(e);
    }
    if (served == null || served.isEmpty()) {
      return otherwise.get();
    }
    return ReplayedResponse.of(served.get(), request, client.version(), handler);
  }

  /** Closes the body of a response nobody will read, if it holds a stream. */
  private static void discard(HttpResponse<?> response) {
    Object body = response.body();
    if (body instanceof AutoCloseable) {
      try {
        ((AutoCloseable) body).close();
      } catch (Exception ignored) {
        // closing is best effort: the response is already abandoned
      }
    }
  }
}
