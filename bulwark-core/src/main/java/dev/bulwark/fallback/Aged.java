package dev.bulwark.fallback;

import dev.bulwark.internal.Check;
import java.time.Duration;

/**
 * A value and how old it is, as a fallback rung that knows its age returns it (a cache entry and
 * the time since it was stored).
 *
 * <p>Immutable if {@code value} is; thread-safe.
 *
 * @param value the value, may be null
 * @param age how old it is; not negative
 * @param <T> the value's type
 */
public record Aged<T>(T value, Duration age) {

  /**
   * A value of {@code age}.
   *
   * @throws NullPointerException if {@code age} is null
   * @throws IllegalArgumentException if {@code age} is negative
   */
  public Aged {
    Check.notNull("age", age);
    if (age.isNegative()) {
      throw new IllegalArgumentException("age must not be negative, was " + age);
    }
  }

  /** {@code value}, {@code age} old. Thread-safe. */
  public static <T> Aged<T> of(T value, Duration age) {
    return new Aged<>(value, age);
  }
}
