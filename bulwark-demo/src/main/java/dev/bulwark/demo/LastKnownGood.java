package dev.bulwark.demo;

import java.util.Optional;

/**
 * Remembers the latest value that was fetched fresh, to serve when the source cannot answer.
 *
 * <p>Thread-safe: one volatile field; the latest write wins, which is all a fallback needs.
 */
public final class LastKnownGood<T> {
  private volatile T last;

  /** Remembers {@code value} as the latest good one. */
  public void remember(T value) {
    last = value;
  }

  /** The latest good value, or empty if none was ever remembered. */
  public Optional<T> get() {
    return Optional.ofNullable(last);
  }
}
