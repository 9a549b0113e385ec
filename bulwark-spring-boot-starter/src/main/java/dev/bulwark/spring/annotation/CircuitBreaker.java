package dev.bulwark.spring.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs calls of the annotated method of a Spring bean through the registry's {@linkplain
 * dev.bulwark.circuitbreaker.CircuitBreaker circuit breaker} named {@link #name()}, configured by
 * {@code bulwark.circuit-breaker.instances.<name>.*}.
 *
 * <p>A method may carry several of Bulwark's annotations; whatever order they are written in, the
 * call meets them in one fixed order, outermost first: fallback method, bulkhead, rate limiter,
 * circuit breaker, retry, hedge, timeout (see {@link dev.bulwark.spring.annotation}). The method
 * may return a plain value or a {@link java.util.concurrent.CompletionStage}; the fallback method
 * is found and type-checked when the bean is created.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface CircuitBreaker {
  /** The name of the circuit breaker in the registry. */
  String name();

  /**
   * The method of the same bean that answers in place of a failed call; empty for none. It takes
   * the annotated method's parameters, optionally followed by one {@link Throwable} (sub)type, and
   * returns what the annotated method returns (a {@code CompletionStage} for an asynchronous one).
   * Default none.
   */
  String fallbackMethod() default "";
}
