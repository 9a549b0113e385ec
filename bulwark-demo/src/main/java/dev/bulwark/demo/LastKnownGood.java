package dev.bulwark.demo;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers, per key, the latest value that was fetched fresh, to serve when the source cannot
 * answer.
 *
 * <p>Thread-safe: a concurrent map; the latest write for a key wins, which is all a fallback needs.
 */
public final class LastKnownGood<T> {
  private final ConcurrentHashMap<String, T> last = new ConcurrentHashMap<>();

  /** Remembers {@code value} as the latest good one for {@code key}. */
  public void remember(String key, T value) {
    last.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
  }

  /** The latest good value for {@code key}, or empty if none was ever remembered. */
  public Optional<T> get(String key) {
    return Optional.ofNullable(last.get(key));
  }
}
