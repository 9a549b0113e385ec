package dev.bulwark.spring;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/*
 * The fallback method of one annotated method, found and type-checked when the bean is created.
 *
 * Candidates are the methods of the bean's class and its superclasses with the fallback's name,
 * taking the annotated method's parameter types (exactly) and optionally one Throwable subtype
 * last, and returning a type the annotated method may return. At a failure, the candidate whose
 * exception type is nearest the failure's class answers (one without the exception answers
 * anything else); a failure no candidate takes is rethrown.
 */
final class FallbackMethod {
  private final List<Method> typed; // each with another exception type
  private final @Nullable Method untyped;

  private FallbackMethod(List<Method> typed, @Nullable Method untyped) {
    this.typed = typed;
    this.untyped = untyped;
  }

  /** {@code "bean 'name' (class): method m(String, int)"}, the start of every message. */
  static String where(String beanName, Class<?> beanClass, Method method) {
    return "bean '"
        + beanName
        + "' ("
        + beanClass.getName()
        + "): method "
        + signature(method.getName(), method.getParameterTypes());
  }

  private static String signature(String name, Class<?>[] parameters) {
    StringJoiner out = new StringJoiner(", ", name + "(", ")");
    for (Class<?> p : parameters) {
      out.add(p.getSimpleName());
    }
    return out.toString();
  }

  /**
   * The fallback {@code name} of {@code method}.
   *
   * @throws IllegalStateException naming the bean, the method and the signature expected, if no
   *     method of that name fits
   */
  static FallbackMethod resolve(
      String beanName, Class<?> beanClass, Method method, String name, String annotation) {
    Class<?>[] parameters = method.getParameterTypes();
    Class<?> returns = method.getReturnType();
    List<Method> typed = new ArrayList<>();
    Method untyped = null;
    List<String> misfits = new ArrayList<>();
    for (Class<?> c = beanClass; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Method candidate : c.getDeclaredMethods()) {
        if (!candidate.getName().equals(name) || candidate.isBridge()) {
          continue;
        }
        Class<?>[] given = candidate.getParameterTypes();
        boolean sameParameters =
            given.length >= parameters.length
                && Arrays.equals(Arrays.copyOf(given, parameters.length), parameters);
        boolean withFailure =
            sameParameters
                && given.length == parameters.length + 1
                && Throwable.class.isAssignableFrom(given[parameters.length]);
        boolean fits =
            (given.length == parameters.length || withFailure)
                && sameParameters
                && ClassUtils.isAssignable(returns, candidate.getReturnType());
        if (!fits) {
          misfits.add(candidate.getReturnType().getSimpleName() + " " + signature(name, given));
        } else if (withFailure) {
          if (typed.stream()
              .noneMatch(
                  m -> m.getParameterTypes()[parameters.length] == given[parameters.length])) {
            typed.add(candidate);
          }
        } else if (untyped == null) {
          untyped = candidate;
        }
      }
    }
    if (typed.isEmpty() && untyped == null) {
      Class<?>[] expected = Arrays.copyOf(parameters, parameters.length + 1);
      expected[parameters.length] = Throwable.class;
      throw new IllegalStateException(
          where(beanName, beanClass, method)
              + ": "
              + annotation
              + " names fallbackMethod \""
              + name
              + "\", but "
              + beanClass.getSimpleName()
              + (misfits.isEmpty()
                  ? " has no method of that name"
                  : " has only " + String.join(" and ", misfits) + ", which do not fit")
              + "; expected "
              + returns.getSimpleName()
              + " "
              + signature(name, expected)
              + " (the Throwable may be any subtype, or left out; the return type may be a"
              + " subtype)");
    }
    typed.forEach(ReflectionUtils::makeAccessible);
    if (untyped != null) {
      ReflectionUtils.makeAccessible(untyped);
    }
    return new FallbackMethod(List.copyOf(typed), untyped);
  }

  /**
   * What the fallback answers for {@code failure}, called on {@code target} with {@code arguments}.
   *
   * @throws Throwable {@code failure} if no fallback takes it, or what the fallback threw
   */
  @Nullable Object answer(@Nullable Object target, Object[] arguments, Throwable failure)
      throws Throwable {
    Method nearest = null;
    int nearestDistance = Integer.MAX_VALUE;
    for (Method m : typed) {
      Class<?> type = m.getParameterTypes()[arguments.length];
      int distance = 0;
      for (Class<?> c = failure.getClass(); c != null && c != type; c = c.getSuperclass()) {
        distance++;
      }
      if (type.isInstance(failure) && distance < nearestDistance) {
        nearest = m;
        nearestDistance = distance;
      }
    }
    if (nearest != null) {
      Object[] withFailure = Arrays.copyOf(arguments, arguments.length + 1);
      withFailure[arguments.length] = failure;
      return call(nearest, target, withFailure);
    }
    if (untyped != null) {
      return call(untyped, target, arguments);
    }
    throw failure;
  }

  private static @Nullable Object call(Method m, @Nullable Object target, Object[] arguments)
      throws Throwable {
    try {
      return m.invoke(target, arguments);
    } catch (InvocationTargetException e) {
      throw e.getCause() == null ? e : e.getCause();
    }
  }
}
