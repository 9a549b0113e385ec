package dev.bulwark.redis;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Argument checks for configuration builders. Every message names the field, the allowed range and
 * the value given, so a bad configuration fails at build time with an error that says what to
 * change.
 *
 * <p>The fleet module's own, as core's checks are core's: the same rules and messages.
 */
final class Check {

  /** The longest duration any setting accepts: long enough for anything, short enough in nanos. */
  static final Duration MAX_DURATION = Duration.ofDays(365);

  private Check() {}

  /** {@code value}, or a NullPointerException naming {@code field}. */
  static <T> T notNull(String field, @Nullable T value) {
    if (value == null) {
      throw new NullPointerException(field + " must not be null");
    }
    return value;
  }

  /** A policy name: not null, not blank. */
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

  /** {@code value} if it lies in [min, max]; {@code maxName} names where the maximum comes from. */
  static int inRange(String field, int value, int min, int max, String maxName) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "] (" + maxName + "), was " + value);
    }
    return value;
  }

  /** {@code value} if it lies in [min, max] and is a number. */
  static double inRange(String field, double value, double min, double max) {
    if (!(value >= min && value <= max)) { // also rejects NaN
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "], was " + value);
    }
    return value;
  }

  /** {@code value} if it is greater than zero and at most {@link #MAX_DURATION}. */
  static Duration positive(String field, Duration value) {
    notNull(field, value);
    if (value.isZero() || value.isNegative() || value.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException(
          field + " must be in (0, " + MAX_DURATION + "], was " + value);
    }
    return value;
  }

  /** {@code value} if it is zero or more and at most {@link #MAX_DURATION}. */
  static Duration nonNegative(String field, Duration value) {
    notNull(field, value);
    if (value.isNegative() || value.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException(
          field + " must be in [0, " + MAX_DURATION + "], was " + value);
    }
    return value;
  }
}
