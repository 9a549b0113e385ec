package dev.bulwark.spring;

import dev.bulwark.Resilience;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.hedge.Hedge;
import dev.bulwark.policy.Pipeline;
import dev.bulwark.policy.Policy;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.retry.Retry;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.timeout.Timeout;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;

/*
 * One annotated method: its policies by kind and name, in the one fixed order, and its fallback.
 * Built when the bean is created (so a bad fallback fails the start), used by every call.
 *
 * Policies are the registry's, looked up by name on each call (one map read each), so actuator
 * resets and per-name properties reach them and an evicted one is replaced as the registry says.
 * The pipeline over them is cached and rebuilt only when a looked-up instance differs from the
 * cached one: a call allocates nothing for it.
 */
final class GuardedMethod {

  /** An annotation type, the kind it names, and where it sits: lower is outer. */
  private record Annotated(
      Class<? extends Annotation> type,
      PolicyKind<?, ?, ?> kind,
      int order,
      Function<Annotation, String> name,
      Function<Annotation, String> fallback) {}

  /** How a method's result is guarded, by its return type. */
  enum Shape {
    PLAIN,
    STAGE,
    MONO,
    FLUX;

    /** Whether Reactor is on the class path; ReactorGuard is loaded only if it is. */
    private static final boolean REACTOR =
        ClassUtils.isPresent("reactor.core.publisher.Mono", GuardedMethod.class.getClassLoader());

    static Shape of(Class<?> returns) {
      if (CompletionStage.class.isAssignableFrom(returns)) {
        return STAGE;
      }
      if (REACTOR && ReactorGuard.isMono(returns)) {
        return MONO;
      }
      if (REACTOR && ReactorGuard.isFlux(returns)) {
        return FLUX;
      }
      return PLAIN;
    }
  }

  /** Every annotation this starter reads, outermost first. */
  static final List<Annotated> ANNOTATIONS = annotations();

  private static <A extends Annotation> Annotated annotated(
      Class<A> type,
      PolicyKind<?, ?, ?> kind,
      int order,
      Function<A, String> name,
      Function<A, String> fallback) {
    return new Annotated(
        type, kind, order, a -> name.apply(type.cast(a)), a -> fallback.apply(type.cast(a)));
  }

  private static List<Annotated> annotations() {
    List<Annotated> all =
        new ArrayList<>(
            List.of(
                annotated(
                    dev.bulwark.spring.annotation.Bulkhead.class,
                    Bulkhead.KIND,
                    Bulkhead.KIND.pipelineOrder(),
                    dev.bulwark.spring.annotation.Bulkhead::name,
                    dev.bulwark.spring.annotation.Bulkhead::fallbackMethod),
                annotated(
                    dev.bulwark.spring.annotation.RateLimiter.class,
                    RateLimiter.KIND,
                    RateLimiter.KIND.pipelineOrder(),
                    dev.bulwark.spring.annotation.RateLimiter::name,
                    dev.bulwark.spring.annotation.RateLimiter::fallbackMethod),
                annotated(
                    dev.bulwark.spring.annotation.CircuitBreaker.class,
                    CircuitBreaker.KIND,
                    CircuitBreaker.KIND.pipelineOrder(),
                    dev.bulwark.spring.annotation.CircuitBreaker::name,
                    dev.bulwark.spring.annotation.CircuitBreaker::fallbackMethod),
                annotated(
                    dev.bulwark.spring.annotation.Retry.class,
                    Retry.KIND,
                    Retry.KIND.pipelineOrder(),
                    dev.bulwark.spring.annotation.Retry::name,
                    dev.bulwark.spring.annotation.Retry::fallbackMethod),
                // the hedge has no rank of its own in the registry's pipelines: inside the retry
                // and outside the timeout, as bulwark-http places it
                annotated(
                    dev.bulwark.spring.annotation.Hedge.class,
                    Hedge.KIND,
                    (Retry.KIND.pipelineOrder() + Timeout.KIND.pipelineOrder()) / 2,
                    dev.bulwark.spring.annotation.Hedge::name,
                    dev.bulwark.spring.annotation.Hedge::fallbackMethod),
                annotated(
                    dev.bulwark.spring.annotation.Timeout.class,
                    Timeout.KIND,
                    Timeout.KIND.pipelineOrder(),
                    dev.bulwark.spring.annotation.Timeout::name,
                    dev.bulwark.spring.annotation.Timeout::fallbackMethod)));
    all.sort(Comparator.comparingInt(Annotated::order));
    return List.copyOf(all);
  }

  private final Resilience resilience;
  private final PolicyKind<?, ?, ?>[] kinds;
  private final String[] names;
  private final @Nullable FallbackMethod fallback;
  private final Shape shape;
  private volatile Policy[] policies = new Policy[0];
  private volatile Pipeline pipeline = Pipeline.of();

  private GuardedMethod(
      Resilience resilience,
      List<PolicyKind<?, ?, ?>> kinds,
      List<String> names,
      @Nullable FallbackMethod fallback,
      Shape shape) {
    this.resilience = resilience;
    this.kinds = kinds.toArray(new PolicyKind<?, ?, ?>[0]);
    this.names = names.toArray(new String[0]);
    this.fallback = fallback;
    this.shape = shape;
  }

