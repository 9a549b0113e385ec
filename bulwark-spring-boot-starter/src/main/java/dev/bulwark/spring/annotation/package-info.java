/**
 * Annotations that run a Spring bean's method through Bulwark's named policies: {@link
 * dev.bulwark.spring.annotation.CircuitBreaker}, {@link dev.bulwark.spring.annotation.Retry},
 * {@link dev.bulwark.spring.annotation.RateLimiter}, {@link
 * dev.bulwark.spring.annotation.Bulkhead}, {@link dev.bulwark.spring.annotation.Timeout} and {@link
 * dev.bulwark.spring.annotation.Hedge}, each with an optional {@code fallbackMethod}.
 *
 * <p><b>One order.</b> Whatever order the annotations are written in, a call meets its policies in
 * this order, outermost first:
 *
 * <pre>
 * fallback method &gt; bulkhead &gt; rate limiter &gt; circuit breaker &gt; retry &gt; hedge &gt; timeout &gt; method
 * </pre>
 *
 * The registry's pipeline order (fallback, bulkhead, rate limiter, breaker, retry, timeout) with
 * the hedge inside the retry, as bulwark-http places it: a held-back or refused call costs the
 * breaker nothing, the breaker counts one outcome per call and never its own retries, each attempt
 * has its own timeout, and the fallback answers for whatever failed inside.
 *
 * <p><b>Fallback methods</b> are resolved and type-checked when the bean is created: a name with no
 * method of a fitting signature fails the application's start, naming the bean, the method and the
 * signature expected. A fallback method is declared in the bean's class (any visibility), takes the
 * annotated method's parameters and, optionally, last, one {@code Throwable} (sub)type, and returns
 * a type the annotated method may return. Several overloads may differ in the exception type: the
 * one whose type is nearest the failure's class answers; one without the exception answers any
 * failure no typed overload takes; a failure no overload takes reaches the caller. Every annotation
 * on one method that names a fallback must name the same one.
 *
 * <p><b>Return types.</b> A plain value (the call runs on the caller's thread) or a {@code
 * CompletionStage}/{@code CompletableFuture} (the policies' asynchronous mode; the fallback method
 * returns a stage too), and, when Reactor is on the class path, a {@code Mono} or {@code Flux} (the
 * fallback method returns the same type).
 *
 * <p>A {@code Mono} is guarded like a stage, but lazily: nothing runs until it is subscribed, and
 * each subscription is one call through the policies; each attempt (a retry's, a hedge's) calls the
 * method again and subscribes to the {@code Mono} it returns. Cancelling the subscription cancels
 * the call through every policy: a call waiting for a permit or a backoff never starts, a running
 * attempt's subscription is cancelled.
 *
 * <p>A {@code Flux} is guarded as a whole stream: its elements are collected, the completed stream
 * is one outcome of the policies (a timeout bounds the whole stream, a retry subscribes again from
 * the start), and the elements are emitted once it completed. A failure mid-stream is one failure:
 * no element of the failed stream is emitted, the fallback's {@code Flux} is. Meant for finite,
 * modest streams, not for endless or large ones.
 */
package dev.bulwark.spring.annotation;
