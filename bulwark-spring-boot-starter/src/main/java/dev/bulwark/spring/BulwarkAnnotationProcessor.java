package dev.bulwark.spring;

import dev.bulwark.Resilience;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/*
 * Proxies every bean with a method carrying one of the starter's annotations, as Spring's @Async
 * does (an advisor added to an existing proxy, else a new class-based proxy). Before proxying, it
 * builds the guard of every annotated method: that is where a missing or misfit fallback method
 * fails the bean's creation, and so the application's start, naming the bean, the method and the
 * signature expected.
 */
final class BulwarkAnnotationProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {
  private static final long serialVersionUID = 1L;

  private final transient ObjectProvider<Resilience> resilience;
  private final transient Map<Method, GuardedMethod> guards = new ConcurrentHashMap<>();

  BulwarkAnnotationProcessor(ObjectProvider<Resilience> resilience) {
    this.resilience = resilience;
    setProxyTargetClass(true);
    setBeforeExistingAdvisors(true);
    StaticMethodMatcherPointcut annotated =
        new StaticMethodMatcherPointcut() {
          @Override
          public boolean matches(Method method, Class<?> targetClass) {
            return GuardedMethod.isAnnotated(AopUtils.getMostSpecificMethod(method, targetClass));
          }
        };
    this.advisor = new DefaultPointcutAdvisor(annotated, (MethodInterceptor) this::invoke);
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    Class<?> type = ClassUtils.getUserClass(AopUtils.getTargetClass(bean));
    boolean[] any = {false};
    ReflectionUtils.doWithMethods(
        type,
        method -> {
          if (GuardedMethod.isAnnotated(method) && !method.isBridge()) {
            any[0] = true;
            try {
              guards.put(method, GuardedMethod.of(resilience.getObject(), beanName, type, method));
            } catch (IllegalStateException e) {
              throw new BeanInitializationException("Bulwark: " + e.getMessage(), e);
            }
          }
        });
    return any[0] ? super.postProcessAfterInitialization(bean, beanName) : bean;
  }

  private @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
    Object target = invocation.getThis();
    Method method =
        target == null
            ? invocation.getMethod()
            : AopUtils.getMostSpecificMethod(
                invocation.getMethod(), ClassUtils.getUserClass(target.getClass()));
    GuardedMethod guard = guards.get(method);
    return guard == null ? invocation.proceed() : guard.invoke(invocation);
  }

  /** The guard of {@code method}; for tests. */
  @Nullable GuardedMethod guard(Method method) {
    return guards.get(method);
  }
}
