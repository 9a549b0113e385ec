package dev.bulwark.http;

import java.time.Duration;

/**
 * Argument checks for the client's builder and values. Every message names the field, the allowed
 * range and the value given, worded as core's own checks are, so a bad setting reads the same
 * whichever module refused it.
 */
final class Check {
  /** The longest duration a setting accepts, as in core. */
  private static final Duration MAX_DURATION = Duration.ofDays(365);

  private Check() {}

  /** {@code value}, or a NullPointerException naming {@code field}. */
  static <T> T notNull(String field, T value) {
    if (value == null) {
      throw new NullPointerException(field + " must not be null");
    }
    return value;
  }

  /** A name: not null, not blank. */
  static String name(String name) {
    notNull("name", name);
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    return name;
  }

  /** {@code value} if it lies in [min, max]. */
  static int inRange(String field, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "], was " + value);
    }
    return value;
  }

  /** {@code value} if it is greater than zero and at most a year. */
  static Duration positive(String field, Duration value) {
    notNull(field, value);
    if (value.isZero() || value.isNegative() || value.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException(
          field + " must be in (0, " + MAX_DURATION + "], was " + value);
    }
    return value;
  }
}
