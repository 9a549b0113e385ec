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
 * returns a stage too). Reactor's {@code Mono} and {@code Flux} are not supported.
 */
package dev.bulwark.spring.annotation;
