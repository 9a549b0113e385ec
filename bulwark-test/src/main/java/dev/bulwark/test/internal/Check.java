package dev.bulwark.test.internal;

import java.time.Duration;

/**
 * Argument checks for the test kit. Messages name the field, the allowed range and the value given,
 * as core's checks do. Not exported: the kit's own.
 */
public final class Check {
  /** The longest duration a setting accepts, as in core. */
  private static final Duration MAX_DURATION = Duration.ofDays(365);

  private Check() {}

  /** {@code value}, or a NullPointerException naming {@code field}. */
  public static <T> T notNull(String field, T value) {
    if (value == null) {
      throw new NullPointerException(field + " must not be null");
    }
    return value;
  }

  /** {@code value} if it lies in [min, max]. */
  public static int inRange(String field, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "], was " + value);
    }
    return value;
  }

  /** {@code value} if it is more than zero and at most a year. */
  public static Duration positive(String field, Duration value) {
    notNull(field, value);
    if (value.isNegative() || value.isZero() || value.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException(
          field + " must be in (0, " + MAX_DURATION + "], was " + value);
    }
    return value;
  }

  /** {@code value} if it is zero or more and at most a year (so its nanoseconds fit a long). */
  public static Duration nonNegative(String field, Duration value) {
    notNull(field, value);
    if (value.isNegative() || value.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException(
          field + " must be in [0, " + MAX_DURATION + "], was " + value);
    }
    return value;
  }
}
