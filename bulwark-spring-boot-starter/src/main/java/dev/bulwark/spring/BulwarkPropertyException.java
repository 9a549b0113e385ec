package dev.bulwark.spring;

/**
 * A Bulwark property of the application's environment that is unknown or has a bad value; the
 * message names the property as written, the value and what is allowed. Fails the application's
 * start.
 */
public final class BulwarkPropertyException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** An exception with {@code message}. */
  public BulwarkPropertyException(String message) {
    super(message);
  }

  /** An exception with {@code message}, caused by {@code cause}. */
  public BulwarkPropertyException(String message, Throwable cause) {
    super(message, cause);
  }
}
