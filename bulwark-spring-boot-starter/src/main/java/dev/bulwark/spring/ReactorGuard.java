package dev.bulwark.spring;

import dev.bulwark.policy.Pipeline;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/*
 * Mono and Flux return types, loaded only when Reactor is on the class path (GuardedMethod looks for
 * it by name before touching this class).
 *
 * A Mono is guarded as a CompletionStage is, but lazily: nothing runs until it is subscribed; each
 * subscription is one call through the pipeline, and each attempt (a retry's, a hedge's) calls the
 * method again and subscribes to the Mono it returns. A failure (the call's, or a rejection) goes
 * to the fallback method, which returns a Mono too. Cancelling the subscription cancels the call
 * through every policy: a call waiting for a permit or a backoff never starts, a running attempt's
 * subscription is cancelled.
 *
 * A Flux is guarded as a whole: the stream is collected, the collected list is one outcome of the
 * policies (a timeout bounds the whole stream, a retry subscribes again from the start), and its
 * elements are emitted once it completed. So an element reaches the subscriber only after the
 * stream ended well: meant for finite, modest streams, not for endless or large ones.
 */
final class ReactorGuard {
  private ReactorGuard() {}

  /** Whether {@code type} is a Mono; only called when Reactor is on the class path. */
  static boolean isMono(Class<?> type) {
    return Mono.class.isAssignableFrom(type);
  }

  /** Whether {@code type} is a Flux; only called when Reactor is on the class path. */
  static boolean isFlux(Class<?> type) {
    return Flux.class.isAssignableFrom(type);
  }

  /** A Mono running {@code invocation} through {@code through} at each subscription. */
  static Object mono(
      MethodInvocation invocation, Pipeline through, @Nullable FallbackMethod fallback) {
    Mono<Object> guarded =
        Mono.defer(
                () ->
                    Mono.fromFuture(
                        through
                            .callAsync(
                                () -> attempt(invocation, result -> castMono(result).toFuture()))
                            .toCompletableFuture()))
            .onErrorMap(e -> GuardedMethod.unwrap(e));
    if (fallback == null) {
      return guarded;
    }
    Object target = invocation.getThis();
    Object[] arguments = invocation.getArguments();
    return guarded.onErrorResume(
        failure -> {
          try {
            Object answer = fallback.answer(target, arguments, failure);
            return answer == null ? Mono.empty() : castMono(answer);
          } catch (Throwable e) {
            return Mono.error(e);
          }
        });
  }

  /** A Flux running {@code invocation} through {@code through} at each subscription, whole. */
  static Object flux(
      MethodInvocation invocation, Pipeline through, @Nullable FallbackMethod fallback) {
    Flux<Object> guarded =
        Mono.defer(
                () ->
                    Mono.fromFuture(
                        through
                            .callAsync(
                                () ->
                                    attempt(
                                        invocation,
                                        result -> castFlux(result).collectList().toFuture()))
                            .toCompletableFuture()))
            .onErrorMap(e -> GuardedMethod.unwrap(e))
            .flatMapIterable(list -> list);
    if (fallback == null) {
      return guarded;
    }
    Object target = invocation.getThis();
    Object[] arguments = invocation.getArguments();
    return guarded.onErrorResume(
        failure -> {
          try {
            Object answer = fallback.answer(target, arguments, failure);
            return answer == null ? Flux.empty() : castFlux(answer);
          } catch (Throwable e) {
            return Flux.error(e);
          }
        });
  }

  private interface Subscribe<T> {
    CompletableFuture<T> apply(Object publisher);
  }

  private static <T> CompletionStage<T> attempt(MethodInvocation invocation, Subscribe<T> start) {
    try {
      Object result = GuardedMethod.attempt(invocation);
      return result == null
          ? CompletableFuture.failedFuture(
              new IllegalStateException(
                  invocation.getMethod() + " returned null instead of a Mono or Flux"))
          : start.apply(result);
    } catch (Exception e) {
      return CompletableFuture.failedFuture(
          e instanceof GuardedMethod.Undeclared && e.getCause() != null ? e.getCause() : e);
    }
  }

  private static Mono<Object> castMono(Object publisher) {
    @SuppressWarnings("unchecked")
    Mono<Object> mono = (Mono<Object>) publisher;
    return mono;
  }

  private static Flux<Object> castFlux(Object publisher) {
    @SuppressWarnings("unchecked")
    Flux<Object> flux = (Flux<Object>) publisher;
    return flux;
  }
}