  /** Whether {@code method} carries any of this starter's annotations. */
  static boolean isAnnotated(Method method) {
    for (Annotated a : ANNOTATIONS) {
      if (AnnotatedElementUtils.hasAnnotation(method, a.type())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The guard of {@code method}, declared in {@code beanClass} of the bean {@code beanName}.
   *
   * @throws IllegalStateException naming the bean, the method and the signature expected, if the
   *     fallback method is missing or does not fit, or the annotations name different ones
   */
  static GuardedMethod of(
      Resilience resilience, String beanName, Class<?> beanClass, Method method) {
    List<PolicyKind<?, ?, ?>> kinds = new ArrayList<>();
    List<String> names = new ArrayList<>();
    String fallbackName = "";
    String fallbackFrom = "";
    for (Annotated a : ANNOTATIONS) { // already in the one order, whatever order they are written
      Annotation found = AnnotatedElementUtils.findMergedAnnotation(method, a.type());
      if (found == null) {
        continue;
      }
      String name = a.name().apply(found);
      if (name.isBlank()) {
        throw new IllegalStateException(
            FallbackMethod.where(beanName, beanClass, method)
                + ": @"
                + a.type().getSimpleName()
                + " needs a name (the "
                + a.kind().label()
                + "'s name in the registry)");
      }
      kinds.add(a.kind());
      names.add(name);
      String fb = a.fallback().apply(found);
      if (!fb.isEmpty()) {
        if (!fallbackName.isEmpty() && !fallbackName.equals(fb)) {
          throw new IllegalStateException(
              FallbackMethod.where(beanName, beanClass, method)
                  + ": "
                  + fallbackFrom
                  + " names fallbackMethod \""
                  + fallbackName
                  + "\" and @"
                  + a.type().getSimpleName()
                  + " names \""
                  + fb
                  + "\"; one method has one fallback: name it on one annotation");
        }
        fallbackName = fb;
        fallbackFrom = "@" + a.type().getSimpleName();
      }
    }
    Shape shape = Shape.of(method.getReturnType());
    FallbackMethod fallback =
        fallbackName.isEmpty()
            ? null
            : FallbackMethod.resolve(beanName, beanClass, method, fallbackName, fallbackFrom);
    return new GuardedMethod(resilience, kinds, names, fallback, shape);
  }

  /** The kinds of this method's policies, outermost first; for tests. */
  List<PolicyKind<?, ?, ?>> kinds() {
    return Arrays.asList(kinds);
  }

  private Pipeline pipeline() {
    Policy[] cached = policies;
    boolean same = cached.length == kinds.length;
    Policy[] now = same ? null : new Policy[kinds.length];
    for (int i = 0; i < kinds.length; i++) {
      Policy p = resilience.get(kinds[i], names[i]);
      if (same && p != cached[i]) {
        same = false;
        now = new Policy[kinds.length];
        System.arraycopy(cached, 0, now, 0, i);
      }
      if (now != null) {
        now[i] = p;
      }
    }
    if (same || now == null) {
      return pipeline;
    }
    Pipeline built = Pipeline.of(now);
    pipeline = built; // a racing rebuild builds the same pipeline: either may win
    policies = now;
    return built;
  }

  /** Runs {@code invocation} through the policies and, if it fails, the fallback. */
  @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
    if (!resilience.enabled()) {
      return invocation.proceed();
    }
    Pipeline through = pipeline();
    return switch (shape) {
      case PLAIN -> invokeSync(invocation, through);
      case STAGE -> invokeAsync(invocation, through);
      case MONO -> ReactorGuard.mono(invocation, through, fallback);
      case FLUX -> ReactorGuard.flux(invocation, through, fallback);
    };
  }

  private @Nullable Object invokeSync(MethodInvocation invocation, Pipeline through)
      throws Throwable {
    try {
      return through.call(() -> attempt(invocation));
    } catch (Throwable failure) {
      Throwable cause = failure instanceof Undeclared ? failure.getCause() : failure;
      if (cause == null) {
        throw failure;
      }
      if (fallback == null) {
        throw cause;
      }
      return fallback.answer(invocation.getThis(), invocation.getArguments(), cause);
    }
  }

  private @Nullable Object invokeAsync(MethodInvocation invocation, Pipeline through) {
    CompletionStage<Object> stage =
        through.callAsync(
            () -> {
              try {
                Object result = attempt(invocation);
                return result == null ? CompletableFuture.completedFuture(null) : castStage(result);
              } catch (Undeclared e) {
                return CompletableFuture.failedFuture(e.getCause());
              } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
              }
            });
    FallbackMethod answer = fallback;
    if (answer != null) {
      Object target = invocation.getThis();
      Object[] arguments = invocation.getArguments();
      stage =
          stage.exceptionallyCompose(
              failure -> {
                Throwable cause = unwrap(failure);
                try {
                  Object result = answer.answer(target, arguments, cause);
                  return result == null
                      ? CompletableFuture.completedFuture(null)
                      : castStage(result);
                } catch (Throwable e) {
                  return CompletableFuture.failedFuture(e);
                }
              });
    }
    return stage.toCompletableFuture();
  }

  @SuppressWarnings("unchecked")
  private static CompletionStage<Object> castStage(Object result) {
    return (CompletionStage<Object>) result;
  }

  static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** One attempt: a fresh copy of the invocation, so that a retry or a hedge may proceed again. */
  static @Nullable Object attempt(MethodInvocation invocation) throws Exception {
    MethodInvocation copy =
        invocation instanceof ProxyMethodInvocation
            ? ((ProxyMethodInvocation) invocation).invocableClone()
            : invocation;
    try {
      return copy.proceed();
    } catch (Exception | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new Undeclared(t);
    }
  }

  /** A throwable neither an exception nor an error, carried through a {@code Callable}. */
  static final class Undeclared extends Exception {
    private static final long serialVersionUID = 1L;

    Undeclared(Throwable cause) {
      super(cause);
    }
  }
}
